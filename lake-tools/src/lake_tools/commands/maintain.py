"""``lake maintain``: expire old snapshots (keeping the sink's offsets) and report small files."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from platform_common.logs import log_event

from lake_tools.exit_codes import EXIT_OK
from lake_tools.maintenance import expire, plan_expiry, small_files
from lake_tools.output import write_table
from lake_tools.settings import LakeSettings
from lake_tools.table_access import load_table

logger = logging.getLogger(__name__)

_EPILOG = """\
Snapshots older than --retain-hours are expired, except the newest --keep-last ones and the newest
snapshot carrying each kafka.offsets.<group> property with every snapshot after it (the sink
finds its offsets by walking back from the current snapshot). pyiceberg removes them from the
table's metadata; the files only they referenced stay in storage (an orphan-file job removes
them). Data files are not compacted here: see the design document, "Lake tools", for why and with
what to compact. The small-file report lists, per partition of the current snapshot, its data
files and how many are smaller than --small-file-mb."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "maintain",
        help="expire old snapshots (keeping the sink's offsets) and report small files",
        description="Expire snapshots past a retention and report small files per partition.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--retain-hours",
        type=_non_negative,
        default=24.0,
        help="expire snapshots older than this [24]",
    )
    parser.add_argument(
        "--keep-last", type=int, default=1, help="always keep the newest N snapshots [1]"
    )
    parser.add_argument(
        "--small-file-mb", type=_non_negative, default=32.0, help="a small file is under this [32]"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would be expired, commit nothing"
    )
    parser.set_defaults(handler=handle)


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number >= 0")
    return value


def handle(args: argparse.Namespace, settings: LakeSettings) -> int:
    table = load_table(settings)
    retain_ms = int(args.retain_hours * 3_600_000)
    keep_last = max(1, args.keep_last)
    if args.dry_run:
        plan = plan_expiry(table, retain_ms, keep_last, int(datetime.now(UTC).timestamp() * 1000))
    else:
        plan = expire(table, retain_ms, keep_last)
        table = table.refresh()
    out = sys.stdout
    verb = "would expire" if args.dry_run else "expired"
    cutoff = datetime.fromtimestamp(plan.older_than_ms / 1000, UTC).isoformat(timespec="seconds")
    out.write(f"snapshots: {verb} {len(plan.expire)} older than {cutoff}, {plan.kept} kept\n")
    for key, snapshot_id in sorted(plan.kept_for_offsets.items()):
        out.write(f"  kept for {key}: snapshot {snapshot_id} and every snapshot after it\n")
    log_event(
        logger,
        logging.INFO,
        "snapshots_expired" if not args.dry_run else "expiry_planned",
        table=settings.table_name,
        expired=len(plan.expire),
        kept=plan.kept,
        older_than=cutoff,
    )
    small_bytes = int(args.small_file_mb * 1024 * 1024)
    partitions = small_files(table, small_bytes)
    out.write(f"data files per partition (small: under {args.small_file_mb:g} MB):\n")
    if partitions:
        write_table(
            pa.Table.from_pylist(
                [
                    {
                        "partition": p.partition,
                        "files": p.files,
                        "small_files": p.small_files,
                        "rows": p.rows,
                        "mb": round(p.bytes / 1024 / 1024, 2),
                        "avg_file_mb": round(p.bytes / p.files / 1024 / 1024, 2),
                    }
                    for p in partitions
                ]
            ),
            out,
        )
    small = sum(p.small_files for p in partitions)
    out.write(
        f"{small} of {sum(p.files for p in partitions)} data files are small; compaction is not "
        "done here (design document, 'Lake tools': Spark's rewrite_data_files)\n"
    )
    return EXIT_OK
