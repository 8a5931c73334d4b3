"""One DSP's answer to one bid request: a BidResponse (OpenRTB 2.6 §4.2) in time or too late, a
no-bid with its reason (``nbr``), or an empty HTTP 204.

A DSP bids on an impression only where it values it at or above the applicable floor; where it
values every impression below, it answers with an empty 204, as the No-Bid Reason list has no
code for "not worth the floor".

Every bid obeys the request: its ``impid`` names an impression of the request; its price is at
or above the applicable floor (implementation guide §7.11.2: the deal's guidance when bidding on a
deal, else the Video/Audio guidance, else ``imp.bidfloor``) in the request's currency; a banner's
size is one of the impression's formats; ``mtype`` is the impression's media; ``adomain`` is not
in ``badv``, no ``cat`` in ``bcat`` (nor under a blocked tier-1 category), no ``attr`` in the
media's ``battr``; a deal bid comes from a seat in the deal's ``wseat`` with an advertiser in its
``wadomain``. Bidding on deals and the open market in one response follows the "M+N" practice of
the implementation guide §7.3. A guaranteed deal (``guar`` 1: "the bidder must bid on the deal",
§3.2.12) is bid on by every seat it is open to, at its fixed price, whether or not the seat has
demand for the request or recognises its user; only the seat's own filters turn it down.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Final

from mock_data_gen.funnel import calibration
from mock_data_gen.funnel.demand import has_demand_probability
from mock_data_gen.funnel.dsps import CATEGORY_INDEX, Advertiser, Dsp
from mock_data_gen.funnel.macros import notice_urls
from mock_data_gen.funnel.opportunity import (
    DealTerms,
    Opportunity,
    Slot,
    applicable_floor,
    convert,
)
from mock_data_gen.openrtb.adcom import AuctionType
from mock_data_gen.openrtb.reasons import MarkupType, NoBidReason

# A DSP's reference CPM (USD) where an impression has no floor to value it against.
DEFAULT_CPM: Final = {
    MarkupType.BANNER: 0.8,
    MarkupType.NATIVE: 1.2,
    MarkupType.VIDEO: 8.0,
    MarkupType.AUDIO: 4.0,
}
# Spread of a DSP's valuations around its median (log-normal sigma).
VALUE_SIGMA: Final = 0.45


@dataclass(slots=True)
class PlacedBid:
    """A bid as the exchange's auction sees it: the Bid JSON plus what it was made under."""

    seat: str
    bidid: str  # the response's BidResponse.bidid
    bid: dict[str, Any]  # the Bid object (OpenRTB 2.6 §4.2.3) as JSON
    slot: Slot
    deal: DealTerms | None
    floor: float  # the applicable floor, in the response's currency
    at: int  # the auction type that prices it: the deal's ``at`` if set, else the request's
    latency_ms: int

    @property
    def price(self) -> float:
        price: float = self.bid["price"]
        return price


@dataclass(slots=True)
class Callout:
    """The exchange's call to one DSP and what came back."""

    dsp: Dsp
    latency_ms: int
    late: bool  # arrived after ``tmax``: the auction had closed without it
    status: int  # HTTP status: 200 with a BidResponse, 204 without a body
    response: dict[str, Any] | None
    bids: tuple[PlacedBid, ...]


class Eligibility:
    """Which of a DSP's advertisers may bid on an impression under the request's blocks, and one of
    them chosen as often as it bids.

    The domains a request blocks (``badv``, and every advertiser ``bcat`` blocks by category,
    looked up in ``dsps.CATEGORY_INDEX``) are remembered per pair of lists: the requests of one
    publisher carry the same. A choice draws from the DSP's weighted advertisers until one may run
    (its domain not blocked, its creative's attributes not in ``battr``): as few blocks bite, one
    or two draws, where filtering the DSP's whole list for every bid cost more than half of the
    simulation once the long tail of advertisers came in. The draws are rejection sampling: the
    choice is exactly uniform over the advertisers allowed (a deal's ``wadomain`` list, which
    admits few, and a rare run of rejections filter the list instead).
    """

    MAX_BLOCK_LISTS: Final = 8_192  # distinct (badv, bcat) pairs remembered; a few MB
    DRAWS: Final = 4  # draws before filtering the whole list

    def __init__(self) -> None:
        self._blocked: dict[tuple[frozenset[str], frozenset[str]], frozenset[str]] = {}

    def blocked(self, opp: Opportunity) -> frozenset[str]:
        """The advertiser domains the request blocks, by domain or by category."""
        key = (opp.badv, opp.bcat)
        found = self._blocked.get(key)
        if found is None:
            found = opp.badv.union(
                *(CATEGORY_INDEX[code] for code in opp.bcat if code in CATEGORY_INDEX)
            )
            if len(self._blocked) >= self.MAX_BLOCK_LISTS:
                self._blocked.clear()
            self._blocked[key] = found
        return found

    def allowed(
        self, dsp: Dsp, opp: Opportunity, slot: Slot, deal: DealTerms | None
    ) -> list[Advertiser]:
        """The DSP's advertisers that may run on the slot: not blocked by the request, their
        creative for the slot's media clear of ``battr`` and, on a deal, admitted by its
        ``wadomain``; each ``weight`` times, as in ``Dsp.weighted_advertisers``."""
        blocked = self.blocked(opp)
        wadomain = None if deal is None else deal.wadomain
        return [
            advertiser
            for advertiser in dsp.weighted_advertisers
            if advertiser.adomain not in blocked
            and slot.battr.isdisjoint(advertiser.creatives[slot.mtype].attr)
            and (wadomain is None or advertiser.adomain in wadomain)
        ]

    def choose(
        self, dsp: Dsp, opp: Opportunity, slot: Slot, deal: DealTerms | None, rnd: random.Random
    ) -> Advertiser | None:
        """One of :meth:`allowed`, uniformly, drawn with ``rnd``; None where none is."""
        if deal is None or deal.wadomain is None:
            blocked = self.blocked(opp)
            candidates = dsp.weighted_advertisers
            for _ in range(self.DRAWS):
                advertiser = candidates[int(rnd.random() * len(candidates))]
                if advertiser.adomain not in blocked and slot.battr.isdisjoint(
                    advertiser.creatives[slot.mtype].attr
                ):
                    return advertiser
        allowed = self.allowed(dsp, opp, slot, deal)
        return allowed[int(rnd.random() * len(allowed))] if allowed else None


def respond(
    dsp: Dsp,
    opp: Opportunity,
    rnd: random.Random,
    eligibility: Eligibility,
    demand: float,
    *,
    suspected: bool = False,
) -> Callout:
    """The DSP's answer to the request, drawn with ``rnd``, at the request's ``demand`` level
    (``funnel.demand``); ``suspected``: the request shows signs of invalid traffic."""
    latency = _latency(dsp, opp, rnd)
    late = opp.tmax is not None and latency > opp.tmax
    reason = _decline(dsp, opp, rnd, suspected)
    bids: list[PlacedBid] = []
    bidid = f"{rnd.getrandbits(64):016x}"
    if reason is None and rnd.random() < has_demand_probability(dsp.bid_rate, demand):
        for slot in opp.slots:
            if slot.mtype in dsp.media:
                bids += _bids_for(dsp, opp, slot, eligibility, bidid, latency, rnd)
    elif opp.guaranteed and reason in (None, NoBidReason.UNMATCHED_USER):
        # A guaranteed deal is bid on whatever the demand and whoever the user: the buyer has
        # committed to it ("must bid", §3.2.12 ``guar``), and its campaign targets no audience.
        for slot in opp.slots:
            if slot.mtype in dsp.media:
                bids += _bids_for(
                    dsp, opp, slot, eligibility, bidid, latency, rnd, guaranteed_only=True
                )
    if bids:
        response: dict[str, Any] = {
            "id": opp.request_id,
            "seatbid": [{"bid": [placed.bid for placed in bids], "seat": dsp.seat}],
            "bidid": bidid,
            "cur": opp.cur,
        }
        return Callout(dsp, latency, late, 200, response, tuple(bids))
    # No bid without a listed reason (no demand, nothing worth its floor): an empty 204.
    if reason is None or rnd.random() >= calibration.NBR_SHARE:
        return Callout(dsp, latency, late, 204, None, ())
    return Callout(dsp, latency, late, 200, {"id": opp.request_id, "nbr": int(reason)}, ())


def _latency(dsp: Dsp, opp: Opportunity, rnd: random.Random) -> int:
    if rnd.random() < calibration.STALL_SHARE:
        # A stalled call answers well past any deadline.
        return int((opp.tmax or 1000) * rnd.uniform(1.05, 3.0))
    return max(1, round(rnd.lognormvariate(math.log(dsp.latency_median_ms), dsp.latency_sigma)))


def _decline(dsp: Dsp, opp: Opportunity, rnd: random.Random, suspected: bool) -> NoBidReason | None:
    """Why the DSP will not bid at all, or None where it considers bidding."""
    if opp.channel not in dsp.channels:
        return NoBidReason.UNSUPPORTED_DEVICE
    if dsp.blocks(opp.publisher_id):
        return NoBidReason.BLOCKED_PUBLISHER_OR_SITE
    if suspected and rnd.random() < calibration.SUSPECTED_TRAFFIC_DETECTION:
        reasons = calibration.SUSPECTED_TRAFFIC_REASONS
        return NoBidReason(rnd.choices(list(reasons), list(reasons.values()))[0])
    if rnd.random() < calibration.TECHNICAL_ERROR_SHARE:
        return NoBidReason.TECHNICAL_ERROR
    if not opp.matched_user and rnd.random() < calibration.UNMATCHED_DECLINE:
        return NoBidReason.UNMATCHED_USER
    return None


def _bids_for(
    dsp: Dsp,
    opp: Opportunity,
    slot: Slot,
    eligibility: Eligibility,
    bidid: str,
    latency: int,
    rnd: random.Random,
    *,
    guaranteed_only: bool = False,
) -> list[PlacedBid]:
    """Its bids on one impression: one per deal open to its seat, and one in the open market
    unless the auction is private to the deals; only on its guaranteed deals if so asked."""
    terms: list[DealTerms | None] = [
        deal
        for deal in slot.deals
        if deal.open_to(dsp.seat) and (deal.guaranteed or not guaranteed_only)
    ]
    if not slot.private_auction and not guaranteed_only:
        terms.append(None)
    placed = []
    for deal in terms:
        # One of the advertisers whose ad may run here.
        advertiser = eligibility.choose(dsp, opp, slot, deal, rnd)
        bid = _bid(dsp, opp, slot, advertiser, deal, bidid, latency, rnd)
        if bid is not None:
            placed.append(bid)
    return placed


def _bid(
    dsp: Dsp,
    opp: Opportunity,
    slot: Slot,
    advertiser: Advertiser | None,
    deal: DealTerms | None,
    bidid: str,
    latency: int,
    rnd: random.Random,
) -> PlacedBid | None:
    if advertiser is None:
        return None
    dur = rnd.choice(slot.durations) if slot.durations else None
    floor = applicable_floor(slot, deal, dur, opp.cur)
    if floor is None:
        return None
    at = deal.at if deal is not None and deal.at is not None else opp.at
    if deal is not None and deal.guaranteed and floor > 0:
        # A guaranteed deal is bid at its agreed price, whatever auction type it names.
        price: float | None = _cents_up(floor)
    else:
        price = _price(dsp, slot.mtype, floor, at, opp.cur, rnd)
    if price is None:
        return None
    creative = advertiser.creatives[slot.mtype]
    bid_id = f"{rnd.getrandbits(64):016x}"
    bid: dict[str, Any] = {"id": bid_id, "impid": slot.imp_id, "price": price}
    bid.update(notice_urls(dsp.host, bid_id, multiplied=slot.multiplier is not None))
    bid.update(
        adomain=[advertiser.adomain],
        cid=advertiser.cid,
        crid=creative.crid,
        cat=list(advertiser.cat),
        attr=list(creative.attr),
    )
    if deal is not None:
        bid["dealid"] = deal.id
    if slot.sizes and slot.mtype in (MarkupType.BANNER, MarkupType.VIDEO):
        bid["w"], bid["h"] = rnd.choice(slot.sizes)
    if dur is not None:
        bid["dur"] = dur
    bid["mtype"] = int(slot.mtype)
    return PlacedBid(dsp.seat, bidid, bid, slot, deal, floor, at, latency)


def _price(
    dsp: Dsp, mtype: MarkupType, floor: float, at: int, cur: str, rnd: random.Random
) -> float | None:
    """The bid price, or None where the DSP values the impression below its floor and so does not
    bid on it: a bid is worth only its valuation, and paying more than that loses money.

    Exactly the agreed price on a fixed-price deal. Otherwise the valuation, in a second-price
    auction (bidding the value is optimal there); in first price (and exchange-specific types,
    priced as first price: pay what you bid) the DSP shades the part of its value above the floor,
    bidding ``floor + (value - floor) * (1 - shading)``. A floor-aware shader: whatever it
    predicts the price to beat to be, it is never below the floor, so it keeps a share of its
    surplus over the floor rather than of the whole value. Clamping a shaded bid up to the floor
    instead would pile a third of all bids on the floor price, tied with each other, where real
    bid landscapes are thin. Rounded up to whole cents.
    """
    if at == AuctionType.FIXED_PRICE and floor > 0:
        return _cents_up(floor)
    reference = floor if floor > 0 else convert(DEFAULT_CPM[mtype], "USD", cur) or 1.0
    value = reference * rnd.lognormvariate(dsp.value_mu, VALUE_SIGMA)
    if value < floor:
        return None
    if at != AuctionType.SECOND_PRICE_PLUS:
        value = floor + (value - floor) * (1 - dsp.shading)
    return _cents_up(value)


def _cents_up(amount: float) -> float:
    # round() first so that 0.14 * 100 = 14.000000000000002 stays 14 cents.
    return math.ceil(round(amount * 100, 6)) / 100
