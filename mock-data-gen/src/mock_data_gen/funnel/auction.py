"""The exchange's auction of one impression among the bids that arrived in time.

Deals are served in the priority order ad servers give them (Google Ad Manager's, for one):
a bid on a guaranteed deal (``guar`` 1) first, then a bid on a preferred deal (a fixed-price deal,
``at`` 3, not guaranteed: the buyer's "first look"), then the auction, where private-auction deal
bids and the open market compete on price. Within the first tier that has a bid, the highest
price wins (a tie goes to the earlier response). The auction type is the request's ``at``
(default 2), or the deal's own ``at`` when the winning bid is on a deal (OpenRTB 2.6 §3.2.12):
first price (1) and fixed price (3) clear at the winning bid; second price plus (2) clears at the
larger of the next-best bid of another seat (a buyer does not bid against itself with its deal
and open-market bids) and the winner's floor, plus the increment, and never above the winning
bid (the §4.4.1 example). Exchange-specific types (500+) clear as first price.

Every other bid loses with an OpenRTB 3.0 loss reason code (what ``${AUCTION_LOSS}`` carries):
102 "Lost to Higher Bid" where price decided, 103 "Lost to a Bid for a Deal" where a deal's
priority did. ``${AUCTION_MIN_TO_WIN}`` follows §4.4.1: for a loser on price the price that would
have tied with the winner (the clearing price in second price), for the winner the next-best bid
of its tier or else its floor, and nothing (the empty string) where "per the loss code, price was
not the deciding factor in the loss".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mock_data_gen.funnel import calibration
from mock_data_gen.funnel.bidding import PlacedBid
from mock_data_gen.openrtb.adcom import AuctionType
from mock_data_gen.openrtb.reasons import LossReason

# Delivery priority: guaranteed deals, then preferred deals, then the auction.
GUARANTEED, PREFERRED, AUCTION = 0, 1, 2


@dataclass(slots=True)
class Loss:
    bid: PlacedBid
    reason: LossReason
    min_to_win: float | None  # None: not given (a loss to a deal's priority)


@dataclass(slots=True)
class AuctionResult:
    winner: PlacedBid
    at: int  # the auction type that priced it
    clearing_price: float  # in the request's currency, what ${AUCTION_PRICE} carries
    min_to_win: float  # the winner's ${AUCTION_MIN_TO_WIN}
    losses: tuple[Loss, ...]


def priority(placed: PlacedBid) -> int:
    """The bid's tier: ``GUARANTEED``, ``PREFERRED`` or ``AUCTION``."""
    deal = placed.deal
    if deal is None:
        return AUCTION
    if deal.guaranteed:
        return GUARANTEED
    return PREFERRED if placed.at == AuctionType.FIXED_PRICE else AUCTION


def run_auction(bids: Sequence[PlacedBid]) -> AuctionResult | None:
    """The outcome among ``bids`` (all on one impression, all in time); None without bids."""
    if not bids:
        return None
    ranked = sorted(bids, key=lambda placed: (priority(placed), -placed.price, placed.latency_ms))
    winner, others = ranked[0], ranked[1:]
    tier = priority(winner)
    at = winner.at
    runner_up = next(
        (
            placed.price
            for placed in others
            if placed.seat != winner.seat and priority(placed) == tier
        ),
        None,
    )
    if at == AuctionType.SECOND_PRICE_PLUS:
        base = max(runner_up if runner_up is not None else 0.0, winner.floor)
        clearing = min(winner.price, round(base + calibration.SECOND_PRICE_INCREMENT, 2))
    else:
        clearing = winner.price
    loser_min = clearing if at == AuctionType.SECOND_PRICE_PLUS else winner.price
    losses = tuple(
        Loss(placed, LossReason.LOST_TO_HIGHER_BID, loser_min)
        if priority(placed) == tier
        else Loss(placed, LossReason.LOST_TO_A_BID_FOR_A_DEAL, None)
        for placed in others
    )
    return AuctionResult(
        winner=winner,
        at=at,
        clearing_price=clearing,
        min_to_win=runner_up if runner_up is not None else winner.floor,
        losses=losses,
    )
