"""The impression on offer: OpenRTB 2.6 §3.2.4 Imp, §3.2.5 Metric, §3.2.11 Pmp, §3.2.12 Deal,
§3.2.31 Qty, §3.2.33 Refresh and §3.2.34 RefSettings."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from mock_data_gen.openrtb.adcom import AuctionType, AutoRefreshTrigger, DOOHMultiplierSourceType
from mock_data_gen.openrtb.base import (
    Array,
    Choice,
    Code,
    Ext,
    Flag,
    Float,
    Int,
    OpenRTBModel,
    Price,
    Str,
)
from mock_data_gen.openrtb.media import Audio, Banner, DurFloors, Native, Video


class Metric(OpenRTBModel):
    """A metric about the impression, e.g. recent viewability (OpenRTB 2.6 §3.2.5)."""

    type: Str
    value: Float
    vendor: Str | None = None
    ext: Ext = None


class Deal(OpenRTBModel):
    """A deal struck between a buyer and the seller for this impression (OpenRTB 2.6 §3.2.12).

    Spec defaults (not emitted): bidfloor=0, bidfloorcur="USD" (not inherited from the Imp),
    guar=0.
    """

    id: Str
    bidfloor: Price | None = None
    bidfloorcur: Str | None = None
    at: Annotated[int, Code(AuctionType)] | None = None
    wseat: Array[Str] = None
    wadomain: Array[Str] = None
    guar: Flag | None = None
    mincpmpersec: Float | None = None
    durfloors: Array[DurFloors] = None
    ext: Ext = None


class Pmp(OpenRTBModel):
    """The private marketplace deals in effect for the impression (OpenRTB 2.6 §3.2.11).

    Spec default (not emitted): private_auction=0.
    """

    private_auction: Flag | None = None
    deals: Array[Deal] = None
    ext: Ext = None


class Qty(OpenRTBModel):
    """The impression multiplier of a spot seen by many, e.g. in DOOH (OpenRTB 2.6 §3.2.31)."""

    multiplier: Float
    sourcetype: Annotated[int, Code(DOOHMultiplierSourceType)] | None = None
    vendor: Str | None = None
    ext: Ext = None

    @model_validator(mode="after")
    def check_vendor(self) -> Self:
        if self.sourcetype == DOOHMultiplierSourceType.MEASUREMENT_VENDOR and self.vendor is None:
            raise PydanticCustomError(
                "vendor_required", "vendor is required when sourcetype is 1 (measurement vendor)"
            )
        return self


class RefSettings(OpenRTBModel):
    """How and how often an ad slot refreshes (OpenRTB 2.6 §3.2.34).

    Spec default (not emitted): reftype=0.
    """

    reftype: Annotated[int, Code(AutoRefreshTrigger)] | None = None
    minint: Int | None = None
    ext: Ext = None


class Refresh(OpenRTBModel):
    """Automatic refreshing of the ad slot (OpenRTB 2.6 §3.2.33)."""

    refsettings: Array[RefSettings] = None
    count: Int | None = None
    ext: Ext = None


class Imp(OpenRTBModel):
    """An ad placement or impression being auctioned (OpenRTB 2.6 §3.2.4).

    Spec defaults (not emitted): instl=0, bidfloor=0, bidfloorcur="USD", rwdd=0, ssai=0.
    """

    id: Str
    metric: Array[Metric] = None
    banner: Banner | None = None
    video: Video | None = None
    audio: Audio | None = None
    native: Native | None = None
    pmp: Pmp | None = None
    displaymanager: Str | None = None
    displaymanagerver: Str | None = None
    instl: Flag | None = None
    tagid: Str | None = None
    bidfloor: Price | None = None
    bidfloorcur: Str | None = None
    clickbrowser: Flag | None = None
    secure: Flag | None = None
    iframebuster: Array[Str] = None
    rwdd: Flag | None = None
    # 0 = unknown, 1 = all client-side, 2 = assets stitched server-side, 3 = all server-side.
    ssai: Annotated[int, Choice((0, 1, 2, 3))] | None = None
    exp: Int | None = None
    qty: Qty | None = None
    dt: Float | None = None
    refresh: Refresh | None = None
    ext: Ext = None
