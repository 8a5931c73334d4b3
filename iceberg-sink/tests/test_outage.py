"""Storage or catalog unavailable: the sink backs off, consumes nothing more, loses nothing."""

from __future__ import annotations

import json
import re
import signal
import socket
import sqlite3
import time
import urllib.error
import urllib.request

import pytest
from conftest import S3Server
from kafka_testkit import KafkaCluster
from sink_runner import (
    Lakehouse,
    SinkProcess,
    SinkRunner,
    bid_requests,
    produce,
    sink_env,
    wait_for_rows,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _health(port: int) -> dict[str, object]:
    # /healthz answers 200 while consuming or retrying and carries the counters either way.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
        status: dict[str, object] = json.loads(reply.read())
    return status


def _health_code(port: int) -> tuple[int, dict[str, object]]:
    """HTTP status and body of /healthz, 503 included."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _sink_past_its_first_commit(
    bootstrap: str,
    topic: str,
    lakehouse: Lakehouse,
    sink_runner: SinkRunner,
    records: list[bytes],
    backoff_max: str,
    **extra: str,
) -> tuple[SinkProcess, int]:
    """A sink (and its metrics port) that has committed ``records[:1000]``."""
    port = _free_port()
    env = sink_env(
        bootstrap,
        topic,
        lakehouse,
        METRICS_PORT=str(port),
        ICEBERG_SINK_RETRY_BACKOFF_MAX=backoff_max,
        **extra,
    )
    produce(bootstrap, topic, records[:1000])
    sink = sink_runner.start(env)
    sink.wait_for("committed", timeout=90)
    wait_for_rows(lakehouse, 1000)
    return sink, port


def test_storage_outage_pauses_consumption_and_loses_nothing(
    kafka_cluster: KafkaCluster,
    kafka_topic: str,
    s3_server: S3Server,
    s3_lakehouse: Lakehouse,
    sink_runner: SinkRunner,
) -> None:
    bootstrap = kafka_cluster.bootstrap_servers
    records = bid_requests(4000)
    sink, port = _sink_past_its_first_commit(
        bootstrap, kafka_topic, s3_lakehouse, sink_runner, records, backoff_max="4"
    )

    s3_server.down()
    produce(bootstrap, kafka_topic, records[1000:2000])
    failures = sink.wait_for("commit_failed", 3, timeout=120)
    # Exponential backoff between attempts, capped by ICEBERG_SINK_RETRY_BACKOFF_MAX.
    delays = [float(re.search(r"retry_in=([\d.]+)", line)[1]) for line in failures]  # type: ignore[index]
    assert delays == sorted(delays) and delays[0] < delays[-1] <= 4
    status = _health(port)
    assert status["status"] == "ok" and status["state"] == "retrying"
    assert status["last_error"]
    held = status["records_consumed"]
    assert isinstance(held, int) and 1000 < held <= 2000
    # Records produced during the outage stay in Kafka: every partition is paused.
    produce(bootstrap, kafka_topic, records[2000:3000])
    time.sleep(5)
    status = _health(port)
    assert status["records_consumed"] == held and status["state"] == "retrying"
    assert status["buffered_records"] == held - 1000

    s3_server.up()
    produce(bootstrap, kafka_topic, records[3000:])
    wait_for_rows(s3_lakehouse, len(records), timeout=120)
    assert _health(port)["state"] == "consuming"
    assert sink.stop() == 0
    keys = s3_lakehouse.keys()
    assert sum(keys.values()) == len(records) and set(keys.values()) == {1}


def test_catalog_outage_pauses_consumption_and_loses_nothing(
    kafka_cluster: KafkaCluster, kafka_topic: str, lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    bootstrap = kafka_cluster.bootstrap_servers
    records = bid_requests(3000)
    sink, port = _sink_past_its_first_commit(
        bootstrap, kafka_topic, lakehouse, sink_runner, records, backoff_max="2"
    )

    # The catalog's database is exclusively locked: the sink can neither load nor commit the table.
    database = sqlite3.connect(lakehouse.catalog_uri.removeprefix("sqlite:///"), timeout=30)
    try:
        database.execute("BEGIN EXCLUSIVE")
        produce(bootstrap, kafka_topic, records[1000:2000])
        failure = sink.wait_for("commit_failed", timeout=120)[0]
        assert "database is locked" in failure
        held = _health(port)["records_consumed"]
        produce(bootstrap, kafka_topic, records[2000:])
        time.sleep(4)
        status = _health(port)
        assert status["state"] == "retrying" and status["records_consumed"] == held
    finally:
        database.rollback()
        database.close()
    wait_for_rows(lakehouse, len(records), timeout=120)
    assert sink.stop() == 0
    keys = lakehouse.keys()
    assert sum(keys.values()) == len(records) and set(keys.values()) == {1}


def test_healthz_fails_while_commits_keep_failing_and_recovers_with_the_next_commit(
    kafka_cluster: KafkaCluster, kafka_topic: str, lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    bound = 4.0
    bootstrap = kafka_cluster.bootstrap_servers
    records = bid_requests(2000)
    sink, port = _sink_past_its_first_commit(
        bootstrap,
        kafka_topic,
        lakehouse,
        sink_runner,
        records,
        backoff_max="1",
        ICEBERG_SINK_UNHEALTHY_AFTER_SECONDS=str(bound),
    )
    assert _health_code(port)[0] == 200

    # The catalog refuses every commit: its database is exclusively locked.
    database = sqlite3.connect(lakehouse.catalog_uri.removeprefix("sqlite:///"), timeout=30)
    try:
        database.execute("BEGIN EXCLUSIVE")
        produce(bootstrap, kafka_topic, records[1000:])
        arrived = time.monotonic()
        code, status = _health_code(port)
        while code == 200 and time.monotonic() - arrived < 30:
            time.sleep(0.2)
            code, status = _health_code(port)
        unhealthy_after = time.monotonic() - arrived
        # Not before a batch has waited the bound for its commit; at the latest one commit
        # interval (1 s, the batch is sealed) plus the bound later, give or take a poll.
        assert code == 503, status
        assert bound <= unhealthy_after <= 1 + bound + 2, unhealthy_after
        assert status["status"] == "unavailable"
        assert "for its commit (ICEBERG_SINK_UNHEALTHY_AFTER_SECONDS=4)" in str(status["reason"])
        assert isinstance(status["commit_pending_seconds"], float)
        assert status["commit_pending_seconds"] >= bound
        # Still failing (the first attempt has now run into the lock), still unhealthy.
        sink.wait_for("commit_failed", timeout=30)
        code, status = _health_code(port)
        assert code == 503 and "database is locked" in str(status["reason"]), status
    finally:
        database.rollback()
        database.close()

    wait_for_rows(lakehouse, len(records), timeout=60)
    code, status = _health_code(port)
    assert code == 200 and status["commit_pending_seconds"] == 0 and not status["reason"], status
    assert sink.stop() == 0
    keys = lakehouse.keys()
    assert sum(keys.values()) == len(records) and set(keys.values()) == {1}


def test_a_retried_commit_whose_partitions_are_lost_lets_the_sink_consume_again(
    kafka_cluster: KafkaCluster, kafka_topic: str, lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    """Retrying a commit pauses every partition until nothing is left to retry: also when the
    commit is dropped because its partitions left the process, not only when it lands."""
    bootstrap = kafka_cluster.bootstrap_servers
    records = bid_requests(3000)
    sink, port = _sink_past_its_first_commit(
        bootstrap, kafka_topic, lakehouse, sink_runner, records, backoff_max="1"
    )
    database = sqlite3.connect(lakehouse.catalog_uri.removeprefix("sqlite:///"), timeout=30)
    try:
        database.execute("BEGIN EXCLUSIVE")
        produce(bootstrap, kafka_topic, records[1000:2000])
        sink.wait_for("commit_failed", timeout=60)
        assert _health(port)["state"] == "retrying"
        # Frozen for longer than its session (6 s): the group moves on without it, and when it
        # thaws its partitions are lost, and with them every record of the failing commit.
        sink.process.send_signal(signal.SIGSTOP)
        time.sleep(8)
        sink.process.send_signal(signal.SIGCONT)
        sink.wait_for("partitions_lost", timeout=60)
    finally:
        database.rollback()
        database.close()
    # Back in the group, it takes the partitions again where the table says, and consumes.
    sink.wait_for("partitions_assigned", 2, timeout=60)
    produce(bootstrap, kafka_topic, records[2000:])
    wait_for_rows(lakehouse, len(records), timeout=60)
    status = _health(port)
    assert status["state"] == "consuming" and status["commit_pending_seconds"] == 0, status
    assert sink.stop() == 0
    keys = lakehouse.keys()
    assert sum(keys.values()) == len(records) and set(keys.values()) == {1}
