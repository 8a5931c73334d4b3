"""Exactly-once under SIGKILL, offset rewinds and rebalances between replicas (slow)."""

from __future__ import annotations

import random
import signal
import threading
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from kafka_testkit import KafkaCluster, rewind_group
from payloads import payload
from sink_runner import Lakehouse, SinkProcess, SinkRunner

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PARTITIONS = 24


class SteadyProducer(threading.Thread):
    """Produces the payloads at a fixed rate, round-robin over the partitions, in the background.

    ``stop`` ends it early; ``sent`` then says how many were produced.
    """

    def __init__(self, bootstrap: str, topic: str, payloads: list[bytes], rate: float) -> None:
        super().__init__(daemon=True)
        self._producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20})
        self._topic, self._payloads, self._rate = topic, payloads, rate
        self._stop_requested = threading.Event()
        self.sent = 0

    def run(self) -> None:
        started = time.monotonic()
        for index, value in enumerate(self._payloads):
            if self._stop_requested.is_set():
                break
            self._producer.produce(self._topic, value, partition=index % PARTITIONS)
            self.sent += 1
            if index % 200 == 0:
                self._producer.poll(0)
                ahead = started + index / self._rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
        assert self._producer.flush(30) == 0

    def stop(self) -> None:
        self._stop_requested.set()
        self.join(60)


def _topic(kafka: KafkaCluster, name: str) -> str:
    # The embedded cluster keeps only ~5 MB per partition: with compact records and many
    # partitions it keeps the whole run, so a missing record can only be the sink's fault.
    kafka.create_topic(name, PARTITIONS)
    return name


def _env(kafka: KafkaCluster, topic: str, lakehouse: Lakehouse, **extra: str) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "TOPIC_BID_REQUESTS": topic,
        "COMMIT_INTERVAL_SECONDS": "1",
        "ICEBERG_SINK_SESSION_TIMEOUT_MS": "6000",
        **lakehouse.env(),
        **extra,
    }


def _end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "watermarks"})
    try:
        marks = {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            for p in range(PARTITIONS)
        }
    finally:
        consumer.close()
    assert all(low == 0 for low, _ in marks.values()), f"the cluster dropped records: {marks}"
    return {p: high for p, (_, high) in marks.items()}


def _assert_exactly_once(lakehouse: Lakehouse, ends: dict[int, int], timeout: float) -> None:
    expected = {(p, o) for p, end in ends.items() for o in range(end)}
    deadline = time.monotonic() + timeout
    keys = lakehouse.keys()
    while set(keys) != expected and time.monotonic() < deadline:
        time.sleep(1)
        keys = lakehouse.keys()
    assert set(keys) == expected, f"missing {len(expected - set(keys))} records"
    duplicates = {key: n for key, n in keys.items() if n > 1}
    assert not duplicates, f"{len(duplicates)} records more than once, e.g. {list(duplicates)[:5]}"


def _orphan_parquet_files(lakehouse: Lakehouse) -> int:
    """Data files in no snapshot: proof that a kill hit between writing and committing."""
    table = lakehouse.table()
    referenced = {
        Path(task.file.file_path.removeprefix("file://")) for task in table.scan().plan_files()
    }
    on_disk = set(Path(lakehouse.warehouse.removeprefix("file://")).rglob("*.parquet"))
    return len(on_disk - referenced)


def test_sigkill_at_random_points_loses_and_duplicates_nothing(
    kafka_cluster: KafkaCluster, lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    rng = random.Random(20240611)
    topic = _topic(kafka_cluster, "bid_requests_kill")
    bootstrap = kafka_cluster.bootstrap_servers
    env = _env(
        kafka_cluster,
        topic,
        lakehouse,
        ICEBERG_SINK_INSTANCE_ID="sink-a",
        # Widens the window between writing data files and committing them, so that some kills
        # demonstrably land there (they leave data files that no snapshot references).
        ICEBERG_SINK_TEST_PAUSE_BEFORE_COMMIT="0.7",
    )
    producer = SteadyProducer(bootstrap, topic, [payload(i) for i in range(100_000)], rate=2_500)
    sink = sink_runner.start(env)
    producer.start()
    kills_in_window = 0
    for kill in range(6):
        if kill % 2 == 0:
            # Between write and commit: right after a batch's files are written.
            written = len(sink.lines("data_files_written"))
            sink.wait_for("data_files_written", written + 1, timeout=90)
            time.sleep(rng.uniform(0.0, 0.4))
            kills_in_window += len(sink.lines("committed")) < len(sink.lines("data_files_written"))
        else:
            committed = len(sink.lines("committed"))
            sink.wait_for("committed", committed + 1, timeout=90)
            time.sleep(rng.uniform(0.0, 1.5))
        sink.kill()
        sink = sink_runner.start(env)
    producer.join(120)
    assert producer.sent == 100_000
    ends = _end_offsets(bootstrap, topic)
    assert sum(ends.values()) == 100_000
    _assert_exactly_once(lakehouse, ends, timeout=120)
    # Kafka offsets are a hint only: rewinding the group while the sink is down changes nothing.
    sink.kill()
    time.sleep(7)  # the killed member leaves the group when its session (6 s) times out
    rewind_group(bootstrap, topic, "iceberg-sink", PARTITIONS)
    sink = sink_runner.start(env)
    assigned = sink.wait_for("partitions_assigned", timeout=60)[0]
    assert all(f"{p}:{end}" in assigned for p, end in ends.items()), assigned
    time.sleep(3)
    _assert_exactly_once(lakehouse, ends, timeout=0)
    assert sink.stop() == 0
    assert kills_in_window >= 3
    assert _orphan_parquet_files(lakehouse) >= 1


def test_three_replicas_through_rebalances(
    kafka_cluster: KafkaCluster, lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    topic = _topic(kafka_cluster, "bid_requests_replicas")
    bootstrap = kafka_cluster.bootstrap_servers
    env = _env(kafka_cluster, topic, lakehouse)
    # Records keep flowing through both rebalances; the producer is stopped after the second.
    producer = SteadyProducer(bootstrap, topic, [payload(i) for i in range(90_000)], rate=1_500)
    replicas: list[SinkProcess] = [sink_runner.start(env) for _ in range(3)]
    producer.start()
    for replica in replicas:
        replica.wait_for("committed", timeout=90)
    fourth = sink_runner.start(env)  # a fourth joins: partitions move to it
    replicas.append(fourth)
    fourth.wait_for("committed", timeout=90)
    victim, survivors = replicas[0], replicas[1:]
    assigned_before = [len(r.lines("partitions_assigned")) for r in survivors]
    victim.kill()  # its partitions move once its session times out
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = [len(r.lines("partitions_assigned")) for r in survivors]
        if now != assigned_before:
            break
        time.sleep(0.2)
    taking_over = [
        r
        for r, n in zip(survivors, assigned_before, strict=True)
        if len(r.lines("partitions_assigned")) > n
    ]
    assert taking_over, "no replica took over the killed replica's partitions"
    for replica in taking_over:
        replica.wait_for("committed", len(replica.lines("committed")) + 1, timeout=60)
    producer.stop()
    assert producer.sent < 90_000, "the producer ran out of records before the rebalances ended"
    ends = _end_offsets(bootstrap, topic)
    assert sum(ends.values()) == producer.sent
    _assert_exactly_once(lakehouse, ends, timeout=120)
    for replica in survivors:
        assert replica.stop() == 0
    assert sum(len(r.lines("partitions_revoked")) for r in replicas) >= 2
    # Every replica kept the other replicas' partitions in the offsets map.
    from iceberg_sink.offsets import latest_offsets

    offsets = latest_offsets(lakehouse.table().metadata, "iceberg-sink")[topic]
    assert offsets == ends


def test_a_replica_that_lost_its_partitions_unnoticed_commits_none_of_them(
    kafka_cluster: KafkaCluster, lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    topic = _topic(kafka_cluster, "bid_requests_zombie")
    bootstrap = kafka_cluster.bootstrap_servers
    env = _env(kafka_cluster, topic, lakehouse)
    producer = SteadyProducer(bootstrap, topic, [payload(i) for i in range(12_000)], rate=20_000)
    producer.start()
    producer.join(60)
    # The zombie writes its batch's data files, then freezes (as in a long GC pause or a stalled
    # VM) before committing, for longer than its session: the group hands everything to another.
    zombie = sink_runner.start({**env, "ICEBERG_SINK_TEST_PAUSE_BEFORE_COMMIT": "2"})
    zombie.wait_for("data_files_written", timeout=90)
    zombie.process.send_signal(signal.SIGSTOP)
    try:
        successor = sink_runner.start(env)
        successor.wait_for("committed", timeout=90)
        ends = _end_offsets(bootstrap, topic)
        _assert_exactly_once(lakehouse, ends, timeout=60)
    finally:
        zombie.process.send_signal(signal.SIGCONT)
    # Thawed, it finds the table's offsets moved on and drops its records instead of committing.
    dropped = zombie.wait_for("stale_partitions_dropped", timeout=60)[0]
    assert "table_offsets=" in dropped
    time.sleep(2)
    _assert_exactly_once(lakehouse, ends, timeout=0)
    assert zombie.lines("committed") == []
    for sink in (zombie, successor):
        assert sink.stop() == 0
    _assert_exactly_once(lakehouse, ends, timeout=0)
    # The zombie's data files were deleted rather than left as orphans.
    assert _orphan_parquet_files(lakehouse) == 0
