"""The request itself: OpenRTB 2.6 §3.2.1 BidRequest, §3.2.2 Source and §3.2.3 Regs."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from mock_data_gen.openrtb.adcom import AuctionType, CategoryTaxonomy
from mock_data_gen.openrtb.base import (
    Array,
    Code,
    Ext,
    Flag,
    Int,
    NonEmptyArray,
    OpenRTBModel,
    Str,
    require_exclusive,
)
from mock_data_gen.openrtb.context import DOOH, App, Site
from mock_data_gen.openrtb.device import Device
from mock_data_gen.openrtb.impression import Imp
from mock_data_gen.openrtb.supply_chain import SupplyChain
from mock_data_gen.openrtb.user import User


class Source(OpenRTBModel):
    """The upstream source of the request and who makes the final decision (OpenRTB 2.6 §3.2.2)."""

    fd: Flag | None = None
    tid: Str | None = None
    pchain: Str | None = None
    schain: SupplyChain | None = None
    ext: Ext = None


class Regs(OpenRTBModel):
    """Regulations the sender deems applicable to the request (OpenRTB 2.6 §3.2.3).

    OpenRTB 2.6 defines no DSA member here: the EU Digital Services Act signals travel as the
    ``regs.ext.dsa`` extension (IAB Tech Lab DSA Transparency extension, also ``Regs.Ext.dsa`` in
    the spec's reference protobuf), so they round-trip inside ``ext`` untouched.
    """

    coppa: Flag | None = None
    gdpr: Flag | None = None
    us_privacy: Str | None = None
    gpp: Str | None = None
    gpp_sid: Array[Int] = None
    ext: Ext = None


class BidRequest(OpenRTBModel):
    """The top-level bid request (OpenRTB 2.6 §3.2.1).

    Spec defaults (not emitted): test=0, at=2 (second price plus), allimps=0, cattax=1.
    """

    id: Str
    imp: NonEmptyArray[Imp]
    site: Site | None = None
    app: App | None = None
    dooh: DOOH | None = None
    device: Device | None = None
    user: User | None = None
    test: Flag | None = None
    at: Annotated[int, Code(AuctionType)] | None = None
    tmax: Int | None = None
    wseat: Array[Str] = None
    bseat: Array[Str] = None
    allimps: Flag | None = None
    cur: Array[Str] = None
    wlang: Array[Str] = None
    wlangb: Array[Str] = None
    acat: Array[Str] = None
    bcat: Array[Str] = None
    cattax: Annotated[int, Code(CategoryTaxonomy)] | None = None
    badv: Array[Str] = None
    bapp: Array[Str] = None
    source: Source | None = None
    regs: Regs | None = None
    ext: Ext = None

    @model_validator(mode="after")
    def check_medium_and_imp_ids(self) -> Self:
        require_exclusive(self, "site", "app", "dooh")
        seen: set[str] = set()
        for imp in self.imp:
            if imp.id in seen:
                raise PydanticCustomError(
                    "duplicate_imp_id",
                    "imp ids must be unique within the request; '{id}' appears more than once",
                    {"id": imp.id},
                )
            seen.add(imp.id)
        return self
