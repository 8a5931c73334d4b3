"""A sealed batch's way into the table: data files, dead letters, one snapshot with the offsets.

One commit is pending at a time, and :class:`Commits` owns it from seal to snapshot, or to being
dropped: its data files (the writer the batch filled while it was open), its dead letters, its
attempts and their outcome, and the cleanup of its files when it is dropped.

The first attempt runs on the commit thread, so the main thread goes on consuming and converting
the next batch meanwhile (a commit mostly waits on the writer thread and the catalog); retries run
inline, when the retry schedule (see ``retry``) says. Either way an attempt only does the work: the
main thread settles its outcome (offsets, metrics, logs), and starts no other attempt, seal or
partition change before it has. An attempt skips the steps an earlier one completed (dead letters
sent, files written), and every attempt of a commit carries the same commit id: one whose outcome
was unknown is found in the table's history by the next (see ``committer``).

A commit losing partitions (revoked, lost, or committed meanwhile by another replica) deletes its
data files and goes on with the rest of the batch, written anew under a new commit id; its files
are kept if an attempt ended without proof that its snapshot did not land (the table may reference
them; if it did land, the rest is refused as stale, so nothing is written twice).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping, Set
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from platform_common.logs import log_event
from pyiceberg.exceptions import NoSuchTableError
from tenacity import RetryCallState

from iceberg_sink.batch import SealedBatch
from iceberg_sink.committer import (
    CommitOutcomeUnknown,
    CommitResult,
    StalePartitions,
    TableCommitter,
    new_commit_id,
)
from iceberg_sink.data_files import DataFileWriter, DataFileWriters
from iceberg_sink.dead_letter import DeadLetterQueue
from iceberg_sink.metrics import SinkMetrics
from iceberg_sink.retry import RetrySchedule

if TYPE_CHECKING:
    from pyiceberg.manifest import DataFile

logger = logging.getLogger(__name__)

_DEAD_LETTER_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Landed:
    """The commit's snapshot landed: these partitions' offsets in the table are now these."""

    next_offsets: dict[int, int]


@dataclass(frozen=True, slots=True)
class Stale:
    """Another replica committed these partitions: their records were dropped from the commit."""

    partitions: frozenset[int]


# What settling an attempt changed; None when nothing was settled or the attempt failed (then
# ``Commits.retrying`` says so).
Outcome = Landed | Stale | None


@dataclass
class _Pending:
    batch: SealedBatch
    commit_id: str = field(default_factory=new_commit_id)
    # The batch's data files: being written by ``writer`` until an attempt finishes them into
    # ``data_files``; the writer deletes them (finished ones too) if the commit is dropped.
    writer: DataFileWriter | None = None
    data_files: list[DataFile] | None = None
    dead_letters_sent: bool = False
    # An attempt ended without proof that the snapshot did not land: keep the files.
    maybe_committed: bool = False


class Commits:
    """The sink's commits, one at a time; driven by the main loop, attempts also on ``thread``."""

    def __init__(
        self,
        committer: TableCommitter,
        writers: DataFileWriters,
        dead_letters: DeadLetterQueue,
        metrics: SinkMetrics,
        thread: Executor,
        retry_backoff_max_seconds: float,
        pause_before_commit: float = 0.0,
    ) -> None:
        self._committer = committer
        self._writers = writers
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._thread = thread
        self._retry_backoff_max = retry_backoff_max_seconds
        self._pause_before_commit = pause_before_commit
        self._pending: _Pending | None = None
        # The pending commit's attempt on the commit thread, until the main thread settles it.
        self._in_flight: Future[CommitResult] | None = None
        # Set while the pending commit's last attempt failed: when to try again.
        self._retries: RetrySchedule | None = None
        self._attempt_started = 0.0

    # --- state -----------------------------------------------------------------------------------

    @property
    def pending(self) -> SealedBatch | None:
        return self._pending.batch if self._pending is not None else None

    @property
    def held(self) -> Set[int]:
        """Partitions with records in the pending commit."""
        return self._pending.batch.next_offsets.keys() if self._pending is not None else set()

    @property
    def retrying(self) -> bool:
        """The pending commit's last attempt failed; it waits for the next (``due_at``)."""
        return self._retries is not None

    @property
    def waiting(self) -> bool:
        """A commit is pending with no attempt in flight: the main loop attempts it when due."""
        return self._pending is not None and self._in_flight is None

    @property
    def due_at(self) -> float:
        """``time.monotonic()`` from which the waiting commit's next attempt may run."""
        return self._retries.due_at if self._retries is not None else 0.0

    # --- driving ---------------------------------------------------------------------------------

    def add(self, batch: SealedBatch) -> None:
        """Make ``batch`` the pending commit (none may be pending); it owns the batch's writer."""
        assert self._pending is None
        self._pending = _Pending(batch, writer=batch.writer)

    def start(self, table_offsets: Mapping[int, int | None]) -> None:
        """Begin the pending commit's attempt on the commit thread (see :meth:`attempt`).

        Nobody touches the pending commit until :meth:`settle` has applied the outcome.
        """
        pending = self._pending
        assert pending is not None and self._in_flight is None
        expected = self._expected(pending, table_offsets)
        self._begin_attempt()
        self._in_flight = self._thread.submit(self._run, pending, expected)

    def settle(self, wait: bool = True) -> Outcome:
        """Apply the outcome of the attempt on the commit thread, if done (or ``wait``)."""
        in_flight = self._in_flight
        if in_flight is None or not (wait or in_flight.done()):
            return None
        self._in_flight = None
        return self._conclude(in_flight.result)

    def attempt(self, table_offsets: Mapping[int, int | None]) -> Outcome:
        """One attempt at the pending commit, in this thread, whatever the schedule says.

        ``table_offsets``: the table's offsets as this process last saw them (``None``: no entry);
        the commit must still find them in the table for the partitions it holds.
        """
        pending = self._pending
        if pending is None:
            return None
        assert self._in_flight is None
        expected = self._expected(pending, table_offsets)
        self._begin_attempt()
        return self._conclude(lambda: self._run(pending, expected))

    def drop(self, partitions: Collection[int]) -> None:
        """Forget the pending commit's records of ``partitions``; the rest is written anew."""
        pending = self._pending
        if pending is None or not any(p in pending.batch.next_offsets for p in partitions):
            return
        if pending.writer is not None and not pending.maybe_committed:
            pending.writer.abort()
        remaining = pending.batch.without(partitions)
        if remaining.next_offsets:
            self._pending = _Pending(remaining, dead_letters_sent=pending.dead_letters_sent)
            return
        # Nothing left to commit, so nothing to retry either: the loop consumes again.
        self._pending = None
        self._retries = None
        self._metrics.commit_pending_since = None

    # --- an attempt ------------------------------------------------------------------------------

    @staticmethod
    def _expected(
        pending: _Pending, table_offsets: Mapping[int, int | None]
    ) -> dict[int, int | None]:
        return {p: table_offsets.get(p) for p in pending.batch.next_offsets}

    def _begin_attempt(self) -> None:
        self._attempt_started = time.monotonic()
        if self._metrics.commit_pending_since is None:
            self._metrics.commit_pending_since = self._attempt_started

    def _run(self, pending: _Pending, expected: Mapping[int, int | None]) -> CommitResult:
        """Dead letters, data files, snapshot; raises ``StalePartitions``, or what the catalog,
        storage or Kafka raised. Runs on the commit thread or inline."""
        batch = pending.batch
        # The dead-letter producer is served here, on the thread that sends: its log lines.
        self._dead_letters.poll()
        if not pending.dead_letters_sent:
            self._dead_letters.send(batch.dead_letters, timeout=_DEAD_LETTER_TIMEOUT_SECONDS)
            pending.dead_letters_sent = True
            for letter in batch.dead_letters:
                self._metrics.dead_letters[letter.reason] += 1
        if pending.data_files is None:
            pending.data_files = data_files = self._finish_files(pending)
            self._metrics.data_files_written += len(data_files)
            log_event(
                logger,
                logging.INFO,
                "data_files_written",
                commit_id=pending.commit_id,
                files=len(data_files),
                rows=batch.rows.num_rows,
                bytes=sum(data_file.file_size_in_bytes for data_file in data_files),
            )
        if self._pause_before_commit:
            time.sleep(self._pause_before_commit)
        started = time.monotonic()
        try:
            result = self._committer.commit(
                pending.data_files, batch.next_offsets, expected, pending.commit_id
            )
        except CommitOutcomeUnknown:
            pending.maybe_committed = True
            raise
        self._metrics.commit_latency.observe(time.monotonic() - started)
        return result

    def _finish_files(self, pending: _Pending) -> list[DataFile]:
        rows = pending.batch.rows
        if pending.writer is None:
            if not rows.num_rows:
                return []
            pending.writer = self._writers.open()
            pending.writer.add(rows)
        try:
            return pending.writer.finish()
        except Exception:
            # The writer deleted its files; the next attempt writes them anew.
            pending.writer = None
            raise

    # --- outcomes (main thread) ------------------------------------------------------------------

    def _conclude(self, outcome: Callable[[], CommitResult]) -> Outcome:
        pending = self._pending
        assert pending is not None
        try:
            result = outcome()
        except StalePartitions as stale:
            return self._stale(stale)
        except NoSuchTableError:
            raise  # the table was dropped: nothing to retry
        except Exception as exc:
            self._failed(exc)
            return None
        return self._landed(pending, result)

    def _landed(self, pending: _Pending, result: CommitResult) -> Landed:
        batch, metrics = pending.batch, self._metrics
        finished = time.monotonic()
        metrics.batch_latency.observe(finished - batch.first_record_at)
        metrics.commit_conflicts += result.attempts - 1
        metrics.batches_committed += 1
        metrics.records_committed += batch.rows.num_rows
        metrics.last_commit_unix = time.time()
        metrics.commit_pending_since = None
        self._pending = None
        self._retries = None
        log_event(
            logger,
            logging.INFO,
            "committed",
            commit_id=pending.commit_id,
            snapshot_id=result.snapshot_id,
            rows=batch.rows.num_rows,
            dead_letters=len(batch.dead_letters),
            attempts=result.attempts,
            seconds=round(finished - self._attempt_started, 3),
            offsets=",".join(f"{p}:{o}" for p, o in sorted(batch.next_offsets.items())),
        )
        return Landed(batch.next_offsets)

    def _failed(self, exc: Exception) -> None:
        self._metrics.commit_failures += 1
        self._metrics.last_error = f"{type(exc).__name__}: {exc}"
        if self._retries is None:
            self._retries = RetrySchedule(self._retry_backoff_max, before_wait=_log_failure)
        self._retries.failed(exc)

    def _stale(self, stale: StalePartitions) -> Stale:
        """Another replica committed these partitions: drop our records of them."""
        partitions = frozenset(stale.table_offsets)
        self._metrics.stale_partition_drops += len(partitions)
        log_event(
            logger,
            logging.WARNING,
            "stale_partitions_dropped",
            partitions=",".join(map(str, sorted(partitions))),
            table_offsets=",".join(f"{p}:{o}" for p, o in sorted(stale.table_offsets.items())),
        )
        self.drop(partitions)
        return Stale(partitions)


def _log_failure(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    retry_in = state.next_action.sleep if state.next_action is not None else 0.0
    log_event(
        logger,
        logging.WARNING,
        "commit_failed",
        error=f"{type(error).__name__}: {error}",
        attempt=state.attempt_number,
        retry_in=round(retry_in, 2),
    )
