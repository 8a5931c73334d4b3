"""The audience: OpenRTB 2.6 §3.2.20 User, §3.2.21 Data, §3.2.22 Segment, §3.2.27 EID and
§3.2.28 UID."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mock_data_gen.openrtb.adcom import AgentType, IDMatchMethod
from mock_data_gen.openrtb.base import Array, Code, Ext, Int, OpenRTBModel, Str
from mock_data_gen.openrtb.device import Geo


class Segment(OpenRTBModel):
    """A key-value unit of data from a data provider (OpenRTB 2.6 §3.2.22)."""

    id: Str | None = None
    name: Str | None = None
    value: Str | None = None
    ext: Ext = None


class Data(OpenRTBModel):
    """Data about the user or content from one data provider (OpenRTB 2.6 §3.2.21)."""

    id: Str | None = None
    name: Str | None = None
    cids: Array[Str] = None
    segment: Array[Segment] = None
    ext: Ext = None


class UID(OpenRTBModel):
    """A single extended user identifier (OpenRTB 2.6 §3.2.28)."""

    id: Str | None = None
    atype: Annotated[int, Code(AgentType)] | None = None
    ext: Ext = None


class EID(OpenRTBModel):
    """Extended identifiers from one source or technology provider (OpenRTB 2.6 §3.2.27)."""

    inserter: Str | None = None
    source: Str | None = None
    matcher: Str | None = None
    mm: Annotated[int, Code(IDMatchMethod)] | None = None
    uids: Array[UID] = None
    ext: Ext = None


class User(OpenRTBModel):
    """The human user of the device, i.e. the advertising audience (OpenRTB 2.6 §3.2.20)."""

    id: Str | None = None
    buyeruid: Str | None = None
    yob: Int | None = Field(default=None, deprecated="Deprecated as of OpenRTB 2.6.")
    gender: Str | None = Field(default=None, deprecated="Deprecated as of OpenRTB 2.6.")
    keywords: Str | None = None
    kwarray: Array[Str] = None
    customdata: Str | None = None
    geo: Geo | None = None
    data: Array[Data] = None
    consent: Str | None = None
    eids: Array[EID] = None
    ext: Ext = None
