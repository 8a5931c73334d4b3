"""The exchange's auction: first price, second price plus the increment, fixed-price deals, loss
reasons and ${AUCTION_MIN_TO_WIN} (OpenRTB 2.6 §4.4.1), by example and over generated funnels."""

from __future__ import annotations

from typing import Any

import pytest
from funnel_samples import Funnel

from mock_data_gen.funnel import WIN
from mock_data_gen.funnel.auction import run_auction
from mock_data_gen.funnel.bidding import PlacedBid
from mock_data_gen.funnel.opportunity import DealTerms, FloorGuidance, Slot
from mock_data_gen.openrtb import LossReason, MarkupType

SLOT = Slot(
    imp_id="1",
    mtype=MarkupType.BANNER,
    sizes=((300, 250),),
    battr=frozenset(),
    imp_floor=0.85,
    imp_cur="USD",
    media_guidance=None,
    durations=(),
    deals=(),
    private_auction=False,
    exp=None,
    viewability=None,
    omid=False,
)
DEAL = DealTerms("D1", FloorGuidance(2.0, None, (), "USD"), None, None, None)


def placed(price: float, at: int, *, seat: str = "s", latency: int = 50, deal: bool = False) -> Any:
    bid = {"id": f"{seat}-{price}", "impid": "1", "price": price}
    return PlacedBid(seat, f"r-{seat}", bid, SLOT, DEAL if deal else None, 0.85, at, latency)


def test_first_price_clears_at_the_winning_bid_as_in_the_spec_example() -> None:
    # §4.4.1, first price, floor $0.85: bids $1.00, $0.90, $0.80.
    result = run_auction([placed(0.90, 1, seat="b"), placed(1.00, 1, seat="a"), placed(0.80, 1)])
    assert result is not None
    assert result.winner.seat == "a"
    assert result.clearing_price == 1.00
    assert result.min_to_win == 0.90
    assert [loss.min_to_win for loss in result.losses] == [1.00, 1.00]
    assert {loss.reason for loss in result.losses} == {LossReason.LOST_TO_HIGHER_BID}


def test_second_price_clears_at_the_next_bid_plus_a_cent_as_in_the_spec_example() -> None:
    # §4.4.1, second price: $1.00 clears at $0.91; losers' minimum to win is $0.91.
    result = run_auction([placed(0.90, 2, seat="b"), placed(1.00, 2, seat="a"), placed(0.80, 2)])
    assert result is not None
    assert result.clearing_price == 0.91
    assert result.min_to_win == 0.90
    assert [loss.min_to_win for loss in result.losses] == [0.91, 0.91]


def test_second_price_never_clears_above_the_winning_bid_nor_below_the_floor() -> None:
    tie = run_auction([placed(1.00, 2, seat="a"), placed(1.00, 2, seat="b", latency=80)])
    assert tie is not None
    assert tie.winner.seat == "a"  # the earlier response
    assert tie.clearing_price == 1.00
    alone = run_auction([placed(1.50, 2)])
    assert alone is not None
    assert alone.clearing_price == 0.86  # the floor plus the increment
    assert alone.min_to_win == 0.85  # the floor, there being no other bid


def test_a_seats_own_other_bid_does_not_set_its_second_price() -> None:
    own_bids = [placed(2.00, 2, seat="a", deal=True), placed(1.80, 2, seat="a")]
    own = run_auction([*own_bids, placed(1.00, 2, seat="b")])
    assert own is not None
    assert own.clearing_price == 1.01
    assert own.min_to_win == 1.00


def test_a_deal_bid_beating_open_bids_makes_them_lose_to_a_deal() -> None:
    result = run_auction([placed(3.00, 1, deal=True, seat="d"), placed(2.50, 1, seat="o")])
    assert result is not None
    assert [loss.reason for loss in result.losses] == [LossReason.LOST_TO_A_BID_FOR_A_DEAL]
    assert run_auction([]) is None


def test_generated_auctions_price_by_their_type(funnels: dict[int, Funnel]) -> None:
    types: dict[int, int] = {}
    for sample in funnels.values():
        for event in sample.of_type(WIN):
            win = event.payload
            request = sample.requests[win["request_id"]]
            imp = next(i for i in request["imp"] if i["id"] == win["imp_id"])
            deal = next(
                (d for d in imp.get("pmp", {}).get("deals", []) if d["id"] == win.get("dealid")),
                None,
            )
            expected_at = deal["at"] if deal and "at" in deal else request.get("at", 2)
            assert win["auction_type"] == expected_at
            types[expected_at] = types.get(expected_at, 0) + 1
            prices = sorted((loss["price"] for loss in win["losses"]), reverse=True)
            rivals = [loss["price"] for loss in win["losses"] if loss["seat"] != win["seat"]]
            assert win["floor"] <= win["clearing_price"] <= win["price"]
            if expected_at == 2:
                runner_up = max(rivals, default=0.0)
                expected = min(win["price"], round(max(runner_up, win["floor"]) + 0.01, 2))
                assert win["clearing_price"] == pytest.approx(expected, abs=1e-9)
            else:
                assert win["clearing_price"] == win["price"]
            assert all(p <= win["price"] for p in prices)
    # First price, second price and fixed-price deals all occurred.
    assert types.get(1, 0) > 1000 and types.get(2, 0) > 20 and types.get(3, 0) > 20, types
