"""Bids are priced by their valuation, not pinned to the floor.

A DSP that values an impression below its floor does not bid on it (a no-bid on that imp, an
empty answer if it bids on none); one that values it above the floor bids above it. So few bids
sit on the floor price, and two bids tied at the floor in one auction are rare. Clamping shaded
bids up to the floor instead put about 4 in 10 open-market bids on the floor price and left most
auctions with two or more bids tied there.

"At the floor" is the lowest price in whole cents at or above the floor: the least a bid can be.
Bids at the agreed price of a fixed-price deal (``at`` 3) are the floor by definition and left
out. The floor is the test's own reading of the spec (``funnel_rules.floor_of``).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from funnel_rules import floor_of
from funnel_samples import Funnel

from mock_data_gen.funnel import BID_RESPONSE

# At most this share of bids at the floor price, in each seed; with valuations drawn on a
# continuous scale only floors that are not whole cents (converted currencies) can be hit at all.
MAX_AT_FLOOR = 0.01
# At most this share of auctions with two or more bids tied at the floor, in each seed.
MAX_TIED_AT_FLOOR = 0.005
# Bids just above the floor (within a cent of the least price) come from valuations a little
# above it, a thin slice of the valuations: a few percent, not the bulk.
MAX_NEAR_FLOOR = 0.15


def least_price(floor: float) -> float:
    # The floor rounded up to whole cents; round() first so that 0.14 * 100 stays 14 cents.
    return math.ceil(round(floor * 100, 6)) / 100


def auction_type(request: dict[str, Any], imp: dict[str, Any], bid: dict[str, Any]) -> int:
    """The deal's ``at`` for a deal bid that has one, else the request's (OpenRTB 2.6 §3.2.12)."""
    at: int = request.get("at", 2)
    for deal in imp.get("pmp", {}).get("deals", []):
        if deal["id"] == bid.get("dealid"):
            return int(deal.get("at", at))
    return at


def floor_prices(sample: Funnel) -> tuple[int, int, int, int, int]:
    """Bids in time, those at the floor, those within a cent above it, auctions, and auctions
    with two or more bids at the floor."""
    bids = at_floor = near_floor = 0
    by_auction: Counter[tuple[str, str]] = Counter()
    auctions: set[tuple[str, str]] = set()
    for event in sample.of_type(BID_RESPONSE):
        if event.payload["late"]:
            continue  # the auction closed without it
        request = sample.requests[event.payload["request_id"]]
        imps = {imp["id"]: imp for imp in request["imp"]}
        for seatbid in event.payload.get("response", {}).get("seatbid", []):
            for bid in seatbid["bid"]:
                imp = imps[bid["impid"]]
                if auction_type(request, imp, bid) == 3:
                    continue
                auction = (event.payload["request_id"], bid["impid"])
                auctions.add(auction)
                bids += 1
                least = least_price(floor_of(request, imp, bid))
                if bid["price"] <= least:
                    at_floor += 1
                    by_auction[auction] += 1
                near_floor += bid["price"] <= round(least + 0.01, 2)
    tied = sum(count >= 2 for count in by_auction.values())
    return bids, at_floor, near_floor, len(auctions), tied


def test_few_bids_are_priced_at_the_floor_and_ties_there_are_rare(
    funnels: dict[int, Funnel],
) -> None:
    for seed, sample in funnels.items():
        bids, at_floor, near_floor, auctions, tied = floor_prices(sample)
        assert bids > 5_000 and auctions > 1_000, (seed, bids, auctions)
        assert at_floor / bids <= MAX_AT_FLOOR, (seed, at_floor, bids)
        assert tied / auctions <= MAX_TIED_AT_FLOOR, (seed, tied, auctions)
        assert near_floor / bids <= MAX_NEAR_FLOOR, (seed, near_floor, bids)
        # Shading does bring some bids down to just above the floor: the density there is thin,
        # not empty.
        assert near_floor > 0, seed
