"""The run service end to end against Kafka: records, stopping, exit codes, stats, metrics."""

from __future__ import annotations

import json
import signal
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict

import orjson
import pytest
from confluent_kafka import TIMESTAMP_CREATE_TIME
from kafka_testkit import (
    KafkaCluster,
    accepts_connections,
    non_loopback_address,
    read_topic,
    require_fault_injection,
)
from prometheus_client.parser import text_string_to_metric_families
from service_runner import ServiceProcess, ServiceRunner, free_port

from mock_data_gen import __version__
from mock_data_gen.synthesis import BidRequestGenerator

pytestmark = pytest.mark.integration

EXPECTED_HEADERS = [
    ("content-type", b"application/json"),
    ("openrtb-version", b"2.6"),
    ("generator-version", __version__.encode()),
]


def _settings(cluster: KafkaCluster, topic: str, **extra: str | int | float) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap_servers,
        "TOPIC_BID_REQUESTS": topic,
        **{key: str(value) for key, value in extra.items()},
    }


def _key_in_payload(strategy: str, request: dict[str, object]) -> object:
    site = request.get("site") or request.get("app") or request.get("dooh")
    assert isinstance(site, dict)
    user = request.get("user", {})
    assert isinstance(user, dict)
    return {
        # COPPA requests carry no user id and are sent unkeyed.
        "user": user.get("id"),
        "request": request["id"],
        "publisher": site["publisher"]["id"],
        "none": None,
    }[strategy]


@pytest.mark.parametrize("strategy", ["user", "request", "publisher", "none"])
def test_records_carry_payload_key_timestamp_and_headers(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner, strategy: str
) -> None:
    started_ms = int(time.time() * 1000)
    service = service_runner.start(
        "run",
        **_settings(kafka_cluster, kafka_topic, MAX_EVENTS=300, EVENTS_PER_SECOND=0, SEED=7),
        KEY_STRATEGY=strategy,
    )
    assert service.wait() == 0, service.log()
    finished_ms = int(time.time() * 1000)
    summary = service.summary()
    assert (summary["produced"], summary["delivered"], summary["failed"]) == ("300", "300", "0")
    records = read_topic(kafka_cluster.bootstrap_servers, kafka_topic)
    assert len(records) == 300
    partitions_of_key: dict[object, set[int]] = defaultdict(set)
    for record in records:
        request = orjson.loads(record.value())
        key = record.key()
        expected_key = _key_in_payload(strategy, request)
        assert key == (None if expected_key is None else str(expected_key).encode())
        assert record.headers() == EXPECTED_HEADERS
        kind, timestamp = record.timestamp()
        assert kind == TIMESTAMP_CREATE_TIME
        assert started_ms <= timestamp <= finished_ms
        partitions_of_key[key].add(record.partition())
    assert len({orjson.loads(r.value())["id"] for r in records}) == 300
    if strategy != "none":
        assert all(len(partitions) == 1 for key, partitions in partitions_of_key.items() if key)


def test_no_command_runs_the_service(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    service = service_runner.start(**_settings(kafka_cluster, kafka_topic, MAX_EVENTS=25))
    assert service.wait() == 0, service.log()
    assert service.summary()["delivered"] == "25"
    assert len(read_topic(kafka_cluster.bootstrap_servers, kafka_topic)) == 25


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_flushes_and_exits_0(
    kafka_cluster: KafkaCluster,
    kafka_topic: str,
    service_runner: ServiceRunner,
    stop_with: signal.Signals,
) -> None:
    service = service_runner.start(
        "run",
        **_settings(kafka_cluster, kafka_topic, EVENTS_PER_SECOND=2000, STATS_INTERVAL_SECONDS=0.5),
    )
    service.wait_for_event("stats")
    assert service.stop(stop_with) == 0, service.log()
    summary = service.summary()
    assert summary["reason"] == stop_with.name
    assert int(summary["produced"]) > 500
    assert summary["delivered"] == summary["produced"]
    assert (summary["failed"], summary["undelivered"], summary["exit_code"]) == ("0", "0", "0")
    assert len(read_topic(kafka_cluster.bootstrap_servers, kafka_topic)) == int(
        summary["delivered"]
    )


def test_events_not_delivered_by_the_flush_timeout_exit_1(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    require_fault_injection(kafka_cluster)
    service = service_runner.start(
        "run",
        **_settings(
            kafka_cluster,
            kafka_topic,
            EVENTS_PER_SECOND=500,
            STATS_INTERVAL_SECONDS=0.5,
            FLUSH_TIMEOUT_SECONDS=1,
        ),
    )
    service.wait_for_event("stats")
    kafka_cluster.all_brokers_down()
    time.sleep(1.0)
    assert service.stop() == 1, service.log()
    summary = service.summary()
    assert int(summary["undelivered"]) > 0
    assert int(summary["delivered"]) + int(summary["failed"]) == int(summary["produced"])
    assert summary["exit_code"] == "1"


def test_duration_stops_the_run(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    started = time.monotonic()
    service = service_runner.start(
        "run", **_settings(kafka_cluster, kafka_topic, EVENTS_PER_SECOND=100, DURATION_SECONDS=2)
    )
    assert service.wait() == 0, service.log()
    assert 2 <= time.monotonic() - started < 15
    summary = service.summary()
    assert summary["reason"] == "duration"
    assert 150 <= int(summary["delivered"]) <= 210


def test_stats_line_every_interval(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    service = service_runner.start(
        "run",
        **_settings(
            kafka_cluster,
            kafka_topic,
            EVENTS_PER_SECOND=400,
            STATS_INTERVAL_SECONDS=0.5,
            DURATION_SECONDS=3.2,
        ),
    )
    assert service.wait() == 0, service.log()
    stats = service.events_named("stats")
    assert 5 <= len(stats) <= 7
    for line in stats:
        assert set(line) >= {"rate", "delivered", "failed", "queue", "p50_ms", "p99_ms", "target"}
        assert float(line["target"]) == 400
    steady = stats[1:]
    assert all(380 <= float(line["rate"]) <= 420 for line in steady), steady
    assert all(0 < float(line["p50_ms"]) <= float(line["p99_ms"]) for line in steady)
    delivered = [int(line["delivered"]) for line in stats]
    assert delivered == sorted(delivered) and delivered[-1] > 0


def test_json_log_format(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    service = service_runner.start(
        "run", **_settings(kafka_cluster, kafka_topic, MAX_EVENTS=10, LOG_FORMAT="json")
    )
    assert service.wait() == 0, service.log()
    lines = [json.loads(line) for line in service.log_lines()]
    events = [line.get("event") for line in lines]
    assert "starting" in events and "kafka_ready" in events
    assert lines[-1]["event"] == "summary" and lines[-1]["delivered"] == 10


def _get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _scrape(port: int) -> dict[str, float]:
    _, body = _get(port, "/metrics")
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
        if "le" not in sample.labels
    }


def _wait_until(predicate: object, timeout: float, service: ServiceProcess) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"condition not met in {timeout}s:\n{service.log()}")


def test_metrics_and_health_while_producing(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    port = free_port()
    service = service_runner.start(
        "run", **_settings(kafka_cluster, kafka_topic, EVENTS_PER_SECOND=1000, METRICS_PORT=port)
    )
    service.wait_for_event("metrics_listening")
    _wait_until(lambda: _scrape(port).get("mockgen_events_delivered_total", 0) > 2000, 30, service)
    _wait_until(lambda: _get(port, "/healthz")[0] == 200, 10, service)
    health = json.loads(_get(port, "/healthz")[1])
    assert health["status"] == "ok" and health["connected"] is True
    assert health["phase"] == "producing"
    metrics = _scrape(port)
    assert metrics["mockgen_target_events_per_second"] == 1000
    assert 900 <= metrics["mockgen_actual_events_per_second"] <= 1100
    assert metrics["mockgen_events_produced_total"] >= metrics["mockgen_events_delivered_total"]
    assert metrics["mockgen_delivery_errors_total"] == 0
    assert (
        metrics["mockgen_bytes_delivered_total"] > 200 * metrics["mockgen_events_delivered_total"]
    )
    assert metrics["mockgen_produce_latency_seconds_count"] >= 2000
    assert metrics["mockgen_queue_depth"] >= 0
    assert service.stop() == 0


def test_a_taken_metrics_port_fails_the_start_with_exit_1(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        service = service_runner.start(
            "run", **_settings(kafka_cluster, kafka_topic, METRICS_PORT=port)
        )
        assert service.wait() == 1
    failure = service.events_named("startup_failed")
    assert len(failure) == 1 and f"METRICS_PORT={port}" in failure[0]["reason"]
    assert service.events_named("kafka_ready") == []


@pytest.mark.parametrize(("metrics_host", "from_outside"), [("", False), ("0.0.0.0", True)])
def test_metrics_listen_on_loopback_unless_metrics_host_says_otherwise(
    service_runner: ServiceRunner, metrics_host: str, from_outside: bool
) -> None:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    port = free_port()
    # Nothing listens at the bootstrap address: the endpoints answer while the service waits.
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}",
        METRICS_PORT=port,
        METRICS_HOST=metrics_host,  # empty = unset: the default
    )
    listening = service.wait_for_event("metrics_listening")
    assert listening["host"] == (metrics_host or "127.0.0.1")
    assert _get(port, "/healthz")[0] == 503  # connecting, asked on loopback
    assert accepts_connections(address, port) is from_outside
    assert service.stop() == 0, service.log()


def test_second_signal_abandons_the_flush(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    require_fault_injection(kafka_cluster)
    service = service_runner.start(
        "run",
        **_settings(
            kafka_cluster,
            kafka_topic,
            EVENTS_PER_SECOND=500,
            STATS_INTERVAL_SECONDS=0.5,
            FLUSH_TIMEOUT_SECONDS=60,
        ),
    )
    service.wait_for_event("stats")
    kafka_cluster.all_brokers_down()
    time.sleep(0.5)
    service.process.send_signal(signal.SIGTERM)
    service.wait_for_event("stopping")
    stopped_at = time.monotonic()
    assert service.stop(signal.SIGINT) == 1
    assert time.monotonic() - stopped_at < 10
    assert int(service.summary()["undelivered"]) > 0


def test_a_run_without_seed_logs_the_seed_that_replays_its_stream(
    kafka_cluster: KafkaCluster, service_runner: ServiceRunner
) -> None:
    # One partition: the topic holds the records in the order they were generated.
    topic = f"bid_requests_test_{uuid.uuid4().hex[:12]}"
    kafka_cluster.create_topic(topic, 1)
    service = service_runner.start(**_settings(kafka_cluster, topic, MAX_EVENTS=40))
    assert service.wait() == 0, service.log()
    seed = service.events_named("generator_ready")[0]["seed"]
    assert seed.isdigit(), seed

    records = read_topic(kafka_cluster.bootstrap_servers, topic)
    event_times = [record.timestamp()[1] for record in records]
    replayed = BidRequestGenerator(seed=int(seed)).generate_batch(event_times)
    assert [record.value() for record in records] == [r.payload for r in replayed]
