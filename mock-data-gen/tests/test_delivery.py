"""The producer's configuration and log: properties the Kafka client refuses, and a quiet wait."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid

import pytest
from kafka_testkit import KafkaCluster, read_topic
from service_runner import ServiceRunner, free_port, parse_line

from mock_data_gen.delivery import Delivery
from mock_data_gen.settings import load_settings
from mock_data_gen.synthesis import BidRequestGenerator


def _run_cli(extra_config: str, bootstrap: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_EXTRA_CONFIG": extra_config,
        "METRICS_PORT": "0",
        "MAX_EVENTS": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("extra_config", "reason"),
    [
        ("bogus.prop=1", 'No such configuration property: "bogus.prop"'),
        ("linger.ms=soon", 'Invalid value for configuration property "queue.buffering.max.ms"'),
        # The default SASL mechanism, GSSAPI (Kerberos), is not built into the wheel's client.
        ("security.protocol=SASL_SSL", "No provider for SASL mechanism GSSAPI"),
        ("sasl.password=hunter2,security.protocol=hunter2", 'Invalid value "***" for'),
    ],
)
def test_a_property_the_kafka_client_refuses_exits_2_before_connecting(
    extra_config: str, reason: str
) -> None:
    with socket.socket() as broker:
        # A listener standing in for the broker: nothing may connect to it.
        broker.bind(("127.0.0.1", 0))
        broker.listen()
        broker.settimeout(0.5)
        done = _run_cli(extra_config, f"127.0.0.1:{broker.getsockname()[1]}")
        with pytest.raises(TimeoutError):
            broker.accept()
    assert done.returncode == 2, done.stderr
    keys = ",".join(entry.split("=")[0] for entry in extra_config.split(","))
    [line] = done.stderr.splitlines()
    assert line.startswith(
        f"mock-data-gen run: invalid configuration: KAFKA_EXTRA_CONFIG={keys!r} is not accepted "
        "by the Kafka client (librdkafka "
    )
    assert reason in done.stderr
    assert "hunter2" not in done.stderr


def test_kafka_down_is_waited_for_with_a_few_lines_not_a_flood(
    service_runner: ServiceRunner,
) -> None:
    # SASL over TLS with a mechanism the client has: accepted, so the service goes on to wait.
    # fetch.wait.max.ms is a consumer property: the client's warning about it must still show.
    extra = "security.protocol=SASL_SSL,sasl.mechanism=SCRAM-SHA-512,sasl.username=u,"
    extra += "sasl.password=p,fetch.wait.max.ms=100"
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}",
        KAFKA_EXTRA_CONFIG=extra,
        STATS_INTERVAL_SECONDS=1,
    )
    service.wait_for_event("kafka_unreachable")
    time.sleep(5)
    assert service.process.poll() is None, service.log()
    assert service.stop() == 0, service.log()
    lines = [parse_line(line) for line in service.log_lines()]
    client = [line["msg"] for line in lines if line.get("logger") == "librdkafka"]
    # Before: about ten "Connect to ... failed: Connection refused" lines a second.
    assert sum("Connection refused" in msg for msg in client) <= 1, service.log()
    assert any("fetch.wait.max.ms is a consumer property" in msg for msg in client), service.log()
    retries = [
        float(line["retry_in_s"]) for line in lines if line.get("event") == "kafka_unreachable"
    ]
    assert len(retries) >= 3 and retries == sorted(retries), service.log()
    assert len(lines) <= 20, service.log()


@pytest.mark.integration
def test_a_full_queue_pauses_a_batch_and_resuming_sends_each_record_once_in_order(
    kafka_cluster: KafkaCluster,
) -> None:
    topic = f"bid_requests_test_{uuid.uuid4().hex[:12]}"
    kafka_cluster.create_topic(topic, 1)
    settings = load_settings(
        {
            "kafka_bootstrap_servers": kafka_cluster.bootstrap_servers,
            "topic_bid_requests": topic,
            "kafka_queue_max_messages": "7",
        }
    )
    delivery = Delivery(settings)
    batch = BidRequestGenerator(seed=5).generate_columns([1_768_400_000_000 + i for i in range(30)])
    outgoing = delivery.outgoing(batch)
    attempts = 0
    while not delivery.send(outgoing):
        attempts += 1
        assert outgoing.accepted == delivery.produced < 30
        delivery.poll(0.05)
    assert attempts >= 3  # 30 records through a 7-record queue: paused more than once
    assert (delivery.produced, outgoing.remaining) == (30, 0)
    assert delivery.send(outgoing)  # a finished batch sends nothing more
    assert delivery.flush(30, lambda: False) == 0
    assert (delivery.delivered, delivery.failed) == (30, 0)
    records = read_topic(kafka_cluster.bootstrap_servers, topic)
    assert [r.value() for r in records] == batch.payloads
    assert [r.key() for r in records] == [u.encode() if u else None for u in batch.user_ids]
    assert [r.timestamp()[1] for r in records] == batch.event_times_ms
