"""``lake verify`` counts the records the sink set aside in its dead-letter topic as accounted for.

The generator (``mock-data-gen run`` with FAULT_MALFORMED_JSON and FAULT_SCHEMA_INVALID) and the
sink (``iceberg-sink run``) run as processes against the embedded cluster and an SQLite catalog,
as in the repository's tests/test_faults_to_iceberg.py; then the audit is run on what they left.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from confluent_kafka import Producer
from conftest import LakeRunner, local_lakehouse
from kafka_testkit import KafkaCluster, read_topic
from lakehouse import Lakehouse, append, generate

from lake_tools.exit_codes import EXIT_FAILURE, EXIT_NO_TOPIC, EXIT_OK

pytestmark = pytest.mark.integration
Lake = Callable[[Lakehouse], LakeRunner]
EVENTS = 600


def _committed(lakehouse: Lakehouse, topic: str) -> int:
    snapshot = lakehouse.table().current_snapshot()
    if snapshot is None:
        return 0
    offsets = snapshot.summary.additional_properties.get("kafka.offsets.iceberg-sink", "{}")
    return int(sum(json.loads(offsets).get(topic, {}).values()))


def _generate_and_sink(lakehouse: Lakehouse, cluster: KafkaCluster, topic: str, log: Path) -> None:
    env = {
        **os.environ,
        **lakehouse.env(),
        "KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap_servers,
        "TOPIC_BID_REQUESTS": topic,
        "METRICS_PORT": "0",
    }
    generator = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "run"],
        env={
            **env,
            "FAULT_MALFORMED_JSON": "0.01",
            "FAULT_SCHEMA_INVALID": "0.01",
            "EVENTS_PER_SECOND": "0",
            "MAX_EVENTS": str(EVENTS),
            "SEED": "5",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert generator.returncode == 0, generator.stderr[-3000:]
    records = sum(h - lo for lo, h in _watermarks(cluster, topic).values())
    with log.open("wb") as sink_log:
        sink = subprocess.Popen(
            [sys.executable, "-m", "iceberg_sink", "run"],
            env={**env, "COMMIT_INTERVAL_SECONDS": "1"},
            stdout=subprocess.DEVNULL,
            stderr=sink_log,
        )
    try:
        deadline = time.monotonic() + 120
        while _committed(lakehouse, topic) < records:
            assert sink.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        sink.terminate()
        assert sink.wait(60) == 0, log.read_text()[-3000:]
    finally:
        if sink.poll() is None:
            sink.kill()
            sink.wait(10)


def _watermarks(cluster: KafkaCluster, topic: str) -> dict[int, tuple[int, int]]:
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": cluster.bootstrap_servers, "group.id": "t"})
    try:
        parts = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10) for p in parts
        }
    finally:
        consumer.close()


def test_dead_lettered_records_are_accounted_for(
    tmp_path: Path, lake: Lake, kafka_cluster: KafkaCluster, kafka_topic: str
) -> None:
    lakehouse = local_lakehouse(tmp_path)
    lakehouse.create_bid_request_table()
    topic = f"{kafka_topic}-d"
    dlq = f"{topic}.dlq"
    kafka_cluster.create_topic(topic, 3)
    kafka_cluster.create_topic(dlq, 3)
    _generate_and_sink(lakehouse, kafka_cluster, topic, tmp_path / "sink.log")
    letters = read_topic(kafka_cluster.bootstrap_servers, dlq)
    per_partition = Counter(
        int(dict(m.headers() or [])["dlq.source.partition"].decode()) for m in letters
    )
    assert letters, "the generator's faults gave the sink nothing to set aside"
    run = lake(lakehouse)
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_cluster.bootstrap_servers}

    passed = run("verify", "--topic", topic, **env)
    assert passed.code == EXIT_OK, passed.out + passed.err
    assert f"dead-letter topic {dlq} the other {len(letters)}" in passed.out
    lines = passed.out.splitlines()
    header = lines[0].split()
    for line in lines[2:5]:
        cells = dict(zip(header, line.split(), strict=False))
        assert int(cells["dead_lettered"]) == per_partition[int(cells["partition"])]

    # Without the dead-letter topic, the same records are missing.
    blind = run("verify", "--topic", topic, "--no-dlq", **env)
    assert blind.code == EXIT_FAILURE
    assert f"{len(letters)} retained records missing" in blind.out
    # A dead-letter topic named but absent is an error naming it.
    absent = run("verify", "--topic", topic, "--dlq-topic", "no_such_dlq", "--timeout", "5", **env)
    assert absent.code == EXIT_NO_TOPIC
    assert "dead-letter topic 'no_such_dlq' does not exist" in absent.err

    # A dead letter sent twice (at-least-once delivery) is a warning, not a failure.
    first = letters[0]
    producer = Producer({"bootstrap.servers": kafka_cluster.bootstrap_servers})
    producer.produce(dlq, first.value(), headers=first.headers())
    assert producer.flush(30) == 0
    where = dict(first.headers() or [])
    partition = int(where["dlq.source.partition"].decode())
    offset = int(where["dlq.source.offset"].decode())
    twice = run("verify", "--topic", topic, **env)
    assert twice.code == EXIT_OK, twice.out + twice.err
    assert f"partition {partition}: warning: 1 extra dead letters" in twice.out

    # A record missing from the table and from the dead-letter topic still fails.
    producer.produce(topic, b"{}", partition=0)
    assert producer.flush(30) == 0
    lost = run("verify", "--topic", topic, **env)
    assert lost.code == EXIT_FAILURE
    assert "partition 0: 1 retained records missing" in lost.out

    # A dead-lettered record that is in the table too is a failure.
    (request,) = generate(1)
    moved = request.__class__(partition, offset, request.timestamp_ms, request.request)
    append(lakehouse.table(), [moved], topic=topic)
    both = run("verify", "--topic", topic, **env)
    assert both.code == EXIT_FAILURE
    assert (
        f"partition {partition}: 1 records both in the table and in the dead-letter topic, "
        f"offsets {offset}"
    ) in both.out
