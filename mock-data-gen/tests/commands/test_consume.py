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
