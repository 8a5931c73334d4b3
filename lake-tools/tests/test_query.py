"""``lake query`` and ``lake queries`` against real tables (SQLite catalog; local files and S3)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable

import pytest
from conftest import Filled, LakeRunner
from lakehouse import Lakehouse

from lake_tools.exit_codes import EXIT_NO_TABLE, EXIT_OK, EXIT_USAGE
from lake_tools.named_queries import NAMED_QUERIES

Lake = Callable[[Lakehouse], LakeRunner]


def _scan_line(err: str) -> dict[str, str]:
    (line,) = [line for line in err.splitlines() if "event=scan_planned" in line]
    return dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))


def test_counts_rows_by_partition_as_written(filled: Filled, lake: Lake) -> None:
    run = lake(filled.lakehouse)(
        "query",
        "--format",
        "json",
        "SELECT kafka_partition, count(*) AS n, max(kafka_offset) AS last "
        "FROM bid_requests GROUP BY ALL ORDER BY 1",
    )

    assert run.code == EXIT_OK, run.err
    written = Counter(record.partition for record in filled.records)
    assert json.loads(run.out) == [
        {"kafka_partition": p, "n": n, "last": n - 1} for p, n in sorted(written.items())
    ]


def test_reads_only_the_columns_the_sql_names(filled: Filled, lake: Lake) -> None:
    run = lake(filled.lakehouse)("query", "SELECT count(DISTINCT id) FROM bid_requests")

    assert run.code == EXIT_OK, run.err
    stats = _scan_line(run.err)
    assert stats["columns_read"] == "id"
    assert int(stats["columns_total"]) > 20
    assert f"{len(filled.records)}" in run.out


def test_a_filter_on_event_time_prunes_hour_partitions(filled: Filled, lake: Lake) -> None:
    sql = (
        "SELECT count(*) AS n FROM impressions "
        "WHERE event_time >= TIMESTAMPTZ '2026-01-14 21:00:00+00'"
    )
    run = lake(filled.lakehouse)("query", "--format", "csv", sql)
    every = lake(filled.lakehouse)(
        "query", "--format", "csv", "SELECT count(*) AS n FROM impressions"
    )

    assert run.code == EXIT_OK, run.err
    stats = _scan_line(run.err)
    assert (stats["partitions_scanned"], stats["partitions_total"]) == ("1", "2")
    assert int(stats["files_scanned"]) < int(stats["files_total"])
    assert stats["window"] == '"[2026-01-14T21:00Z, ...)"'
    # The answer is the one a full read gives for those hours.
    late = sum(len(r.request["imp"]) for r in filled.records if r.timestamp_ms >= 1_768_424_400_000)
    assert int(run.out.splitlines()[1]) == late
    assert int(every.out.splitlines()[1]) > late


def test_explain_says_what_would_be_read_and_reads_nothing(filled: Filled, lake: Lake) -> None:
    run = lake(filled.lakehouse)(
        "query",
        "--explain",
        "SELECT count(*) FROM bid_requests "
        "WHERE event_time BETWEEN '2026-01-14 20:10:00+00' AND '2026-01-14 20:20:00+00'",
    )

    assert run.code == EXIT_OK, run.err
    assert "partitions_scanned: 1" in run.out and "partitions_total: 2" in run.out
    assert "window: [2026-01-14T20:00Z, 2026-01-14T21:00Z)" in run.out


# The funnel-* queries read the funnel's tables: test_funnel_queries.py runs them.
@pytest.mark.parametrize("name", sorted(n for n in NAMED_QUERIES if not n.startswith("funnel-")))
def test_every_named_query_runs_and_answers(name: str, filled: Filled, lake: Lake) -> None:
    run = lake(filled.lakehouse)("query", "--name", name, "--format", "csv")

    assert run.code == EXIT_OK, run.err
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert rows, name
    assert all(any(value for value in row.values()) for row in rows)


def test_named_queries_run_on_s3_too(filled_s3: Filled, lake: Lake) -> None:
    run = lake(filled_s3.lakehouse)("query", "--name", "privacy-share", "--format", "json")

    assert run.code == EXIT_OK, run.err
    (row,) = json.loads(run.out)
    assert row["requests"] == len(filled_s3.records)
    assert 0 < row["gdpr_share"] < 1


def test_queries_lists_every_named_query() -> None:
    from lake_tools.cli import main

    assert main(["queries"]) == EXIT_OK


def test_as_of_reads_an_older_snapshot_by_id_and_by_time(filled: Filled, lake: Lake) -> None:
    first = filled.snapshot_ids[0]
    by_id = lake(filled.lakehouse)(
        "query", "--as-of", str(first), "--format", "csv", "SELECT count(*) AS n FROM bid_requests"
    )
    table = filled.lakehouse.table()
    second = table.snapshot_by_id(filled.snapshot_ids[1])
    at = second.timestamp_ms / 1000
    import datetime as dt

    moment = dt.datetime.fromtimestamp(at, dt.UTC).isoformat()
    by_time = lake(filled.lakehouse)(
        "query", "--as-of", moment, "--format", "csv", "SELECT count(*) AS n FROM bid_requests"
    )

    assert by_id.code == EXIT_OK, by_id.err
    assert by_id.out.splitlines()[1] == "150"
    assert by_time.out.splitlines()[1] == "300"


def test_as_of_an_unknown_snapshot_is_refused_naming_it(filled_local: Filled, lake: Lake) -> None:
    run = lake(filled_local.lakehouse)("query", "--as-of", "12345", "SELECT 1")

    assert run.code == EXIT_USAGE
    assert "--as-of 12345: the table has no snapshot with that id" in run.err
    newest_first = ", ".join(str(i) for i in reversed(filled_local.snapshot_ids))
    assert f"(newest first: {newest_first})" in run.err


def test_sql_duckdb_refuses_is_a_usage_error_with_its_reason(
    filled_local: Filled, lake: Lake
) -> None:
    run = lake(filled_local.lakehouse)("query", "SELECT no_such_column FROM bid_requests")

    assert run.code == EXIT_USAGE
    assert "no_such_column" in run.err
    # The message quotes the SQL as given, not the plan's internal EXPLAIN around it.
    assert "EXPLAIN" not in run.err
    typo = lake(filled_local.lakehouse)("query", "SELEC count(*) FROM bid_requests")
    assert typo.code == EXIT_USAGE
    assert "SELEC" in typo.err and "EXPLAIN" not in typo.err


@pytest.mark.parametrize(
    "sql",
    ["DROP TABLE bid_requests", "CREATE TABLE t AS SELECT 1", "INSERT INTO usd_rates VALUES (1)"],
)
def test_a_statement_that_is_not_a_select_is_refused(
    sql: str, filled_local: Filled, lake: Lake
) -> None:
    run = lake(filled_local.lakehouse)("query", sql)

    assert run.code == EXIT_USAGE
    assert "only SELECT queries are accepted" in run.err


def test_a_missing_table_exits_4_naming_it(filled_local: Filled, lake: Lake) -> None:
    run = lake(filled_local.lakehouse)("query", "SELECT 1", ICEBERG_TABLE="db.nope")

    assert run.code == EXIT_NO_TABLE
    assert "db.nope does not exist" in run.err


def test_an_invalid_setting_exits_2_naming_the_variable(filled_local: Filled, lake: Lake) -> None:
    run = lake(filled_local.lakehouse)("query", "SELECT 1", LAKE_DUCKDB_MEMORY_LIMIT="lots")

    assert run.code == EXIT_USAGE
    assert "LAKE_DUCKDB_MEMORY_LIMIT='lots'" in run.err


def test_table_output_is_aligned(filled_local: Filled, lake: Lake) -> None:
    run = lake(filled_local.lakehouse)(
        "query", "SELECT 'a' AS name, 12345 AS n UNION ALL SELECT 'bbbb', 7 ORDER BY n"
    )

    assert run.code == EXIT_OK, run.err
    assert run.out.splitlines()[:4] == ["name      n", "----  -----", "bbbb      7", "a     12345"]


def test_reads_only_the_struct_members_the_sql_names(filled: Filled, lake: Lake) -> None:
    run = lake(filled.lakehouse)(
        "query",
        "--format",
        "csv",
        "SELECT count(*) FILTER (WHERE regs.gdpr = 1) AS gdpr, "
        "count(DISTINCT device.geo.country) AS countries FROM bid_requests",
    )

    assert run.code == EXIT_OK, run.err
    assert _scan_line(run.err)["columns_read"] == "device.geo.country,regs.gdpr"
    gdpr = sum(1 for r in filled.records if (r.request.get("regs") or {}).get("gdpr") == 1)
    countries = {r.request["device"].get("geo", {}).get("country") for r in filled.records} - {None}
    assert run.out.splitlines()[1] == f"{gdpr},{len(countries)}"


def test_a_refused_kafka_extra_config_is_named_but_not_repeated(
    filled_local: Filled, lake: Lake
) -> None:
    run = lake(filled_local.lakehouse)(
        "queries", KAFKA_EXTRA_CONFIG="sasl.password=hunter2,group.id=mine"
    )

    assert run.code == EXIT_USAGE
    assert "KAFKA_EXTRA_CONFIG: Value error, group.id is set by lake itself" in run.err
    assert "hunter2" not in run.err


def test_snapshots_lists_each_commit_with_whose_offsets_it_carries(
    filled: Filled, lake: Lake
) -> None:
    run = lake(filled.lakehouse)("snapshots", "--format", "csv")

    assert run.code == EXIT_OK, run.err
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert [int(row["snapshot_id"]) for row in rows] == filled.snapshot_ids
    assert [row["added_rows"] for row in rows] == ["150", "150", "100"]
    assert {row["offsets_of"] for row in rows} == {"iceberg-sink"}
