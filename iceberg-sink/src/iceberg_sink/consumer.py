"""The Kafka side: where to start each partition, lag and offset hints.

Where a partition starts is decided by the table, not by the consumer group: the offset in the
newest snapshot summary of this group (see ``offsets``) wins. Only a partition the table has never
seen starts at the group's committed offset (which the sink writes after each snapshot as a hint,
and which an operator may set to choose where a new table starts), or at the earliest record.

That offset is checked against the partition's log (its watermarks) whenever the sink takes the
partition, and librdkafka's own ``auto.offset.reset`` is ``error`` so that it never rewinds or skips
by itself. An offset before the log start means retention deleted records the sink never read:
they are lost upstream, and the partition starts at the log start. An offset past the log end
means the topic was recreated or truncated after the table was written: starting anywhere would
repeat ``(kafka_partition, kafka_offset)`` pairs of older rows, so the sink stops
(:class:`OffsetGapError`) unless ``ICEBERG_SINK_ON_OFFSET_GAP=from-log-start``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

# Consume errors saying a partition's position is outside its log (auto.offset.reset=error).
OUT_OF_RANGE_ERRORS = frozenset((KafkaError._AUTO_OFFSET_RESET, KafkaError.OFFSET_OUT_OF_RANGE))


@dataclass(frozen=True, slots=True)
class PartitionStart:
    """Where a partition asks to start, and the log it is checked against."""

    partition: int
    # The table's next offset ("table"), else the group's committed offset ("group"), else None
    # ("beginning": the earliest record).
    requested: int | None
    source: str
    log_start: int
    log_end: int

    @property
    def behind(self) -> bool:
        """Retention deleted records before the requested offset: they cannot be read."""
        return self.requested is not None and self.requested < self.log_start

    @property
    def ahead(self) -> bool:
        """The requested offset is past the log end: the topic was recreated or truncated."""
        return self.requested is not None and self.requested > self.log_end

    @property
    def offset(self) -> int:
        """Offset to seek to when the requested one is inside the log."""
        return self.requested if self.requested is not None else OFFSET_BEGINNING


class OffsetGapError(RuntimeError):
    """The table's offsets of some partitions are past the end of their log; nothing was started.

    The message names the topic, each partition with the table's next offset and the log's range,
    and the remedies.
    """

    def __init__(self, table: str, topic: str, gaps: Sequence[PartitionStart]) -> None:
        self.gaps = list(gaps)
        described = "; ".join(
            f"partition {gap.partition}: table's next offset {gap.requested}, "
            f"topic's offsets [{gap.log_start}, {gap.log_end})"
            for gap in sorted(gaps, key=lambda gap: gap.partition)
        )
        super().__init__(
            f"table {table} is ahead of topic {topic}: {described}. The topic was recreated or "
            "truncated after the table was written, so its offsets now name other records; "
            "nothing of these partitions was written. Either land the topic into a new table "
            "(ICEBERG_TABLE) or under a new group (ICEBERG_SINK_GROUP), or set "
            "ICEBERG_SINK_ON_OFFSET_GAP=from-log-start to start these partitions from their log "
            "start (their new rows then share kafka_partition/kafka_offset values with older rows)."
        )


def plan_starts(
    consumer: Consumer,
    topic: str,
    partitions: Collection[int],
    table_offsets: Mapping[int, int],
    timeout: float = 10.0,
) -> dict[int, PartitionStart]:
    """Each partition's requested start (the table's, else the group's) and its log's watermarks.

    Raises ``KafkaException`` when Kafka does not answer within ``timeout`` per request.
    """
    requested: dict[int, tuple[int | None, str]] = {
        p: (table_offsets[p], "table") for p in partitions if p in table_offsets
    }
    missing = [TopicPartition(topic, p) for p in partitions if p not in table_offsets]
    if missing:
        for tp in consumer.committed(missing, timeout=timeout):
            group = tp.offset >= 0
            requested[tp.partition] = (tp.offset, "group") if group else (None, "beginning")
    starts = {}
    for partition in partitions:
        low, high = consumer.get_watermark_offsets(
            TopicPartition(topic, partition), timeout=timeout, cached=False
        )
        offset, source = requested[partition]
        starts[partition] = PartitionStart(partition, offset, source, low, high)
    return starts


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
