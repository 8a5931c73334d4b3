"""``lake snapshots``: the table's snapshots, for ``--as-of`` and to see what each commit did."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from lake_tools.exit_codes import EXIT_OK
from lake_tools.output import write
from lake_tools.settings import LakeSettings
from lake_tools.table_access import load_table

OFFSETS_PREFIX = "kafka.offsets."


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "snapshots",
        help="list the table's snapshots (ids and times for --as-of)",
        description="List the snapshots of the table, oldest first, with what each added.",
    )
    parser.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output [table]"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: LakeSettings) -> int:
    table = load_table(settings)
    rows = []
    for snapshot in table.snapshots():
        summary = snapshot.summary.additional_properties if snapshot.summary else {}
        rows.append(
            {
                "snapshot_id": snapshot.snapshot_id,
                "committed_at": datetime.fromtimestamp(snapshot.timestamp_ms / 1000, UTC),
                "operation": str(snapshot.summary.operation.value) if snapshot.summary else "",
                "added_rows": int(summary.get("added-records", 0)),
                "total_rows": int(summary.get("total-records", 0)),
                "offsets_of": ",".join(
                    key.removeprefix(OFFSETS_PREFIX)
                    for key in sorted(summary)
                    if key.startswith(OFFSETS_PREFIX)
                ),
            }
        )
    write(
        pa.Table.from_pylist(rows) if rows else pa.table({"snapshot_id": []}),
        args.format,
        sys.stdout,
    )
    return EXIT_OK
