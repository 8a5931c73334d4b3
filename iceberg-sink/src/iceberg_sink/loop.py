"""The sink's running loop: consume, convert, commit; react to rebalances, failures, shutdown.

One thread does everything that touches the consumer (librdkafka fetches in its own threads), so
rebalance callbacks, which run inside ``consume()``, never race the loop. States:

* consuming: records go into the open :class:`Batch` (converted, and written as Parquet by the
  writer thread, chunk by chunk); when it is due it is sealed into the pending commit, whose
  attempt (dead letters, data files, snapshot) runs on the commit thread while the loop goes on
  consuming the next batch. The loop applies the attempt's outcome itself, before it seals another
  batch or lets partitions move, so offsets and ownership only ever change on this thread.
* retrying: a pending commit failed (catalog, storage or Kafka unavailable). Every partition is
  paused, the loop keeps polling (to stay in the group) and retries inline with exponential
  backoff, so nothing more is consumed and memory stays bounded.

Partitions leaving this process (revoked) first get everything consumed for them committed; if
that fails their records are dropped, as are those of partitions lost without revocation: the new
owner starts from the table's offsets, so dropping loses nothing.

A partition taken (assigned, or positioned again) starts where the table says, checked against its
log (see ``consumer``). When its position leaves the log while running (retention or truncation
caught up with it), the consumer reports an error instead of resetting: the partition is paused,
what was consumed of it is committed, and then it is taken again, so the same check decides.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from concurrent.futures import Future
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from mock_data_gen.logs import log_event

from iceberg_sink.batch import Batch, PendingCommit
from iceberg_sink.commits import CommitRunner
from iceberg_sink.committer import CommitResult, StalePartitions, TableCommitter
from iceberg_sink.consumer import (
    OUT_OF_RANGE_ERRORS,
    OffsetGapError,
    PartitionStart,
    commit_hint,
    consumer_lag,
    plan_starts,
)
from iceberg_sink.metrics import SinkMetrics
from iceberg_sink.settings import SinkSettings

logger = logging.getLogger(__name__)

_POLL_RECORDS = 10_000
_POLL_TIMEOUT_SECONDS = 0.2
_LAG_EVERY_SECONDS = 5.0
FIRST_BACKOFF_SECONDS = 0.5


class SinkLoop:
    """The state of a running sink; ``step`` until stopped, then ``shutdown``.

    Pass ``on_assign``, ``on_revoke`` and ``on_lost`` to the consumer's ``subscribe``.
    """

    def __init__(
        self,
        settings: SinkSettings,
        consumer: Consumer,
        committer: TableCommitter,
        batch: Batch,
        runner: CommitRunner,
        metrics: SinkMetrics,
    ) -> None:
        self._settings = settings
        self._topic = settings.topic
        self._consumer = consumer
        self._committer = committer
        self._batch = batch
        self._runner = runner
        self.metrics = metrics
        self._pending: PendingCommit | None = None
        # The pending commit's attempt on the commit thread, until this thread settles it.
        self._in_flight: Future[CommitResult] | None = None
        self._attempt_started = 0.0
        self._assigned: set[int] = set()
        # The table's offset per owned partition as last seen or committed (None: no entry yet);
        # a commit must find exactly these in the table.
        self._committed: dict[int, int | None] = {}
        # Owned partitions not reading: the start lookup failed, or the position left the log (those
        # wait until their consumed records are committed); all are paused and taken again later.
        self._unpositioned: set[int] = set()
        # Per partition, the log start up to which skipped offsets were counted already.
        self._skips_counted: dict[int, int] = {}
        # Raised by the next step: the sink must stop (e.g. the table is ahead of the topic).
        self._fatal: Exception | None = None
        self._paused = False
        self._failures = 0
        self._retry_at = 0.0
        self._next_lag_at = 0.0

    def shutdown(self) -> None:
        """Commit everything consumed, retrying until the shutdown timeout."""
        self.metrics.state = "stopping"
        self._settle()
        deadline = time.monotonic() + self._settings.shutdown_timeout_seconds
        while time.monotonic() < deadline:
            if self._pending is None:
                self._pending = self._batch.seal()
                if self._pending is None:
                    return
            if time.monotonic() < self._retry_at:
                self._poll_paused(min(self._retry_at, deadline) - time.monotonic())
            else:
                self._attempt_pending()
        log_event(logger, logging.ERROR, "shutdown_uncommitted", records=self._buffered())

    # --- main loop -------------------------------------------------------------------------------

    def step(self) -> None:
        now = time.monotonic()
        self.metrics.tick()
        self._check_fatal()
        self._settle(wait=False)
        if self._pending is not None and self._in_flight is None:
            # An attempt failed: retry after the backoff, consuming nothing further meanwhile.
            if now >= self._retry_at:
                self._attempt_pending()
            else:
                self._poll_paused(self._retry_at - now)
            return
        if self._unpositioned:
            # Records consumed of a partition are committed before it is taken again.
            ready = self._unpositioned - self._held()
            if ready:
                self._position(ready)
        settings = self._settings
        # No poll takes a batch past its record limit.
        room = max(1, min(_POLL_RECORDS, settings.batch_max_records - self._batch.records))
        messages = self._consumer.consume(room, _POLL_TIMEOUT_SECONDS)
        if messages:
            self._accept(messages)
        self._check_fatal()
        if self._unpositioned & self._batch.next_offsets.keys() or self._batch.due(
            time.monotonic(),
            settings.commit_interval_seconds,
            settings.batch_max_records,
            settings.batch_max_bytes,
        ):
            self._settle()  # one commit at a time, in order
            if self._pending is None:
                self._pending = self._batch.seal()
                self._start_pending()
        if now >= self._next_lag_at:
            self._next_lag_at = now + _LAG_EVERY_SECONDS
            self.metrics.consumer_lag = consumer_lag(self._consumer, self._topic, self._assigned)
        self.metrics.buffered_records = self._buffered()

    def _check_fatal(self) -> None:
        if self._fatal is not None:
            raise self._fatal

    def _held(self) -> set[int]:
        """Partitions with records consumed but not committed."""
        held = set(self._batch.next_offsets)
        if self._pending is not None:
            held.update(self._pending.next_offsets)
        return held

    def _accept(self, messages: list[Any]) -> None:
        unpositioned = self._unpositioned
        good = [m for m in messages if m.error() is None and m.partition() not in unpositioned]
        outside: set[int] = set()
        if len(good) != len(messages):
            for message in messages:
                error = message.error()
                if error is None:
                    continue
                partition = message.partition()
                if (
                    error.code() in OUT_OF_RANGE_ERRORS
                    and message.topic() == self._topic
                    and partition in self._assigned
                ):
                    outside.add(partition)
                    log_event(
                        logger,
                        logging.WARNING,
                        "position_outside_log",
                        topic=self._topic,
                        partition=partition,
                        offset=message.offset(),
                        error=error.str(),
                    )
                else:
                    log_event(logger, logging.WARNING, "consumer_error", error=error)
        self.metrics.records_consumed += self._batch.add(good)
        if outside:
            # Taken again (see step) once what was consumed of them is committed.
            self._consumer.pause([TopicPartition(self._topic, p) for p in sorted(outside)])
            self._unpositioned.update(outside)

    def _poll_paused(self, seconds: float) -> None:
        """Wait while serving group heartbeats and rebalances (partitions stay paused)."""
        messages = self._consumer.consume(_POLL_RECORDS, max(0.0, min(seconds, 0.5)))
        if messages:
            # Fetched before the pause took effect; they belong to the next batch.
            self._accept(messages)

    def _buffered(self) -> int:
        pending = self._pending.records if self._pending is not None else 0
        return pending + self._batch.records

    # --- committing ------------------------------------------------------------------------------

    def _start_pending(self) -> None:
        """Begin the pending commit's first attempt on the commit thread."""
        pending = self._pending
        assert pending is not None
        self._attempt_started = time.monotonic()
        if self.metrics.commit_pending_since is None:
            self.metrics.commit_pending_since = self._attempt_started
        self._in_flight = self._runner.start(pending, self._expected(pending))

    def _settle(self, wait: bool = True) -> None:
        """Apply the outcome of the attempt on the commit thread (waiting for it if ``wait``)."""
        in_flight = self._in_flight
        if in_flight is None or not (wait or in_flight.done()):
            return
        self._in_flight = None
        self._finish_attempt(in_flight.result)

    def _attempt_pending(self) -> bool:
        """One attempt at the pending commit in this thread; True if it is done."""
        runner, pending = self._runner, self._pending
        assert self._in_flight is None
        if pending is None:
            return True
        self._attempt_started = time.monotonic()
        if self.metrics.commit_pending_since is None:
            self.metrics.commit_pending_since = self._attempt_started
        return self._finish_attempt(lambda: runner.attempt(pending, self._expected(pending)))

    def _expected(self, pending: PendingCommit) -> dict[int, int | None]:
        """The table's offsets the batch started from: the commit must still find them there."""
        return {p: self._committed.get(p) for p in pending.next_offsets}

    def _finish_attempt(self, outcome: Callable[[], CommitResult]) -> bool:
        """Apply an attempt's outcome (result or exception); True if the commit is done."""
        pending = self._pending
        assert pending is not None
        try:
            result = outcome()
        except StalePartitions as stale:
            self._drop_stale(stale)
            return self._pending is None
        except Exception as exc:
            self._commit_failed(exc)
            return False
        finished = time.monotonic()
        self.metrics.batch_latency.observe(finished - pending.first_record_at)
        self.metrics.commit_conflicts += result.attempts - 1
        self.metrics.batches_committed += 1
        self.metrics.records_committed += pending.rows.num_rows
        self.metrics.last_commit_unix = time.time()
        self.metrics.commit_pending_since = None
        self._committed.update(pending.next_offsets)
        self._pending = None
        log_event(
            logger,
            logging.INFO,
            "committed",
            commit_id=pending.commit_id,
            snapshot_id=result.snapshot_id,
            rows=pending.rows.num_rows,
            dead_letters=len(pending.dead_letters),
            attempts=result.attempts,
            seconds=round(finished - self._attempt_started, 3),
            offsets=",".join(f"{p}:{o}" for p, o in sorted(pending.next_offsets.items())),
        )
        commit_hint(
            self._consumer,
            self._topic,
            {p: o for p, o in pending.next_offsets.items() if p in self._assigned},
        )
        self._retry_ended()
        return True

    def _commit_failed(self, exc: Exception) -> None:
        from pyiceberg.exceptions import NoSuchTableError

        if isinstance(exc, NoSuchTableError):
            raise exc
        self._failures += 1
        backoff = min(
            FIRST_BACKOFF_SECONDS * 2 ** (self._failures - 1),
            self._settings.retry_backoff_max_seconds,
        )
        self._retry_at = time.monotonic() + backoff
        self.metrics.commit_failures += 1
        self.metrics.last_error = f"{type(exc).__name__}: {exc}"
        if self.metrics.state == "consuming":
            self.metrics.state = "retrying"
        self._set_paused(True)
        log_event(
            logger,
            logging.WARNING,
            "commit_failed",
            error=f"{type(exc).__name__}: {exc}",
            attempt=self._failures,
            retry_in=round(backoff, 2),
        )

    def _drop_stale(self, stale: StalePartitions) -> None:
        """Another replica committed these partitions: drop our records and follow the table."""
        partitions = set(stale.table_offsets)
        self.metrics.stale_partition_drops += len(partitions)
        log_event(
            logger,
            logging.WARNING,
            "stale_partitions_dropped",
            partitions=",".join(map(str, sorted(partitions))),
            table_offsets=",".join(f"{p}:{o}" for p, o in sorted(stale.table_offsets.items())),
        )
        self._drop(partitions)
        owned = partitions & self._assigned
        if owned:
            self._position(owned)

    def _drop(self, partitions: Collection[int]) -> None:
        """Forget every consumed record of ``partitions`` (pending and open batch)."""
        self._batch.drop(partitions)
        pending = self._pending
        if pending is None or not any(p in pending.next_offsets for p in partitions):
            return
        if pending.writer is not None:
            pending.writer.abort()
        if pending.data_files and not pending.maybe_committed:
            self._committer.delete_data_files(pending.data_files)
        # If the snapshot did land after all, the rest's new commit finds the offsets moved on
        # and is refused as stale: nothing is written twice.
        remaining = pending.without(partitions)
        self._pending = remaining if remaining.next_offsets else None
        if self._pending is None:
            self.metrics.commit_pending_since = None
            self._retry_ended()

    def _retry_ended(self) -> None:
        """Nothing is left to retry (the commit landed, or all it held was dropped): consume."""
        if self._failures:
            self._failures = 0
            self._set_paused(False)
            if self.metrics.state == "retrying":
                self.metrics.state = "consuming"

    def _set_paused(self, paused: bool) -> None:
        self._paused = paused
        movable = sorted(self._assigned - self._unpositioned)
        if not movable:
            return
        tps = [TopicPartition(self._topic, p) for p in movable]
        if paused:
            self._consumer.pause(tps)
        else:
            self._consumer.resume(tps)

    # --- partition ownership ---------------------------------------------------------------------

    def _plan(self, consumer: Consumer, wanted: list[int]) -> tuple[dict[int, int], dict[int, int]]:
        """Start offsets of ``wanted``, checked against their logs, and the table's offsets.

        A partition whose table offset is past its log end is left out under the ``fail`` policy,
        and the next step raises :class:`OffsetGapError` naming every such partition.
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
                if start.source == "table" and self._settings.on_offset_gap == "fail":
                    gaps.append(start)
                    continue
                self._restart_from_log_start(start)
                positions[partition] = start.log_start
            else:
                positions[partition] = start.offset
        if gaps:
            self._fatal = OffsetGapError(self.metrics.table, self._topic, gaps)
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
        self.metrics.offsets_skipped[partition] += skipped
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
        self.metrics.offset_gap_restarts[start.partition] += 1
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
                f"{self._settings.on_offset_gap})"
                if start.source == "table"
                else "the group's offset is past the log end"
            ),
        )

    def _position(self, partitions: Collection[int]) -> None:
        """Seek ``partitions`` to their start positions; on failure leave them paused."""
        wanted = sorted(partitions)
        try:
            positions, table_offsets = self._plan(self._consumer, wanted)
        except Exception as exc:
            log_event(logger, logging.WARNING, "position_lookup_failed", error=exc)
            self._unpositioned.update(wanted)
            self._consumer.pause([TopicPartition(self._topic, p) for p in wanted])
            return
        placed = sorted(positions)
        for partition in placed:
            self._committed[partition] = table_offsets.get(partition)
            self._seek(TopicPartition(self._topic, partition, positions[partition]))
        self._unpositioned.difference_update(placed)
        tps = [TopicPartition(self._topic, p) for p in placed]
        if placed and self._paused:
            self._consumer.pause(tps)
        elif placed:
            self._consumer.resume(tps)
        log_event(
            logger,
            logging.INFO,
            "partitions_positioned",
            positions=",".join(f"{p}:{positions[p]}" for p in placed),
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

    def on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._settle()
        self.metrics.rebalances += 1
        wanted = [tp.partition for tp in partitions]
        try:
            positions, table_offsets = self._plan(consumer, wanted)
        except Exception as exc:
            log_event(logger, logging.WARNING, "position_lookup_failed", error=exc)
            positions, table_offsets = {}, {}
        for tp in partitions:
            if tp.partition in positions:
                tp.offset = positions[tp.partition]
                self._committed[tp.partition] = table_offsets.get(tp.partition)
        consumer.incremental_assign(partitions)
        self._assigned.update(wanted)
        waiting = [tp for tp in partitions if tp.partition not in positions]
        reading = [tp for tp in partitions if tp.partition in positions]
        # Said for every partition: librdkafka keeps a partition's pause across a rebalance that
        # takes it from this process and gives it back.
        if self._paused:
            consumer.pause(partitions)
        else:
            if waiting:
                consumer.pause(waiting)
            if reading:
                consumer.resume(reading)
        self._unpositioned.update(tp.partition for tp in waiting)
        self.metrics.assigned_partitions = len(self._assigned)
        log_event(
            logger,
            logging.INFO,
            "partitions_assigned",
            positions=",".join(f"{p}:{positions[p]}" for p in sorted(positions)),
            **({"unpositioned": ",".join(str(tp.partition) for tp in waiting)} if waiting else {}),
        )

    def on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Commit what was consumed before the partitions move; else drop it for the new owner."""
        self._settle()
        self.metrics.rebalances += 1
        revoked = {tp.partition for tp in partitions}
        holds = self._batch.next_offsets.keys() | (
            self._pending.next_offsets.keys() if self._pending is not None else set()
        )
        if revoked & holds:
            if self._pending is not None:
                self._attempt_pending()
            if self._pending is None:
                self._pending = self._batch.seal()
                self._attempt_pending()
        self._release(revoked, "partitions_revoked")

    def on_lost(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Ownership already gone (session expired): records of these partitions are stale."""
        self._settle()
        self.metrics.rebalances += 1
        self._release({tp.partition for tp in partitions}, "partitions_lost")

    def _release(self, partitions: set[int], event: str) -> None:
        self._drop(partitions)
        self._assigned -= partitions
        self._unpositioned -= partitions
        for partition in partitions:
            self._committed.pop(partition, None)
            self.metrics.consumer_lag.pop(partition, None)
        self.metrics.assigned_partitions = len(self._assigned)
        log_event(logger, logging.INFO, event, partitions=",".join(map(str, sorted(partitions))))
