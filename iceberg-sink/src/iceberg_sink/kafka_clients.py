"""The configurations of the sink's Kafka clients, built in one place.

The consumer and the dead-letter producer connect the same way: ``KAFKA_BOOTSTRAP_SERVERS`` plus
the properties of ``KAFKA_EXTRA_CONFIG`` (SASL, TLS, ...). Each adds what its role needs; the
extra properties come first, so that the properties the sink's guarantees depend on stay the
sink's (the settings also refuse them by name).
"""

from __future__ import annotations

from typing import Any

from platform_common.kafka_logs import kafka_logger

from iceberg_sink.settings import SinkSettings

# Large, eager fetches: a sink wants throughput, and records wait for the commit interval anyway.
_FETCH_PROPERTIES: dict[str, Any] = {
    "fetch.min.bytes": 1,
    "fetch.wait.max.ms": 100,
    "fetch.max.bytes": 52_428_800,
    "max.partition.fetch.bytes": 10_485_760,
    "queued.min.messages": 100_000,
    # Upper bound of prefetched data held by librdkafka (KiB), part of the sink's memory budget.
    "queued.max.messages.kbytes": 131_072,
}


def consumer_config(settings: SinkSettings) -> dict[str, Any]:
    config: dict[str, Any] = {
        **_FETCH_PROPERTIES,
        **settings.kafka_properties(),
        "bootstrap.servers": settings.kafka_bootstrap_servers,
        "group.id": settings.group_id,
        # Offsets live in the table; the group's offsets are written explicitly, as a hint.
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        # Where a partition starts is the sink's decision (see the module doc): an offset outside
        # the log is reported as an error, never silently reset.
        "auto.offset.reset": "error",
        # Records of aborted transactions must never become rows.
        "isolation.level": "read_committed",
        # Only the partitions that move are revoked, so a rebalance does not stop every replica.
        "partition.assignment.strategy": "cooperative-sticky",
        "session.timeout.ms": settings.session_timeout_ms,
        "heartbeat.interval.ms": max(100, min(3_000, settings.session_timeout_ms // 3)),
    }
    if settings.instance_id:
        config["group.instance.id"] = settings.instance_id
    # librdkafka's log lines become the service's log lines (text or JSON), not raw stderr.
    config["logger"] = kafka_logger
    return config


def dead_letter_producer_config(settings: SinkSettings) -> dict[str, Any]:
    """The producer of the dead-letter topic: idempotent, so a retry never duplicates a letter."""
    return {
        **settings.kafka_properties(),
        "bootstrap.servers": settings.kafka_bootstrap_servers,
        "enable.idempotence": True,
        "linger.ms": 20,
        "compression.type": "lz4",
        # librdkafka's log lines become the service's (served by poll and flush).
        "logger": kafka_logger,
    }
