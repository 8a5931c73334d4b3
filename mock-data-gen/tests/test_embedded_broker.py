"""The embedded cluster: topics, produce/consume, brokers down and up, fixed ports, the CLI."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from confluent_kafka import Producer
from kafka_testkit import read_topic
from service_runner import free_port

from mock_data_gen.embedded_broker import EmbeddedKafka, TopicSpec


def _partitions(bootstrap: str) -> dict[str, int]:
    producer = Producer({"bootstrap.servers": bootstrap})
    metadata = producer.list_topics(timeout=10)
    return {name: len(topic.partitions) for name, topic in metadata.topics.items()}


def _produce(bootstrap: str, topic: str, count: int, timeout: float = 10) -> int:
    producer = Producer(
        {"bootstrap.servers": bootstrap, "enable.idempotence": True, "message.timeout.ms": 0}
    )
    for i in range(count):
        producer.produce(topic, f"m{i}".encode(), key=str(i).encode())
    return producer.flush(timeout)


@pytest.mark.integration
def test_topics_are_created_and_records_round_trip() -> None:
    with EmbeddedKafka(brokers=3, topics={"bids": 6, "other": 2}) as kafka:
        assert len(kafka.bootstrap_servers.split(",")) == 3
        assert _partitions(kafka.bootstrap_servers) == {"bids": 6, "other": 2}
        assert _produce(kafka.bootstrap_servers, "bids", 500) == 0
        values = sorted(message.value() for message in read_topic(kafka.bootstrap_servers, "bids"))
        assert values == sorted(f"m{i}".encode() for i in range(500))


@pytest.mark.integration
def test_queued_records_wait_for_the_brokers_to_come_back() -> None:
    with EmbeddedKafka(brokers=3, topics={"bids": 3}) as kafka:
        assert _produce(kafka.bootstrap_servers, "bids", 10) == 0
        kafka.all_brokers_down()
        producer = Producer(
            {
                "bootstrap.servers": kafka.bootstrap_servers,
                "enable.idempotence": True,
                "message.timeout.ms": 0,
            }
        )
        for i in range(100):
            producer.produce("bids", f"late{i}".encode())
        assert producer.flush(2) == 100
        kafka.all_brokers_up()
        assert producer.flush(30) == 0
        assert len(read_topic(kafka.bootstrap_servers, "bids")) == 110


@pytest.mark.integration
def test_fixed_port_is_the_bootstrap_and_the_advertised_address() -> None:
    port = free_port()
    with EmbeddedKafka(brokers=1, topics={"bids": 2}, port=port) as kafka:
        assert kafka.bootstrap_servers == f"127.0.0.1:{port}"
        producer = Producer({"bootstrap.servers": f"localhost:{port}"})
        metadata = producer.list_topics(timeout=10)
        assert [(b.host, b.port) for b in metadata.brokers.values()] == [("127.0.0.1", port)]
        assert _produce(f"localhost:{port}", "bids", 50) == 0
        assert len(read_topic(kafka.bootstrap_servers, "bids")) == 50
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "port still open after close"


@pytest.mark.integration
def test_a_taken_port_is_reported() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"127.0.0.1:{port}"):
            EmbeddedKafka(brokers=1, port=port)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("bids", TopicSpec("bids", 6)), ("a.b-c_d:12", TopicSpec("a.b-c_d", 12))],
)
def test_topic_spec_parses(text: str, expected: TopicSpec) -> None:
    assert TopicSpec.parse(text) == expected


@pytest.mark.parametrize("text", ["", "bad name", "x:0", "x:many", "..", "x" * 250])
def test_topic_spec_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid"):
        TopicSpec.parse(text)


def _broker_cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mock_data_gen", "broker", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.integration
@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_broker_command_serves_until_signalled(tmp_path: Path, stop_with: signal.Signals) -> None:
    bootstrap_file = tmp_path / "bootstrap.txt"
    process = _broker_cli(
        "--brokers",
        "2",
        "--topic",
        "bids:3",
        "--topic",
        "more",
        "--bootstrap-file",
        str(bootstrap_file),
    )
    try:
        assert process.stdout is not None
        bootstrap = process.stdout.readline().strip()
        assert len(bootstrap.split(",")) == 2
        assert bootstrap_file.read_text().strip() == bootstrap
        assert _partitions(bootstrap) == {"bids": 3, "more": 6}
        assert _produce(bootstrap, "bids", 20) == 0
        process.send_signal(stop_with)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not bootstrap_file.exists()


@pytest.mark.integration
def test_broker_command_on_a_fixed_port_by_default_topic() -> None:
    port = free_port()
    process = _broker_cli("--brokers", "1", "--port", str(port))
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == f"127.0.0.1:{port}"
        assert _partitions(f"localhost:{port}") == {"bid_requests": 6, "bid_requests.dlq": 6}
        process.terminate()
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--topic", "bad name"), "invalid topic name"), (("--brokers", "0"), "whole number >= 1")],
)
def test_broker_command_rejects_bad_arguments(args: tuple[str, ...], message: str) -> None:
    started = time.monotonic()
    process = _broker_cli(*args)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert message in stderr and "Traceback" not in stderr
    assert time.monotonic() - started < 30
