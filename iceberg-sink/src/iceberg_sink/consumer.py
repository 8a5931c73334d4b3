"""The Kafka side: consumer configuration, where to start each partition, lag and offset hints.

Where a partition starts is decided by the table, not by the consumer group: the offset in the
newest snapshot summary of this group (see ``offsets``) wins. Only a partition the table has never
seen starts at the group's committed offset (which the sink writes after each snapshot as a hint,
and which an operator may set to choose where a new table starts), or at the earliest record.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition
from mock_data_gen.delivery import kafka_logger

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
        "auto.offset.reset": "earliest",
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


def start_positions(
    consumer: Consumer,
    topic: str,
    partitions: Collection[int],
    table_offsets: Mapping[int, int],
    timeout: float = 10.0,
) -> dict[int, int]:
    """Offset to start each partition at: the table's, else the group's, else the beginning."""
    positions = {p: table_offsets[p] for p in partitions if p in table_offsets}
    missing = [TopicPartition(topic, p) for p in partitions if p not in table_offsets]
    if missing:
        for tp in consumer.committed(missing, timeout=timeout):
            positions[tp.partition] = tp.offset if tp.offset >= 0 else OFFSET_BEGINNING
    return positions


def commit_hint(consumer: Consumer, topic: str, offsets: Mapping[int, int]) -> None:
    """Write the committed offsets to the consumer group too (asynchronously, best effort)."""
    if not offsets:
        return
    # Only a hint: the table holds the truth, and the next commit writes it again.
    with contextlib.suppress(KafkaException):
        consumer.commit(
            offsets=[TopicPartition(topic, p, o) for p, o in offsets.items()], asynchronous=True
        )


def consumer_lag(consumer: Consumer, topic: str, partitions: Iterable[int]) -> dict[int, int]:
    """Records between position and end of each partition, from cached watermarks (no request)."""
    tps = [TopicPartition(topic, p) for p in partitions]
    if not tps:
        return {}
    lag: dict[int, int] = {}
    for tp in consumer.position(tps):
        _low, high = consumer.get_watermark_offsets(tp, cached=True)
        if tp.offset >= 0 and high >= 0:
            lag[tp.partition] = max(0, high - tp.offset)
    return lag
