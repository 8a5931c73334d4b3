"""The response side: OpenRTB 2.6 §4.2.1 BidResponse, §4.2.2 SeatBid and §4.2.3 Bid.

Written like the request models (strict JSON types, unset fields omitted, unknown members kept):
a bidder that sends ``"price": "1.20"`` or ``"w": 300.0`` is rejected by strongly typed
exchanges, so the models reject it too. ``mtype`` and ``group`` are closed sets in the spec (and
the official schema's ``enum``); the other coded fields take any integer, as their lists grow.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mock_data_gen.openrtb.adcom import (
    APIFramework,
    CategoryTaxonomy,
    CreativeAttribute,
    MediaRating,
    Protocol,
    SlotPositionInPod,
)
from mock_data_gen.openrtb.base import (
    Array,
    Choice,
    Code,
    Ext,
    Flag,
    Int,
    NonEmptyArray,
    OpenRTBModel,
    Price,
    Size,
    Str,
)
from mock_data_gen.openrtb.reasons import MarkupType, NoBidReason


class Bid(OpenRTBModel):
    """An offer to buy one impression of the request (OpenRTB 2.6 §4.2.3).

    Spec defaults (not emitted): cattax=1, slotinpod=0. ``price`` is a CPM in the response's
    ``cur``; ``nurl``, ``burl``, ``lurl`` and ``adm`` may hold the §4.4 substitution macros.
    """

    id: Str
    impid: Str
    price: Price
    nurl: Str | None = None
    burl: Str | None = None
    lurl: Str | None = None
    adm: Str | None = None
    adid: Str | None = None
    adomain: Array[Str] = None
    bundle: Str | None = None
    iurl: Str | None = None
    cid: Str | None = None
    crid: Str | None = None
    tactic: Str | None = None
    cattax: Annotated[int, Code(CategoryTaxonomy)] | None = None
    cat: Array[Str] = None
    attr: Array[Annotated[int, Code(CreativeAttribute)]] = None
    apis: Array[Annotated[int, Code(APIFramework)]] = None
    api: Int | None = Field(default=None, deprecated="Deprecated as of OpenRTB 2.6; use apis.")
    protocol: Annotated[int, Code(Protocol)] | None = None
    qagmediarating: Annotated[int, Code(MediaRating)] | None = None
    language: Str | None = None
    langb: Str | None = None
    dealid: Str | None = None
    w: Size | None = None
    h: Size | None = None
    wratio: Size | None = None
    hratio: Size | None = None
    exp: Int | None = None
    dur: Int | None = None
    mtype: Annotated[int, Choice(tuple(MarkupType))] | None = None
    slotinpod: Annotated[int, Code(SlotPositionInPod)] | None = None
    ext: Ext = None


class SeatBid(OpenRTBModel):
    """The bids of one buyer seat (OpenRTB 2.6 §4.2.2).

    Spec default (not emitted): group=0 (impressions can be won individually).
    """

    bid: NonEmptyArray[Bid]
    seat: Str | None = None
    group: Flag | None = None
    ext: Ext = None


class BidResponse(OpenRTBModel):
    """The top-level bid response (OpenRTB 2.6 §4.2.1).

    A bid needs 1+ ``seatbid``; a no-bid is HTTP 204 or a response with only ``id`` and a
    reason in ``nbr``. Spec default (not emitted): cur="USD".
    """

    id: Str
    seatbid: Array[SeatBid] = None
    bidid: Str | None = None
    cur: Str | None = None
    customdata: Str | None = None
    nbr: Annotated[int, Code(NoBidReason)] | None = None
    ext: Ext = None
