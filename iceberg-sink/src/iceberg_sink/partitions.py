"""The partitions this process owns: where each one reads from, and what the table says of it.

A partition taken (assigned, or positioned again) starts where the table says, checked against its
log (see ``consumer``): retention may have deleted records never read (they are skipped, counted
once), and a table ahead of its topic stops the sink unless ``ICEBERG_SINK_ON_OFFSET_GAP`` says to
start from the log start. When a partition's position leaves the log while running, the consumer
reports an error instead of resetting: the partition is paused and taken again once what was
consumed of it is committed, so the same check decides.

For each owned partition this keeps the table's offset as last seen or committed: a commit must
find exactly that in the table, or another replica has committed the partition meanwhile. The
records of partitions leaving this process are the main loop's to commit or drop before
:meth:`Partitions.release`. Everything here runs on the main thread (rebalance callbacks included).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from platform_common.logs import log_event

from iceberg_sink.committer import TableCommitter
from iceberg_sink.consumer import (
    OffsetGapError,
    PartitionStart,
    commit_hint,
    consumer_lag,
    plan_starts,
)
from iceberg_sink.metrics import SinkMetrics
from iceberg_sink.settings import OnOffsetGap

logger = logging.getLogger(__name__)


class Partitions:
    """Assigned partitions, their positions and the table's offsets of them (main thread only)."""

    def __init__(
        self,
        consumer: Consumer,
        topic: str,
        committer: TableCommitter,
        on_offset_gap: OnOffsetGap,
        metrics: SinkMetrics,
    ) -> None:
        self._consumer = consumer
        self._topic = topic
        self._committer = committer
        self._on_offset_gap = on_offset_gap
        self._metrics = metrics
        self.assigned: set[int] = set()
        # Owned partitions not reading: the start lookup failed, or the position left the log (those
        # wait until their consumed records are committed); all are paused and taken again later.
        self.unpositioned: set[int] = set()
        # The table's offset per owned partition as last seen or committed (None: no entry yet).
        self._table_offsets: dict[int, int | None] = {}
        # Per partition, the log start up to which skipped offsets were counted already.
        self._skips_counted: dict[int, int] = {}
        # Raised by check_fatal: the sink must stop (the table is ahead of the topic).
        self._fatal: Exception | None = None
        self.paused = False

    @property
    def table_offsets(self) -> Mapping[int, int | None]:
        return self._table_offsets

    def check_fatal(self) -> None:
        if self._fatal is not None:
            raise self._fatal

    def set_paused(self, paused: bool) -> None:
        """Pause (or resume) every owned partition that is reading."""
        self.paused = paused
        movable = sorted(self.assigned - self.unpositioned)
        if not movable:
            return
        tps = [TopicPartition(self._topic, p) for p in movable]
        if paused:
            self._consumer.pause(tps)
        else:
            self._consumer.resume(tps)

    def landed(self, next_offsets: Mapping[int, int]) -> None:
        """A snapshot committed ``next_offsets``: the table says so now, and the group is told."""
        self._table_offsets.update(next_offsets)
        owned = {p: o for p, o in next_offsets.items() if p in self.assigned}
        commit_hint(self._consumer, self._topic, owned)

    def left_log(self, partitions: Collection[int]) -> None:
        """Their positions are outside their logs: pause them until they are taken again."""
        self._consumer.pause([TopicPartition(self._topic, p) for p in sorted(partitions)])
        self.unpositioned.update(partitions)

    def lag(self) -> dict[int, int]:
        return consumer_lag(self._consumer, self._topic, self.assigned)

    # --- rebalances ------------------------------------------------------------------------------

    def assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Take newly assigned ``partitions``, each at its start (those without one paused)."""
        wanted = [tp.partition for tp in partitions]
        try:
            positions, table_offsets = self._plan(consumer, wanted)
        except Exception as exc:
            log_event(logger, logging.WARNING, "position_lookup_failed", error=exc)
            positions, table_offsets = {}, {}
        for tp in partitions:
            if tp.partition in positions:
                tp.offset = positions[tp.partition]
                self._table_offsets[tp.partition] = table_offsets.get(tp.partition)
        consumer.incremental_assign(partitions)
        self.assigned.update(wanted)
        waiting = [tp for tp in partitions if tp.partition not in positions]
        reading = [tp for tp in partitions if tp.partition in positions]
        # Said for every partition: librdkafka keeps a partition's pause across a rebalance that
        # takes it from this process and gives it back.
        if self.paused:
            consumer.pause(partitions)
        else:
            if waiting:
                consumer.pause(waiting)
            if reading:
                consumer.resume(reading)
        self.unpositioned.update(tp.partition for tp in waiting)
        self._metrics.assigned_partitions = len(self.assigned)
        log_event(
            logger,
            logging.INFO,
            "partitions_assigned",
            positions=",".join(f"{p}:{positions[p]}" for p in sorted(positions)),
            **({"unpositioned": ",".join(str(tp.partition) for tp in waiting)} if waiting else {}),
        )

    def release(self, partitions: set[int], event: str) -> None:
        """``partitions`` are no longer this process's (their records are gone already)."""
        self.assigned -= partitions
        self.unpositioned -= partitions
        for partition in partitions:
            self._table_offsets.pop(partition, None)
            self._metrics.consumer_lag.pop(partition, None)
        self._metrics.assigned_partitions = len(self.assigned)
        log_event(logger, logging.INFO, event, partitions=",".join(map(str, sorted(partitions))))

    # --- positions -------------------------------------------------------------------------------

    def position(self, partitions: Collection[int]) -> None:
        """Seek ``partitions`` to their start positions; on failure leave them paused."""
        wanted = sorted(partitions)
        try:
            positions, table_offsets = self._plan(self._consumer, wanted)
        except Exception as exc:
            log_event(logger, logging.WARNING, "position_lookup_failed", error=exc)
            self.unpositioned.update(wanted)
            self._consumer.pause([TopicPartition(self._topic, p) for p in wanted])
            return
        placed = sorted(positions)
        for partition in placed:
            self._table_offsets[partition] = table_offsets.get(partition)
            self._seek(TopicPartition(self._topic, partition, positions[partition]))
        self.unpositioned.difference_update(placed)
        tps = [TopicPartition(self._topic, p) for p in placed]
        if placed and self.paused:
            self._consumer.pause(tps)
        elif placed:
            self._consumer.resume(tps)
        log_event(
            logger,
            logging.INFO,
            "partitions_positioned",
            positions=",".join(f"{p}:{positions[p]}" for p in placed),
        )

    def _plan(self, consumer: Consumer, wanted: list[int]) -> tuple[dict[int, int], dict[int, int]]:
        """Start offsets of ``wanted``, checked against their logs, and the table's offsets.

        A partition whose table offset is past its log end is left out under the ``fail`` policy,
        and the next :meth:`check_fatal` raises :class:`OffsetGapError` naming every such partition.
        """
        table_offsets = self._committer.committed_offsets()
        starts = plan_starts(consumer, self._topic, wanted, table_offsets)
        positions: dict[int, int] = {}
        gaps: list[PartitionStart] = []
        for partition, start in sorted(starts.items()):
            if start.behind:
                self._skip(start)
                positions[partition] = start.log_start
            elif start.ahead:
                if start.source == "table" and self._on_offset_gap == "fail":
                    gaps.append(start)
                    continue
                self._restart_from_log_start(start)
                positions[partition] = start.log_start
            else:
                positions[partition] = start.offset
        if gaps:
            self._fatal = OffsetGapError(self._metrics.table, self._topic, gaps)
        return positions, table_offsets

    def _skip(self, start: PartitionStart) -> None:
        """Retention deleted records the sink never read: count them (once) and go on."""
        assert start.requested is not None
        partition = start.partition
        counted_to = max(start.requested, self._skips_counted.get(partition, start.requested))
        self._skips_counted[partition] = max(counted_to, start.log_start)
        skipped = start.log_start - counted_to
        if skipped <= 0:
            return
        self._metrics.offsets_skipped[partition] += skipped
        log_event(
            logger,
            logging.WARNING,
            "offsets_skipped",
            topic=self._topic,
            partition=partition,
            skipped=skipped,
            requested=start.requested,
            source=start.source,
            log_start=start.log_start,
            log_end=start.log_end,
            reason="deleted from the topic (retention) before the sink read them",
        )

    def _restart_from_log_start(self, start: PartitionStart) -> None:
        self._metrics.offset_gap_restarts[start.partition] += 1
        log_event(
            logger,
            logging.WARNING,
            "partition_restarted_from_log_start",
            topic=self._topic,
            partition=start.partition,
            requested=start.requested,
            source=start.source,
            log_start=start.log_start,
            log_end=start.log_end,
            reason=(
                "the table's next offset is past the log end (ICEBERG_SINK_ON_OFFSET_GAP="
                f"{self._on_offset_gap})"
                if start.source == "table"
                else "the group's offset is past the log end"
            ),
        )

    def _seek(self, tp: TopicPartition) -> None:
        """Move an assigned partition to ``tp.offset``, even one whose fetching has stopped."""
        try:
            self._consumer.seek(tp)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError._STATE:
                raise
            # A partition whose position left the log stopped fetching, and librdkafka refuses
            # to seek it: assigning it anew at the offset starts it again.
            self._consumer.incremental_unassign([TopicPartition(tp.topic, tp.partition)])
            self._consumer.incremental_assign([tp])
