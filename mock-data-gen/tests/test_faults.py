"""Faults: a broker that appears late, and a full outage mid-stream without loss or duplicates."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import orjson
import pytest
from kafka_testkit import KafkaCluster, TopicReader, read_topic, require_fault_injection
from service_runner import ServiceProcess, ServiceRunner, free_port

from mock_data_gen.embedded_broker import EmbeddedKafka

pytestmark = pytest.mark.integration


def _health(port: int) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _wait_for(predicate: object, timeout: float, service: ServiceProcess, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} not seen within {timeout}s:\n{service.log()}")


def test_waits_for_a_broker_that_appears_later(
    kafka_cluster: KafkaCluster, service_runner: ServiceRunner
) -> None:
    # The late broker is an embedded one on a fixed port, whatever cluster the suite uses.
    require_fault_injection(kafka_cluster)
    port, metrics_port = free_port(), free_port()
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{port}",
        TOPIC_BID_REQUESTS="late",
        EVENTS_PER_SECOND=200,
        METRICS_PORT=metrics_port,
        STATS_INTERVAL_SECONDS=0.5,
    )
    first = service.wait_for_event("kafka_unreachable")
    assert first["bootstrap"] == f"127.0.0.1:{port}" and float(first["retry_in_s"]) > 0
    _wait_for(lambda: len(service.events_named("kafka_unreachable")) >= 2, 30, service, "a retry")
    retries = [float(e["retry_in_s"]) for e in service.events_named("kafka_unreachable")]
    assert retries[1] > retries[0], "backoff grows"
    code, health = _health(metrics_port)
    assert (code, health["phase"], health["connected"]) == (503, "connecting", False)
    with EmbeddedKafka(brokers=1, topics={"late": 6}, port=port) as kafka:
        service.wait_for_event("kafka_ready", timeout=30)
        _wait_for(lambda: _health(metrics_port)[0] == 200, 15, service, "healthy")
        _wait_for(
            lambda: any(int(s["delivered"]) >= 200 for s in service.events_named("stats")),
            30,
            service,
            "deliveries",
        )
        assert service.stop() == 0, service.log()
        summary = service.summary()
        assert summary["delivered"] == summary["produced"]
        assert len(read_topic(kafka.bootstrap_servers, "late")) == int(summary["delivered"])


def _last_stats(service: ServiceProcess) -> dict[str, str]:
    stats = service.events_named("stats")
    return stats[-1] if stats else {"produced": "0", "delivered": "0"}


@pytest.mark.slow
def test_ten_second_outage_loses_and_duplicates_nothing(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    require_fault_injection(kafka_cluster)
    rate, queue_max = 2000, 4000
    metrics_port = free_port()
    # Read while the run goes on: the embedded cluster keeps only ~5 MB per partition.
    reader = TopicReader(
        kafka_cluster.bootstrap_servers,
        kafka_topic,
        lambda record: orjson.loads(record.value())["id"],
    )
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
        TOPIC_BID_REQUESTS=kafka_topic,
        EVENTS_PER_SECOND=rate,
        KAFKA_QUEUE_MAX_MESSAGES=queue_max,
        METRICS_PORT=metrics_port,
        UNHEALTHY_AFTER_SECONDS=2,
        STATS_INTERVAL_SECONDS=0.25,
    )
    _wait_for(lambda: int(_last_stats(service)["delivered"]) >= 3000, 30, service, "3000 delivered")
    rss_before = service.rss_kib()
    kafka_cluster.all_brokers_down()
    down_at = time.monotonic()
    _wait_for(lambda: _health(metrics_port)[0] == 503, 5, service, "unhealthy while down")
    service.wait_for_event("backpressure", timeout=10)
    time.sleep(max(0.0, 10 - (time.monotonic() - down_at)))
    during = _last_stats(service)
    rss_during = service.rss_kib()
    kafka_cluster.all_brokers_up()
    # Generation paused: 10 s at 2000/s would be 20000 events; the queue holds at most 4000.
    assert int(during["produced"]) - int(during["delivered"]) <= queue_max
    assert int(during["queue"]) <= queue_max
    assert rss_during - rss_before < 64 * 1024, (rss_before, rss_during)
    service.wait_for_event("backpressure_released", timeout=30)
    _wait_for(lambda: _health(metrics_port)[0] == 200, 15, service, "healthy again")
    resumed = int(_last_stats(service)["delivered"])
    _wait_for(
        lambda: int(_last_stats(service)["delivered"]) >= resumed + 2000, 20, service, "recovery"
    )
    assert service.stop() == 0, service.log()
    summary = service.summary()
    assert summary["delivered"] == summary["produced"]
    assert (summary["failed"], summary["undelivered"]) == ("0", "0")
    ids = reader.finish()
    assert len(ids) == int(summary["delivered"]), f"records read again: {reader.refetched}"
    assert len(set(ids)) == len(ids), "duplicates in the topic"
    assert int(summary["skipped"]) > 0, "the paused schedule is skipped, not burst out"


def test_healthz_fails_once_nothing_is_delivered_for_the_bound_and_recovers(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner
) -> None:
    require_fault_injection(kafka_cluster)
    bound = 3.0
    metrics_port = free_port()
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
        TOPIC_BID_REQUESTS=kafka_topic,
        EVENTS_PER_SECOND=500,
        METRICS_PORT=metrics_port,
        UNHEALTHY_AFTER_SECONDS=bound,
        STATS_INTERVAL_SECONDS=0.25,
    )
    _wait_for(lambda: int(_last_stats(service)["delivered"]) >= 500, 30, service, "deliveries")
    _wait_for(lambda: _health(metrics_port)[0] == 200, 10, service, "healthy")
    kafka_cluster.all_brokers_down()
    down_at = time.monotonic()
    _wait_for(lambda: _health(metrics_port)[0] == 503, bound + 5, service, "unhealthy while down")
    # Not before the bound (progress is looked at every 0.5 s): a blip is no reason to restart.
    assert time.monotonic() - down_at >= bound - 0.6
    code, health = _health(metrics_port)
    assert (code, health["status"], health["phase"]) == (503, "unavailable", "producing")
    assert str(health["reason"]).endswith(f"(UNHEALTHY_AFTER_SECONDS={bound:g})")
    stalled, disconnected = health["stalled_seconds"], health["disconnected_seconds"]
    assert isinstance(stalled, float) and isinstance(disconnected, float)
    assert max(stalled, disconnected) > bound
    service.wait_for_event("delivery_stalled", timeout=5)
    kafka_cluster.all_brokers_up()
    _wait_for(lambda: _health(metrics_port)[0] == 200, 20, service, "healthy again")
    assert _health(metrics_port)[1]["reason"] == ""
    service.wait_for_event("delivery_resumed", timeout=10)
    assert service.stop() == 0, service.log()
    summary = service.summary()
    assert summary["delivered"] == summary["produced"] and summary["failed"] == "0"
