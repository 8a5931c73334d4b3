"""The funnel's records as models: one per event type, exactly the members its payload has.

``mock_data_gen.funnel.events`` writes the payloads as plain dicts (fast); these models describe
them, so that the setup derives each event's Iceberg table from them as it derives the request
table from ``BidRequest`` (``lakehouse.table_schema``), and so that a test can hold every payload
the simulator makes against them (unknown members refused, JSON types strict). A bid response's
``response`` is the OpenRTB ``BidResponse`` model itself.
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict

from mock_data_gen.funnel.events import BID_RESPONSE, CLICK, IMPRESSION, WIN
from mock_data_gen.openrtb.response import BidResponse


class _Record(BaseModel):
    # Strict, like the wire: a payload member the model lacks is an error, not a dropped column.
    model_config = ConfigDict(extra="forbid", strict=True)


class BidResponseRecord(_Record):
    """The exchange's record of one call to a DSP (``events.response_payload``)."""

    request_id: str
    seat: str
    latency_ms: int
    late: bool  # answered after tmax: not in the auction
    status: int  # HTTP status: 200 with a body, 204 without
    response: BidResponse | None = None


class _WinIds(_Record):
    """The ids joining an event to its auction's winning bid."""

    request_id: str
    imp_id: str
    seat: str
    bid_id: str  # Bid.id
    bidid: str  # BidResponse.bidid


class Loss(_Record):
    """A bid that lost the auction, with its fired loss notice."""

    seat: str
    bid_id: str
    bidid: str
    price: float
    loss_reason: int  # OpenRTB 3.0 loss reason code
    lurl: str
    dealid: str | None = None


class WinRecord(_WinIds):
    """The auction of one impression (``events.win_payload``)."""

    dealid: str | None = None
    auction_type: int
    cur: str
    price: float
    clearing_price: float
    floor: float
    mtype: int
    adomain: list[str]
    crid: str
    nurl: str
    losses: list[Loss]
    multiplier: float | None = None  # imp.qty.multiplier: impressions a DOOH play counts as


class ImpressionRecord(_WinIds):
    """A billable render of a win (``events.impression_payload``)."""

    channel: str
    mtype: int
    price: float
    cur: str
    burl: str
    measured: bool
    viewable: bool | None = None
    multiplier: float | None = None  # as the win's: the play costs price / 1000 * multiplier


class ClickRecord(_WinIds):
    """A click on an impression (``events.click_payload``)."""

    channel: str
    mtype: int


RECORD_MODELS: Final[dict[str, type[BaseModel]]] = {
    BID_RESPONSE: BidResponseRecord,
    WIN: WinRecord,
    IMPRESSION: ImpressionRecord,
    CLICK: ClickRecord,
}
