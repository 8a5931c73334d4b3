"""The sink's running loop: consume into the open batch, seal it into a commit, react to rebalances.

One thread does everything that touches the consumer (librdkafka fetches in its own threads), so
rebalance callbacks, which run inside ``consume()``, never race the loop. It drives three parts:

* the open :class:`~iceberg_sink.batch.Batch`: records go into it (converted, and written as
  Parquet by the writer thread, chunk by chunk) until it is due, then it is sealed into the
  pending commit;
* :class:`~iceberg_sink.commits.Commits`: the pending commit's first attempt runs on the commit
  thread while the loop goes on consuming the next batch. The loop settles each attempt's outcome
  itself, before it seals another batch or lets partitions move, so offsets and ownership only
  ever change on this thread;
* :class:`~iceberg_sink.partitions.Partitions`: which partitions are owned, where they read from,
  and what the table says of them.

Retrying: while the pending commit is failing (catalog, storage or Kafka unavailable), every
partition is paused, and the loop keeps polling (to stay in the group) and retries when the backoff
says, so nothing more is consumed and memory stays bounded. It consumes again as soon as nothing is
left to retry: the commit landed, or every partition it held was revoked, lost, or found committed
by another replica.

Partitions leaving this process (revoked) first get everything consumed for them committed; if
that fails their records are dropped, as are those of partitions lost without revocation: the new
owner starts from the table's offsets, so dropping loses nothing.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from confluent_kafka import Consumer, TopicPartition
from platform_common.logs import log_event

from iceberg_sink.batch import Batch
from iceberg_sink.commits import Commits, Landed, Outcome, Stale
from iceberg_sink.consumer import OUT_OF_RANGE_ERRORS
from iceberg_sink.metrics import SinkMetrics
from iceberg_sink.partitions import Partitions
from iceberg_sink.settings import SinkSettings

logger = logging.getLogger(__name__)

_POLL_RECORDS = 10_000
_POLL_TIMEOUT_SECONDS = 0.2
_LAG_EVERY_SECONDS = 5.0


class SinkLoop:
    """The state of a running sink; ``step`` until stopped, then ``shutdown``.

    Pass ``on_assign``, ``on_revoke`` and ``on_lost`` to the consumer's ``subscribe``.
    """

    def __init__(
        self,
        settings: SinkSettings,
        consumer: Consumer,
        batch: Batch,
        commits: Commits,
        partitions: Partitions,
        metrics: SinkMetrics,
    ) -> None:
        self._settings = settings
        self._topic = settings.topic
        self._consumer = consumer
        self._batch = batch
        self._commits = commits
        self._partitions = partitions
        self.metrics = metrics
        self._next_lag_at = 0.0

    def shutdown(self) -> None:
        """Commit everything consumed, retrying until the shutdown timeout."""
        self.metrics.state = "stopping"
        self._settle()
        commits = self._commits
        deadline = time.monotonic() + self._settings.shutdown_timeout_seconds
        while (now := time.monotonic()) < deadline:
            if commits.pending is None:
                sealed = self._batch.seal()
                if sealed is None:
                    return
                commits.add(sealed)
            if now >= commits.due_at:
                self._apply(commits.attempt(self._partitions.table_offsets))
            else:
                self._poll_paused(min(commits.due_at, deadline) - now)
        log_event(logger, logging.ERROR, "shutdown_uncommitted", records=self._buffered())

    # --- main loop -------------------------------------------------------------------------------

    def step(self) -> None:
        now = time.monotonic()
        self.metrics.tick()
        partitions, commits, batch = self._partitions, self._commits, self._batch
        partitions.check_fatal()
        self._settle(wait=False)
        if commits.waiting:
            # A failed commit is retried after its backoff, nothing further consumed meanwhile
            # (one whose stale partitions were dropped goes on at once).
            if now >= commits.due_at:
                self._apply(commits.attempt(partitions.table_offsets))
            else:
                self._poll_paused(commits.due_at - now)
            return
        if partitions.unpositioned:
            # Records consumed of a partition are committed before it is taken again.
            ready = partitions.unpositioned - self._held()
            if ready:
                partitions.position(ready)
        settings = self._settings
        # No poll takes a batch past its record limit.
        room = max(1, min(_POLL_RECORDS, settings.batch_max_records - batch.records))
        messages = self._consumer.consume(room, _POLL_TIMEOUT_SECONDS)
        if messages:
            self._accept(messages)
        partitions.check_fatal()
        if partitions.unpositioned & batch.next_offsets.keys() or batch.due(
            time.monotonic(),
            settings.commit_interval_seconds,
            settings.batch_max_records,
            settings.batch_max_bytes,
        ):
            self._settle()  # one commit at a time, in order
            if commits.pending is None:
                sealed = batch.seal()
                if sealed is not None:
                    commits.add(sealed)
                    commits.start(partitions.table_offsets)
        if now >= self._next_lag_at:
            self._next_lag_at = now + _LAG_EVERY_SECONDS
            self.metrics.consumer_lag = partitions.lag()
        self.metrics.buffered_records = self._buffered()

    def _held(self) -> set[int]:
        """Partitions with records consumed but not committed."""
        return set(self._batch.next_offsets) | self._commits.held

    def _accept(self, messages: list[Any]) -> None:
        unpositioned = self._partitions.unpositioned
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
                    and partition in self._partitions.assigned
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
            self._partitions.left_log(outside)

    def _poll_paused(self, seconds: float) -> None:
        """Wait while serving group heartbeats and rebalances (partitions stay paused)."""
        messages = self._consumer.consume(_POLL_RECORDS, max(0.0, min(seconds, 0.5)))
        if messages:
            # Fetched before the pause took effect; they belong to the next batch.
            self._accept(messages)

    def _buffered(self) -> int:
        pending = self._commits.pending
        return (pending.records if pending is not None else 0) + self._batch.records

    # --- commit outcomes -------------------------------------------------------------------------

    def _settle(self, wait: bool = True) -> None:
        """Apply the outcome of the attempt on the commit thread (waiting for it if ``wait``)."""
        self._apply(self._commits.settle(wait))

    def _apply(self, outcome: Outcome) -> None:
        """What a commit's outcome means for partitions and the open batch."""
        if isinstance(outcome, Landed):
            self._partitions.landed(outcome.next_offsets)
        elif isinstance(outcome, Stale):
            # Another replica committed them: the open batch's records of them go too, and the
            # partitions still owned follow the table.
            self._batch.drop(outcome.partitions)
            owned = outcome.partitions & self._partitions.assigned
            if owned:
                self._partitions.position(owned)
        self._follow_commits()

    def _follow_commits(self) -> None:
        """Pause every partition while a commit is retried; resume once nothing is to retry."""
        retrying = self._commits.retrying
        if retrying != self._partitions.paused:
            self._partitions.set_paused(retrying)
        state = self.metrics.state
        if retrying and state == "consuming":
            self.metrics.state = "retrying"
        elif not retrying and state == "retrying":
            self.metrics.state = "consuming"

    # --- rebalances ------------------------------------------------------------------------------

    def on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._settle()
        self.metrics.rebalances += 1
        self._partitions.assign(consumer, partitions)

    def on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Commit what was consumed before the partitions move; else drop it for the new owner."""
        self._settle()
        self.metrics.rebalances += 1
        revoked = {tp.partition for tp in partitions}
        if revoked & self._held():
            commits, table_offsets = self._commits, self._partitions.table_offsets
            if commits.pending is not None:
                self._apply(commits.attempt(table_offsets))
            if commits.pending is None:
                sealed = self._batch.seal()
                if sealed is not None:
                    commits.add(sealed)
                    self._apply(commits.attempt(table_offsets))
        self._release(revoked, "partitions_revoked")

    def on_lost(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Ownership already gone (session expired): records of these partitions are stale."""
        self._settle()
        self.metrics.rebalances += 1
        self._release({tp.partition for tp in partitions}, "partitions_lost")

    def _release(self, partitions: set[int], event: str) -> None:
        self._batch.drop(partitions)
        self._commits.drop(partitions)
        self._partitions.release(partitions, event)
        self._follow_commits()
