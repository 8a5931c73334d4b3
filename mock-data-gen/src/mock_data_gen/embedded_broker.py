"""An in-process Kafka cluster for development and tests: librdkafka's mock cluster.

The confluent-kafka wheel ships librdkafka with its mock cluster compiled in; it speaks the Kafka
protocol (produce, fetch, metadata, idempotent producer sequence checks, consumer groups) and keeps
the log in memory. It is reached here through ctypes because confluent-kafka exposes it only through
the ``test.mock.num.brokers`` property, which hides the bootstrap address and offers no fault
injection. Each partition keeps only its newest ~5 MB (or 100,000 batches) and drops older
batches, like a very short retention: read long or fast runs while they are written.

librdkafka binds every mock broker to ``127.0.0.1:0`` (a kernel-chosen port) and has no setting
for a fixed one. A fixed ``port`` is provided by a loopback forwarder per broker (see
``mock_data_gen.loopback_forwarder``) whose address the cluster advertises in its metadata, so
clients that bootstrap through the fixed port keep talking to fixed ports.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from platform_common.settings import DEFAULT_TOPIC, check_topic_name, dead_letter_topic

from mock_data_gen.loopback_forwarder import LoopbackForwarder

# Where iceberg-sink sets aside records it cannot write; `setup` expects it next to the topic.
DEFAULT_DEAD_LETTER_TOPIC = dead_letter_topic(DEFAULT_TOPIC)
DEFAULT_PARTITIONS = 6
DEFAULT_BROKERS = 3
_RD_KAFKA_PRODUCER = 0


class EmbeddedBrokerError(RuntimeError):
    """The mock cluster could not be created or refused an operation."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic to create: name and partition count (replication is capped at the broker count)."""

    name: str
    partitions: int = DEFAULT_PARTITIONS

    @classmethod
    def parse(cls, text: str) -> TopicSpec:
        """Parse ``NAME`` or ``NAME:PARTITIONS``; raises ``ValueError`` naming what is accepted."""
        name, sep, count = text.partition(":")
        try:
            check_topic_name(name)
        except ValueError as exc:
            raise ValueError(f"invalid topic name {name!r}: {exc}") from None
        if not sep:
            return cls(name)
        if not count.isdigit() or int(count) < 1:
            raise ValueError(
                f"invalid partition count {count!r} in {text!r}: use a whole number >= 1"
            )
        return cls(name, int(count))


# Where each platform's confluent-kafka wheel keeps the librdkafka it bundles, relative to the
# confluent_kafka package directory: auditwheel (Linux) and delvewheel (Windows) put it beside
# the package, in confluent_kafka.libs/ with a hash in its name; delocate (macOS) in .dylibs/.
_BUNDLED_LIBRDKAFKA = (
    ("../confluent_kafka.libs", "librdkafka*.so*"),
    (".dylibs", "librdkafka*.dylib"),
    ("../confluent_kafka.libs", "librdkafka*.dll"),
)


def find_librdkafka(package_dir: Path) -> Path:
    """The librdkafka that the confluent-kafka wheel installed at ``package_dir`` (the
    ``confluent_kafka`` package directory) bundles; its mock cluster is what this module drives."""
    looked_in: list[str] = []
    for folder, pattern in _BUNDLED_LIBRDKAFKA:
        directory = Path(package_dir, folder).resolve()
        found = sorted(directory.glob(pattern))
        if found:
            return found[0]
        looked_in.append(str(directory / pattern))
    raise EmbeddedBrokerError(
        f"librdkafka was not found in the confluent-kafka package at {package_dir} (looked for "
        f"{', '.join(looked_in)}); the embedded broker needs the librdkafka that confluent-kafka's "
        "wheels for Linux (glibc), macOS and Windows bundle, so install confluent-kafka from a "
        "wheel: pip install --force-reinstall --only-binary :all: confluent-kafka"
    )


def _load_librdkafka() -> ctypes.CDLL:
    import confluent_kafka

    lib = ctypes.CDLL(str(find_librdkafka(Path(confluent_kafka.__file__).parent)))
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_conf_set.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_size_t,
    ]
    lib.rd_kafka_conf_set.restype = ctypes.c_int
    lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_new.restype = ctypes.c_void_p
    lib.rd_kafka_destroy.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    lib.rd_kafka_mock_cluster_destroy.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_topic_create.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_int,
    ]
    lib.rd_kafka_mock_topic_create.restype = ctypes.c_int
    for name in ("rd_kafka_mock_broker_set_down", "rd_kafka_mock_broker_set_up"):
        getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_int32]
        getattr(lib, name).restype = ctypes.c_int
    lib.rd_kafka_mock_broker_set_host_port.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int32,
        ctypes.c_char_p,
        ctypes.c_int,
    ]
    lib.rd_kafka_mock_broker_set_host_port.restype = None
    lib.rd_kafka_mock_group_initial_rebalance_delay_ms.argtypes = [ctypes.c_void_p, ctypes.c_int32]
    lib.rd_kafka_mock_group_initial_rebalance_delay_ms.restype = None
    lib.rd_kafka_err2str.argtypes = [ctypes.c_int]
    lib.rd_kafka_err2str.restype = ctypes.c_char_p
    return lib


class EmbeddedKafka:
    """A running mock Kafka cluster on loopback; use as a context manager or call ``close()``.

    Broker ids are 1..brokers. ``port`` (optional) makes broker *i* reachable at ``port + i - 1``.
    """

    def __init__(
        self,
        brokers: int = DEFAULT_BROKERS,
        topics: Mapping[str, int] | None = None,
        *,
        port: int | None = None,
    ) -> None:
        if brokers < 1:
            raise ValueError(f"brokers must be >= 1, got {brokers}")
        if port is not None and not 1 <= port <= 65536 - brokers:
            raise ValueError(f"port must be between 1 and {65536 - brokers}, got {port}")
        self.brokers = brokers
        self._lib = _load_librdkafka()
        self._forwarders: list[LoopbackForwarder] = []
        self._fixed_bootstraps: str | None = None
        self._rk = self._new_handle()
        self._cluster: int | None = self._lib.rd_kafka_mock_cluster_new(self._rk, brokers)
        if not self._cluster:
            self._lib.rd_kafka_destroy(self._rk)
            raise EmbeddedBrokerError("librdkafka could not create the mock cluster")
        # A consumer group's first join otherwise waits ~3 s for more members to arrive.
        self._lib.rd_kafka_mock_group_initial_rebalance_delay_ms(self._cluster, 0)
        try:
            if port is not None:
                self._expose_on_fixed_ports(port)
            for name, partitions in (topics or {}).items():
                self.create_topic(name, partitions)
        except BaseException:
            self.close()
            raise

    def _new_handle(self) -> int:
        conf = self._lib.rd_kafka_conf_new()
        errstr = ctypes.create_string_buffer(512)
        # Only errors from the mock cluster's own client handle reach stderr.
        self._lib.rd_kafka_conf_set(conf, b"log_level", b"3", errstr, len(errstr))
        rk: int | None = self._lib.rd_kafka_new(_RD_KAFKA_PRODUCER, conf, errstr, len(errstr))
        if not rk:
            raise EmbeddedBrokerError(
                f"librdkafka could not create a handle: {errstr.value.decode()}"
            )
        return rk

    def _expose_on_fixed_ports(self, port: int) -> None:
        real_ports = [int(addr.rsplit(":", 1)[1]) for addr in self._mock_bootstraps().split(",")]
        for broker_id, target in enumerate(real_ports, start=1):
            fixed = port + broker_id - 1
            forwarder = LoopbackForwarder(listen_port=fixed, target_port=target)
            self._forwarders.append(forwarder)
            self._lib.rd_kafka_mock_broker_set_host_port(
                self._cluster, broker_id, b"127.0.0.1", fixed
            )
        # librdkafka composes its bootstrap list once, at creation, from the original ports.
        self._fixed_bootstraps = ",".join(
            f"127.0.0.1:{forwarder.listen_port}" for forwarder in self._forwarders
        )

    def _mock_bootstraps(self) -> str:
        raw: bytes = self._lib.rd_kafka_mock_cluster_bootstraps(self._cluster)
        return raw.decode()

    @property
    def bootstrap_servers(self) -> str:
        """Comma-separated ``host:port`` list for ``bootstrap.servers``."""
        if self._cluster is None:
            raise EmbeddedBrokerError("the embedded cluster is closed")
        return self._fixed_bootstraps or self._mock_bootstraps()

    def create_topic(self, name: str, partitions: int = DEFAULT_PARTITIONS) -> None:
        """Create ``name`` with ``partitions`` partitions, replicated on up to 3 brokers."""
        TopicSpec.parse(f"{name}:{partitions}")
        err = self._lib.rd_kafka_mock_topic_create(
            self._cluster, name.encode(), partitions, min(3, self.brokers)
        )
        self._check(err, f"create topic {name!r}")

    def broker_down(self, broker_id: int) -> None:
        """Close the broker's connections and stop accepting new ones (the port stays reserved)."""
        self._check(self._lib.rd_kafka_mock_broker_set_down(self._cluster, broker_id), "set down")

    def broker_up(self, broker_id: int) -> None:
        """Accept connections again on the same port; the broker's log was kept."""
        self._check(self._lib.rd_kafka_mock_broker_set_up(self._cluster, broker_id), "set up")

    def all_brokers_down(self) -> None:
        for broker_id in range(1, self.brokers + 1):
            self.broker_down(broker_id)

    def all_brokers_up(self) -> None:
        for broker_id in range(1, self.brokers + 1):
            self.broker_up(broker_id)

    def _check(self, err: int, what: str) -> None:
        if err:
            reason = self._lib.rd_kafka_err2str(err).decode()
            raise EmbeddedBrokerError(f"embedded cluster could not {what}: {reason}")

    def close(self) -> None:
        """Stop the forwarders and destroy the cluster (idempotent)."""
        for forwarder in self._forwarders:
            forwarder.close()
        self._forwarders.clear()
        if self._cluster is not None:
            self._lib.rd_kafka_mock_cluster_destroy(self._cluster)
            self._lib.rd_kafka_destroy(self._rk)
            self._cluster = None

    def __enter__(self) -> EmbeddedKafka:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
