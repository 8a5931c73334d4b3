"""Issue #14, acceptance point 1: a day of requests with ``FUNNEL=full`` through the real service
and Kafka, every record of the five topics read back and checked, 100% of them:

- referential integrity: every bid response names a request that was delivered (and each of its
  bids an imp of it), every win an in-time bid of that response on that imp (the imp's other
  in-time bids its losses), every impression a win, every click an impression; each at most once,
  and every imp with a bid in time auctioned;
- no event before its cause: each record's timestamp (its event time) after its cause's;
- every bid obeys its request (floor, ``bcat``/``badv``/``battr``, sizes, deals: the checker of
  ``funnel_rules``, written from the spec independently of the funnel's code);
- every response body valid against the official ``BidResponse`` schema, by jsonschema-rs
  cross-checked with jsonschema (a ``conformance`` test of its own, skipped where the schema set
  is absent; the others run without it);
- the rates in the ranges ``mock_data_gen.funnel.calibration`` cites;
- the run's summary: exit 0, every request and funnel event delivered, as many as were read.

The service runs once for the module (a backfill at ``SPEED=max``); the topics are read while
it produces (the embedded cluster keeps only ~5 MB of compressed batches per partition). Failure
messages name the offending events by their ids and their partition and offset.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

import openrtb_schemas
import orjson
import pytest
from confluent_kafka import Message
from funnel_rules import bid_problems
from kafka_testkit import (
    EXTERNAL_BOOTSTRAP_ENV,
    EmbeddedCluster,
    ExternalCluster,
    KafkaCluster,
    TopicReader,
)
from service_runner import ServiceProcess, ServiceRunner

from mock_data_gen.embedded_broker import EmbeddedKafka
from mock_data_gen.funnel import BID_RESPONSE, CLICK, EVENT_TYPES, IMPRESSION, WIN, calibration
from mock_data_gen.funnel.engagement import click_through_rate
from mock_data_gen.funnel.opportunity import read_request
from mock_data_gen.openrtb import MarkupType

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SEED = 14
# A whole simulated day, so that every market's daytime is in it, at 0.6 requests a second.
START = datetime(2026, 3, 9, tzinfo=UTC)
END = START + timedelta(days=1)
RATE = 0.6
REQUESTS = 51_840
# Every topic has as many partitions as the request topic (co-partitioned). Twelve keep the
# newest ~60 MB of compressed bid responses in the embedded cluster while they are read.
PARTITIONS = 12
RUN_TIMEOUT_S = 300
SHOWN = 15  # problems quoted in a failure message; the rest are counted


class Record(NamedTuple):
    partition: int
    offset: int
    timestamp: int
    value: bytes

    def where(self) -> str:
        return f"partition {self.partition} offset {self.offset}"


def _kept(message: Message) -> Record:
    partition, offset = message.partition(), message.offset()
    assert partition is not None and offset is not None
    return Record(partition, offset, message.timestamp()[1], message.value() or b"")


@dataclass
class FunnelRun:
    service: ServiceProcess
    exit_code: int
    summary: dict[str, str]
    records: dict[str, list[Record]]  # by type: "bid_request" and the funnel's EVENT_TYPES
    seconds: float  # from the service's start to its exit


@pytest.fixture(scope="module")
def cluster() -> Iterator[KafkaCluster]:
    """As the ``kafka_cluster`` fixture, once for the module: the run is shared by its tests."""
    external = os.environ.get(EXTERNAL_BOOTSTRAP_ENV)
    if external:
        yield ExternalCluster(external)
        return
    with EmbeddedKafka(brokers=3) as kafka:
        yield EmbeddedCluster(kafka)


@pytest.fixture(scope="module")
def funnel_run(
    cluster: KafkaCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FunnelRun]:
    suffix = f"{time.time_ns() % 10**12:012d}"
    topics = {"bid_request": f"bid_requests_scale_{suffix}"}
    topics |= {kind: f"{kind}s_scale_{suffix}" for kind in EVENT_TYPES}
    for topic in topics.values():
        cluster.create_topic(topic, PARTITIONS)
    readers = {
        kind: TopicReader(cluster.bootstrap_servers, topic, _kept) for kind, topic in topics.items()
    }
    runner = ServiceRunner(tmp_path_factory.mktemp("funnel-at-scale"))
    try:
        started = time.monotonic()
        service = runner.start(
            "run",
            KAFKA_BOOTSTRAP_SERVERS=cluster.bootstrap_servers,
            FUNNEL="full",
            TOPIC_BID_REQUESTS=topics["bid_request"],
            TOPIC_BID_RESPONSES=topics[BID_RESPONSE],
            TOPIC_WINS=topics[WIN],
            TOPIC_IMPRESSIONS=topics[IMPRESSION],
            TOPIC_CLICKS=topics[CLICK],
            SEED=SEED,
            SIMULATED_START=START.isoformat(),
            SIMULATED_END=END.isoformat(),
            SPEED="max",
            EVENTS_PER_SECOND=RATE,
        )
        exit_code = service.wait(RUN_TIMEOUT_S)
        seconds = time.monotonic() - started
        records = {kind: reader.finish(120) for kind, reader in readers.items()}
        yield FunnelRun(service, exit_code, service.summary(), records, seconds)
    finally:
        runner.kill_all()


# --- the audit: one pass over each topic, in the order of causes ---------------------------------

BidKey = tuple[str, str, str, str]  # request id, seat, Bid.id, BidResponse.bidid


class Bid(NamedTuple):
    impid: str
    price: float
    answered_ms: int  # the response's record timestamp


class Outcome(NamedTuple):
    bid: BidKey
    timestamp: int
    price: float  # a win's clearing price, an impression's price


@dataclass
class Audit:
    """What the records show: problems by check (each naming its events), counts for the rates."""

    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    counts: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)  # by seat
    bidding_calls: Counter[str] = field(default_factory=Counter)  # with bids in time, by seat
    win_channels: Counter[str] = field(default_factory=Counter)
    impressions: Counter[tuple[int, str]] = field(default_factory=Counter)  # by (mtype, channel)
    clicks: Counter[int] = field(default_factory=Counter)  # by mtype
    latencies: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def report(self, check: str) -> str:
        found = self.problems.get(check, [])
        shown = "\n  ".join(found[:SHOWN])
        more = f"\n  ... and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
        return f"{len(found)} {check} problems:\n  {shown}{more}"


def audit(records: dict[str, list[Record]]) -> Audit:
    result = Audit()
    integrity = result.problems["integrity"]
    timing = result.problems["timing"]
    rules = result.problems["bid rules"]
    counts = result.counts

    # Requests: the raw JSON by id (parsed again only where a response needs it).
    requests: dict[str, Record] = {}
    for record in records["bid_request"]:
        request = orjson.loads(record.value)
        request_id = request["id"]
        counts["imps offered"] += len(request["imp"])
        if request_id in requests:
            integrity.append(f"request {request_id} delivered twice ({record.where()})")
        requests[request_id] = record

    @lru_cache(maxsize=4096)  # a request's responses follow it within seconds in a partition
    def request_of(request_id: str) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(requests[request_id].value)
        return parsed

    # Bid responses: each names a delivered request, once per seat, answered after it.
    in_time: dict[BidKey, Bid] = {}
    late_bids: set[BidKey] = set()
    bids_on_imp: dict[tuple[str, str], set[BidKey]] = defaultdict(set)
    channel_of: dict[str, str] = {}
    called: set[tuple[str, str]] = set()
    for record in records[BID_RESPONSE]:
        payload = orjson.loads(record.value)
        request_id, seat = payload["request_id"], payload["seat"]
        where = f"bid_response of {request_id} from {seat} ({record.where()})"
        counts["responses"] += 1
        result.calls[seat] += 1
        if request_id not in requests:
            integrity.append(f"{where}: names no delivered request")
            continue
        if (request_id, seat) in called:
            integrity.append(f"{where}: a second response of the seat to the request")
        called.add((request_id, seat))
        request_ms = requests[request_id].timestamp
        if record.timestamp <= request_ms:
            timing.append(f"{where}: at {record.timestamp}, not after its request ({request_ms})")
        request = request_of(request_id)
        late = record.timestamp - request_ms > request["tmax"]
        if payload["late"] != late:
            integrity.append(f"{where}: late={payload['late']} {record.timestamp - request_ms} ms")
        counts["late"] += late
        result.latencies[seat].append(record.timestamp - request_ms)
        response = payload.get("response")
        if (response is None) != (payload["status"] == 204):
            integrity.append(f"{where}: status {payload['status']} with body {response}")
        if response is None:
            continue
        counts["bodies"] += 1
        if "seatbid" not in response:
            continue
        rules.extend(bid_problems(request, response))
        for seatbid in response["seatbid"]:
            if seatbid.get("seat") != seat:
                integrity.append(f"{where}: a seatbid of seat {seatbid.get('seat')}")
            for bid in seatbid["bid"]:
                key = (request_id, seat, bid["id"], response["bidid"])
                counts["bids"] += 1
                counts["deal bids"] += "dealid" in bid
                counts[f"mtype {bid.get('mtype')} bids"] += 1
                if late:
                    late_bids.add(key)
                    continue
                if key in in_time:
                    integrity.append(f"{where}: bid {bid['id']} twice")
                in_time[key] = Bid(bid["impid"], bid["price"], record.timestamp)
                bids_on_imp[(request_id, bid["impid"])].add(key)
        if not late:
            result.bidding_calls[seat] += 1
            channel_of[request_id] = read_request(request).channel
    counts["bids in time"] = len(in_time)

    # Wins: one per auctioned imp, of an in-time bid on that imp, after its response; every
    # other in-time bid on the imp is among its losses.
    wins: dict[tuple[str, str], Outcome] = {}
    for record in records[WIN]:
        win = orjson.loads(record.value)
        request_id, imp_id = win["request_id"], win["imp_id"]
        key = (request_id, win["seat"], win["bid_id"], win["bidid"])
        where = f"win of {request_id} imp {imp_id} by {win['seat']} bid {win['bid_id']}"
        where += f" ({record.where()})"
        if (request_id, imp_id) in wins:
            integrity.append(f"{where}: a second win of the imp")
        bid = in_time.get(key)
        if bid is None:
            late = "a late bid" if key in late_bids else "no bid of a response"
            integrity.append(f"{where}: names {late} (bidid {win['bidid']})")
            continue
        if bid.impid != imp_id or bid.price != win["price"]:
            integrity.append(f"{where}: the bid is on imp {bid.impid} at {bid.price}")
        if record.timestamp <= bid.answered_ms:
            timing.append(f"{where}: at {record.timestamp}, not after its bid ({bid.answered_ms})")
        losers = {
            (request_id, loss["seat"], loss["bid_id"], loss["bidid"]) for loss in win["losses"]
        }
        rivals = bids_on_imp[(request_id, imp_id)] - {key}
        if losers != rivals:
            integrity.append(f"{where}: losses {sorted(losers)} are not the other bids {rivals}")
        wins[(request_id, imp_id)] = Outcome(key, record.timestamp, win["clearing_price"])
        result.win_channels[channel_of[request_id]] += 1
    for request_id, imp_id in sorted(bids_on_imp.keys() - wins.keys()):
        integrity.append(f"imp {imp_id} of {request_id} had bids in time and no win")

    # Impressions: each of a win, after it, once; clicks likewise of an impression.
    impressions: dict[tuple[str, str], Outcome] = {}
    for record in records[IMPRESSION]:
        event = orjson.loads(record.value)
        where, imp, cause = _follower(IMPRESSION, record, event, wins, integrity)
        if cause is None:
            continue
        if record.timestamp <= cause.timestamp:
            timing.append(f"{where}: at {record.timestamp}, not after its win ({cause.timestamp})")
        if imp in impressions:
            integrity.append(f"{where}: a second impression of the win")
        if event["price"] != cause.price:
            integrity.append(f"{where}: price {event['price']}, cleared at {cause.price}")
        impressions[imp] = Outcome(cause.bid, record.timestamp, event["price"])
        result.impressions[(event["mtype"], event["channel"])] += 1
        counts["measured"] += event["measured"]
        counts["viewable"] += event.get("viewable", False)
    clicked: set[tuple[str, str]] = set()
    for record in records[CLICK]:
        event = orjson.loads(record.value)
        where, imp, cause = _follower(CLICK, record, event, impressions, integrity)
        if cause is None:
            continue
        if record.timestamp <= cause.timestamp:
            timing.append(f"{where}: at {record.timestamp}, not after its impression")
        if imp in clicked:
            integrity.append(f"{where}: a second click on the impression")
        clicked.add(imp)
        result.clicks[event["mtype"]] += 1
    counts["requests"] = len(requests)
    counts["wins"], counts["impressions"] = len(wins), len(impressions)
    counts["clicks"] = sum(result.clicks.values())
    return result


def _follower(
    kind: str,
    record: Record,
    event: dict[str, Any],
    causes: dict[tuple[str, str], Outcome],
    integrity: list[str],
) -> tuple[str, tuple[str, str], Outcome | None]:
    """An impression's win or a click's impression: the one of its imp with the same bid."""
    imp = (event["request_id"], event["imp_id"])
    key = (event["request_id"], event["seat"], event["bid_id"], event["bidid"])
    where = f"{kind} of {imp[0]} imp {imp[1]} bid {event['bid_id']} ({record.where()})"
    cause = causes.get(imp)
    if cause is None or cause.bid != key:
        named = "win" if kind == IMPRESSION else "impression"
        integrity.append(f"{where}: names no {named} (bidid {event['bidid']})")
        return where, imp, None
    return where, imp, cause


@pytest.fixture(scope="module")
def checked(funnel_run: FunnelRun) -> Audit:
    started = time.monotonic()
    result = audit(funnel_run.records)
    sizes = {kind: len(records) for kind, records in funnel_run.records.items()}
    print(
        f"\n{sizes} in {funnel_run.seconds:.1f} s (service), audited in "
        f"{time.monotonic() - started:.1f} s; {dict(result.counts)}"
    )
    return result


# --- the tests -----------------------------------------------------------------------------------


def test_the_run_delivered_every_request_and_funnel_event_it_reports(funnel_run: FunnelRun) -> None:
    summary, records = funnel_run.summary, funnel_run.records
    assert funnel_run.exit_code == 0, funnel_run.service.log()
    assert summary["exit_code"] == "0", summary
    assert int(summary["delivered"]) == len(records["bid_request"]) == REQUESTS, summary
    funnel_read = sum(len(records[kind]) for kind in EVENT_TYPES)
    assert int(summary["funnel_delivered"]) == funnel_read, summary
    assert (summary["funnel_failed"], summary["funnel_undelivered"]) == ("0", "0"), summary
    assert summary["funnel_unsent"] == "0", summary


def test_every_event_names_its_cause_once(checked: Audit) -> None:
    assert not checked.problems["integrity"], checked.report("integrity")
    # Not vacuous: every kind of event is there in numbers.
    counts = checked.counts
    assert counts["responses"] > 10 * REQUESTS and counts["bids in time"] > 2 * REQUESTS, counts
    assert counts["wins"] > 0.8 * REQUESTS and counts["impressions"] > 0.7 * REQUESTS, counts
    assert counts["clicks"] > 60, counts


def test_no_event_is_timed_before_its_cause(checked: Audit) -> None:
    assert not checked.problems["timing"], checked.report("timing")


def test_every_bid_obeys_its_request(checked: Audit) -> None:
    assert not checked.problems["bid rules"], checked.report("bid rules")
    counts = checked.counts
    assert counts["bids"] > 2 * REQUESTS and counts["deal bids"] > 1000, counts
    assert all(counts[f"mtype {mtype} bids"] > 1000 for mtype in (1, 2, 3, 4)), counts


def test_the_rates_lie_in_the_cited_ranges(checked: Audit) -> None:
    counts = checked.counts
    low, high = calibration.BID_RATE_RANGE
    bid_rates = {seat: checked.bidding_calls[seat] / calls for seat, calls in checked.calls.items()}
    assert len(bid_rates) == 18, bid_rates
    outside = {seat: rate for seat, rate in bid_rates.items() if not low <= rate <= high}
    assert not outside, f"bid rates of seats outside {low}-{high}: {outside}"
    timeouts = counts["late"] / counts["responses"]
    low, high = calibration.TIMEOUT_RATE_RANGE
    assert low <= timeouts <= high, f"timeout rate {timeouts:.2%} outside {low}-{high}"
    # Median latencies by seat in the calibrated range, widened by sampling noise.
    lo_ms, hi_ms = calibration.LATENCY_MEDIAN_MS_RANGE
    medians = {seat: statistics.median(ms) for seat, ms in checked.latencies.items()}
    assert all(0.85 * lo_ms <= median <= 1.15 * hi_ms for median in medians.values()), medians
    win_rate = counts["wins"] / counts["bids in time"]
    low, high = calibration.WIN_RATE_RANGE
    assert low <= win_rate <= high, f"win rate {win_rate:.2%} outside {low}-{high}"
    # Render rate: in the cited range, and as calibrated for the channels of the wins (expiry
    # past imp.exp only lowers it, a little).
    render = counts["impressions"] / counts["wins"]
    low, high = calibration.RENDER_RATE_RANGE
    assert low <= render <= high, f"render rate {render:.2%} outside {low}-{high}"
    channels = checked.win_channels
    expected = sum(calibration.RENDER_RATE[c] * n for c, n in channels.items()) / counts["wins"]
    sigma = math.sqrt(expected * (1 - expected) / counts["wins"])
    assert expected - 0.03 <= render <= expected + 4 * sigma, (render, expected, channels)
    viewable = counts["viewable"] / counts["measured"]
    low, high = calibration.VIEWABLE_RATE_RANGE
    assert low <= viewable <= high, f"viewable share {viewable:.2%} outside {low}-{high}"
    # Fill: between the long tail's and premium publishers' (tests/funnel/test_calibration.py
    # checks each end).
    fill = counts["wins"] / counts["imps offered"]
    low, high = calibration.FILL_RATE_LONG_TAIL[0], calibration.FILL_RATE_PREMIUM[1]
    assert low <= fill <= high, f"fill {fill:.1%} outside {low}-{high}"
    print(
        f"\nbid rate by seat {min(bid_rates.values()):.1%}-{max(bid_rates.values()):.1%}, "
        f"timeouts {counts['late'] / counts['responses']:.2%}, "
        f"win rate {counts['wins'] / counts['bids in time']:.1%}, fill {fill:.1%}, "
        f"render rate {render:.1%} "
        f"(as calibrated for the channels: {expected:.1%}), viewable {viewable:.1%}"
    )


def test_click_through_rates_by_format(checked: Audit) -> None:
    """Clicks per format: within 4 sigma (Poisson) of what the calibrated rates give for the
    impressions shown, and consistent with a rate in the cited range: between 4 sigma below its
    low end and 4 sigma above its high end (a day of requests shows tens of banner clicks, too few
    to place the rate itself inside the range; with more impressions the band narrows to it)."""
    rates = {}
    for mtype in MarkupType:
        shown = {c: n for (m, c), n in checked.impressions.items() if m == mtype}
        expected = sum(click_through_rate(mtype, c) * n for c, n in shown.items())
        clicks = checked.clicks[mtype]
        assert abs(clicks - expected) <= 4 * math.sqrt(expected) + 1, (mtype, clicks, expected)
        # Impressions with a pointer to click with (none on TVs and screens).
        pointer = sum(n for c, n in shown.items() if click_through_rate(mtype, c) > 0)
        rates[mtype.name] = f"{clicks} of {pointer}"
        if mtype in calibration.CTR_RANGE:
            low, high = (rate * pointer for rate in calibration.CTR_RANGE[mtype])
            assert low - 4 * math.sqrt(low) <= clicks <= high + 4 * math.sqrt(high), (
                mtype,
                clicks,
                pointer,
            )
    print(f"\nclicks by format: {rates}")


@pytest.mark.conformance
def test_every_bid_response_is_valid_against_the_official_schema(funnel_run: FunnelRun) -> None:
    """All of them, by jsonschema-rs; its verdicts cross-checked with jsonschema (the reference
    validator the other conformance tests use) on every 25th body, and on broken copies of every
    500th, which both must reject."""
    fast = openrtb_schemas.fast_validator("BidResponse")
    reference = openrtb_schemas.validator("BidResponse")
    failures: list[str] = []
    disagreements: list[str] = []
    checked: Counter[str] = Counter()
    for record in funnel_run.records[BID_RESPONSE]:
        payload = orjson.loads(record.value)
        response = payload.get("response")
        if response is None:
            continue
        index = checked["bids"] + checked["no-bids"]
        where = f"{payload['request_id']} from {payload['seat']} ({record.where()})"
        if not fast.is_valid(response):
            failures += [f"{where}: {error}" for error in fast.iter_errors(response)]
        checked["bids" if "seatbid" in response else "no-bids"] += 1
        if index % 25 == 0 and fast.is_valid(response) != reference.is_valid(response):
            disagreements.append(f"{where}: the validators' verdicts differ")
        checked["cross-checked"] += index % 25 == 0
        if index % 500 == 0:
            # Both reject each broken copy: the fast validator does check what the schema says.
            for broken in _broken(response):
                if fast.is_valid(broken) or reference.is_valid(broken):
                    disagreements.append(f"{where}: accepted {orjson.dumps(broken)!r}")
                checked["broken copies rejected"] += 1
    print(f"\nschema: {dict(checked)}")
    assert not failures, f"{len(failures)} invalid:\n  " + "\n  ".join(failures[:SHOWN])
    assert not disagreements, "\n".join(disagreements[:SHOWN])
    assert checked["bids"] > 2 * REQUESTS and checked["no-bids"] > REQUESTS // 10, checked


def _broken(response: dict[str, Any]) -> list[dict[str, Any]]:
    """Copies of a response that the schema rejects, one way each."""
    broken: list[dict[str, Any]] = [{**response, "id": 1}, {**response, "nbr": "8"}]
    if "seatbid" in response:
        seatbid = response["seatbid"][0]
        bid = seatbid["bid"][0]
        for changed in ({"price": -0.01}, {"mtype": 5}, {"impid": 1}, {"w": "300"}):
            broken.append({**response, "seatbid": [{**seatbid, "bid": [{**bid, **changed}]}]})
        broken.append({**response, "seatbid": [{**seatbid, "bid": []}]})
        broken.append({**response, "seatbid": [{"seat": seatbid["seat"]}]})
    return broken
