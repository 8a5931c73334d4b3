"""Reading the table for a query: one snapshot, only the columns and hour partitions it needs.

The scan is planned with pyiceberg, which prunes data files by the ``hour(event_time)`` partition
and the files' column statistics, and read one file at a time (``pyiceberg_compat``), so memory
holds one file's projected columns, whatever the table's size. ``ScanStats`` says what was pruned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from platform_common.table_contract import EVENT_TIME
from pyiceberg.expressions import (
    AlwaysTrue,
    And,
    BooleanExpression,
    GreaterThanOrEqual,
    LessThan,
)

from lake_tools.progress import Progress
from lake_tools.pyiceberg_compat import file_batches
from lake_tools.sql_plan import Window
from lake_tools.widen import widen_batch

# Rows per batch handed to DuckDB.
SLICE_ROWS = 8192


class AsOfError(ValueError):
    """``--as-of`` names no snapshot of the table; the message says which exist."""


@dataclass(frozen=True)
class ScanStats:
    """What a scan read against what the snapshot holds."""

    snapshot_id: int | None
    window: Window
    columns: tuple[str, ...]
    all_columns: int
    files_scanned: int
    files_total: int
    partitions_scanned: int
    partitions_total: int
    bytes_scanned: int
    bytes_total: int

    def line(self) -> str:
        columns = ",".join(self.columns) if self.columns else "(row counts only)"
        return (
            f"snapshot={self.snapshot_id} window={self.window.describe()} "
            f"partitions={self.partitions_scanned}/{self.partitions_total} "
            f"files={self.files_scanned}/{self.files_total} "
            f"bytes={self.bytes_scanned}/{self.bytes_total} "
            f"columns={len(self.columns)}/{self.all_columns} ({columns})"
        )


def resolve_snapshot(table: Any, as_of: str | None) -> int | None:
    """The snapshot id ``--as-of`` names: a snapshot id, or the snapshot current at a time (ISO
    8601); None (no ``--as-of``) is the current snapshot's, or None for an empty table."""
    if as_of is None:
        current = table.current_snapshot()
        return None if current is None else int(current.snapshot_id)
    text = as_of.strip()
    if re.fullmatch(r"-?\d+", text):
        snapshot = table.snapshot_by_id(int(text))
        if snapshot is None:
            newest = sorted(table.snapshots(), key=lambda s: s.timestamp_ms, reverse=True)
            known = ", ".join(str(s.snapshot_id) for s in newest[:5]) or "none"
            raise AsOfError(
                f"--as-of {text}: the table has no snapshot with that id (newest first: {known}); "
                "`lake snapshots` lists them"
            )
        return int(snapshot.snapshot_id)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AsOfError(
            f"--as-of {text!r} is neither a snapshot id nor an ISO 8601 time "
            "(e.g. 2026-01-14T20:30:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    millis = int(moment.timestamp() * 1000)
    snapshot = table.snapshot_as_of_timestamp(millis)
    if snapshot is None:
        first = min((s.timestamp_ms for s in table.snapshots()), default=None)
        when = datetime.fromtimestamp(first / 1000, UTC).isoformat() if first else "none committed"
        raise AsOfError(f"--as-of {text}: the table had no snapshot yet then (first: {when})")
    return int(snapshot.snapshot_id)


def _row_filter(window: Window) -> BooleanExpression:
    expression: BooleanExpression = AlwaysTrue()
    if window.start is not None:
        expression = And(
            expression, GreaterThanOrEqual(term=EVENT_TIME, value=window.start.isoformat())
        )
    if window.end is not None:
        expression = And(expression, LessThan(term=EVENT_TIME, value=window.end.isoformat()))
    return expression


def snapshot_schema(table: Any, snapshot_id: int | None) -> Any:
    """The schema the snapshot was written with (the table's current one for None)."""
    schema = table.schema()
    if snapshot_id is not None:
        snapshot = table.snapshot_by_id(snapshot_id)
        if snapshot is not None and snapshot.schema_id is not None:
            schema = table.schemas().get(snapshot.schema_id, schema)
    return schema


def _readable(schema: Any, paths: frozenset[str]) -> set[str]:
    """``paths`` as pyiceberg can select them: a member path it does not find (inside a list, say)
    becomes its whole top-level column."""
    readable = set()
    for path in paths:
        try:
            schema.find_field(path)
            readable.add(path)
        except ValueError:
            readable.add(path.split(".")[0])
    names = {field.name for field in schema.fields}
    return {
        path
        for path in readable
        if path.split(".")[0] in names
        and not any(path.startswith(other + ".") for other in readable if other != path)
    }


class TableScan:
    """The files of one snapshot that a query reads, and a stream of their rows."""

    def __init__(
        self, table: Any, snapshot_id: int | None, columns: frozenset[str], window: Window
    ) -> None:
        self.table = table
        self.snapshot_id = snapshot_id
        schema = snapshot_schema(table, snapshot_id)
        self.schema = schema
        self.arrow_schema: pa.Schema = schema.as_arrow()
        names = [field.name for field in schema.fields]
        readable = _readable(schema, columns)
        # In the table's order; a query that only counts rows still needs a column to count by.
        self.columns = tuple(
            sorted(readable, key=lambda path: (names.index(path.split(".")[0]), path))
        ) or (names[0],)
        self.window = window
        self.row_filter = _row_filter(window)
        self._projected = schema.select(*self.columns)
        self.tasks: list[Any] = []
        self.stats = self._plan(columns)

    def _plan(self, asked: frozenset[str]) -> ScanStats:
        if self.snapshot_id is None:
            return ScanStats(None, self.window, (), len(self.schema.fields), 0, 0, 0, 0, 0, 0)
        every = list(self.table.scan(snapshot_id=self.snapshot_id).plan_files())
        self.tasks = list(
            self.table.scan(snapshot_id=self.snapshot_id, row_filter=self.row_filter).plan_files()
        )

        def partitions(tasks: list[Any]) -> int:
            return len({repr(task.file.partition) for task in tasks})

        return ScanStats(
            snapshot_id=self.snapshot_id,
            window=self.window,
            columns=tuple(c for c in self.columns if c in asked or c.split(".")[0] in asked),
            all_columns=len(self.schema.fields),
            files_scanned=len(self.tasks),
            files_total=len(every),
            partitions_scanned=partitions(self.tasks),
            partitions_total=partitions(every),
            bytes_scanned=sum(task.file.file_size_in_bytes for task in self.tasks),
            bytes_total=sum(task.file.file_size_in_bytes for task in every),
        )

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The rows of the planned files, one file at a time, widened to the full schema."""
        metadata = self.table.metadata
        progress = Progress("reading", total_files=len(self.tasks))
        for task in self.tasks:
            for batch in file_batches(self.table, metadata, self._projected, self.row_filter, task):
                progress.rows += batch.num_rows
                # Small slices: DuckDB reads the stream ahead by a number of batches, so the
                # batch size, not the table, bounds what is in flight.
                for start in range(0, batch.num_rows, SLICE_ROWS):
                    yield widen_batch(batch.slice(start, SLICE_ROWS), self.arrow_schema)
            progress.file_done()
        progress.finish()

    def reader(self) -> pa.RecordBatchReader:
        """A reader of :meth:`batches`; nothing is read until its first batch is asked for."""
        return pa.RecordBatchReader.from_batches(self.arrow_schema, self.batches())
