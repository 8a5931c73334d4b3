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
from lake_tools.dead_letters import DeadLetters, read_dead_letters
from lake_tools.exit_codes import EXIT_FAILURE, EXIT_NO_TOPIC, EXIT_OK, EXIT_USAGE
from lake_tools.output import write_table
from lake_tools.settings import LakeSettings
from lake_tools.table_access import open_topic_table
from lake_tools.topic import TopicUnavailable, retained_offsets

logger = logging.getLogger(__name__)

_EPILOG = """\
Per partition it compares the table's (kafka_partition, kafka_offset) pairs with the offsets the
topic retains (log start to log end): rows, distinct pairs, duplicate rows, retained offsets
missing from the table, offsets at or past the log end. Rows of records the topic no longer
retains (retention) are counted as expired, not as errors. The table is read one data file at a
time, two columns of it, so memory does not grow with its rows.

A record the sink set aside in its dead-letter topic (--dlq-topic, default <topic>.dlq; found by
the dlq.source.partition and dlq.source.offset headers) is accounted for: it is counted in the
dead_lettered column, not as missing. A record both in the table and in the dead-letter topic is a
failure; one dead-lettered twice is a warning only (the sink delivers dead letters at least once).
A default dead-letter topic that does not exist counts as empty; --no-dlq reads none.

--topic may be given several times: each topic is audited against its own table, one verdict each.
A funnel topic (TOPIC_BID_RESPONSES, TOPIC_WINS, TOPIC_IMPRESSIONS, TOPIC_CLICKS: bid_responses,
wins, impressions, clicks) is landed in the table named like it in the namespace of ICEBERG_TABLE,
with its dead letters in <topic>.dlq; any other topic in ICEBERG_TABLE.

exit codes: 0 every retained record is in the table exactly once (of every topic), 1 not so for
some topic (each problem is named with its partition and offsets), 2 bad arguments or settings,
3 Kafka unreachable or a topic missing (and no audit failed), 4 a table does not exist"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="audit that the table holds every record of the topic exactly once",
        description="The exactly-once audit of the table against the topic's offsets.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--topic",
        action="append",
        help="a topic to audit against its table; repeatable [TOPIC_BID_REQUESTS]",
    )
    dlq = parser.add_mutually_exclusive_group()
    dlq.add_argument(
        "--dlq-topic",
        metavar="TOPIC",
        help="the sink's dead-letter topic, with one --topic "
        "[ICEBERG_SINK_DLQ_TOPIC, else <topic>.dlq]",
    )
    dlq.add_argument(
        "--no-dlq",
        action="store_true",
        help="read no dead-letter topic: a dead-lettered record counts as missing",
    )
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
    if partition.in_both:
        lines.append(
            f"partition {p}: {partition.in_both} records both in the table and in the dead-letter "
            f"topic, offsets {describe(partition.both_examples)}"
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
            "dead_lettered": p.dead_lettered,
            "committed": result.committed.get(p.partition),
        }
        for p in result.partitions
    ]
    return pa.Table.from_pylist(rows)


def _warnings(result: Audit, letters: DeadLetters | None) -> list[str]:
    """What does not fail the audit but deserves a look."""
    lines = [
        f"partition {p.partition}: warning: {p.dead_repeats} extra dead letters (the sink "
        f"delivers them at least once), offsets {describe(p.repeat_examples)}"
        for p in result.partitions
        if p.dead_repeats
    ]
    if letters is not None and not letters.found:
        lines.append(f"note: dead-letter topic {letters.topic} does not exist: no dead letters")
    if letters is not None and letters.unattributed:
        lines.append(
            f"warning: {letters.unattributed} messages of {letters.topic} lack readable "
            "dlq.source.partition/dlq.source.offset headers"
        )
    return lines


def handle(args: argparse.Namespace, settings: LakeSettings) -> int:
    topics = list(dict.fromkeys(args.topic or [settings.topic]))
    if args.dlq_topic and len(topics) > 1:
        print(
            "lake verify: error: --dlq-topic names the dead-letter topic of one --topic; "
            "with several, each topic's is <topic>.dlq",
            file=sys.stderr,
        )
        return EXIT_USAGE
    # Every table first: a missing one stops the command before any verdict.
    tables = {topic: open_topic_table(settings, topic) for topic in topics}
    codes = []
    for topic in topics:
        table, table_name = tables[topic]
        # ICEBERG_SINK_DLQ_TOPIC is the dead-letter topic of the sink writing ICEBERG_TABLE; setup
        # creates <topic>.dlq for each funnel topic.
        own = settings.table_for_topic(topic) == settings.table_identifier
        named = args.dlq_topic or (settings.dlq_topic if own else None)
        codes.append(_verify(args, settings, topic, table, table_name, named))
    if EXIT_FAILURE in codes:
        return EXIT_FAILURE
    return max(codes)


def _verify(
    args: argparse.Namespace,
    settings: LakeSettings,
    topic: str,
    table: Any,
    table_name: str,
    named_dlq: str | None,
) -> int:
    """Audit one topic against its table, write its verdict; returns its exit code."""
    dlq_topic = named_dlq or f"{topic}.dlq"
    letters = None
    try:
        logs = retained_offsets(settings, topic, args.timeout)
        if not args.no_dlq:
            # A named topic must exist; the default one appears with the sink's first dead letter
            # unless it was created beforehand.
            letters = read_dead_letters(
                settings, dlq_topic, topic, args.timeout, required=named_dlq is not None
            )
    except TopicUnavailable as exc:
        log_event(logger, logging.ERROR, "topic_unavailable", topic=topic, reason=str(exc))
        return EXIT_NO_TOPIC
    dead = None if letters is None else letters.coverage
    result = audit(table, table_name, topic, settings.group_id, logs, dead)
    out = sys.stdout
    if result.partitions:
        write_table(_table(result), out)
    problems = [
        line for p in result.partitions for line in _problems(p, result.committed.get(p.partition))
    ]
    for line in problems + _warnings(result, letters):
        out.write(line + "\n")
    duplicates = sum(p.duplicates for p in result.partitions)
    missing = sum(p.missing for p in result.partitions)
    beyond = sum(p.beyond_log for p in result.partitions)
    in_both = sum(p.in_both for p in result.partitions)
    dead_lettered = result.dead_lettered
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
        dead_lettered=dead_lettered,
        in_both=in_both,
        files=result.files,
        runs=result.runs,
    )
    read = f"{result.rows} rows read from {result.files} files"
    if result.exactly_once and dead_lettered:
        out.write(
            f"verdict: exactly once: of the {result.retained} records topic {topic} retains, "
            f"table {result.table} holds each of the {result.retained - dead_lettered} records "
            f"once and dead-letter topic {dlq_topic} the other {dead_lettered} ({read})\n"
        )
        return EXIT_OK
    if result.exactly_once:
        out.write(
            f"verdict: exactly once: table {result.table} holds each of the {result.retained} "
            f"records topic {topic} retains once ({read})\n"
        )
        return EXIT_OK
    both = f", {in_both} both in the table and dead-lettered" if in_both else ""
    out.write(
        f"verdict: NOT exactly once: table {result.table} against topic {topic}: "
        f"{duplicates} duplicate rows, {missing} retained records missing, {beyond} offsets "
        f"beyond the log{both}\n"
    )
    return EXIT_FAILURE
