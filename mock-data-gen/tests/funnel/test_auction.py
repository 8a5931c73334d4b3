"""The exchange's auction: first price, second price plus the increment, fixed-price deals, loss
reasons and ${AUCTION_MIN_TO_WIN} (OpenRTB 2.6 §4.4.1), by example and over generated funnels."""

from __future__ import annotations

from typing import Any

import pytest
from funnel_samples import Funnel

from mock_data_gen.funnel import BID_RESPONSE, WIN, calibration, population
from mock_data_gen.funnel.auction import run_auction
from mock_data_gen.funnel.bidding import Eligibility, PlacedBid
from mock_data_gen.funnel.opportunity import DealTerms, FloorGuidance, Slot, read_request
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
PREFERRED_DEAL = DealTerms("PD1", FloorGuidance(2.0, None, (), "USD"), 3, None, None)
GUARANTEED_DEAL = DealTerms("PG1", FloorGuidance(2.0, None, (), "USD"), 3, None, None, True)


def placed(
    price: float, at: int, *, seat: str = "s", latency: int = 50, deal: DealTerms | None = None
) -> Any:
    bid = {"id": f"{seat}-{price}", "impid": "1", "price": price}
    return PlacedBid(seat, f"r-{seat}", bid, SLOT, deal, 0.85, at, latency)


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
    own_bids = [placed(2.00, 2, seat="a", deal=DEAL), placed(1.80, 2, seat="a")]
    own = run_auction([*own_bids, placed(1.00, 2, seat="b")])
    assert own is not None
    assert own.clearing_price == 1.01
    assert own.min_to_win == 1.00


def test_a_private_auction_deal_bid_competes_with_the_open_market_on_price() -> None:
    result = run_auction([placed(3.00, 1, deal=DEAL, seat="d"), placed(2.50, 1, seat="o")])
    assert result is not None
    assert result.winner.seat == "d"
    assert [(loss.reason, loss.min_to_win) for loss in result.losses] == [
        (LossReason.LOST_TO_HIGHER_BID, 3.00)
    ]
    outbid = run_auction([placed(3.00, 1, deal=DEAL, seat="d"), placed(3.50, 1, seat="o")])
    assert outbid is not None
    assert outbid.winner.seat == "o"
    assert run_auction([]) is None


def test_a_guaranteed_deal_comes_first_and_the_others_lose_to_it_without_a_price() -> None:
    result = run_auction(
        [
            placed(5.00, 1, seat="o"),
            placed(4.00, 3, deal=PREFERRED_DEAL, seat="p"),
            placed(2.00, 3, deal=GUARANTEED_DEAL, seat="g"),
        ]
    )
    assert result is not None
    assert result.winner.seat == "g"
    assert result.clearing_price == 2.00  # the agreed fixed price
    # Price did not decide: 103, and no minimum to win (§4.4.1: the empty string).
    assert [(loss.reason, loss.min_to_win) for loss in result.losses] == [
        (LossReason.LOST_TO_A_BID_FOR_A_DEAL, None),
        (LossReason.LOST_TO_A_BID_FOR_A_DEAL, None),
    ]


def test_a_preferred_deal_gets_its_first_look_before_the_auction() -> None:
    result = run_auction(
        [
            placed(9.00, 2, seat="o"),
            placed(2.00, 3, deal=PREFERRED_DEAL, seat="p"),
            placed(2.50, 3, deal=PREFERRED_DEAL, seat="q"),
        ]
    )
    assert result is not None
    assert result.winner.seat == "q"  # the better of the two preferred deals, on price
    assert {loss.bid.seat: (loss.reason, loss.min_to_win) for loss in result.losses} == {
        "p": (LossReason.LOST_TO_HIGHER_BID, 2.50),
        "o": (LossReason.LOST_TO_A_BID_FOR_A_DEAL, None),
    }


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
            rivals = [loss["price"] for loss in win["losses"] if loss["seat"] != win["seat"]]
            assert win["floor"] <= win["clearing_price"] <= win["price"]
            if expected_at == 2:
                runner_up = max(rivals, default=0.0)
                expected = min(win["price"], round(max(runner_up, win["floor"]) + 0.01, 2))
                assert win["clearing_price"] == pytest.approx(expected, abs=1e-9)
            else:
                assert win["clearing_price"] == win["price"]
            for loss in win["losses"]:
                # Outbid, with the price to beat in the loss notice; or outranked by a deal,
                # with none (§4.4.1).
                if loss["loss_reason"] == 102:
                    assert loss["price"] <= win["price"]
                    assert "&min=&" not in loss["lurl"]
                else:
                    assert loss["loss_reason"] == 103 and "dealid" in win
                    assert "&min=&" in loss["lurl"]
    # First price, second price and fixed-price deals all occurred.
    assert types.get(1, 0) > 1000 and types.get(2, 0) > 20 and types.get(3, 0) > 20, types


def test_guaranteed_deals_are_bid_on_by_their_buyers_and_delivered_first(
    funnels: dict[int, Funnel],
) -> None:
    """A seat the exchange calls on an impression with a guaranteed deal open to it (``guar`` 1,
    "the bidder must bid on the deal", §3.2.12), of a medium and channel it buys, bids on the deal
    unless its own filters turn the request down (No-Bid Reasons 1, 4, 5, 7, or an empty 204 for
    some: about 5% of calls) or none of its advertisers may run there (the deal's ``wadomain``,
    the request's blocks); and such a bid in time wins its impression."""
    filter_codes = set(calibration.FILTER_REASONS)
    obliged = declined = 0
    for seed, sample in funnels.items():
        dsps = {dsp.seat: dsp for dsp in population(seed)}
        eligibility = Eligibility()
        for event in sample.of_type(BID_RESPONSE):
            payload = event.payload
            request = sample.requests[payload["request_id"]]
            opp = read_request(request)
            dsp = dsps[payload["seat"]]
            owed = {
                (slot.imp_id, deal.id)
                for slot in opp.slots
                if slot.mtype in dsp.media and opp.channel in dsp.channels
                for deal in slot.deals
                if deal.guaranteed
                and deal.open_to(dsp.seat)
                and eligibility.allowed(dsp, opp, slot, deal)
            }
            if not owed:
                continue
            obliged += 1
            response = payload.get("response") or {}
            made = {
                (bid["impid"], bid.get("dealid"))
                for seatbid in response.get("seatbid", [])
                for bid in seatbid["bid"]
            }
            if not owed <= made:
                declined += 1
                assert not made, (payload, owed)  # a filter declines the whole request
                assert response.get("nbr") in (None, *filter_codes), payload
        for event in sample.of_type(WIN):
            win = event.payload
            request = sample.requests[win["request_id"]]
            imp = next(i for i in request["imp"] if i["id"] == win["imp_id"])
            guaranteed = {d["id"] for d in imp.get("pmp", {}).get("deals", []) if d.get("guar")}
            outranked = [loss for loss in win["losses"] if loss.get("dealid") in guaranteed]
            if outranked:
                assert win.get("dealid") in guaranteed, win
    assert obliged > 200, obliged
    assert declined / obliged < 0.1, (declined, obliged)
