"""Carrying out a sealed batch's commit: dead letters, data files, then the snapshot.

The service starts each batch's first attempt on the commit thread, so the main thread goes on
consuming and converting the next batch meanwhile (the commit is mostly waiting on the writer
thread and the catalog); retries after a failure run inline. Either way an attempt only does the
work and reports its outcome: the service, on its main thread, applies it (offsets, metrics,
consumer positions), and starts no other attempt, seal or partition change before it has.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from concurrent.futures import Executor, Future

from mock_data_gen.logs import log_event

from iceberg_sink.batch import PendingCommit
from iceberg_sink.committer import CommitOutcomeUnknown, CommitResult, TableCommitter
from iceberg_sink.dead_letter import DeadLetterQueue
from iceberg_sink.metrics import SinkMetrics

logger = logging.getLogger(__name__)

_DEAD_LETTER_TIMEOUT_SECONDS = 30.0


class CommitRunner:
    """Runs commit attempts, on ``thread`` (``start``) or in the caller (``attempt``)."""

    def __init__(
        self,
        committer: TableCommitter,
        dead_letters: DeadLetterQueue,
        metrics: SinkMetrics,
        thread: Executor,
        pause_before_commit: float = 0.0,
    ) -> None:
        self._committer = committer
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._thread = thread
        self._pause_before_commit = pause_before_commit

    def start(
        self, pending: PendingCommit, expected: Mapping[int, int | None]
    ) -> Future[CommitResult]:
        """Begin an attempt on the commit thread; nobody may touch ``pending`` until it is done."""
        return self._thread.submit(self.attempt, pending, dict(expected))

    def attempt(self, pending: PendingCommit, expected: Mapping[int, int | None]) -> CommitResult:
        """One attempt; raises ``StalePartitions``, or what the catalog, storage or Kafka raised.

        Steps already done by an earlier attempt (dead letters sent, files written) are skipped.
        """
        # The dead-letter producer is served here, on the thread that sends: its log lines.
        self._dead_letters.poll()
        if not pending.dead_letters_sent:
            self._dead_letters.send(pending.dead_letters, timeout=_DEAD_LETTER_TIMEOUT_SECONDS)
            pending.dead_letters_sent = True
            for letter in pending.dead_letters:
                self._metrics.dead_letters[letter.reason] += 1
        if pending.data_files is None:
            writer, pending.writer = pending.writer, None
            if writer is not None:
                # On failure the writer deletes its files; the next attempt writes them anew.
                pending.data_files = writer.finish()
            else:
                pending.data_files = self._committer.write_data_files(pending.rows)
            self._metrics.data_files_written += len(pending.data_files)
            log_event(
                logger,
                logging.INFO,
                "data_files_written",
                commit_id=pending.commit_id,
                files=len(pending.data_files),
                rows=pending.rows.num_rows,
                bytes=sum(data_file.file_size_in_bytes for data_file in pending.data_files),
            )
        if self._pause_before_commit:
            time.sleep(self._pause_before_commit)
        started = time.monotonic()
        try:
            result = self._committer.commit(
                pending.data_files, pending.next_offsets, expected, pending.commit_id
            )
        except CommitOutcomeUnknown:
            pending.maybe_committed = True
            raise
        self._metrics.commit_latency.observe(time.monotonic() - started)
        return result
