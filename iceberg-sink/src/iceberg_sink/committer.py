"""Writing data files and committing them to the Iceberg table together with the Kafka offsets.

A commit is one snapshot whose summary carries the group's complete offset map (see ``offsets``).
Before committing, the table is refreshed and, for every partition in the batch, the offset in the
table must still be the one the batch started from: if another replica has committed that partition
meanwhile (it was reassigned while this process held records of it), the batch's records of that
partition are stale and the commit is refused for them (:class:`StalePartitions`). The catalog
commit asserts that ``main`` still points at the refreshed snapshot, so check and commit are atomic;
a concurrent commit makes it fail (``CommitFailedException``), and the whole check is redone on the
refreshed table.

Every commit also carries a unique commit id. When a commit's outcome is unknown (the connection
broke after the request was sent), the next attempt first looks for that id in the table's history
and, if found, treats the commit as done instead of appending the files twice.

This is the table's side of a commit only: the data files and dead letters of a batch, its attempts
and their outcomes are :mod:`iceberg_sink.commits`'s.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

import pyarrow as pa
from platform_common.logs import log_event
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.table.snapshots import ancestors_of
from tenacity import RetryCallState, RetryError

from iceberg_sink import pyiceberg_compat as compat
from iceberg_sink.offsets import encode, latest_offsets, merge, summary_key
from iceberg_sink.retry import CONFLICT_ATTEMPTS, on_conflict

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog
    from pyiceberg.manifest import DataFile
    from pyiceberg.table import Table
    from pyiceberg.table.metadata import TableMetadata

logger = logging.getLogger(__name__)

COMMIT_ID_PROPERTY = "iceberg-sink.commit-id"
# How far back the history is searched for a commit whose outcome was unknown.
_COMMIT_ID_SEARCH_DEPTH = 200


class StalePartitions(Exception):
    """Another writer committed these partitions since this batch started; drop their records."""

    def __init__(self, table_offsets: Mapping[int, int | None]) -> None:
        self.table_offsets = dict(table_offsets)
        super().__init__(f"partitions committed by another writer: {sorted(self.table_offsets)}")


class CommitConflictError(RuntimeError):
    """Concurrent commits kept winning; the batch is retried later."""


class CommitOutcomeUnknown(RuntimeError):
    """The commit failed in a way that does not prove it did not land (e.g. a lost response).

    Its data files must not be deleted: the table may reference them. A retry with the same
    commit id finds out (see the module doc).
    """


@dataclass(frozen=True, slots=True)
class CommitResult:
    snapshot_id: int
    attempts: int  # conflicts lost, plus one


def new_commit_id() -> str:
    return uuid.uuid4().hex


class TableCommitter:
    """Owns the table handle of one process: refreshes it and commits snapshots with offsets.

    Commits run on the service's commit thread while its main thread may look up offsets, so each
    operation works on the table as it loaded it itself; ``table`` is merely the latest loaded
    (data files are written for it, see :class:`iceberg_sink.data_files.DataFileWriters`).
    """

    def __init__(
        self, catalog: Catalog, identifier: tuple[str, str], table: Table, group: str, topic: str
    ):
        self._catalog = catalog
        self._identifier = identifier
        self._table = table
        self._group = group
        self._topic = topic

    @property
    def table(self) -> Table:
        return self._table

    def refresh(self) -> Table:
        table = self._catalog.load_table(self._identifier)
        self._table = table
        return table

    def arrow_schema(self) -> pa.Schema:
        return self._table.schema().as_arrow()

    def committed_offsets(self) -> dict[int, int]:
        """The topic's partition offsets as committed in the table (refreshed now)."""
        return latest_offsets(self.refresh().metadata, self._group).get(self._topic, {})

    def commit(
        self,
        data_files: Sequence[DataFile],
        next_offsets: Mapping[int, int],
        expected: Mapping[int, int | None],
        commit_id: str,
    ) -> CommitResult:
        """Append ``data_files`` and advance ``next_offsets`` in one snapshot.

        ``expected[p]`` is the table's offset for partition ``p`` when this process last looked
        (``None``: no entry). Raises :class:`StalePartitions` if the table disagrees for some
        partitions, :class:`CommitConflictError` if concurrent commits kept winning,
        :class:`CommitOutcomeUnknown` if the snapshot may or may not have landed, and the catalog's
        or storage's own exception when those are unavailable before anything was committed.
        A commit id found in the table's history is a commit that landed: its snapshot's id is
        returned and nothing is appended.
        """
        try:
            for attempt in on_conflict(CommitFailedException, before_wait=_log_conflict):
                with attempt:
                    snapshot_id = self._check_and_append(
                        data_files, next_offsets, expected, commit_id
                    )
                    return CommitResult(snapshot_id, attempt.retry_state.attempt_number)
        except RetryError:
            pass
        raise CommitConflictError(f"gave up after {CONFLICT_ATTEMPTS} conflicting commits")

    def _check_and_append(
        self,
        data_files: Sequence[DataFile],
        next_offsets: Mapping[int, int],
        expected: Mapping[int, int | None],
        commit_id: str,
    ) -> int:
        """One attempt; raises ``CommitFailedException`` if another commit came first."""
        # The append below asserts this very snapshot: check and commit are atomic.
        table = self.refresh()
        metadata = table.metadata
        snapshot_id = _find_commit(metadata, commit_id)
        if snapshot_id is not None:
            return snapshot_id
        group_offsets = latest_offsets(metadata, self._group)
        table_offsets = group_offsets.get(self._topic, {})
        stale = {
            partition: table_offsets.get(partition)
            for partition in next_offsets
            if table_offsets.get(partition) != expected.get(partition)
        }
        if stale:
            raise StalePartitions(stale)
        properties = {
            summary_key(self._group): encode(merge(group_offsets, self._topic, next_offsets)),
            COMMIT_ID_PROPERTY: commit_id,
        }
        try:
            return compat.append_once(table, data_files, properties)
        except CommitFailedException:
            raise
        except Exception as exc:
            raise CommitOutcomeUnknown(f"{type(exc).__name__}: {exc}") from exc


def _find_commit(metadata: TableMetadata, commit_id: str) -> int | None:
    """The id of the snapshot on ``main`` that commit ``commit_id`` made, if it is recent."""
    history = ancestors_of(metadata.current_snapshot(), metadata)
    for snapshot in islice(history, _COMMIT_ID_SEARCH_DEPTH):
        if snapshot.summary is not None and snapshot.summary[COMMIT_ID_PROPERTY] == commit_id:
            return snapshot.snapshot_id
    return None


def _log_conflict(state: RetryCallState) -> None:
    reason = state.outcome.exception() if state.outcome is not None else None
    log_event(logger, logging.INFO, "commit_conflict", attempt=state.attempt_number, reason=reason)
