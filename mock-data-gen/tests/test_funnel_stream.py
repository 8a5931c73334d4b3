"""``FUNNEL=full`` end to end against Kafka: every delivered request's funnel lands on its four
topics exactly once, keyed and timestamped as its request, co-partitioned with it, in the order of
its time; a SIGTERM flushes the events still waiting; the pending heap is bounded and its memory
accounted for."""

from __future__ import annotations

import time
import tracemalloc
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from confluent_kafka import Message
from kafka_testkit import KafkaCluster, TopicReader, read_topic, require_fault_injection
from prometheus_client.parser import text_string_to_metric_families
from service_runner import ServiceProcess, ServiceRunner, free_port

from mock_data_gen.delivery import KEY_STRATEGIES, Outgoing
from mock_data_gen.funnel import EVENT_TYPES, FunnelSimulator
from mock_data_gen.funnel_stream import ENTRY_OVERHEAD_BYTES, FunnelStream, funnel_headers
from mock_data_gen.settings import Settings
from mock_data_gen.synthesis import BidRequestGenerator

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SEED = 11
Record = tuple[int, int, bytes | None, int, bytes]  # partition, offset, key, timestamp, value


def _kept(message: Message) -> Record:
    partition, offset = message.partition(), message.offset()
    assert partition is not None and offset is not None
    return partition, offset, message.key(), message.timestamp()[1], message.value() or b""


@pytest.fixture
def topics(kafka_cluster: KafkaCluster, kafka_topic: str) -> dict[str, str]:
    """The request topic and a funnel topic per event type, 6 partitions each."""
    names = {"bid_request": kafka_topic}
    for kind in EVENT_TYPES:
        names[kind] = f"{kafka_topic}_{kind}"
        kafka_cluster.create_topic(names[kind], 6)
    return names


def _settings(topics: dict[str, str]) -> dict[str, str]:
    return {
        "FUNNEL": "full",
        "TOPIC_BID_REQUESTS": topics["bid_request"],
        "TOPIC_BID_RESPONSES": topics["bid_response"],
        "TOPIC_WINS": topics["win"],
        "TOPIC_IMPRESSIONS": topics["impression"],
        "TOPIC_CLICKS": topics["click"],
        "SEED": str(SEED),
    }


def _readers(cluster: KafkaCluster, topics: dict[str, str]) -> dict[str, TopicReader[Record]]:
    return {kind: TopicReader(cluster.bootstrap_servers, t, _kept) for kind, t in topics.items()}


def _backfill(
    runner: ServiceRunner, cluster: KafkaCluster, topics: dict[str, str], *, minutes: int
) -> ServiceProcess:
    """A simulated range from START at 2 requests a second with FUNNEL=full, run to its end."""
    service = runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=cluster.bootstrap_servers,
        SIMULATED_START=START.isoformat(),
        SIMULATED_END=(START + timedelta(minutes=minutes)).isoformat(),
        SPEED="max",
        EVENTS_PER_SECOND=2,
        **_settings(topics),
    )
    assert service.wait(120) == 0, service.log()
    return service


def _expected(requests: list[Record]) -> Iterator[tuple[str, bytes | None, int, bytes]]:
    """Each request's funnel as the simulator makes it: (type, key, event time, payload)."""
    simulator = FunnelSimulator(SEED)
    for _, _, key, timestamp, value in requests:
        for event in simulator.simulate(value, timestamp):
            yield event.type, key, event.event_time_ms, event.to_json()


def _check_funnel(records: dict[str, list[Record]]) -> Counter[str]:
    requests = records["bid_request"]
    expected = Counter(_expected(requests))
    landed = Counter(
        (kind, key, timestamp, value)
        for kind in EVENT_TYPES
        for _, _, key, timestamp, value in records[kind]
    )
    # Every event of every delivered request, once each, with its request's key and event time.
    assert landed == expected
    # Keyed events land in their request's partition number: the topics are co-partitioned.
    partition_of = {key: p for p, _, key, _, _ in requests if key is not None}
    assert partition_of
    for kind in EVENT_TYPES:
        for partition, _, key, _, _ in records[kind]:
            if key is not None:
                assert partition == partition_of[key], kind
    # Produced in the order of their time: within a partition (clicks reported late aside).
    for kind in EVENT_TYPES[:3]:
        by_partition: dict[int, list[tuple[int, int]]] = {}
        for partition, offset, _, timestamp, _ in records[kind]:
            by_partition.setdefault(partition, []).append((offset, timestamp))
        for entries in by_partition.values():
            times = [timestamp for _, timestamp in sorted(entries)]
            assert times == sorted(times), kind
    return Counter(kind for kind, *_ in expected.elements())


def test_a_simulated_range_lands_each_requests_whole_funnel_once_co_partitioned(
    kafka_cluster: KafkaCluster, topics: dict[str, str], service_runner: ServiceRunner
) -> None:
    readers = _readers(kafka_cluster, topics)
    service = _backfill(service_runner, kafka_cluster, topics, minutes=10)
    summary = service.summary()
    records = {kind: reader.finish() for kind, reader in readers.items()}
    assert len(records["bid_request"]) == int(summary["delivered"]) == 1200
    counts = _check_funnel(records)
    assert int(summary["funnel_delivered"]) == sum(counts.values())
    assert summary["funnel_unsent"] == summary["funnel_undelivered"] == "0"
    assert counts["win"] > 1000 and counts["impression"] > 900 and counts["click"] > 0, counts
    # Each record says what it is: its type's headers, no OpenRTB version.
    for kind in EVENT_TYPES[:2]:
        headers = {tuple(message.headers() or ()) for message in read_topic(
            kafka_cluster.bootstrap_servers, topics[kind]
        )}  # fmt: skip
        assert headers == {tuple(funnel_headers(kind))}, headers
    assert funnel_headers("win")[1] == ("funnel-event", b"win")
    # The requests are the generator's for their times, as with FUNNEL=requests.
    generator = BidRequestGenerator(seed=SEED)
    first = generator.generate_columns([int(START.timestamp() * 1000)])
    assert first.payloads[0] in {value for *_, value in records["bid_request"]}


def test_a_funnel_topic_partitioned_otherwise_is_warned_about_and_still_gets_its_events(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    names = {"bid_request": kafka_topic}
    for kind in EVENT_TYPES:
        names[kind] = f"{kafka_topic}_{kind}"
        # As a broker creating a topic on first use would: its default count, not the requests'.
        kafka_cluster.create_topic(names[kind], 3 if kind == "win" else 6)
    readers = _readers(kafka_cluster, names)
    service = _backfill(service_runner, kafka_cluster, names, minutes=1)
    warnings = [line for line in service.log().splitlines() if "funnel_not_co_partitioned" in line]
    assert len(warnings) == 1, service.log()
    assert f"topic={names['win']} " in warnings[0] and "request_partitions=6" in warnings[0]
    assert "partitions=3 " in warnings[0]
    records = {kind: reader.finish() for kind, reader in readers.items()}
    assert len(records["win"]) > 50
    assert int(service.summary()["funnel_delivered"]) == sum(
        len(records[kind]) for kind in EVENT_TYPES
    )


def test_a_request_given_a_fault_on_purpose_has_no_funnel(
    kafka_cluster: KafkaCluster, topics: dict[str, str], service_runner: ServiceRunner
) -> None:
    readers = _readers(kafka_cluster, topics)
    faulted = TopicReader(
        kafka_cluster.bootstrap_servers,
        topics["bid_request"],
        lambda message: (
            message.partition(),
            message.offset(),
            any(name == "fault" for name, _ in message.headers() or []),
        ),
    )
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
        SIMULATED_START=START.isoformat(),
        SIMULATED_END=(START + timedelta(minutes=5)).isoformat(),
        SPEED="max",
        EVENTS_PER_SECOND=2,
        FAULT_MALFORMED_JSON=0.05,
        FAULT_DUPLICATE=0.05,
        **_settings(topics),
    )
    assert service.wait(120) == 0, service.log()
    records = {kind: reader.finish() for kind, reader in readers.items()}
    hit = {(partition, offset) for partition, offset, marked in faulted.finish() if marked}
    assert 40 < len(hit) < 120, len(hit)
    # The funnel is that of the requests as generated, the faulted records left out ...
    records["bid_request"] = [r for r in records["bid_request"] if (r[0], r[1]) not in hit]
    _check_funnel(records)
    # ... and the faults are the request stream's alone: announced and counted once.
    assert len(service.events_named("faults")) == len(service.events_named("faults_injected")) == 1


def test_sigterm_flushes_the_events_still_waiting(
    kafka_cluster: KafkaCluster, topics: dict[str, str], service_runner: ServiceRunner
) -> None:
    readers = _readers(kafka_cluster, topics)
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
        EVENTS_PER_SECOND=100,
        **_settings(topics),
    )
    service.wait_for_event("kafka_ready", 30)
    service.wait_for_event("generator_ready", 30)
    time.sleep(1.5)
    assert service.stop() == 0, service.log()
    summary = service.summary()
    records = {kind: reader.finish() for kind, reader in readers.items()}
    # Live, renders and clicks wait seconds to minutes: some were still waiting at the stop, and
    # were produced then rather than lost.
    assert int(summary["funnel_flushed_at_stop"]) > 0, summary
    assert summary["funnel_unsent"] == "0"
    _check_funnel(records)


def _funnel_metrics(port: int) -> dict[tuple[str, str], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, sample.labels.get("type", "")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("mockgen_funnel_")
    }


def test_metrics_count_each_funnel_topic_apart_from_the_requests(
    kafka_cluster: KafkaCluster, topics: dict[str, str], service_runner: ServiceRunner
) -> None:
    readers = _readers(kafka_cluster, topics)
    port = free_port()
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
        EVENTS_PER_SECOND=200,
        METRICS_PORT=port,
        **_settings(topics),
    )
    service.wait_for_event("metrics_listening", 30)
    deadline = time.monotonic() + 30
    scraped: dict[tuple[str, str], float] = {}
    while time.monotonic() < deadline:
        scraped = _funnel_metrics(port)
        if scraped.get(("mockgen_funnel_events_delivered_total", "impression"), 0) > 20:
            break
        time.sleep(0.2)
    assert service.stop() == 0, service.log()
    records = {kind: reader.finish() for kind, reader in readers.items()}
    for kind in EVENT_TYPES[:3]:
        delivered = scraped[("mockgen_funnel_events_delivered_total", kind)]
        produced = scraped[("mockgen_funnel_events_produced_total", kind)]
        # What /metrics counted as delivered is on the topic; the run went on after the scrape.
        assert 0 < delivered <= produced <= len(records[kind]), (kind, scraped)
        assert scraped[("mockgen_funnel_delivery_errors_total", kind)] == 0
        assert scraped[("mockgen_funnel_bytes_delivered_total", kind)] > 100 * delivered
    # Live, renders and clicks wait for their time: the heap is not empty while running.
    assert scraped[("mockgen_funnel_pending_events", "")] > 0
    assert scraped[("mockgen_funnel_pending_bytes", "")] > ENTRY_OVERHEAD_BYTES
    assert scraped[("mockgen_funnel_events_early_total", "")] == 0


def test_an_outage_loses_and_duplicates_no_funnel_event(
    kafka_cluster: KafkaCluster, topics: dict[str, str], service_runner: ServiceRunner
) -> None:
    require_fault_injection(kafka_cluster)
    readers = _readers(kafka_cluster, topics)
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
        EVENTS_PER_SECOND=200,
        STATS_INTERVAL_SECONDS=0.5,
        UNHEALTHY_AFTER_SECONDS=1,
        FLUSH_TIMEOUT_SECONDS=30,
        **_settings(topics),
    )
    service.wait_for_event("stats", 60)
    kafka_cluster.all_brokers_down()
    service.wait_for_event("delivery_stalled", 30)
    time.sleep(2)
    during = service.events_named("stats")[-1]
    kafka_cluster.all_brokers_up()
    # Stopped once deliveries have resumed, so that the outage, not the stop, is what is tested.
    service.wait_for_event("delivery_resumed", 60)
    time.sleep(1)
    assert service.stop() == 0, service.log()
    summary = service.summary()
    records = {kind: reader.finish() for kind, reader in readers.items()}
    # Funnel events were waiting for the brokers too (produced, not yet delivered)...
    assert int(during["funnel_produced"]) > int(during["funnel_delivered"]), during
    # ... and every one of them arrived once: the whole funnel of every delivered request.
    assert (summary["funnel_failed"], summary["funnel_undelivered"]) == ("0", "0")
    counts = _check_funnel(records)
    assert int(summary["funnel_delivered"]) == sum(counts.values())


def test_the_pending_heap_is_bounded_and_its_memory_accounted_for(
    kafka_cluster: KafkaCluster, topics: dict[str, str]
) -> None:
    settings = Settings(
        kafka_bootstrap_servers=kafka_cluster.bootstrap_servers,
        simulated_start=START,
        speed="max",
        **{name.lower(): value for name, value in _settings(topics).items() if name != "SEED"},
    )
    generator = BidRequestGenerator(seed=SEED)
    start_ms = int(START.timestamp() * 1000)
    # All at one moment: none of their events is due yet, so all wait in the heap.
    requests = Outgoing(generator.generate_columns([start_ms] * 800), KEY_STRATEGIES["user"])

    # Memory: what the heap really holds per event, beside what the bound counts.
    stream = FunnelStream(settings, SEED)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    stream.add(requests)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    # Not the events': the bidders' eligibility memo, bounded on its own (Eligibility.MAX_ENTRIES),
    # with its lists (bidding.py) and the block lists it is keyed by (opportunity.py).
    memo = [
        tracemalloc.Filter(False, "*/funnel/bidding.py"),
        tracemalloc.Filter(False, "*/funnel/opportunity.py"),
    ]
    before, after = before.filter_traces(memo), after.filter_traces(memo)
    held = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    payload = stream.pending_bytes - stream.pending * ENTRY_OVERHEAD_BYTES
    per_event = (held - payload) / stream.pending
    print(f"{stream.pending} pending events: {held / 2**20:.1f} MiB, {per_event:.0f} B overhead")
    assert 0 < per_event <= ENTRY_OVERHEAD_BYTES
    assert held <= stream.pending_bytes

    # The bound: past it the earliest events go out ahead of their time, none is dropped.
    bound = stream.pending_bytes // 4
    bounded = FunnelStream(settings, SEED, max_pending_bytes=bound)
    bounded.add(requests)
    total = bounded.pending
    assert bounded.send_due()
    assert bounded.pending_bytes <= bound
    assert bounded.early > 0
    fields, ok = bounded.finish(30, lambda: False)
    assert ok, fields
    assert fields["funnel_delivered"] == total
