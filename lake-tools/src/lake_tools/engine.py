"""DuckDB over one snapshot of the table: ``bid_requests``, the views, and pruned reads.

Each query is first planned against an empty table of the snapshot's schema (``sql_plan``); the
table is then registered as a stream of only the files, hours and columns that plan reads
(``scan``), and the query runs on it. DuckDB's ``memory_limit`` (``LAKE_DUCKDB_MEMORY_LIMIT``)
bounds what its operators hold; beyond it they spill to a temporary directory.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from platform_common.logs import log_event

from lake_tools.scan import ScanStats, TableScan, snapshot_schema
from lake_tools.sql_plan import Needs, needs_from_plan
from lake_tools.views import create_views

logger = logging.getLogger(__name__)
TABLE_NAME = "bid_requests"


class MissingExtra(RuntimeError):
    """An optional dependency is not installed; the message names the extra to install."""


class QueryError(ValueError):
    """DuckDB refused the SQL (syntax, unknown column, types); the message is DuckDB's."""


def import_duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise MissingExtra(
            "SQL needs DuckDB, which comes with the query extra: "
            "pip install -e './lake-tools[query]'"
        ) from None
    return duckdb


class _Stream:
    """The table for DuckDB: each scan DuckDB starts gets a fresh reader of the planned files, so a
    query may read the table more than once (a self-join); a reader reads nothing until asked."""

    def __init__(self, make_reader: Callable[[], pa.RecordBatchReader]) -> None:
        self._make_reader = make_reader

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._make_reader().__arrow_c_stream__(requested_schema)


@dataclass(frozen=True)
class Result:
    table: pa.Table
    stats: ScanStats | None


class Session:
    """A DuckDB connection with the table of one snapshot and the views over it."""

    def __init__(
        self,
        table: Any,
        snapshot_id: int | None,
        *,
        memory_limit: str = "1GB",
        usd_rates: dict[str, float] | None = None,
    ) -> None:
        duckdb = import_duckdb()
        self._duckdb = duckdb
        self.table = table
        self.snapshot_id = snapshot_id
        self._spill = tempfile.TemporaryDirectory(prefix="lake-duckdb-")
        self.connection = duckdb.connect(
            config={
                "memory_limit": memory_limit,
                "threads": max(1, os.cpu_count() or 1),
                "temp_directory": self._spill.name,
            }
        )
        # Filters on event_time appear in plans in UTC, as sql_plan reads them.
        self.connection.execute("SET TimeZone = 'UTC'")
        schema = snapshot_schema(table, snapshot_id).as_arrow()
        self._empty = schema.empty_table()
        self.columns = schema.names
        self.connection.register(TABLE_NAME, self._empty)
        self.views = create_views(self.connection, usd_rates or {})

    def close(self) -> None:
        self.connection.close()
        self._spill.cleanup()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def needs(self, sql: str) -> Needs:
        """The columns and window ``sql`` reads, from DuckDB's plan on an empty table."""
        self.connection.register(TABLE_NAME, self._empty)
        # Parsed on its own first, so a syntax error quotes the SQL as given and a statement that
        # is not a query is refused before anything runs.
        try:
            statements = self.connection.extract_statements(sql)
        except self._duckdb.Error as exc:
            raise QueryError(str(exc).strip()) from None
        if len(statements) != 1:
            raise QueryError("only one SELECT (or WITH ... SELECT) statement can be run")
        kind = statements[0].type
        if kind != self._duckdb.StatementType.SELECT:
            name = getattr(kind, "name", str(kind))
            raise QueryError(f"only SELECT queries are accepted (this is a {name} statement)")
        try:
            rows = self.connection.execute(f"{_EXPLAIN}{sql}").fetchall()
        except self._duckdb.Error as exc:
            raise QueryError(_unwrapped(str(exc).strip())) from None
        if not rows:
            raise QueryError("only one SELECT (or WITH ... SELECT) statement can be run")
        return needs_from_plan(rows[0][1], self.columns)

    def plan(self, sql: str) -> TableScan | None:
        """The scan ``sql`` needs, planned (files chosen), nothing read; None if it reads no
        table."""
        needs = self.needs(sql)
        if needs.scans == 0:
            return None
        return TableScan(self.table, self.snapshot_id, needs.columns, needs.window)

    def run(self, sql: str) -> Result:
        """Run ``sql``, reading only what its plan needs; logs what was read against the total."""
        scan = self.plan(sql)
        if scan is not None:
            log_event(logger, logging.INFO, "scan_planned", **scan_fields(scan.stats))
            self.connection.register(TABLE_NAME, _Stream(scan.reader))
        try:
            cursor = self.connection.execute(sql)
            # to_arrow_table() from DuckDB 1.4 on; fetch_arrow_table() before (now deprecated).
            fetch = getattr(cursor, "to_arrow_table", None) or cursor.fetch_arrow_table
            result = fetch()
        except self._duckdb.Error as exc:
            raise QueryError(str(exc).strip()) from None
        finally:
            self.connection.register(TABLE_NAME, self._empty)
        return Result(result, scan.stats if scan else None)


_EXPLAIN = "EXPLAIN (FORMAT JSON) "


def _unwrapped(message: str) -> str:
    """DuckDB's message about the planned query, quoting the SQL as the user wrote it: the
    EXPLAIN wrapper is taken out of the quoted line and the caret under it moved back."""
    lines = message.split("\n")
    for index, line in enumerate(lines):
        head, found, rest = line.partition(_EXPLAIN)
        if not found:
            continue
        lines[index] = head + rest
        following = index + 1
        if following < len(lines) and lines[following].strip() == "^":
            caret = lines[following]
            lines[following] = caret[: len(head)] + caret[len(head) + len(_EXPLAIN) :]
    return "\n".join(lines)


def scan_fields(stats: ScanStats) -> dict[str, Any]:
    return {
        "snapshot": stats.snapshot_id,
        "window": stats.window.describe(),
        "partitions_scanned": stats.partitions_scanned,
        "partitions_total": stats.partitions_total,
        "files_scanned": stats.files_scanned,
        "files_total": stats.files_total,
        "bytes_scanned": stats.bytes_scanned,
        "bytes_total": stats.bytes_total,
        "columns_read": ",".join(stats.columns) or "(row counts only)",
        "columns_total": stats.all_columns,
    }
