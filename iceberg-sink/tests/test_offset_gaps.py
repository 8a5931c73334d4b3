"""Offsets in the table outside the topic's log: a recreated topic, records deleted unread (slow).

The sink compares each partition's offset in the table with the log's start and end when it takes
the partition, and again when its position leaves the log while running; librdkafka never resets
an offset by itself (``auto.offset.reset=error``).
"""

from __future__ import annotations

import re
import socket
import sqlite3
import urllib.request
from collections import Counter

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from kafka_testkit import KafkaCluster, require_fault_injection
from mock_data_gen.embedded_broker import EmbeddedKafka
from sink_runner import Lakehouse, SinkRunner, bid_requests, sink_env, wait_for_rows

from iceberg_sink.cli import EXIT_OFFSET_GAP
from iceberg_sink.offsets import latest_offsets

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOPIC = "bid_requests"
PARTITIONS = 6


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _produce(bootstrap: str, topic: str, payloads: list[bytes], partitions: int) -> None:
    """Round-robin over the partitions, so each gets the same share."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for index, value in enumerate(payloads):
        producer.produce(topic, value, partition=index % partitions)
        if index % 1000 == 0:
            producer.poll(0)
    assert producer.flush(30) == 0


def _watermarks(bootstrap: str, topic: str, partitions: int) -> dict[int, tuple[int, int]]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "watermarks"})
    try:
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            for p in range(partitions)
        }
    finally:
        consumer.close()


def _metrics(port: int) -> dict[str, dict[str, float]]:
    """Samples of the partition-labelled counters: name -> partition -> value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        text = reply.read().decode()
    samples: dict[str, dict[str, float]] = {}
    for name, partition, value in re.findall(
        r'^(icebergsink_\w+_total)\{[^}]*partition="(\d+)"[^}]*\} (\S+)$', text, flags=re.M
    ):
        samples.setdefault(name, {})[partition] = float(value)
    return samples


def test_a_table_ahead_of_a_recreated_topic_stops_the_sink_unless_told_to_start_over(
    lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    """The reproduction: 1,000 records landed from one topic, then a new topic with 500."""
    records = bid_requests(1500)
    with EmbeddedKafka(brokers=3, topics={TOPIC: PARTITIONS}) as earlier:
        _produce(earlier.bootstrap_servers, TOPIC, records[:1000], PARTITIONS)
        sink = sink_runner.start(sink_env(earlier.bootstrap_servers, TOPIC, lakehouse))
        wait_for_rows(lakehouse, 1000)
        assert sink.stop() == 0
    table = lakehouse.table()
    old_offsets = latest_offsets(table.metadata, "iceberg-sink")[TOPIC]
    assert old_offsets == {0: 167, 1: 167, 2: 167, 3: 167, 4: 166, 5: 166}
    snapshots = len(table.metadata.snapshots)

    with EmbeddedKafka(brokers=3, topics={TOPIC: PARTITIONS}) as recreated:
        bootstrap = recreated.bootstrap_servers
        _produce(bootstrap, TOPIC, records[1000:], PARTITIONS)
        ends = {p: high for p, (_low, high) in _watermarks(bootstrap, TOPIC, PARTITIONS).items()}
        assert all(ends[p] < old_offsets[p] for p in range(PARTITIONS))

        # By default: one clear error, exit code 3, nothing written.
        refused = sink_runner.start(sink_env(bootstrap, TOPIC, lakehouse))
        assert refused.process.wait(90) == EXIT_OFFSET_GAP
        (error,) = refused.lines("table_ahead_of_topic")
        assert "level=error" in error
        assert f"table db.bid_requests is ahead of topic {TOPIC}" in error
        for partition in range(PARTITIONS):
            assert (
                f"partition {partition}: table's next offset {old_offsets[partition]}, "
                f"topic's offsets [0, {ends[partition]})"
            ) in error
        assert "ICEBERG_SINK_ON_OFFSET_GAP=from-log-start" in error
        assert "ICEBERG_TABLE" in error and "ICEBERG_SINK_GROUP" in error
        assert not refused.lines("committed")
        table = lakehouse.table()
        assert len(table.metadata.snapshots) == snapshots
        assert sum(lakehouse.keys().values()) == 1000

        # Told to start over: every partition from its log start, each with a warning and a count.
        port = _free_port()
        restarted = sink_runner.start(
            sink_env(
                bootstrap,
                TOPIC,
                lakehouse,
                ICEBERG_SINK_ON_OFFSET_GAP="from-log-start",
                METRICS_PORT=str(port),
            )
        )
        wait_for_rows(lakehouse, 1500)
        warnings = restarted.lines("partition_restarted_from_log_start")
        assert len(warnings) == PARTITIONS and all("level=warning" in w for w in warnings)
        assert f"partition=0 requested={old_offsets[0]} source=table log_start=0" in warnings[0]
        assert _metrics(port)["icebergsink_offset_gap_restarts_total"] == {
            str(p): 1.0 for p in range(PARTITIONS)
        }
        assert restarted.stop() == 0

    keys = lakehouse.keys()
    # The new topic's records once each; their (partition, offset) pairs also name older rows.
    assert sum(keys.values()) == 1500
    assert Counter(keys.values()) == {2: 500, 1: 500}
    assert latest_offsets(lakehouse.table().metadata, "iceberg-sink")[TOPIC] == ends


def test_records_deleted_before_the_sink_read_them_are_skipped_counted_and_logged(
    kafka_cluster: KafkaCluster, lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    # The embedded cluster keeps ~5 MB per partition: writing more deletes the oldest records.
    require_fault_injection(kafka_cluster)
    bootstrap = kafka_cluster.bootstrap_servers
    topic = "bid_requests_retention"
    kafka_cluster.create_topic(topic, 1)
    records = bid_requests(6300)
    port = _free_port()
    env = sink_env(
        bootstrap, topic, lakehouse, METRICS_PORT=str(port), ICEBERG_SINK_RETRY_BACKOFF_MAX="1"
    )

    # 1. The table is behind the log start when the sink takes the partition.
    _produce(bootstrap, topic, records[:200], 1)
    first = sink_runner.start(env)
    wait_for_rows(lakehouse, 200)
    assert first.stop() == 0
    _produce(bootstrap, topic, records[200:3200], 1)  # ~7 MB
    ((low, high),) = _watermarks(bootstrap, topic, 1).values()
    assert low > 200 and high == 3200
    sink = sink_runner.start(env)
    wait_for_rows(lakehouse, 200 + high - low)
    (skip,) = sink.wait_for("offsets_skipped")
    assert "level=warning" in skip
    assert f"partition=0 skipped={low - 200} requested=200 source=table log_start={low}" in skip
    assert _metrics(port)["icebergsink_offsets_skipped_total"] == {"0": low - 200}

    # 2. While the sink waits for the catalog, the log start passes its position.
    database = sqlite3.connect(lakehouse.catalog_uri.removeprefix("sqlite:///"), timeout=30)
    try:
        database.execute("BEGIN EXCLUSIVE")
        _produce(bootstrap, topic, records[3200:3300], 1)
        sink.wait_for("commit_failed", timeout=60)
        _produce(bootstrap, topic, records[3300:], 1)  # ~7 MB more, not read: paused
        ((low2, high2),) = _watermarks(bootstrap, topic, 1).values()
        assert low2 > 3300 and high2 == len(records)
    finally:
        database.rollback()
        database.close()
    sink.wait_for("position_outside_log", timeout=60)
    skips = sink.wait_for("offsets_skipped", 2, timeout=60)
    wait_for_rows(lakehouse, 200 + (3300 - low) + (high2 - low2), timeout=90)
    skipped = sum(int(re.search(r" skipped=(\d+)", line)[1]) for line in skips)  # type: ignore[index]
    assert _metrics(port)["icebergsink_offsets_skipped_total"] == {"0": float(skipped)}
    assert sink.stop() == 0

    # Every offset of the partition either landed once or was counted as skipped.
    keys = lakehouse.keys()
    assert set(keys.values()) == {1}
    assert len(keys) + skipped == len(records)
    landed = sorted(offset for _partition, offset in keys)
    assert landed[:200] == list(range(200)) and landed[-1] == len(records) - 1
