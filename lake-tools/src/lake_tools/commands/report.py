"""``lake report``: a short text report of the table, and with ``--png`` a one-page dashboard."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from lake_tools.engine import Session
from lake_tools.exit_codes import EXIT_OK, EXIT_USAGE
from lake_tools.report_data import ReportData, gather
from lake_tools.scan import resolve_snapshot
from lake_tools.settings import LakeSettings
from lake_tools.table_access import load_table


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="print a short report of the table; --png draws a one-page dashboard",
        description=(
            "A short report of the table (traffic, media, floors, countries, privacy signals, "
            "commits) and, with --png, a one-page dashboard (needs the plot extra)."
        ),
    )
    parser.add_argument("--png", type=Path, metavar="FILE", help="write the dashboard here")
    parser.add_argument(
        "--seed", help="the generator's seed, named in the title (the table does not record it)"
    )
    parser.add_argument("--as-of", metavar="SNAPSHOT_ID|TIME", help="report on an older snapshot")
    parser.set_defaults(handler=handle)


def _text(data: ReportData) -> str:
    if data.snapshot_id is None:
        return f"table {data.table} is empty (no snapshot)\n"
    if data.requests == 0:
        return f"table {data.table}: no rows (snapshot {data.snapshot_id})\n"
    lines = [
        f"table {data.table}, snapshot {data.snapshot_id}",
        f"  {data.requests:,} requests, {data.impressions:,} impressions, event time "
        f"{data.first_event:%Y-%m-%dT%H:%M:%SZ} to {data.last_event:%Y-%m-%dT%H:%M:%SZ}",
    ]
    if data.span_seconds > 0:
        lines.append(f"  {data.requests / data.span_seconds:,.1f} requests/s on average")
    mix = ", ".join(f"{media} {100 * n / data.impressions:.1f}%" for media, n in data.media_mix[:5])
    lines.append(f"  media: {mix}")
    floors = ", ".join(f"{media} {q[2]:.2f}" for media, q, _ in data.floors[:5])
    lines.append(f"  median floor, USD CPM: {floors}")
    countries = ", ".join(
        f"{country} {100 * n / data.requests:.1f}%" for country, n in data.countries[:5]
    )
    lines.append(f"  countries: {countries}")
    privacy = ", ".join(f"{name} {100 * share:.1f}%" for name, share in data.privacy)
    lines.append(f"  privacy: {privacy}")
    live = data.live_commits
    if live:
        lags = sorted(lag for _, lag, _ in live)
        lines.append(
            f"  commits: {len(live)} of live data (of {len(data.commits)} whose files are in the "
            f"snapshot), newest event to commit: median {lags[len(lags) // 2]:.1f} s, max "
            f"{lags[-1]:.1f} s"
        )
    elif data.commits:
        lines.append(
            f"  commits: {len(data.commits)}, no live commits (event times are simulated or "
            "older: each commit came over an hour after its newest event)"
        )
    return "\n".join(lines) + "\n"


def handle(args: argparse.Namespace, settings: LakeSettings) -> int:
    if args.png is not None:
        from lake_tools.dashboard import _pyplot

        _pyplot()  # a missing plot extra stops before anything is read
        if not args.png.parent.is_dir():
            print(f"lake report: error: --png {args.png}: no such directory", file=sys.stderr)
            return EXIT_USAGE
    table = load_table(settings)
    snapshot_id = resolve_snapshot(table, args.as_of)
    with Session(
        table,
        snapshot_id,
        memory_limit=settings.duckdb_memory_limit,
        usd_rates=settings.rate_overrides(),
    ) as session:
        data = gather(session, settings.table_name)
    sys.stdout.write(_text(data))
    if args.png is not None:
        from lake_tools.dashboard import draw

        draw(data, args.png, args.seed)
        sys.stdout.write(f"dashboard written to {args.png}\n")
    return EXIT_OK
