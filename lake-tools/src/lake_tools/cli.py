"""The ``lake`` command: one sub-command per module in ``lake_tools.commands``.

Settings come from the environment (``lake_tools.settings``); each failure becomes one log line
naming its cause and one exit code (``lake_tools.exit_codes``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from platform_common.logs import configure_logging, log_event

from lake_tools import __version__
from lake_tools.commands import maintain, queries, query, report, snapshots, verify
from lake_tools.exit_codes import EXIT_FAILURE, EXIT_NO_TABLE, EXIT_USAGE

logger = logging.getLogger("lake_tools.cli")
COMMAND_MODULES = {
    "query": query,
    "queries": queries,
    "snapshots": snapshots,
    "verify": verify,
    "maintain": maintain,
    "report": report,
}

_EPILOG = """\
environment: ICEBERG_CATALOG [default], ICEBERG_NAMESPACE [db], ICEBERG_TABLE [bid_requests],
PYICEBERG_CATALOG__<NAME>__URI and friends (the catalog), KAFKA_BOOTSTRAP_SERVERS
[localhost:29092], TOPIC_BID_REQUESTS [bid_requests], TOPIC_BID_RESPONSES [bid_responses],
TOPIC_WINS [wins], TOPIC_IMPRESSIONS [impressions], TOPIC_CLICKS [clicks] (the funnel's topics and
tables, FUNNEL=full), ICEBERG_SINK_DLQ_TOPIC [<topic>.dlq],
ICEBERG_SINK_GROUP [iceberg-sink], KAFKA_EXTRA_CONFIG, LAKE_DUCKDB_MEMORY_LIMIT [1GB],
LAKE_USD_RATES, LOG_LEVEL, LOG_FORMAT

exit codes: 0 done (verify: every retained record is in the table exactly once or dead-lettered),
1 verify found a record missing, duplicated, both in the table and dead-lettered or beyond the
log, or the table could not be read, 2 bad arguments or settings, SQL DuckDB refuses or that is
not a SELECT, a missing extra, 3 Kafka unreachable, the topic missing or a dead-letter topic
named with --dlq-topic missing (verify), 4 the table does not exist (a funnel table: run setup
with FUNNEL=full)"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lake",
        description="Query, audit, maintain and chart the Iceberg table a Kafka topic lands in.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lake {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES.values():
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from lake_tools.catalog import TableNotFound
    from lake_tools.engine import MissingExtra, QueryError
    from lake_tools.scan import AsOfError
    from lake_tools.settings import ConfigError, load_settings

    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"lake: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level, settings.log_format)
    try:
        code: int = args.handler(args, settings)
    except (ConfigError, MissingExtra, QueryError, AsOfError) as exc:
        log_event(logger, logging.ERROR, "invalid_input", command=args.command, reason=str(exc))
        return EXIT_USAGE
    except TableNotFound as exc:
        log_event(logger, logging.ERROR, "no_table", command=args.command, reason=str(exc))
        return EXIT_NO_TABLE
    except BrokenPipeError:
        # The reader (head, less) closed our output early: nothing left to say.
        sys.stderr.close()
        return EXIT_FAILURE
    except OSError as exc:
        log_event(logger, logging.ERROR, "failed", command=args.command, reason=str(exc))
        return EXIT_FAILURE
    return code
