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
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from concurrent.futures import Future
from typing import Any

from confluent_kafka import Consumer, TopicPartition
from mock_data_gen.logs import log_event

from iceberg_sink.batch import Batch, PendingCommit
from iceberg_sink.commits import CommitRunner
from iceberg_sink.committer import CommitResult, StalePartitions, TableCommitter
from iceberg_sink.consumer import commit_hint, consumer_lag, start_positions
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
        self._unpositioned: set[int] = set()
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
        self._settle(wait=False)
        if self._pending is not None and self._in_flight is None:
            # An attempt failed: retry after the backoff, consuming nothing further meanwhile.
            if now >= self._retry_at:
                self._attempt_pending()
            else:
                self._poll_paused(self._retry_at - now)
            return
        if self._unpositioned:
            self._position(self._unpositioned)
        settings = self._settings
        # No poll takes a batch past its record limit.
        room = max(1, min(_POLL_RECORDS, settings.batch_max_records - self._batch.records))
        messages = self._consumer.consume(room, _POLL_TIMEOUT_SECONDS)
        if messages:
            self._accept(messages)
        if self._batch.due(
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

    def _accept(self, messages: list[Any]) -> None:
        unpositioned = self._unpositioned
        good = [m for m in messages if m.error() is None and m.partition() not in unpositioned]
        if len(good) != len(messages):
            for message in messages:
                error = message.error()
                if error is not None:
                    log_event(logger, logging.WARNING, "consumer_error", error=error)
        self.metrics.records_consumed += self._batch.add(good)

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
        if self._failures:
            self._failures = 0
            self._set_paused(False)
            if self.metrics.state == "retrying":
                self.metrics.state = "consuming"
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

    def _position(self, partitions: Collection[int]) -> None:
        """Seek ``partitions`` to their start positions; on failure leave them paused."""
        wanted = sorted(partitions)
        try:
            table_offsets = self._committer.committed_offsets()
            positions = start_positions(self._consumer, self._topic, wanted, table_offsets)
        except Exception as exc:
            log_event(logger, logging.WARNING, "position_lookup_failed", error=exc)
            self._unpositioned.update(wanted)
            self._consumer.pause([TopicPartition(self._topic, p) for p in wanted])
            return
        for partition in wanted:
            self._committed[partition] = table_offsets.get(partition)
            self._consumer.seek(TopicPartition(self._topic, partition, positions[partition]))
        self._unpositioned.difference_update(wanted)
        if not self._paused:
            self._consumer.resume([TopicPartition(self._topic, p) for p in wanted])
        log_event(
            logger,
            logging.INFO,
            "partitions_positioned",
            positions=",".join(f"{p}:{positions[p]}" for p in wanted),
        )

    def on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._settle()
        self.metrics.rebalances += 1
        wanted = [tp.partition for tp in partitions]
        try:
            table_offsets = self._committer.committed_offsets()
            positions = start_positions(consumer, self._topic, wanted, table_offsets)
        except Exception as exc:
            log_event(logger, logging.WARNING, "position_lookup_failed", error=exc)
            consumer.incremental_assign(partitions)
            consumer.pause(partitions)
            self._assigned.update(wanted)
            self._unpositioned.update(wanted)
            return
        for tp in partitions:
            tp.offset = positions[tp.partition]
            self._committed[tp.partition] = table_offsets.get(tp.partition)
        consumer.incremental_assign(partitions)
        self._assigned.update(wanted)
        if self._paused:
            consumer.pause(partitions)
        self.metrics.assigned_partitions = len(self._assigned)
        log_event(
            logger,
            logging.INFO,
            "partitions_assigned",
            positions=",".join(f"{p}:{positions[p]}" for p in sorted(wanted)),
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
