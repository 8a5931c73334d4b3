"""DuckDB over one snapshot of the table: ``bid_requests``, the views, and pruned reads.

Each query is first planned against an empty table of the snapshot's schema (``sql_plan``); the
table is then registered as a stream of only the files, hours and columns that plan reads
(``scan``), and the query runs on it. The funnel's tables (``lake_tools.funnel``) are opened when
the SQL names them and read the same way, each only if the plan scans it. DuckDB's
``memory_limit`` (``LAKE_DUCKDB_MEMORY_LIMIT``) bounds what its operators hold; beyond it they
spill to a temporary directory.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from platform_common.logs import log_event

from lake_tools.funnel import (
    FUNNEL_TABLES,
    FUNNEL_VIEWS,
    MEDIA_TYPE_MACRO,
    VIEW_SOURCES,
    Opened,
)
from lake_tools.scan import ScanStats, TableScan, snapshot_schema
from lake_tools.sql_plan import Needs, Source, needs_by_source, referenced_tables
from lake_tools.views import VIEWS, create_views

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


def _renamed(reader: pa.RecordBatchReader, schema: pa.Schema) -> pa.RecordBatchReader:
    """``reader``'s batches under ``schema``'s (prefixed) column names, nothing copied."""
    batches = (pa.RecordBatch.from_arrays(batch.columns, schema=schema) for batch in reader)
    return pa.RecordBatchReader.from_batches(schema, batches)


@dataclass
class _Relation:
    """A table DuckDB reads: one snapshot of it, its columns as the plan names them (``prefix``
    + name), and the empty table of its schema it is planned on."""

    name: str
    table: Any
    snapshot_id: int | None
    prefix: str
    schema: pa.Schema = field(init=False)
    empty: pa.Table = field(init=False)

    def __post_init__(self) -> None:
        arrow = snapshot_schema(self.table, self.snapshot_id).as_arrow()
        self.schema = pa.schema([f.with_name(self.prefix + f.name) for f in arrow])
        self.empty = self.schema.empty_table()

    @property
    def registered(self) -> str:
        """The name the Arrow data is registered under (a view renames its columns back)."""
        return f"__lake_{self.name}" if self.prefix else self.name

    def source(self) -> Source:
        return Source(self.prefix, tuple(name[len(self.prefix) :] for name in self.schema.names))


@dataclass(frozen=True)
class Result:
    table: pa.Table
    scans: Mapping[str, ScanStats] = field(default_factory=dict)

    @property
    def stats(self) -> ScanStats | None:
        """What was read of the request table (``bid_requests``), if anything."""
        return self.scans.get(TABLE_NAME)


class Session:
    """A DuckDB connection with the table of one snapshot and the views over it."""

    def __init__(
        self,
        table: Any,
        snapshot_id: int | None,
        *,
        memory_limit: str = "1GB",
        usd_rates: dict[str, float] | None = None,
        open_funnel_table: Callable[[str], Opened] | None = None,
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
        main = _Relation(TABLE_NAME, table, snapshot_id, "")
        self._relations = {TABLE_NAME: main}
        self.columns = main.schema.names
        self.connection.register(TABLE_NAME, main.empty)
        self.views = create_views(self.connection, usd_rates or {})
        self.connection.execute(MEDIA_TYPE_MACRO)
        self._open_funnel_table = open_funnel_table

    def close(self) -> None:
        self.connection.close()
        self._spill.cleanup()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _add_funnel_table(self, name: str) -> None:
        """Register funnel table ``name`` (empty, to plan on) and the views over it."""
        if name in self._relations or self._open_funnel_table is None:
            return
        table, snapshot_id = self._open_funnel_table(name)
        relation = _Relation(name, table, snapshot_id, f"{name}__")
        self._relations[name] = relation
        self.connection.register(relation.registered, relation.empty)
        renames = ", ".join(
            f'"{relation.prefix}{column}" AS "{column}"' for column in relation.source().columns
        )
        self.connection.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT {renames} FROM {relation.registered}"
        )
        for view, (source, statement) in FUNNEL_VIEWS.items():
            if source == name:
                self.connection.execute(statement)
                self.views.append(view)

    def _referenced(self, sql: str) -> set[str]:
        """The tables ``sql`` reads, through the views too; funnel tables among them opened."""
        row = self.connection.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
        serialized = str(row[0]) if row else ""
        # A statement DuckDB cannot serialise names nothing here; its plan says what it reads.
        named = referenced_tables(serialized) if '"error":false' in serialized else set()
        tables = {VIEW_SOURCES.get(name, name) for name in named}
        if named & set(VIEWS):
            tables.add(TABLE_NAME)
        for name in sorted(tables & set(FUNNEL_TABLES)):
            self._add_funnel_table(name)
        return tables

    def _register_empty(self) -> None:
        for relation in self._relations.values():
            self.connection.register(relation.registered, relation.empty)

    def needs_by_table(self, sql: str) -> dict[str, Needs]:
        """The columns and window ``sql`` reads of each table, from DuckDB's plan on empty
        tables; raises ``FunnelTableMissing`` if it names a funnel table that does not exist."""
        self._register_empty()
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
        referenced = self._referenced(sql)
        try:
            rows = self.connection.execute(f"{_EXPLAIN}{sql}").fetchall()
        except self._duckdb.Error as exc:
            raise QueryError(_unwrapped(str(exc).strip())) from None
        if not rows:
            raise QueryError("only one SELECT (or WITH ... SELECT) statement can be run")
        sources = {name: relation.source() for name, relation in self._relations.items()}
        return needs_by_source(rows[0][1], sources, referenced)

    def plan(self, sql: str) -> dict[str, TableScan]:
        """The scan of each table ``sql`` reads, planned (files chosen), nothing read; empty if
        it reads no table."""
        scans = {}
        for name, needs in self.needs_by_table(sql).items():
            if needs.scans:
                relation = self._relations[name]
                scans[name] = TableScan(
                    relation.table, relation.snapshot_id, needs.columns, needs.window
                )
        return scans

    def run(self, sql: str) -> Result:
        """Run ``sql``, reading only what its plan needs; logs what was read against the total."""
        scans = self.plan(sql)
        for name, scan in scans.items():
            relation = self._relations[name]
            fields = scan_fields(scan.stats)
            if name != TABLE_NAME:
                fields = {"relation": name, **fields}
            log_event(logger, logging.INFO, "scan_planned", **fields)
            make = _prefixed_reader(scan, relation.schema) if relation.prefix else scan.reader
            self.connection.register(relation.registered, _Stream(make))
        try:
            cursor = self.connection.execute(sql)
            # to_arrow_table() from DuckDB 1.4 on; fetch_arrow_table() before (now deprecated).
            fetch = getattr(cursor, "to_arrow_table", None) or cursor.fetch_arrow_table
            result = fetch()
        except self._duckdb.Error as exc:
            raise QueryError(str(exc).strip()) from None
        finally:
            self._register_empty()
        return Result(result, {name: scan.stats for name, scan in scans.items()})


def _prefixed_reader(scan: TableScan, schema: pa.Schema) -> Callable[[], pa.RecordBatchReader]:
    return lambda: _renamed(scan.reader(), schema)


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
