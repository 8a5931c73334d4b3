"""Supply chain objects: OpenRTB 2.6 §3.2.25 SupplyChain and §3.2.26 SupplyChainNode."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mock_data_gen.openrtb.base import Ext, Flag, NonEmptyArray, OpenRTBModel, Str


class SupplyChainNode(OpenRTBModel):
    """One entity in the supply chain (OpenRTB 2.6 §3.2.26)."""

    asi: Str
    # The spec says sid "should be limited to 64 characters"; the official schema enforces it.
    sid: Annotated[Str, Field(max_length=64)]
    rid: Str | None = None
    name: Str | None = None
    domain: Str | None = None
    hp: Flag | None = None
    ext: Ext = None


class SupplyChain(OpenRTBModel):
    """The chain of entities paid for the inventory (OpenRTB 2.6 §3.2.25)."""

    complete: Flag
    nodes: NonEmptyArray[SupplyChainNode]
    ver: Str
    ext: Ext = None
