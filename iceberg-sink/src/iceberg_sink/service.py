"""The sink's main loop: consume, convert, commit; react to rebalances, failures and shutdown.

One thread does everything that touches the consumer (librdkafka fetches in its own threads), so
rebalance callbacks, which run inside ``consume()``, never race the loop. States:

* consuming: records go into the open :class:`Batch`; when it is due it is sealed into the
  pending commit, whose dead letters are produced, data files written and snapshot committed.
* retrying: a pending commit failed (catalog, storage or Kafka unavailable). Every partition is
  paused, the loop keeps polling (to stay in the group) and retries with exponential backoff, so
  nothing more is consumed and memory stays bounded.

Partitions leaving this process (revoked) first get everything consumed for them committed; if
that fails their records are dropped, as are those of partitions lost without revocation: the new
owner starts from the table's offsets, so dropping loses nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from confluent_kafka import Consumer, TopicPartition
from mock_data_gen.lakehouse.table_schema import json_column_paths
from mock_data_gen.logs import log_event

from iceberg_sink.arrow_convert import RecordConverter
from iceberg_sink.batch import Batch, PendingCommit
from iceberg_sink.catalog import connect_catalog, open_table
from iceberg_sink.committer import StalePartitions, TableCommitter
from iceberg_sink.consumer import commit_hint, consumer_config, consumer_lag, start_positions
from iceberg_sink.dead_letter import DeadLetterQueue
from iceberg_sink.metrics import MetricsServer, SinkMetrics
from iceberg_sink.settings import ConfigError, SinkSettings

logger = logging.getLogger(__name__)

_POLL_RECORDS = 10_000
_POLL_TIMEOUT_SECONDS = 0.2
_LAG_EVERY_SECONDS = 5.0
_FIRST_BACKOFF_SECONDS = 0.5
_DEAD_LETTER_TIMEOUT_SECONDS = 30.0


class SinkService:
    """``iceberg-sink run``: lands the topic in the table until ``stop`` is set."""

    def __init__(self, settings: SinkSettings) -> None:
        self._settings = settings
        self._topic = settings.topic
        self._table_name = ".".join(settings.table_identifier)
        self.metrics = SinkMetrics(settings.topic, self._table_name)
        self._consumer: Consumer | None = None
        self._committer: TableCommitter | None = None
        self._batch: Batch | None = None
        self._dlq: DeadLetterQueue | None = None
        self._pending: PendingCommit | None = None
        self._assigned: set[int] = set()
        # The table's offset per owned partition as last seen or committed (None: no entry yet);
        # a commit must find exactly these in the table.
        self._committed: dict[int, int | None] = {}
        self._unpositioned: set[int] = set()
        self._paused = False
        self._failures = 0
        self._retry_at = 0.0
        self._next_lag_at = 0.0

    # --- life cycle ------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Run until ``stop`` is set, then commit what was consumed and leave the group."""
        settings = self._settings
        server = (
            MetricsServer(self.metrics, settings.metrics_port) if settings.metrics_port else None
        )
        # Parquet encoding runs here while the main thread consumes and converts.
        writer_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="data-files")
        try:
            committer = self._connect(stop)
            if committer is None:
                return
            self._committer = committer
            converter = RecordConverter(committer.arrow_schema(), json_column_paths())
            self._batch = Batch(converter, lambda: committer.data_file_writer(writer_thread))
            self._dlq = DeadLetterQueue(
                settings.kafka_bootstrap_servers,
                self._topic,
                settings.dead_letter_topic,
                settings.kafka_properties(),
            )
            self._consumer = Consumer(consumer_config(settings))
            self._consumer.subscribe(
                [self._topic],
                on_assign=self._on_assign,
                on_revoke=self._on_revoke,
                on_lost=self._on_lost,
            )
            self.metrics.state = "consuming"
            log_event(logger, logging.INFO, "started", **settings.describe())
            while not stop.is_set():
                self._step()
            self._shutdown()
        finally:
            if self._consumer is not None:
                self._consumer.close()
            if self._dlq is not None:
                self._dlq.close()
            if server is not None:
                server.close()
            writer_thread.shutdown(wait=True, cancel_futures=True)
            self.metrics.state = "stopped"
            log_event(
                logger,
                logging.INFO,
                "stopped",
                consumed=self.metrics.records_consumed,
                committed=self.metrics.records_committed,
                dead_letters=sum(self.metrics.dead_letters.values()),
            )

    def _connect(self, stop: threading.Event) -> TableCommitter | None:
        """Open (or create) the table, retrying while the catalog is unreachable."""
        settings = self._settings
        backoff = _FIRST_BACKOFF_SECONDS
        while not stop.is_set():
            try:
                catalog = connect_catalog(settings.catalog)
                identifier = settings.table_identifier
                table = open_table(catalog, identifier, create=settings.create_table)
                return TableCommitter(catalog, identifier, table, settings.group_id, self._topic)
            except ConfigError:
                raise
            except Exception as exc:
                self.metrics.last_error = f"{type(exc).__name__}: {exc}"
                log_event(
                    logger, logging.WARNING, "catalog_unavailable", error=exc, retry_in=backoff
                )
                stop.wait(backoff)
                backoff = min(backoff * 2, settings.retry_backoff_max_seconds)
        return None

    def _shutdown(self) -> None:
        """Commit everything consumed, retrying until the shutdown timeout."""
        assert self._batch is not None
        self.metrics.state = "stopping"
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

    def _step(self) -> None:
        assert self._consumer is not None and self._batch is not None
        now = time.monotonic()
        self.metrics.tick()
        if self._pending is not None:
            if now >= self._retry_at:
                self._attempt_pending()
            else:
                self._poll_paused(self._retry_at - now)
            return
        if self._unpositioned:
            self._position(self._unpositioned)
        messages = self._consumer.consume(_POLL_RECORDS, _POLL_TIMEOUT_SECONDS)
        if messages:
            self._accept(messages)
        settings = self._settings
        if self._batch.due(
            time.monotonic(),
            settings.commit_interval_seconds,
            settings.batch_max_records,
            settings.batch_max_bytes,
        ):
            self._pending = self._batch.seal()
            self._attempt_pending()
        if now >= self._next_lag_at:
            self._next_lag_at = now + _LAG_EVERY_SECONDS
            self.metrics.consumer_lag = consumer_lag(self._consumer, self._topic, self._assigned)
        self.metrics.buffered_records = self._buffered()

    def _accept(self, messages: list[Any]) -> None:
        assert self._batch is not None
        good = []
        for message in messages:
            error = message.error()
            if error is not None:
                log_event(logger, logging.WARNING, "consumer_error", error=error)
            elif message.partition() not in self._unpositioned:
                good.append(message)
        self.metrics.records_consumed += self._batch.add(good)

    def _poll_paused(self, seconds: float) -> None:
        """Wait while serving group heartbeats and rebalances (partitions stay paused)."""
        assert self._consumer is not None
        messages = self._consumer.consume(_POLL_RECORDS, max(0.0, min(seconds, 0.5)))
        if messages:
            # Fetched before the pause took effect; they belong to the next batch.
            self._accept(messages)

    def _buffered(self) -> int:
        pending = self._pending.records if self._pending is not None else 0
        return pending + (self._batch.records if self._batch is not None else 0)

    # --- committing ------------------------------------------------------------------------------

    def _attempt_pending(self) -> bool:
        """One attempt at the pending commit (dead letters, data files, snapshot); True if done."""
        assert self._committer is not None and self._dlq is not None
        pending = self._pending
        if pending is None:
            return True
        committer = self._committer
        try:
            if not pending.dead_letters_sent:
                self._dlq.send(pending.dead_letters, timeout=_DEAD_LETTER_TIMEOUT_SECONDS)
                pending.dead_letters_sent = True
                for letter in pending.dead_letters:
                    self.metrics.dead_letters[letter.reason] += 1
            if pending.data_files is None:
                pending.data_files = committer.write_data_files(pending.rows)
                pending.data_files_reported = False
            if not pending.data_files_reported:
                pending.data_files_reported = True
                self.metrics.data_files_written += len(pending.data_files)
                log_event(
                    logger,
                    logging.INFO,
                    "data_files_written",
                    commit_id=pending.commit_id,
                    files=len(pending.data_files),
                    rows=pending.rows.num_rows,
                    bytes=sum(f.file_size_in_bytes for f in pending.data_files),
                )
            if self._settings.pause_before_commit_seconds:
                time.sleep(self._settings.pause_before_commit_seconds)
            started = time.monotonic()
            expected = {p: self._committed.get(p) for p in pending.next_offsets}
            result = committer.commit(
                pending.data_files, pending.next_offsets, expected, pending.commit_id
            )
        except StalePartitions as stale:
            self._drop_stale(stale)
            return self._pending is None
        except Exception as exc:
            self._commit_failed(exc)
            return False
        finished = time.monotonic()
        self.metrics.commit_latency.observe(finished - started)
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
            seconds=round(finished - started, 3),
            offsets=",".join(f"{p}:{o}" for p, o in sorted(pending.next_offsets.items())),
        )
        assert self._consumer is not None
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
            _FIRST_BACKOFF_SECONDS * 2 ** (self._failures - 1),
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
        assert self._pending is not None and self._batch is not None
        assert self._committer is not None
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
        assert self._batch is not None and self._committer is not None
        self._batch.drop(partitions)
        pending = self._pending
        if pending is None or not any(p in pending.next_offsets for p in partitions):
            return
        if pending.data_files:
            self._committer.delete_data_files(pending.data_files)
        remaining = pending.without(partitions)
        self._pending = remaining if remaining.next_offsets else None

    def _set_paused(self, paused: bool) -> None:
        assert self._consumer is not None
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
        assert self._consumer is not None and self._committer is not None
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

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        assert self._committer is not None
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

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Commit what was consumed before the partitions move; else drop it for the new owner."""
        assert self._batch is not None
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

    def _on_lost(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Ownership already gone (session expired): records of these partitions are stale."""
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
