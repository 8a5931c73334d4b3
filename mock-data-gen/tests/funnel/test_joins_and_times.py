"""Every event joins to its cause by the ids it carries, and happens after it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from funnel_samples import Funnel

from mock_data_gen.funnel import BID_RESPONSE, CLICK, IMPRESSION, WIN, FunnelEvent


def in_time_bids(sample: Funnel) -> dict[tuple[str, str, str, str], tuple[dict[str, Any], int]]:
    """Each bid that reached the auction, by (request id, seat, bid id, response bidid), with its
    response's event time."""
    bids = {}
    for event in sample.of_type(BID_RESPONSE):
        payload = event.payload
        if payload["late"]:
            continue
        response = payload.get("response", {})
        for seatbid in response.get("seatbid", []):
            for bid in seatbid["bid"]:
                key = (payload["request_id"], seatbid["seat"], bid["id"], response["bidid"])
                bids[key] = (bid, event.event_time_ms)
    return bids


def bid_key(payload: dict[str, Any]) -> tuple[str, str, str, str]:
    return (payload["request_id"], payload["seat"], payload["bid_id"], payload["bidid"])


def test_every_response_answers_an_existing_request_after_it(funnels: dict[int, Funnel]) -> None:
    for sample in funnels.values():
        calls: Counter[tuple[str, str]] = Counter()
        for event in sample.of_type(BID_RESPONSE):
            request_id = event.payload["request_id"]
            assert request_id in sample.requests
            assert event.event_time_ms > sample.request_times[request_id]
            assert event.key == sample.requests[request_id].get("user", {}).get("id", "")
            response = event.payload.get("response")
            assert (response is None) == (event.payload["status"] == 204)
            if response is not None:
                assert response["id"] == request_id
            calls[(request_id, event.payload["seat"])] += 1
        assert max(calls.values()) == 1  # one call per DSP per request


def test_every_win_is_an_in_time_bid_of_that_imp_and_beats_the_others(
    funnels: dict[int, Funnel],
) -> None:
    wins_seen = 0
    for sample in funnels.values():
        bids = in_time_bids(sample)
        by_imp: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
        for key, (bid, _) in bids.items():
            by_imp.setdefault((key[0], bid["impid"]), []).append(key)
        won: set[tuple[str, str]] = set()
        for event in sample.of_type(WIN):
            win = event.payload
            bid, answered_ms = bids[bid_key(win)]  # KeyError: not an in-time bid
            assert bid["impid"] == win["imp_id"]
            assert bid["price"] == win["price"]
            assert event.event_time_ms > answered_ms
            assert (win["request_id"], win["imp_id"]) not in won  # one auction per imp
            won.add((win["request_id"], win["imp_id"]))
            rivals = set(by_imp[(win["request_id"], win["imp_id"])]) - {bid_key(win)}
            losers = {bid_key({"request_id": win["request_id"], **loss}) for loss in win["losses"]}
            assert losers == rivals  # every other in-time bid on the imp lost, and only those
            # Outbid, or outranked by a deal's priority (test_auction checks which).
            for loss in win["losses"]:
                price = bids[bid_key({"request_id": win["request_id"], **loss})][0]["price"]
                assert price <= win["price"] or loss["loss_reason"] == 103
            wins_seen += 1
        # Every imp that had an in-time bid was auctioned.
        assert won == set(by_imp)
    assert wins_seen > 6_000


def test_late_responses_never_win(funnels: dict[int, Funnel]) -> None:
    for sample in funnels.values():
        late = set()
        for event in sample.of_type(BID_RESPONSE):
            request = sample.requests[event.payload["request_id"]]
            latency = event.event_time_ms - sample.request_times[request["id"]]
            assert latency == event.payload["latency_ms"]
            assert event.payload["late"] == (latency > request["tmax"])
            response = event.payload.get("response", {})
            if event.payload["late"] and "bidid" in response:
                late.add(response["bidid"])
        assert late  # some bids did arrive late
        for event in sample.of_type(WIN):
            assert event.payload["bidid"] not in late
            assert not {loss["bidid"] for loss in event.payload["losses"]} & late


def test_every_impression_is_a_win_and_every_click_an_impression_after_it(
    funnels: dict[int, Funnel],
) -> None:
    counts: Counter[str] = Counter()
    for sample in funnels.values():
        wins = {(*bid_key(e.payload), e.payload["imp_id"]): e for e in sample.of_type(WIN)}
        impressions: dict[tuple[str, ...], FunnelEvent] = {}
        for event in sample.of_type(IMPRESSION):
            key = (*bid_key(event.payload), event.payload["imp_id"])
            win = wins[key]  # KeyError: an impression without its win
            assert event.event_time_ms > win.event_time_ms
            assert event.payload["price"] == win.payload["clearing_price"]
            assert key not in impressions  # billed once
            impressions[key] = event
            counts["impressions"] += 1
        clicked = set()
        for event in sample.of_type(CLICK):
            key = (*bid_key(event.payload), event.payload["imp_id"])
            impression = impressions[key]  # KeyError: a click without its impression
            assert event.event_time_ms > impression.event_time_ms
            assert event.emit_time_ms >= event.event_time_ms
            assert key not in clicked
            clicked.add(key)
            counts["clicks"] += 1
            counts["late clicks"] += event.emit_time_ms > event.event_time_ms
        for event in sample.events:
            if event.type != CLICK:
                assert event.emit_time_ms == event.event_time_ms
    assert counts["impressions"] > 5_500
    # About 10 expected (CTRs of 0.05-0.5%, none on TVs and screens): enough to check each.
    assert counts["clicks"] >= 3, counts


def test_fired_notices_carry_the_outcome(funnels: dict[int, Funnel]) -> None:
    """Macros replaced as §4.4 says: the clearing price to the winner, the loss reason and the
    price to beat (not the clearing price) to the losers, the render time on the billing notice,
    and on a DOOH play the impressions it counts as (implementation guide §7.9.4)."""
    plays = 0
    for sample in funnels.values():
        for event in sample.of_type(WIN):
            win = event.payload
            assert "${" not in win["nurl"]
            assert f"price={win['clearing_price']:.2f}&" in win["nurl"]
            assert f"auction={win['request_id']}&bidid={win['bidid']}&" in win["nurl"]
            request = sample.requests[win["request_id"]]
            imp = next(i for i in request["imp"] if i["id"] == win["imp_id"])
            assert win.get("multiplier") == imp.get("qty", {}).get("multiplier")
            for loss in win["losses"]:
                assert f"reason={loss['loss_reason']}&" in loss["lurl"]
                assert loss["lurl"].endswith("&price=")
        for event in sample.of_type(IMPRESSION):
            burl = event.payload["burl"]
            assert "${" not in burl
            assert f"price={event.payload['price']:.2f}&" in burl
            request = sample.requests[event.payload["request_id"]]
            imp = next(i for i in request["imp"] if i["id"] == event.payload["imp_id"])
            multiplier = imp.get("qty", {}).get("multiplier")
            assert event.payload.get("multiplier") == multiplier
            if multiplier is None:
                assert burl.endswith(f"&ts={event.event_time_ms}")
            else:
                assert burl.endswith(f"&ts={event.event_time_ms}&mult={multiplier!r}")
                assert float(burl.rsplit("=", 1)[1]) == multiplier
                plays += 1
    assert plays > 50, plays


def test_events_are_ordered_by_event_time_and_keyed_like_their_request(
    funnels: dict[int, Funnel],
) -> None:
    for sample in funnels.values():
        by_request: dict[str, list[FunnelEvent]] = {}
        for event in sample.events:
            by_request.setdefault(event.payload["request_id"], []).append(event)
        for request_id, events in by_request.items():
            times = [event.event_time_ms for event in events]
            assert times == sorted(times)
            key = sample.requests[request_id].get("user", {}).get("id", "")
            assert {event.key for event in events} == {key}
