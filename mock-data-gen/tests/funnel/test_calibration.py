"""The generated rates land on the calibrated figures, and those lie in the cited ranges
(``mock_data_gen.funnel.calibration`` has the sources; design §3.6 the table).

Rates that depend on the request mix (render rate, viewability, clicks) are compared with what
the calibration predicts for the very impressions generated, within four standard deviations
(binomial or Poisson), and with the cited range."""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter, defaultdict

from funnel_samples import Funnel

from mock_data_gen.funnel import BID_RESPONSE, CLICK, IMPRESSION, WIN, calibration, engagement
from mock_data_gen.funnel.demand import DemandLevels
from mock_data_gen.funnel.dsps import ADVERTISERS
from mock_data_gen.funnel.opportunity import read_request
from mock_data_gen.openrtb import MarkupType


def within(observed: float, expected: float, count: int) -> bool:
    """Whether a share ``observed`` of ``count`` trials is within 4 sigma of ``expected``."""
    sigma = math.sqrt(expected * (1 - expected) / count)
    return abs(observed - expected) <= 4 * sigma + 1e-12


def test_calibrated_figures_lie_in_their_cited_ranges() -> None:
    low, high = calibration.RENDER_RATE_RANGE
    assert all(low <= rate <= high for rate in calibration.RENDER_RATE.values())
    low, high = calibration.VIEWABLE_RATE_RANGE
    assert all(low <= rate <= high for rate in calibration.VIEWABLE_RATE.values())
    for mtype, (low, high) in calibration.CTR_RANGE.items():
        assert low <= calibration.CTR[mtype] <= high


def test_each_dsp_bids_at_a_rate_in_the_cited_range(funnels: dict[int, Funnel]) -> None:
    low, high = calibration.BID_RATE_RANGE
    for sample in funnels.values():
        calls: Counter[str] = Counter()
        bids: Counter[str] = Counter()
        for event in sample.of_type(BID_RESPONSE):
            calls[event.payload["seat"]] += 1
            has_bid = "seatbid" in event.payload.get("response", {})
            bids[event.payload["seat"]] += has_bid and not event.payload["late"]
        rates = {seat: bids[seat] / calls[seat] for seat in calls}
        assert len(rates) == 18
        assert all(low <= rate <= high for rate in rates.values()), rates
        # DSPs differ: not one rate for all.
        assert max(rates.values()) - min(rates.values()) > 0.1


def test_timeouts_and_latencies_are_as_calibrated(funnels: dict[int, Funnel]) -> None:
    low, high = calibration.TIMEOUT_RATE_RANGE
    for sample in funnels.values():
        calls = [event.payload for event in sample.of_type(BID_RESPONSE)]
        late = sum(call["late"] for call in calls) / len(calls)
        assert low <= late <= high, late
        by_seat: dict[str, list[int]] = defaultdict(list)
        for call in calls:
            by_seat[call["seat"]].append(call["latency_ms"])
        medians = [statistics.median(latencies) for latencies in by_seat.values()]
        # Medians within the calibrated range, widened by sampling noise.
        lo_ms, hi_ms = calibration.LATENCY_MEDIAN_MS_RANGE
        assert all(0.85 * lo_ms <= median <= 1.15 * hi_ms for median in medians), medians


def test_win_rate_of_bids_is_in_the_cited_range(funnels: dict[int, Funnel]) -> None:
    low, high = calibration.WIN_RATE_RANGE
    for sample in funnels.values():
        bids = sum(
            len(seatbid["bid"])
            for event in sample.of_type(BID_RESPONSE)
            if not event.payload["late"]
            for seatbid in event.payload.get("response", {}).get("seatbid", [])
        )
        rate = len(sample.of_type(WIN)) / bids
        assert low <= rate <= high, rate


def test_render_rate_and_viewability_match_the_calibration(funnels: dict[int, Funnel]) -> None:
    for sample in funnels.values():
        wins = sample.of_type(WIN)
        impressions = sample.of_type(IMPRESSION)
        rate = len(impressions) / len(wins)
        low, high = calibration.RENDER_RATE_RANGE
        assert low <= rate <= high
        channels = [read_request(sample.requests[w.payload["request_id"]]).channel for w in wins]
        expected = statistics.fmean(calibration.RENDER_RATE[c] for c in channels)
        # Expiry past imp.exp only lowers the rate, a little.
        assert expected - 0.03 <= rate <= expected + 4 * math.sqrt(expected / len(wins))
        measured = [i.payload for i in impressions if i.payload["measured"]]
        assert all(i["channel"] in ("web", "app") and i["mtype"] != 3 for i in measured)
        viewable = sum(i["viewable"] for i in measured) / len(measured)
        low, high = calibration.VIEWABLE_RATE_RANGE
        assert low <= viewable <= high, viewable
        assert all("viewable" not in i.payload for i in impressions if not i.payload["measured"])


def test_clicks_follow_the_click_through_rates_by_media(funnels: dict[int, Funnel]) -> None:
    expected = 0.0
    clicks = 0
    for sample in funnels.values():
        for event in sample.of_type(IMPRESSION):
            expected += engagement.click_through_rate(
                MarkupType(event.payload["mtype"]), event.payload["channel"]
            )
        for event in sample.of_type(CLICK):
            assert event.payload["channel"] not in ("ctv", "dooh")
            clicks += 1
    # Poisson: within 4 standard deviations of the expected count.
    assert abs(clicks - expected) <= 4 * math.sqrt(expected), (clicks, expected)


def test_click_through_rate_per_media_type_over_many_impressions() -> None:
    """The per-impression draw itself, over enough impressions to pin each rate down."""
    rnd = random.Random(7)
    trials = 400_000
    for mtype, ctr in calibration.CTR.items():
        clicks = sum(engagement.click(mtype, "web", rnd) is not None for _ in range(trials))
        assert within(clicks / trials, ctr, trials), (mtype, clicks / trials)
    assert all(engagement.click(MarkupType.VIDEO, "ctv", rnd) is None for _ in range(10_000))


def test_delays_seconds_to_render_seconds_to_minutes_to_click_a_few_late(
    funnels: dict[int, Funnel],
) -> None:
    rnd = random.Random(11)
    draws = [engagement.click(MarkupType.BANNER, "web", rnd) for _ in range(3_000_000)]
    clicks = [draw for draw in draws if draw is not None]
    delays_s = sorted(click.delay_ms / 1000 for click in clicks)
    assert 3 <= statistics.median(delays_s) <= 20  # seconds...
    assert delays_s[int(0.975 * len(delays_s))] >= 60  # ...to minutes
    assert max(delays_s) <= calibration.CLICK_DELAY_MAX_S
    late = sum(click.report_delay_ms > 0 for click in clicks) / len(clicks)
    assert within(late, calibration.LATE_CLICK_SHARE, len(clicks))
    web_render_s = []
    for sample in funnels.values():
        wins = {(w.payload["request_id"], w.payload["imp_id"]): w for w in sample.of_type(WIN)}
        for event in sample.of_type(IMPRESSION):
            if event.payload["channel"] == "web":
                win = wins[(event.payload["request_id"], event.payload["imp_id"])]
                web_render_s.append((event.event_time_ms - win.event_time_ms) / 1000)
    assert 0.4 <= statistics.median(web_render_s) <= 2.0


def test_fill_is_low_on_the_long_tail_and_high_on_premium_inventory(
    funnels: dict[int, Funnel],
) -> None:
    """Publishers ranked by their demand level, in fifths of the impressions offered: the least
    sought-after fifth fills as long-tail inventory does, the middle one as premium publishers do,
    the most sought-after as header bidding does, and fill rises from one to the other; overall
    it lies between the long tail's and premium publishers'."""
    long_tail, premium = calibration.FILL_RATE_LONG_TAIL, calibration.FILL_RATE_PREMIUM
    for seed, sample in funnels.items():
        offered: Counter[str] = Counter()
        filled: Counter[str] = Counter()
        publisher_of = {}
        for request_id, request in sample.requests.items():
            opp = read_request(request)
            publisher_of[request_id] = opp.publisher_id
            offered[opp.publisher_id] += len(opp.slots)
        for event in sample.of_type(WIN):
            filled[publisher_of[event.payload["request_id"]]] += 1
        levels = DemandLevels(seed)
        total = sum(offered.values())
        fifths: list[list[str]] = [[] for _ in range(5)]
        cumulative = 0
        for publisher in sorted(offered, key=levels.of_publisher):
            fifths[min(4, 5 * cumulative // total)].append(publisher)
            cumulative += offered[publisher]
        fill = [sum(filled[p] for p in fifth) / sum(offered[p] for p in fifth) for fifth in fifths]
        overall = sum(filled.values()) / total
        assert long_tail[0] <= fill[0] <= long_tail[1], (seed, fill)
        assert premium[0] <= fill[2] <= premium[1], (seed, fill)
        # The most sought-after fifth as header bidding (85-95%), widened by a sample's noise.
        low, high = calibration.FILL_RATE_HEADER_BIDDING
        assert low - 0.03 <= fill[4] <= high + 0.03, (seed, fill)
        assert fill[0] < fill[2] < fill[4], (seed, fill)
        assert long_tail[0] <= overall <= premium[1], (seed, overall)


def test_bidders_filters_decline_consistently(funnels: dict[int, Funnel]) -> None:
    """A DSP that blocks a publisher (nbr 7) declines every call for it, and about the calibrated
    share of its publishers; invalid traffic is suspected by most bidders on the same requests,
    not by each on a random few."""
    suspicious = {4, 5}
    for sample in funnels.values():
        publisher_of = {rid: read_request(r).publisher_id for rid, r in sample.requests.items()}
        blocked: set[tuple[str, str]] = set()
        answered: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        flags: defaultdict[str, list[bool]] = defaultdict(list)  # by request: nbr 4/5 or not
        for event in sample.of_type(BID_RESPONSE):
            payload = event.payload
            pair = (payload["seat"], publisher_of[payload["request_id"]])
            response = payload.get("response") or {}
            nbr = response.get("nbr")
            if nbr == 7:
                blocked.add(pair)
            answered[pair].add("bid" if "seatbid" in response else f"nbr {nbr}")
            flags[payload["request_id"]].append(nbr in suspicious)
        # Blocked: never a bid nor another reason (a 204 is the other form of the decline).
        mixed = {pair: answered[pair] for pair in blocked if answered[pair] - {"nbr 7", "nbr None"}}
        assert not mixed, mixed
        share = len(blocked) / len(answered)
        assert 0.005 <= share <= 0.04, share
        # Given one bidder flags a request, another one of its bidders flags it far more often
        # than bidders flag requests at large.
        calls = [flag for request in flags.values() for flag in request]
        base = sum(calls) / len(calls)
        others = [
            (sum(request) - 1) / (len(request) - 1)
            for request in flags.values()
            if any(request) and len(request) > 1
        ]
        assert base < 0.05, base
        assert sum(others) / len(others) > 10 * base, (sum(others) / len(others), base)


def test_bids_come_from_named_brands_and_a_long_tail_of_advertisers(
    funnels: dict[int, Funnel],
) -> None:
    named = {domain for domain, _ in ADVERTISERS}
    for sample in funnels.values():
        domains: Counter[str] = Counter()
        for event in sample.of_type(BID_RESPONSE):
            for seatbid in event.payload.get("response", {}).get("seatbid", []):
                domains.update(bid["adomain"][0] for bid in seatbid["bid"])
        assert len(domains) > 250, len(domains)
        share = sum(domains[domain] for domain in named) / sum(domains.values())
        assert 0.35 <= share <= 0.65, share
