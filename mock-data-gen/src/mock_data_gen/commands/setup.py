"""``mock-data-gen setup``: create the Kafka topics, the warehouse bucket and the Iceberg table."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from platform_common.logs import log_event

from mock_data_gen.exit_codes import EXIT_FAILURE, EXIT_OK, EXIT_USAGE

logger = logging.getLogger(__name__)

_ENVIRONMENT = """\
environment (defaults in brackets):
  KAFKA_BOOTSTRAP_SERVERS   Kafka to create the topics on [localhost:29092]
  KAFKA_EXTRA_CONFIG        extra librdkafka key=value,... properties (SASL, TLS) [unset]
  TOPIC_BID_REQUESTS        topic name [bid_requests]; its dead-letter topic is <name>.dlq
  FUNNEL                    full: also a topic, <topic>.dlq and a table per funnel event
                            (tables named like the topics) [requests]
  TOPIC_BID_RESPONSES, TOPIC_WINS, TOPIC_IMPRESSIONS, TOPIC_CLICKS  the funnel's topics
                            [bid_responses], [wins], [impressions], [clicks]
  TOPIC_PARTITIONS          partitions of a new topic (every topic) [6]
  TOPIC_REPLICATION_FACTOR  replication factor of a new topic [1]
  S3_ENDPOINT               S3 endpoint for the bucket; empty = AWS [http://localhost:9000]
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION [us-east-1]
  WAREHOUSE_BUCKET          bucket to create; empty skips the step [warehouse]
  ICEBERG_CATALOG           pyiceberg catalog name [default], configured by
                            PYICEBERG_CATALOG__<NAME>__URI, ...__S3__ENDPOINT, ...
                            or ~/.pyiceberg.yaml
  ICEBERG_NAMESPACE, ICEBERG_TABLE  [db], [bid_requests]
  SETUP_TIMEOUT_SECONDS     how long to wait for each service [60]

exit codes: 0 done (created or already there), 1 a service did not answer in time or refused,
2 invalid configuration"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "setup",
        help="create the Kafka topics, warehouse bucket and Iceberg table (idempotent)",
        description=(
            "Create the Kafka topic and its dead-letter topic <topic>.dlq, the warehouse bucket "
            "and the Iceberg namespace and table, "
            "waiting for each service first. Whatever exists is left as it is, so running it "
            "again is safe."
        ),
        epilog=_ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    try:
        from pydantic import ValidationError

        from mock_data_gen.lakehouse.setup import (
            SetupConfigError,
            SetupError,
            SetupSettings,
            StepResult,
            run_setup,
        )
    except ImportError as exc:
        _error(f"{exc}; setup needs the lakehouse extra: pip install 'mock-data-gen[lakehouse]'")
        return EXIT_USAGE

    try:
        settings = SetupSettings()
    except ValidationError as exc:
        problems = [_problem(error) for error in exc.errors()]
        _error("invalid configuration: " + "; ".join(problems))
        return EXIT_USAGE

    def report(result: StepResult) -> None:
        log_event(
            logger,
            logging.INFO,
            "setup_step",
            resource=result.resource,
            name=result.name,
            result=result.outcome,
            **result.details,
        )

    try:
        run_setup(settings, report)
    except SetupConfigError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except SetupError as exc:
        _error(str(exc))
        return EXIT_FAILURE
    log_event(logger, logging.INFO, "setup_done")
    return EXIT_OK


def _problem(error: Any) -> str:
    if not error["loc"]:
        # A check across settings, whose message names each of them.
        return str(error.get("ctx", {}).get("error", error["msg"]))
    field = str(error["loc"][0])
    shown = error.get("input")
    if field == "kafka_extra_config":
        # Never echo what may be a password; name only the keys.
        shown = ",".join(part.split("=")[0] for part in str(shown).split(","))
    return f"{field.upper()}={shown!r}: {error['msg']}"


def _error(reason: str) -> None:
    log_event(logger, logging.ERROR, "setup_failed", reason=reason)
