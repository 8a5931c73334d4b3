"""Simulated time for ``run``, end to end against Kafka: record timestamps follow the simulated
clock at its speed; a backfill produces exactly its range; a diurnal rate follows the traffic
level hour by hour; the requests are the generator's for their simulated times."""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime

import numpy as np
import pytest
from confluent_kafka import Message
from kafka_testkit import KafkaCluster, TopicReader
from service_runner import ServiceRunner

from mock_data_gen.synthesis import BidRequestGenerator
from mock_data_gen.synthesis.diurnal import ACTIVITY
from mock_data_gen.synthesis.geo import MarketTable

pytestmark = pytest.mark.integration

START = datetime(2026, 1, 14, 0, 0, tzinfo=UTC)
START_MS = int(START.timestamp() * 1000)
HOUR_MS = 3_600_000


def _kept(message: Message) -> tuple[int, int, int, bytes]:
    partition = message.partition()
    offset = message.offset()
    assert partition is not None and offset is not None
    return partition, offset, message.timestamp()[1], message.value() or b""


def _backfill(
    cluster: KafkaCluster, topic: str, runner: ServiceRunner, hours: int, **settings: str | float
) -> list[tuple[int, int, int, bytes]]:
    reader = TopicReader(cluster.bootstrap_servers, topic, _kept)
    end = datetime.fromtimestamp(START.timestamp() + hours * 3600, UTC)
    service = runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=cluster.bootstrap_servers,
        TOPIC_BID_REQUESTS=topic,
        SIMULATED_START=START.isoformat(),
        SIMULATED_END=end.isoformat(),
        SPEED="max",
        **settings,
    )
    assert service.wait(120) == 0, service.log()
    summary = service.summary()
    assert summary["reason"] == "simulated_end", summary
    assert summary["simulated_time"] == end.isoformat(timespec="seconds")
    records = reader.finish()
    assert len(records) == int(summary["delivered"])
    return records


def _non_decreasing_per_partition(records: list[tuple[int, int, int, bytes]]) -> None:
    by_partition: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for partition, offset, timestamp, _ in records:
        by_partition[partition].append((offset, timestamp))
    for partition, pairs in by_partition.items():
        times = [timestamp for _, timestamp in sorted(pairs)]
        assert all(a <= b for a, b in itertools.pairwise(times)), partition


def test_an_accelerated_run_advances_record_time_at_its_speed(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    # When each record arrived (real time) and the simulated time it carries.
    reader = TopicReader(
        kafka_cluster.bootstrap_servers,
        kafka_topic,
        lambda message: (time.monotonic(), message.timestamp()[1]),
    )
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
        TOPIC_BID_REQUESTS=kafka_topic,
        SIMULATED_START=START.isoformat(),
        SPEED=60,
        EVENTS_PER_SECOND=20,
        DURATION_SECONDS=9,
    )
    assert service.wait(60) == 0, service.log()
    records = reader.finish()
    # The reader hands records over in fetches; the newest record of each fetch is the one
    # closest to its arrival (the others were waiting for it).
    newest: dict[float, int] = {}
    for arrived, timestamp in records:
        newest[arrived] = max(timestamp, newest.get(arrived, timestamp))
    arrivals = sorted(newest)
    # The first second holds the producer's connection set-up; the slope is fitted after it.
    steady = [a for a in arrivals if a >= arrivals[0] + 1.0]
    slope, _ = np.polyfit(steady, [newest[a] / 1000 for a in steady], 1)
    print(f"simulated seconds per real second: {slope:.3f} (speed 60)")
    assert slope == pytest.approx(60, rel=0.01)
    first = min(timestamp for _, timestamp in records)
    assert first == START_MS  # the first event is at SIMULATED_START
    # 20 events per simulated second, 1/20 s apart on the simulated clock, none left out.
    times = sorted(timestamp for _, timestamp in records)
    assert times == [START_MS + 50 * k for k in range(len(times))]


def test_a_backfill_produces_exactly_its_range_as_the_generator_would(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    records = _backfill(
        kafka_cluster, kafka_topic, service_runner, hours=6, EVENTS_PER_SECOND=2, SEED=11
    )
    ordered = sorted(records, key=lambda record: record[2])
    times = [timestamp for _, _, timestamp, _ in ordered]
    assert times == [START_MS + 500 * k for k in range(6 * 3600 * 2)]
    _non_decreasing_per_partition(records)
    # The requests are the generator's for those simulated times: the mix (markets awake,
    # prime time, consent dates) follows the simulated clock, not the wall clock.
    expected = BidRequestGenerator(seed=11).generate_columns(times[:2000]).payloads
    assert [payload for _, _, _, payload in ordered[:2000]] == expected


def _expected_hourly_counts(mean_rate: float, day: datetime) -> list[int]:
    """Events per UTC hour of ``day`` at ``mean_rate`` following the market mix's volume: each
    market's share times its activity at its local hour, summed, over the day's mean."""
    markets = MarketTable()
    first_hour = int(day.timestamp()) // 3600
    raw = [
        float((markets.base_share * ACTIVITY[markets.local_time(first_hour + h)[1]]).sum())
        for h in range(24)
    ]
    mean = sum(raw) / 24
    cumulative = np.cumsum([0.0] + [mean_rate * 3600 * level / mean for level in raw])
    # Event k falls in the hour where the cumulative count passes k.
    whole = [math.ceil(value - 1e-6) for value in cumulative]
    return [b - a for a, b in itertools.pairwise(whole)]


def test_a_diurnal_backfill_follows_the_traffic_level_hour_by_hour(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    records = _backfill(
        kafka_cluster, kafka_topic, service_runner, hours=24, EVENTS_PER_SECOND=0.5,
        RATE_PROFILE="diurnal",
    )  # fmt: skip
    per_hour = Counter((timestamp - START_MS) // HOUR_MS for _, _, timestamp, _ in records)
    counts = [per_hour[h] for h in range(24)]
    assert set(per_hour) == set(range(24))
    assert counts == _expected_hourly_counts(0.5, START)
    assert sum(counts) == 0.5 * 86_400  # EVENTS_PER_SECOND is the day's mean
    ratio = max(counts) / min(counts)
    print(f"per-hour counts {counts}; peak-to-trough {ratio:.2f}")
    assert 1.5 < ratio < 2.0
    _non_decreasing_per_partition(records)


def test_a_live_diurnal_run_paces_the_level_of_the_current_hour(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    reader = TopicReader(
        kafka_cluster.bootstrap_servers, kafka_topic, lambda message: message.timestamp()[1]
    )
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
        TOPIC_BID_REQUESTS=kafka_topic,
        RATE_PROFILE="diurnal",
        EVENTS_PER_SECOND=400,
        DURATION_SECONDS=8,
    )
    assert service.wait(60) == 0, service.log()
    times = sorted(reader.finish())  # live: the wall clock at generation
    # After the first 2 s (connection and warm-up), events per hour's level: the expected count
    # of each stretch of the window at its UTC hour's rate, so an hour that turns meanwhile
    # changes the expectation as it changes the rate.
    window_start, window_end = times[0] + 2_000, times[-1]
    day_start = window_start - window_start % (24 * HOUR_MS)
    counts = _expected_hourly_counts(400, datetime.fromtimestamp(day_start // 1000, UTC))
    expected = 0.0
    for hour in range(24):
        lo = max(window_start, day_start + hour * HOUR_MS)
        hi = min(window_end, day_start + (hour + 1) * HOUR_MS)
        if hi > lo:
            expected += counts[hour] / 3600 * (hi - lo) / 1000
    realised = sum(1 for t in times if window_start <= t < window_end)
    print(f"live diurnal: {realised} events where the level calls for {expected:.0f}")
    assert realised == pytest.approx(expected, rel=0.02)
