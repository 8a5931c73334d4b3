"""``lake verify``: is every record the topic retains in the table exactly once?"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

import pyarrow as pa
from platform_common.logs import log_event

from lake_tools.audit import Audit, audit
from lake_tools.coverage import EXAMPLES, PartitionCoverage, describe, describe_range
from lake_tools.exit_codes import EXIT_FAILURE, EXIT_NO_TOPIC, EXIT_OK
from lake_tools.output import write_table
from lake_tools.settings import LakeSettings
from lake_tools.table_access import load_table
from lake_tools.topic import TopicUnavailable, retained_offsets

logger = logging.getLogger(__name__)

_EPILOG = """\
Per partition it compares the table's (kafka_partition, kafka_offset) pairs with the offsets the
topic retains (log start to log end): rows, distinct pairs, duplicate rows, retained offsets
missing from the table, offsets at or past the log end. Rows of records the topic no longer
retains (retention) are counted as expired, not as errors. The table is read one data file at a
time, two columns of it, so memory does not grow with its rows.

exit codes: 0 every retained record is in the table exactly once, 1 not so (each problem is
named with its partition and offsets), 2 bad arguments or settings, 3 Kafka unreachable or the
topic missing, 4 the table does not exist"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="audit that the table holds every record of the topic exactly once",
        description="The exactly-once audit of the table against the topic's offsets.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--topic", help="the topic the table lands [TOPIC_BID_REQUESTS]")
    parser.add_argument(
        "--timeout",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="how long to wait for Kafka's answers [15]",
    )
    parser.set_defaults(handler=handle)


def _problems(partition: PartitionCoverage, committed: int | None) -> list[str]:
    lines = []
    p = partition.partition
    for offsets, times in partition.duplicate_examples:
        lines.append(
            f"partition {p}: offset {describe_range(offsets)} is in the table {times} times"
        )
    if partition.duplicates > sum((r[1] - r[0]) * (t - 1) for r, t in partition.duplicate_examples):
        lines.append(f"partition {p}: {partition.duplicates} duplicate rows in all")
    if partition.missing:
        why = ""
        if committed is not None and committed < partition.log[1]:
            why = (
                f" (the table's committed offset is {committed}: the sink has not committed "
                "past it yet)"
            )
        more = "..." if len(partition.missing_examples) >= EXAMPLES else ""
        lines.append(
            f"partition {p}: {partition.missing} retained records missing, offsets "
            f"{describe(partition.missing_examples)}{more}{why}"
        )
    if partition.beyond_log:
        where = (
            f"the log end {partition.log[1]}"
            if partition.log != (0, 0)
            else "a partition the topic lacks"
        )
        lines.append(
            f"partition {p}: {partition.beyond_log} offsets beyond {where}: "
            f"{describe(partition.beyond_examples)}"
        )
    return lines


def _table(result: Audit) -> pa.Table:
    rows = [
        {
            "partition": p.partition,
            "log_start": p.log[0],
            "log_end": p.log[1],
            "rows": p.rows,
            "distinct": p.distinct,
            "duplicates": p.duplicates,
            "missing": p.missing,
            "beyond_log": p.beyond_log,
            "expired": p.expired,
            "committed": result.committed.get(p.partition),
        }
        for p in result.partitions
    ]
    return pa.Table.from_pylist(rows)


def handle(args: argparse.Namespace, settings: LakeSettings) -> int:
    topic = args.topic or settings.topic
    table = load_table(settings)
    try:
        logs = retained_offsets(settings, topic, args.timeout)
    except TopicUnavailable as exc:
        log_event(logger, logging.ERROR, "topic_unavailable", reason=str(exc))
        return EXIT_NO_TOPIC
    result = audit(table, settings.table_name, topic, settings.group_id, logs)
    out = sys.stdout
    if result.partitions:
        write_table(_table(result), out)
    problems = [
        line for p in result.partitions for line in _problems(p, result.committed.get(p.partition))
    ]
    for line in problems:
        out.write(line + "\n")
    duplicates = sum(p.duplicates for p in result.partitions)
    missing = sum(p.missing for p in result.partitions)
    beyond = sum(p.beyond_log for p in result.partitions)
    log_event(
        logger,
        logging.INFO if result.exactly_once else logging.WARNING,
        "verified",
        table=result.table,
        topic=topic,
        snapshot=result.snapshot_id,
        retained=result.retained,
        rows=result.rows,
        duplicates=duplicates,
        missing=missing,
        beyond_log=beyond,
        files=result.files,
        runs=result.runs,
    )
    if result.exactly_once:
        out.write(
            f"verdict: exactly once: table {result.table} holds each of the {result.retained} "
            f"records topic {topic} retains once ({result.rows} rows read from {result.files} "
            "files)\n"
        )
        return EXIT_OK
    out.write(
        f"verdict: NOT exactly once: table {result.table} against topic {topic}: "
        f"{duplicates} duplicate rows, {missing} retained records missing, {beyond} offsets "
        "beyond the log\n"
    )
    return EXIT_FAILURE
