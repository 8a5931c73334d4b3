"""``iceberg-sink run``: sets up catalog, Kafka, dead-letter producer and threads, then loops.

The loop itself (consuming, rebalances, shutdown) is :class:`iceberg_sink.loop.SinkLoop`; it drives
the commits (:class:`iceberg_sink.commits.Commits`) and the partitions it owns
(:class:`iceberg_sink.partitions.Partitions`).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from confluent_kafka import Consumer
from platform_common.logs import log_event
from tenacity import RetryCallState, retry_if_not_exception_type

from iceberg_sink.arrow_convert import RecordConverter
from iceberg_sink.batch import Batch
from iceberg_sink.catalog import TableNotFound, connect_catalog, json_text_fields, open_table
from iceberg_sink.commits import Commits
from iceberg_sink.committer import TableCommitter
from iceberg_sink.data_files import DataFileWriters
from iceberg_sink.dead_letter import DeadLetterQueue
from iceberg_sink.kafka_clients import consumer_config, dead_letter_producer_config
from iceberg_sink.loop import SinkLoop
from iceberg_sink.metrics import MetricsServer, SinkMetrics
from iceberg_sink.partitions import Partitions
from iceberg_sink.retry import until_stopped
from iceberg_sink.settings import ConfigError, SinkSettings

logger = logging.getLogger(__name__)


class SinkService:
    """``iceberg-sink run``: lands the topic in the table until ``stop`` is set."""

    def __init__(self, settings: SinkSettings) -> None:
        self._settings = settings
        self._topic = settings.topic
        self.metrics = SinkMetrics(
            settings.topic, settings.table_name, settings.unhealthy_after_seconds
        )

    def run(self, stop: threading.Event) -> None:
        """Run until ``stop`` is set, then commit what was consumed and leave the group."""
        settings = self._settings
        server = (
            MetricsServer(self.metrics, settings.metrics_port, host=settings.metrics_host)
            if settings.metrics_port
            else None
        )
        # Parquet encoding, and each batch's commit, run here while the main thread consumes and
        # converts the next records.
        writer_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="data-files")
        commit_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="commit")
        consumer: Consumer | None = None
        dead_letters: DeadLetterQueue | None = None
        try:
            committer = self._connect(stop)
            if committer is None:
                return
            converter = RecordConverter(committer.arrow_schema(), json_text_fields(committer.table))
            writers = DataFileWriters(committer, writer_thread)
            batch = Batch(converter, writers)
            dead_letters = DeadLetterQueue(
                self._topic, settings.dead_letter_topic, dead_letter_producer_config(settings)
            )
            commits = Commits(
                committer,
                writers,
                dead_letters,
                self.metrics,
                commit_thread,
                settings.retry_backoff_max_seconds,
                settings.pause_before_commit_seconds,
            )
            consumer = Consumer(consumer_config(settings))
            partitions = Partitions(
                consumer, self._topic, committer, settings.on_offset_gap, self.metrics
            )
            loop = SinkLoop(settings, consumer, batch, commits, partitions, self.metrics)
            consumer.subscribe(
                [self._topic],
                on_assign=loop.on_assign,
                on_revoke=loop.on_revoke,
                on_lost=loop.on_lost,
            )
            self.metrics.state = "consuming"
            log_event(logger, logging.INFO, "started", **settings.describe())
            while not stop.is_set():
                loop.step()
            loop.shutdown()
        finally:
            if consumer is not None:
                consumer.close()
            if dead_letters is not None:
                dead_letters.close()
            if server is not None:
                server.close()
            commit_thread.shutdown(wait=True, cancel_futures=True)
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
        """Open the table, retrying while the catalog is unreachable; a table that does not
        exist raises :class:`TableNotFound` at once (None: stopped meanwhile)."""
        retrying = until_stopped(
            stop,
            self._settings.retry_backoff_max_seconds,
            retry=retry_if_not_exception_type((ConfigError, TableNotFound)),
            before_wait=self._catalog_unavailable,
        )
        committer: TableCommitter | None = retrying(self._open_table)
        return committer

    def _open_table(self) -> TableCommitter:
        settings = self._settings
        catalog = connect_catalog(settings.iceberg_catalog)
        identifier = settings.table_identifier
        table = open_table(catalog, identifier)
        return TableCommitter(catalog, identifier, table, settings.group_id, self._topic)

    def _catalog_unavailable(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        retry_in = state.next_action.sleep if state.next_action is not None else 0.0
        self.metrics.last_error = f"{type(error).__name__}: {error}"
        log_event(logger, logging.WARNING, "catalog_unavailable", error=error, retry_in=retry_in)
