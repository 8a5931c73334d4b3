"""Pytest support for tests that need Kafka: a ``kafka_cluster`` fixture and a complete reader.

Load it with ``pytest_plugins = ["mock_data_gen.testing"]``. By default every test gets a fresh
embedded cluster (``mock_data_gen.embedded_broker``). When ``KAFKA_BOOTSTRAP_SERVERS`` is set,
the same tests run against that cluster instead, each on a topic of its own; tests that take
brokers down and up skip there.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Protocol

import pytest
from confluent_kafka import Consumer, Message, TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from mock_data_gen.embedded_broker import EmbeddedKafka

EXTERNAL_BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS"

# The mock cluster serves small fetches slowly; large, eager fetches read 100k records in ~1 s.
_FAST_FETCH = {
    "fetch.wait.max.ms": 10,
    "fetch.min.bytes": 1,
    "fetch.max.bytes": 52_428_800,
    "max.partition.fetch.bytes": 10_485_760,
    "queued.min.messages": 200_000,
}


class KafkaCluster(Protocol):
    """A cluster the tests can use; fault injection only where ``embedded`` is true."""

    bootstrap_servers: str
    embedded: bool

    def create_topic(self, name: str, partitions: int) -> None: ...
    def all_brokers_down(self) -> None: ...
    def all_brokers_up(self) -> None: ...


class EmbeddedCluster:
    """The embedded mock cluster behind the ``KafkaCluster`` protocol."""

    embedded = True

    def __init__(self, kafka: EmbeddedKafka) -> None:
        self._kafka = kafka
        self.bootstrap_servers = kafka.bootstrap_servers

    def create_topic(self, name: str, partitions: int) -> None:
        self._kafka.create_topic(name, partitions)

    def all_brokers_down(self) -> None:
        self._kafka.all_brokers_down()

    def all_brokers_up(self) -> None:
        self._kafka.all_brokers_up()


class ExternalCluster:
    """A cluster named by ``KAFKA_BOOTSTRAP_SERVERS``; brokers cannot be taken down from here."""

    embedded = False

    def __init__(self, bootstrap_servers: str) -> None:
        self.bootstrap_servers = bootstrap_servers
        self._admin = AdminClient({"bootstrap.servers": bootstrap_servers})

    def create_topic(self, name: str, partitions: int) -> None:
        replication = min(3, len(self._admin.list_topics(timeout=10).brokers))
        futures = self._admin.create_topics([NewTopic(name, partitions, replication)])
        futures[name].result(timeout=30)

    def all_brokers_down(self) -> None:
        pytest.skip("needs the embedded cluster to take brokers down")

    def all_brokers_up(self) -> None:
        pytest.skip("needs the embedded cluster to bring brokers up")


def require_fault_injection(cluster: KafkaCluster) -> None:
    """Skip the calling test unless brokers can be taken down and up."""
    if not cluster.embedded:
        pytest.skip(f"fault injection needs the embedded cluster ({EXTERNAL_BOOTSTRAP_ENV} is set)")


@pytest.fixture
def kafka_cluster() -> Iterator[KafkaCluster]:
    """A Kafka cluster: embedded (3 brokers), or the one in ``KAFKA_BOOTSTRAP_SERVERS``."""
    external = os.environ.get(EXTERNAL_BOOTSTRAP_ENV)
    if external:
        yield ExternalCluster(external)
        return
    with EmbeddedKafka(brokers=3) as kafka:
        yield EmbeddedCluster(kafka)


@pytest.fixture
def kafka_topic(kafka_cluster: KafkaCluster) -> str:
    """A new topic with 6 partitions, named uniquely so runs against a shared cluster do not mix."""
    name = f"bid_requests_test_{uuid.uuid4().hex[:12]}"
    kafka_cluster.create_topic(name, 6)
    return name


def read_topic(bootstrap_servers: str, topic: str, *, timeout: float = 60.0) -> list[Message]:
    """Every record in ``topic`` up to its current end offsets (each partition in offset order).

    Reads by partition assignment (no consumer group, so no join delay or session timeout).
    Raises ``TimeoutError`` if the end is not reached within ``timeout`` seconds.
    """
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": f"reader-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            **_FAST_FETCH,
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=10)
        partitions = sorted(metadata.topics[topic].partitions)
        ends = {}
        for partition in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
            if high > low:
                ends[partition] = high
        consumer.assign([TopicPartition(topic, p, 0) for p in ends])
        records: list[Message] = []
        deadline = time.monotonic() + timeout
        remaining = dict(ends)
        while remaining:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"read {len(records)} records; partitions not finished: {remaining}"
                )
            for message in consumer.consume(10_000, 0.5):
                if message.error():
                    continue
                records.append(message)
                partition, offset = message.partition(), message.offset()
                if (
                    partition in remaining
                    and offset is not None
                    and offset + 1 >= remaining[partition]
                ):
                    del remaining[partition]
        return records
    finally:
        consumer.close()
