"""The ``iceberg-sink`` command line.

Exit codes:
  0  stopped on request (SIGTERM/SIGINT) after committing what was consumed
  1  the service failed (e.g. the table was dropped while running)
  2  bad command-line arguments or configuration
  3  the table is ahead of the topic: a partition's next offset in the table is past the end of its
     log (the topic was recreated or truncated); see ICEBERG_SINK_ON_OFFSET_GAP
  4  the table does not exist: the sink writes to an existing table only, which
     ``mock-data-gen setup`` creates
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from platform_common.logs import configure_logging, log_event

from iceberg_sink import __version__
from iceberg_sink.settings import ConfigError, SinkSettings, load_settings

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_OFFSET_GAP = 3
EXIT_NO_TABLE = 4

logger = logging.getLogger("iceberg_sink")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iceberg-sink",
        description="Land the bid request topic in an Apache Iceberg table, exactly once. "
        "Configured by environment variables (see the README); without a command, 'run' is "
        "assumed.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "run",
        help="consume the topic and commit it to the table until SIGTERM/SIGINT",
        description="Consume TOPIC_BID_REQUESTS in group ICEBERG_SINK_GROUP and append it to "
        "ICEBERG_TABLE, committing offsets with the data every COMMIT_INTERVAL_SECONDS.",
    )
    commands.add_parser(
        "offsets",
        help="print the offsets committed in the table for this group and topic",
        description="Read the newest snapshot summary carrying ICEBERG_SINK_GROUP's offsets and "
        "print one 'partition offset' line per partition of TOPIC_BID_REQUESTS.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        args_list = ["run"]
    args = build_parser().parse_args(args_list)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"iceberg-sink: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level, settings.log_format)
    if args.command == "offsets":
        return _print_offsets(settings)
    return _run(settings)


def _run(settings: SinkSettings) -> int:
    from iceberg_sink.catalog import TableNotFound
    from iceberg_sink.consumer import OffsetGapError
    from iceberg_sink.service import SinkService

    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log_event(logger, logging.INFO, "stop_requested", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        SinkService(settings).run(stop)
    except ConfigError as exc:
        log_event(logger, logging.ERROR, "config_error", error=str(exc))
        return EXIT_USAGE
    except OffsetGapError as exc:
        log_event(logger, logging.ERROR, "table_ahead_of_topic", error=str(exc))
        return EXIT_OFFSET_GAP
    except TableNotFound as exc:
        log_event(logger, logging.ERROR, "table_missing", error=str(exc))
        return EXIT_NO_TABLE
    except Exception as exc:
        log_event(logger, logging.ERROR, "failed", error=f"{type(exc).__name__}: {exc}")
        return EXIT_FAILURE
    return EXIT_OK


def _print_offsets(settings: SinkSettings) -> int:
    from iceberg_sink.catalog import TableNotFound, connect_catalog, open_table
    from iceberg_sink.offsets import latest_offsets

    try:
        table = open_table(connect_catalog(settings.iceberg_catalog), settings.table_identifier)
    except ConfigError as exc:
        print(f"iceberg-sink: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TableNotFound as exc:
        print(f"iceberg-sink: {exc}", file=sys.stderr)
        return EXIT_NO_TABLE
    except Exception as exc:
        print(f"iceberg-sink: cannot read the table: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    offsets = latest_offsets(table.metadata, settings.group_id).get(settings.topic, {})
    for partition, offset in sorted(offsets.items()):
        print(partition, offset)
    return EXIT_OK
