"""What a query needs from the table, as read from DuckDB's plan (DuckDB itself, an empty table)."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from lake_tools.sql_plan import (
    Needs,
    Source,
    Window,
    hull,
    needs_by_source,
    needs_from_plan,
    referenced_tables,
    scan_window,
)

duckdb = pytest.importorskip("duckdb")

SCHEMA = pa.schema(
    [
        ("event_time", pa.timestamp("us", tz="UTC")),
        ("kafka_offset", pa.int64()),
        ("id", pa.string()),
        ("device", pa.struct([("geo", pa.struct([("country", pa.string())]))])),
    ]
)


def _needs(sql: str) -> tuple[set[str], Window, int]:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.register("bid_requests", SCHEMA.empty_table())
    plan = connection.execute(f"EXPLAIN (FORMAT JSON) {sql}").fetchall()[0][1]
    needs = needs_from_plan(plan, SCHEMA.names)
    return set(needs.columns), needs.window, needs.scans


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, 14, hour, minute, tzinfo=UTC)


def test_projection_is_the_columns_and_struct_members_named() -> None:
    columns, window, scans = _needs(
        "SELECT device.geo.country, count(*) FROM bid_requests GROUP BY 1"
    )
    assert columns == {"device.geo.country"}
    assert not window.bounded
    assert scans == 1


def test_a_range_on_event_time_becomes_whole_hours() -> None:
    columns, window, _ = _needs(
        "SELECT id FROM bid_requests WHERE event_time >= '2026-01-14 20:10:00+00' "
        "AND event_time < '2026-01-14 21:30:00+00'"
    )
    assert columns == {"id", "event_time"}
    assert window == Window(_at(20), _at(22))


def test_duckdb_normalises_between_and_date_trunc() -> None:
    _, between, _ = _needs(
        "SELECT count(*) FROM bid_requests "
        "WHERE event_time BETWEEN '2026-01-14 20:00:00' AND '2026-01-14 20:59:00'"
    )
    _, truncated, _ = _needs(
        "SELECT count(*) FROM bid_requests "
        "WHERE date_trunc('hour', event_time) = TIMESTAMPTZ '2026-01-14 20:00:00+00'"
    )
    assert between == Window(_at(20), _at(21))
    assert truncated == Window(_at(20), _at(21))


def test_an_or_reads_every_hour() -> None:
    _, window, _ = _needs(
        "SELECT count(*) FROM bid_requests "
        "WHERE event_time < '2026-01-14 20:00:00+00' OR event_time > '2026-01-14 22:00:00+00'"
    )
    assert not window.bounded


def test_two_scans_read_the_hull_of_their_windows() -> None:
    _, window, scans = _needs(
        "SELECT count(*) FROM bid_requests WHERE event_time >= '2026-01-14 22:00:00+00' "
        "UNION ALL SELECT count(*) FROM bid_requests WHERE event_time < '2026-01-14 20:30:00+00'"
    )
    assert scans == 2
    assert not window.bounded  # one side open on each: every hour


def test_a_query_not_reading_the_table_needs_no_scan() -> None:
    columns, _, scans = _needs("SELECT 42")
    assert scans == 0 and columns == set()


def test_filter_text_parsing() -> None:
    assert scan_window(
        "event_time>='2026-01-14 20:15:30.5+00'::TIMESTAMP WITH TIME ZONE"
    ) == Window(_at(20), None)
    assert scan_window("event_time='infinity'::TIMESTAMP WITH TIME ZONE") == Window()
    assert hull([Window(_at(20), _at(21)), Window(_at(22), _at(23))]) == Window(_at(20), _at(23))


WINS = pa.schema(
    [
        ("wins__event_time", pa.timestamp("us", tz="UTC")),
        ("wins__request_id", pa.string()),
        ("wins__seat", pa.string()),
    ]
)


def _needs_of_two(sql: str) -> tuple[dict[str, Needs], set[str]]:
    """The request table as it is, and a second table planned with prefixed columns behind a
    view naming them back, as the session plans the funnel's tables."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.register("bid_requests", SCHEMA.empty_table())
    connection.register("__wins", WINS.empty_table())
    connection.execute(
        "CREATE VIEW wins AS SELECT wins__event_time AS event_time, "
        "wins__request_id AS request_id, wins__seat AS seat FROM __wins"
    )
    plan = connection.execute(f"EXPLAIN (FORMAT JSON) {sql}").fetchall()[0][1]
    (serialized,) = connection.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    named = referenced_tables(serialized)
    sources = {
        "bid_requests": Source("", tuple(SCHEMA.names)),
        "wins": Source("wins__", ("event_time", "request_id", "seat")),
    }
    return needs_by_source(plan, sources, named), named


def test_each_table_of_a_join_gets_its_own_columns_and_window() -> None:
    needs, named = _needs_of_two(
        "SELECT r.device.geo.country, w.seat FROM bid_requests r "
        "JOIN wins w ON w.request_id = r.id WHERE w.event_time >= '2026-01-14 21:10:00+00'"
    )

    assert named == {"bid_requests", "wins"}
    assert needs["bid_requests"].columns == {"id", "device.geo.country"}
    assert not needs["bid_requests"].window.bounded
    assert needs["wins"].columns == {"event_time", "request_id", "seat"}
    assert needs["wins"].window == Window(_at(21), None)


def test_a_table_the_plan_does_not_scan_is_not_read() -> None:
    needs, _ = _needs_of_two("SELECT seat FROM wins")

    assert needs["bid_requests"].scans == 0
    assert needs["wins"].columns == {"seat"}


def test_a_bare_count_reads_every_hour_of_each_table_the_sql_names() -> None:
    needs, _ = _needs_of_two(
        "SELECT (SELECT count(*) FROM wins) + (SELECT count(*) FROM bid_requests "
        "WHERE event_time >= '2026-01-14 21:00:00+00')"
    )

    # The count of wins names no column: it could be either table's scan.
    assert needs["wins"].scans == 1 and needs["wins"].columns == set()
    assert needs["bid_requests"].scans == 2
    assert not needs["bid_requests"].window.bounded
