"""Pytest support for tests that need Kafka: a ``kafka_cluster`` fixture and a complete reader.

Load it with ``pytest_plugins = ["kafka_testkit"]``. By default every test gets a fresh
embedded cluster (``mock_data_gen.embedded_broker``). When ``KAFKA_BOOTSTRAP_SERVERS`` is set,
the same tests run against that cluster instead, each on a topic of its own; tests that take
brokers down and up skip there.

Only tests marked ``integration`` may start a cluster, so that ``pytest -m "not integration"``
starts none: ``kafka_cluster`` fails a test without the mark, and ``cluster_guard`` refuses an
embedded cluster started any other way in such a test (in the pytest process or in a Python
process the test started) and counts the clusters started in the terminal summary.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Generic, Protocol, TypeVar

import pytest
from confluent_kafka import Consumer, Message, TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic
from mock_data_gen.embedded_broker import EmbeddedKafka

from kafka_testkit import cluster_guard

EXTERNAL_BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS"

# The mock cluster serves small fetches slowly; large, eager fetches read 100k records in ~1 s.
_FAST_FETCH = {
    "fetch.wait.max.ms": 10,
    "fetch.min.bytes": 1,
    "fetch.max.bytes": 52_428_800,
    "max.partition.fetch.bytes": 10_485_760,
    "queued.min.messages": 200_000,
}


T = TypeVar("T")


def _identity(message: Message) -> Message:
    return message


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


def pytest_configure(config: pytest.Config) -> None:
    cluster_guard.configure(config)


@pytest.fixture
def kafka_cluster(request: pytest.FixtureRequest) -> Iterator[KafkaCluster]:
    """A Kafka cluster: embedded (3 brokers), or the one in ``KAFKA_BOOTSTRAP_SERVERS``.

    Only for tests marked ``integration``; any other test using it fails, starting nothing.
    """
    if request.node.get_closest_marker(cluster_guard.MARKER) is None:
        pytest.fail(
            f"{request.node.nodeid} uses the kafka_cluster fixture, which starts a Kafka cluster "
            f"(or uses the one in {EXTERNAL_BOOTSTRAP_ENV}), but is not marked "
            f"{cluster_guard.MARKER}: mark it @pytest.mark.{cluster_guard.MARKER} (or the module: "
            f"pytestmark = pytest.mark.{cluster_guard.MARKER}), so that "
            f'pytest -m "not {cluster_guard.MARKER}" starts no broker',
            pytrace=False,
        )
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


class TopicReader(Generic[T]):
    """Reads ``topic`` from its first offset in a background thread while it is being written.

    The embedded cluster keeps only about 5 MB of (compressed) batches per partition, dropping the
    oldest beyond that, so long or fast runs must be read while they run. ``keep`` turns each record
    into what the test needs (holding every ``Message`` of a long run costs a lot of memory).
    Reading starts at offset 0 with ``auto.offset.reset=error``: if records were dropped before
    they were read, ``finish`` raises instead of silently returning fewer.
    """

    def __init__(self, bootstrap_servers: str, topic: str, keep: Callable[[Message], T]) -> None:
        self._bootstrap = bootstrap_servers
        self._topic = topic
        self._keep = keep
        self.records: list[T] = []
        # Records fetched a second time (not kept again); a producer's duplicate has an offset of
        # its own and is kept.
        self.refetched = 0
        self._errors: list[str] = []
        self._finish_requested = threading.Event()
        self._done = threading.Event()
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap_servers,
                "group.id": f"reader-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                "auto.offset.reset": "error",
                **_FAST_FETCH,
            }
        )
        partitions = self._consumer.list_topics(topic, timeout=10).topics[topic].partitions
        self._partitions = sorted(partitions)
        self._consumer.assign([TopicPartition(topic, p, 0) for p in self._partitions])
        self._thread = threading.Thread(target=self._run, name=f"read-{topic}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        consumer = self._consumer
        next_offset = dict.fromkeys(self._partitions, 0)
        ends: dict[int, int] | None = None
        try:
            while ends is None or any(next_offset[p] < end for p, end in ends.items()):
                if ends is None and self._finish_requested.is_set():
                    ends = {}
                    for partition in self._partitions:
                        tp = TopicPartition(self._topic, partition)
                        ends[partition] = consumer.get_watermark_offsets(tp, timeout=10)[1]
                for message in consumer.consume(10_000, 0.2):
                    error = message.error()
                    if error is not None:
                        self._errors.append(str(error))
                        return
                    offset = message.offset()
                    if offset is not None:
                        # After a broker comes back the client may fetch again what it had
                        # already handed over: one record is kept once, by its offset.
                        if offset < next_offset[message.partition()]:
                            self.refetched += 1
                            continue
                        next_offset[message.partition()] = offset + 1
                    self.records.append(self._keep(message))
        finally:
            consumer.close()
            self._done.set()

    def finish(self, timeout: float = 60.0) -> list[T]:
        """Read up to the current end of every partition and return what was kept."""
        self._finish_requested.set()
        if not self._done.wait(timeout):
            raise TimeoutError(f"read {len(self.records)} records of {self._topic} in {timeout}s")
        if self._errors:
            raise AssertionError(
                f"reading {self._topic} failed after {len(self.records)} records: "
                f"{self._errors[0]} (were records dropped before they were read?)"
            )
        return self.records


def read_topic(bootstrap_servers: str, topic: str, *, timeout: float = 60.0) -> list[Message]:
    """Every record in ``topic`` (each partition in offset order), read after the fact.

    For runs small enough that the embedded cluster still holds everything; see ``TopicReader``.
    """
    return TopicReader(bootstrap_servers, topic, _identity).finish(timeout)


def rewind_group(bootstrap_servers: str, topic: str, group: str, partitions: int) -> None:
    """Commit offset 0 for every partition of ``topic`` to ``group``, as an operator's offset
    reset would, while the group's own consumers are down.

    The embedded cluster accepts offset commits only from a current member of an existing group
    (a real broker also takes them from outside while the group is empty), so this joins it, with
    the sinks' assignment strategy: the embedded cluster aborts on members whose first strategies
    differ.
    """
    assigned = threading.Event()
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": group,
            "enable.auto.commit": False,
            "session.timeout.ms": 6000,
            "partition.assignment.strategy": "cooperative-sticky",
        }
    )
    every = [TopicPartition(topic, partition) for partition in range(partitions)]
    try:
        consumer.subscribe([topic], on_assign=lambda _consumer, _partitions: assigned.set())
        deadline = time.monotonic() + 60
        while not assigned.is_set() and time.monotonic() < deadline:
            consumer.poll(0.2)
        assert assigned.is_set(), f"the rewinding consumer never joined group {group}"
        consumer.commit(
            offsets=[TopicPartition(topic, tp.partition, 0) for tp in every], asynchronous=False
        )
        assert all(tp.offset == 0 for tp in consumer.committed(every, timeout=10)), group
    finally:
        consumer.close()


def non_loopback_address() -> str | None:
    """An IPv4 address of this machine other than loopback (the one its default route leaves
    from), or None when it has none. Nothing is sent."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only the route is looked up
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback else address


def accepts_connections(host: str, port: int) -> bool:
    """Whether a TCP connection to ``host:port`` is accepted (False when it is refused)."""
    try:
        with socket.create_connection((host, port), timeout=5):
            return True
    except ConnectionRefusedError:
        return False
