"""``mock-data-gen consume`` reads back what is in the topic."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from confluent_kafka import Producer
from kafka_testkit import KafkaCluster


def _consume(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "consume", *args],
        env={**os.environ, "LOG_LEVEL": "INFO"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap})
    for value in values:
        producer.produce(topic, value, key=value[-4:])
    assert producer.flush(30) == 0


@pytest.mark.integration
def test_prints_the_requested_records_and_counts_all(
    kafka_cluster: KafkaCluster, kafka_topic: str
) -> None:
    values = [b'{"id":"%04d"}' % i for i in range(40)]
    _produce(kafka_cluster.bootstrap_servers, kafka_topic, values)

    result = _consume("--count", "7", "--topic", kafka_topic,
                      "--bootstrap-servers", kafka_cluster.bootstrap_servers)  # fmt: skip

    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    assert len(printed) == 7
    assert {line.encode() for line in printed} <= set(values)
    assert "event=consumed" in result.stderr
    assert "printed=7 records_in_topic=40" in result.stderr
    assert result.stderr.count("event=partition_offsets") == 6


@pytest.mark.integration
def test_count_beyond_the_topic_prints_everything(
    kafka_cluster: KafkaCluster, kafka_topic: str
) -> None:
    values = [b"a1", b"b2", b"c3"]
    _produce(kafka_cluster.bootstrap_servers, kafka_topic, values)

    result = _consume("--count", "10", "--topic", kafka_topic,
                      "--bootstrap-servers", kafka_cluster.bootstrap_servers)  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split()) == ["a1", "b2", "c3"]


@pytest.mark.integration
def test_an_empty_or_missing_topic_is_a_failure(
    kafka_cluster: KafkaCluster, kafka_topic: str
) -> None:
    empty = _consume("--topic", kafka_topic, "--bootstrap-servers", kafka_cluster.bootstrap_servers)
    offsets_only = _consume("--count", "0", "--topic", kafka_topic,
                            "--bootstrap-servers", kafka_cluster.bootstrap_servers)  # fmt: skip
    missing = _consume("--topic", "no_such_topic_here", "--timeout", "5",
                       "--bootstrap-servers", kafka_cluster.bootstrap_servers)  # fmt: skip

    assert (empty.returncode, empty.stdout) == (1, "")
    assert "holds no records" in empty.stderr
    assert offsets_only.returncode == 0, offsets_only.stderr
    assert missing.returncode == 1
    assert "topic 'no_such_topic_here'" in missing.stderr


SASL = "security.protocol=SASL_PLAINTEXT,sasl.mechanism=PLAIN,sasl.username=ops,sasl.password="


@pytest.mark.integration
def test_the_reader_uses_the_extra_kafka_properties(
    kafka_cluster: KafkaCluster, kafka_topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _produce(kafka_cluster.bootstrap_servers, kafka_topic, [b"a1"])
    # The embedded cluster speaks plaintext only: a reader that asks for SASL never gets through,
    # which shows the properties reach it (without them, it would print the record).
    monkeypatch.setenv("KAFKA_EXTRA_CONFIG", SASL + "hunter2-secret")

    result = _consume("--count", "1", "--topic", kafka_topic, "--timeout", "3",
                      "--bootstrap-servers", kafka_cluster.bootstrap_servers)  # fmt: skip

    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "event=consume_failed" in result.stderr
    assert "hunter2-secret" not in result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("sasl.password", "KAFKA_EXTRA_CONFIG is not accepted (entry 'sasl.password' is not"),
        ("bootstrap.servers=elsewhere:9092", "bootstrap.servers is set by KAFKA_BOOTSTRAP_SERVERS"),
        (
            "security.protocol=carrier-pigeon,sasl.password=hunter2-secret",
            "KAFKA_EXTRA_CONFIG='security.protocol,sasl.password' is not accepted by the Kafka "
            "client",
        ),
    ],
)
def test_extra_kafka_properties_that_cannot_work_are_a_usage_error(
    extra: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_EXTRA_CONFIG", extra)

    result = _consume("--count", "1", "--timeout", "1", "--bootstrap-servers", "127.0.0.1:9")

    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "hunter2-secret" not in result.stderr
