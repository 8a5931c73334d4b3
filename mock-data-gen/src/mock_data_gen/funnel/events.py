"""The funnel's events as records: their type, times, key and JSON payload.

Each payload names its causes, so any consumer can join it back up the funnel: a bid response
carries ``request_id`` (and, for a bid, the ``BidResponse`` with ``impid`` per bid); a win, an
impression and a click carry ``request_id``, ``imp_id``, ``seat``, ``bid_id`` (``Bid.id``) and
``bidid`` (``BidResponse.bidid``). ``(request_id, imp_id)`` identifies a win, and so the impression
and the click it leads to (one each at most). The event time is not in the payload: like the
request's, it travels as the Kafka record timestamp (design §3.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import orjson

from mock_data_gen.funnel.auction import AuctionResult
from mock_data_gen.funnel.bidding import Callout, PlacedBid
from mock_data_gen.funnel.engagement import Render
from mock_data_gen.funnel.macros import price_text, substitute

BID_RESPONSE: Final = "bid_response"
WIN: Final = "win"
IMPRESSION: Final = "impression"
CLICK: Final = "click"
# In funnel order: the order events of one moment are listed in.
EVENT_TYPES: Final = (BID_RESPONSE, WIN, IMPRESSION, CLICK)


@dataclass(slots=True)
class FunnelEvent:
    """One event of the funnel."""

    type: str  # one of EVENT_TYPES
    event_time_ms: int  # when it happened (after its cause's event time)
    emit_time_ms: int  # when it is reported: the event time, later for a late click
    key: str  # its request's Kafka key (user.id, "" without one): see design §3.6
    payload: dict[str, Any]

    def to_json(self) -> bytes:
        """The payload as compact UTF-8 JSON."""
        return orjson.dumps(self.payload)


def response_payload(request_id: str, callout: Callout) -> dict[str, Any]:
    """The exchange's record of one call: who, how fast, and the BidResponse if any."""
    payload: dict[str, Any] = {
        "request_id": request_id,
        "seat": callout.dsp.seat,
        "latency_ms": callout.latency_ms,
        "late": callout.late,
        "status": callout.status,
    }
    if callout.response is not None:
        payload["response"] = callout.response
    return payload


def _ids(request_id: str, placed: PlacedBid) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "imp_id": placed.slot.imp_id,
        "seat": placed.seat,
        "bid_id": placed.bid["id"],
        "bidid": placed.bidid,
    }


def macro_values(request_id: str, placed: PlacedBid, cur: str) -> dict[str, str]:
    """The §4.4 macro values every notice of this bid shares."""
    return {
        "AUCTION_ID": request_id,
        "AUCTION_BID_ID": placed.bidid,
        "AUCTION_IMP_ID": placed.slot.imp_id,
        "AUCTION_SEAT_ID": placed.seat,
        "AUCTION_CURRENCY": cur,
    }


def win_payload(request_id: str, cur: str, result: AuctionResult) -> dict[str, Any]:
    """The auction's outcome: winner, clearing price, the fired win notice and every loss."""
    winner = result.winner
    values = macro_values(request_id, winner, cur)
    values["AUCTION_PRICE"] = price_text(result.clearing_price)
    values["AUCTION_MBR"] = f"{result.clearing_price / winner.price:.4f}"
    values["AUCTION_MIN_TO_WIN"] = price_text(result.min_to_win)
    payload = _ids(request_id, winner)
    if winner.deal is not None:
        payload["dealid"] = winner.deal.id
    payload.update(
        auction_type=result.at,
        cur=cur,
        price=winner.price,
        clearing_price=result.clearing_price,
        floor=winner.floor,
        mtype=winner.bid["mtype"],
        adomain=winner.bid["adomain"],
        crid=winner.bid["crid"],
        nurl=substitute(winner.bid["nurl"], values),
        losses=[],
    )
    if winner.slot.multiplier is not None:
        payload["multiplier"] = winner.slot.multiplier
    for loss in result.losses:
        loser = loss.bid
        loss_values = macro_values(request_id, loser, cur)
        # Losers learn the reason and the price to beat, not the clearing price (§4.4.1 tables).
        loss_values["AUCTION_LOSS"] = str(int(loss.reason))
        if loss.min_to_win is not None:
            loss_values["AUCTION_MIN_TO_WIN"] = price_text(loss.min_to_win)
        entry: dict[str, Any] = {
            "seat": loser.seat,
            "bid_id": loser.bid["id"],
            "bidid": loser.bidid,
            "price": loser.price,
            "loss_reason": int(loss.reason),
            "lurl": substitute(loser.bid["lurl"], loss_values),
        }
        if loser.deal is not None:
            entry["dealid"] = loser.deal.id
        payload["losses"].append(entry)
    return payload


def impression_payload(
    request_id: str, cur: str, channel: str, result: AuctionResult, render: Render, time_ms: int
) -> dict[str, Any]:
    """The billable impression: the fired billing notice and, where measured, viewability; on a
    DOOH play, the impressions it counts as (``multiplier``: it costs ``price / 1000 *
    multiplier``, implementation guide §7.9.4)."""
    winner = result.winner
    values = macro_values(request_id, winner, cur)
    values["AUCTION_PRICE"] = price_text(result.clearing_price)
    values["AUCTION_IMP_TS"] = str(time_ms)
    multiplier = winner.slot.multiplier
    if multiplier is not None:
        values["AUCTION_MULTIPLIER"] = repr(multiplier)
    payload = _ids(request_id, winner)
    payload.update(
        channel=channel,
        mtype=winner.bid["mtype"],
        price=result.clearing_price,
        cur=cur,
        burl=substitute(winner.bid["burl"], values),
        measured=render.measured,
    )
    if multiplier is not None:
        payload["multiplier"] = multiplier
    if render.measured:
        payload["viewable"] = render.viewable
    return payload


def click_payload(request_id: str, channel: str, result: AuctionResult) -> dict[str, Any]:
    payload = _ids(request_id, result.winner)
    payload.update(channel=channel, mtype=result.winner.bid["mtype"])
    return payload
