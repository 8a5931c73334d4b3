"""``lake query``: DuckDB SQL over the table and its views, reading only what the SQL needs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lake_tools.engine import Session, scan_fields
from lake_tools.exit_codes import EXIT_OK, EXIT_USAGE
from lake_tools.named_queries import NAMED_QUERIES
from lake_tools.output import write
from lake_tools.scan import resolve_snapshot
from lake_tools.settings import LakeSettings
from lake_tools.table_access import funnel_opener, load_table

_EPILOG = """\
tables: bid_requests (the table as it is), requests (one row per request: channel, publisher,
country, device_type, os, gdpr, consent_string, us_privacy, gpp, coppa, ...), impressions (one row
per impression: media_type, size, floor, floor_currency, floor_usd, deals, and the request's
columns), usd_rates. With FUNNEL=full: funnel_bid_responses, funnel_wins, funnel_impressions,
funnel_clicks (the funnel's tables, TOPIC_BID_RESPONSES ... TOPIC_CLICKS in ICEBERG_NAMESPACE),
funnel_bids (one row per bid: seat, imp_id, price, price_usd, mtype, media_type, late) and the
macro media_type_of(mtype). A filter on event_time reads only the hour partitions it keeps; the
columns read are the ones the SQL names. A line on stderr (event=scan_planned) says what was read.

examples:
  lake query "SELECT country, count(*) FROM requests GROUP BY ALL ORDER BY 2 DESC LIMIT 5"
  lake query --name floor-percentiles-by-format --format csv
  lake query --name funnel-integrity
  lake query --as-of 2026-01-14T20:30:00Z "SELECT count(*) FROM bid_requests"
  lake query --explain "SELECT count(*) FROM requests WHERE event_time >= '2026-01-14 20:00:00'"
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run DuckDB SQL over the table (or a named query)",
        description="Run one DuckDB SELECT over the table and its flattened views.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sql", nargs="?", help="the SELECT to run")
    parser.add_argument("--name", choices=sorted(NAMED_QUERIES), help="run a named query instead")
    parser.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output [table]"
    )
    parser.add_argument(
        "--as-of",
        metavar="SNAPSHOT_ID|TIME",
        help="read the table as of a snapshot id or an ISO 8601 time (Iceberg time travel)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print what the query would read (columns, hours, files) and read nothing",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: LakeSettings) -> int:
    if (args.sql is None) == (args.name is None):
        print("lake query: error: give either SQL or --name NAME (`lake queries`)", file=sys.stderr)
        return EXIT_USAGE
    sql = args.sql if args.name is None else NAMED_QUERIES[args.name].sql
    table = load_table(settings)
    snapshot_id = resolve_snapshot(table, args.as_of)
    # With --as-of, the funnel's tables are read as of the request table's snapshot's time.
    as_of_ms = None
    if args.as_of is not None and snapshot_id is not None:
        as_of_ms = int(table.snapshot_by_id(snapshot_id).timestamp_ms)
    with Session(
        table,
        snapshot_id,
        memory_limit=settings.duckdb_memory_limit,
        usd_rates=settings.rate_overrides(),
        open_funnel_table=funnel_opener(settings, as_of_ms),
    ) as session:
        if args.explain:
            scans = session.plan(sql)
            if not scans:
                print("reads nothing of the table")
            for name, scan in scans.items():
                if len(scans) > 1:
                    print(f"relation: {name}")
                for key, value in scan_fields(scan.stats).items():
                    print(f"{key}: {value}")
            return EXIT_OK
        result = session.run(sql)
    write(result.table, args.format, sys.stdout)
    return EXIT_OK
