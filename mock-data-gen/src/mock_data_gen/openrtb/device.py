"""The device: OpenRTB 2.6 §3.2.18 Device, §3.2.19 Geo, §3.2.29 UserAgent, §3.2.30 BrandVersion."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mock_data_gen.openrtb.adcom import (
    ConnectionType,
    DeviceType,
    IPLocationService,
    LocationType,
    UserAgentSource,
)
from mock_data_gen.openrtb.base import (
    Array,
    Code,
    Ext,
    Flag,
    Float,
    Int,
    Latitude,
    Longitude,
    OpenRTBModel,
    Size,
    Str,
)

_HASHED_ID_DEPRECATION = "Deprecated as of OpenRTB 2.6."


class Geo(OpenRTBModel):
    """A location: the device's current one or the user's home base (OpenRTB 2.6 §3.2.19)."""

    lat: Latitude | None = None
    lon: Longitude | None = None
    type: Annotated[int, Code(LocationType)] | None = None
    accuracy: Int | None = None
    lastfix: Int | None = None
    ipservice: Annotated[int, Code(IPLocationService)] | None = None
    country: Str | None = None
    region: Str | None = None
    regionfips104: Str | None = None
    metro: Str | None = None
    city: Str | None = None
    zip: Str | None = None
    utcoffset: Int | None = None
    ext: Ext = None


class BrandVersion(OpenRTBModel):
    """A browser or platform brand with its version components (OpenRTB 2.6 §3.2.30)."""

    brand: Str
    version: Array[Str] = None
    ext: Ext = None


class UserAgent(OpenRTBModel):
    """Structured user agent from User-Agent Client Hints (OpenRTB 2.6 §3.2.29).

    Spec default (not emitted): source=0.
    """

    browsers: Array[BrandVersion] = None
    platform: BrandVersion | None = None
    mobile: Flag | None = None
    architecture: Str | None = None
    bitness: Str | None = None
    model: Str | None = None
    source: Annotated[int, Code(UserAgentSource)] | None = None
    ext: Ext = None


class Device(OpenRTBModel):
    """The device through which the user interacts (OpenRTB 2.6 §3.2.18)."""

    geo: Geo | None = None
    dnt: Flag | None = None
    lmt: Flag | None = None
    ua: Str | None = None
    sua: UserAgent | None = None
    ip: Str | None = None
    ipv6: Str | None = None
    devicetype: Annotated[int, Code(DeviceType)] | None = None
    make: Str | None = None
    model: Str | None = None
    os: Str | None = None
    osv: Str | None = None
    hwv: Str | None = None
    h: Size | None = None
    w: Size | None = None
    ppi: Size | None = None
    pxratio: Float | None = None
    js: Flag | None = None
    geofetch: Flag | None = None
    flashver: Str | None = None
    language: Str | None = None
    langb: Str | None = None
    carrier: Str | None = None
    mccmnc: Str | None = None
    connectiontype: Annotated[int, Code(ConnectionType)] | None = None
    ifa: Str | None = None
    didsha1: Str | None = Field(default=None, deprecated=_HASHED_ID_DEPRECATION)
    didmd5: Str | None = Field(default=None, deprecated=_HASHED_ID_DEPRECATION)
    dpidsha1: Str | None = Field(default=None, deprecated=_HASHED_ID_DEPRECATION)
    dpidmd5: Str | None = Field(default=None, deprecated=_HASHED_ID_DEPRECATION)
    macsha1: Str | None = Field(default=None, deprecated=_HASHED_ID_DEPRECATION)
    macmd5: Str | None = Field(default=None, deprecated=_HASHED_ID_DEPRECATION)
    ext: Ext = None
