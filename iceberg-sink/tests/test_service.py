"""The sink as a process against the embedded Kafka cluster and a real (SQLite) Iceberg catalog."""

from __future__ import annotations

import json
import socket
import time
import urllib.request

import pytest
from confluent_kafka import Consumer, TopicPartition
from kafka_testkit import (
    KafkaCluster,
    accepts_connections,
    non_loopback_address,
    read_topic,
)
from sink_runner import Lakehouse, SinkRunner, bid_requests, produce, sink_env, wait_for_rows

pytestmark = pytest.mark.integration

BAD = [b"{not json", b"[1, 2]", b'{"id": "x", "imp": [{"id": 1}]}', b'{"id": "no-imp"}']


@pytest.mark.parametrize("storage", ["lakehouse", "s3_lakehouse"], ids=["local", "s3"])
def test_lands_every_record_once_and_dead_letters_the_bad_ones(
    storage: str,
    kafka_cluster: KafkaCluster,
    kafka_topic: str,
    sink_runner: SinkRunner,
    request: pytest.FixtureRequest,
) -> None:
    target: Lakehouse = request.getfixturevalue(storage)
    good = bid_requests(3000)
    produce(kafka_cluster.bootstrap_servers, kafka_topic, good[:1500] + BAD + good[1500:])
    sink = sink_runner.start(sink_env(kafka_cluster.bootstrap_servers, kafka_topic, target))
    wait_for_rows(target, len(good))
    sink.wait_for("committed")
    time.sleep(1.5)  # a last commit carrying only dead-letter offsets may still be due
    assert sink.stop() == 0

    keys = target.keys()
    assert sum(keys.values()) == len(good) and set(keys.values()) == {1}
    table = target.table()
    assert len(table.metadata.snapshots) == len(sink.lines("committed"))
    summary = table.current_snapshot().summary
    offsets = json.loads(summary["kafka.offsets.iceberg-sink"])[kafka_topic]
    assert sum(offsets.values()) == len(good) + len(BAD)  # everything consumed is covered

    letters = read_topic(kafka_cluster.bootstrap_servers, f"{kafka_topic}.dlq")
    assert sorted(m.value() for m in letters) == sorted(BAD)
    reasons = {}
    for message in letters:
        headers = dict(message.headers())
        assert headers["dlq.source.topic"] == kafka_topic.encode()
        partition, offset = int(headers["dlq.source.partition"]), int(headers["dlq.source.offset"])
        assert (partition, offset) not in keys
        reasons[message.value()] = headers["dlq.error.reason"].decode()
    assert reasons == {
        BAD[0]: "invalid_json",
        BAD[1]: "schema_mismatch",
        BAD[2]: "schema_mismatch",
        BAD[3]: "schema_mismatch",
    }
    row = table.scan(limit=1).to_arrow().to_pylist()[0]
    assert row["event_time"] is not None and row["imp"][0]["id"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sigterm_commits_what_was_consumed_and_metrics_report_it(
    kafka_cluster: KafkaCluster, kafka_topic: str, lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    port = _free_port()
    env = sink_env(
        kafka_cluster.bootstrap_servers, kafka_topic, lakehouse, COMMIT_INTERVAL_SECONDS="600"
    )
    sink = sink_runner.start({**env, "METRICS_PORT": str(port)})
    produce(kafka_cluster.bootstrap_servers, kafka_topic, bid_requests(2000))
    deadline = time.monotonic() + 60
    status: dict[str, object] = {}
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                status = json.loads(reply.read())
        except OSError:
            pass
        if status.get("records_consumed") == 2000:
            break
        time.sleep(0.2)
    assert status["status"] == "ok" and status["records_committed"] == 0
    # METRICS_HOST unset: the endpoints listen on loopback only.
    address = non_loopback_address()
    if address is not None:
        assert not accepts_connections(address, port)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as reply:
        metrics = reply.read().decode()
    assert "icebergsink_records_consumed_total" in metrics
    assert sink.stop() == 0
    assert sum(lakehouse.keys().values()) == 2000
    # The group's Kafka offsets follow the table, as a hint for lag tools.
    consumer = Consumer(
        {"bootstrap.servers": kafka_cluster.bootstrap_servers, "group.id": "iceberg-sink"}
    )
    committed = consumer.committed([TopicPartition(kafka_topic, p) for p in range(6)], timeout=10)
    consumer.close()
    assert sum(tp.offset for tp in committed if tp.offset > 0) == 2000


def test_a_batch_is_committed_at_its_record_limit_long_before_the_interval(
    kafka_cluster: KafkaCluster, kafka_topic: str, lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    env = sink_env(
        kafka_cluster.bootstrap_servers,
        kafka_topic,
        lakehouse,
        COMMIT_INTERVAL_SECONDS="600",
        ICEBERG_SINK_BATCH_MAX_RECORDS="500",
    )
    sink = sink_runner.start(env)
    produce(kafka_cluster.bootstrap_servers, kafka_topic, bid_requests(2000))
    committed = sink.wait_for("committed", 4)
    assert [line.split(" rows=")[1].split()[0] for line in committed] == ["500"] * 4
    assert len(lakehouse.table().metadata.snapshots) == 4
    assert sink.stop() == 0


def test_librdkafka_log_lines_become_the_services_own_json_lines(
    lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{closed.getsockname()[1]}"
    sink = sink_runner.start(
        {"KAFKA_BOOTSTRAP_SERVERS": address, "LOG_FORMAT": "json", **lakehouse.env()}
    )
    deadline = time.monotonic() + 60
    while "Connection refused" not in sink.log.read_text() and time.monotonic() < deadline:
        assert sink.process.poll() is None, sink.log.read_text()
        time.sleep(0.2)
    assert sink.stop() == 0

    lines = sink.log.read_text().splitlines()
    # Every line on stderr is one JSON object of the service's format, librdkafka's included.
    records = [json.loads(line) for line in lines]
    assert all({"ts", "level", "logger"} <= record.keys() for record in records), lines
    refused = [
        record
        for record in records
        if record["logger"] == "librdkafka" and "Connection refused" in record["msg"]
    ]
    assert refused and refused[0]["level"] in ("error", "warning"), lines
