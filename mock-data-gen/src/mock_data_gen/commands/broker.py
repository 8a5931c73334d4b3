"""``mock-data-gen broker``: an embedded Kafka cluster on loopback for development and tests."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from platform_common.logs import log_event
from platform_common.settings import DEFAULT_TOPIC

from mock_data_gen.embedded_broker import (
    DEFAULT_BROKERS,
    DEFAULT_DEAD_LETTER_TOPIC,
    DEFAULT_PARTITIONS,
    EmbeddedBrokerError,
    EmbeddedKafka,
    TopicSpec,
)
from mock_data_gen.exit_codes import EXIT_FAILURE, EXIT_OK

logger = logging.getLogger(__name__)


def _topic(text: str) -> TopicSpec:
    try:
        return TopicSpec.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "broker",
        help="run an in-memory Kafka cluster on loopback (no Docker needed)",
        description="Start librdkafka's mock Kafka cluster on 127.0.0.1, create topics, print the "
        "bootstrap address on stdout and serve until SIGTERM or SIGINT. Data lives in memory only, "
        "and each partition keeps only its newest ~5 MB of (compressed) batches: a consumer must "
        "keep up, as if retention were tiny.",
        epilog="example: mock-data-gen broker --port 29092   # then: mock-data-gen run",
    )
    parser.add_argument(
        "--brokers",
        type=_positive,
        default=DEFAULT_BROKERS,
        help=f"number of brokers (default {DEFAULT_BROKERS})",
    )
    parser.add_argument(
        "--topic",
        dest="topics",
        type=_topic,
        action="append",
        metavar="NAME[:PARTITIONS]",
        help=f"topic to create, repeatable (default {DEFAULT_TOPIC}:{DEFAULT_PARTITIONS} and "
        f"{DEFAULT_DEAD_LETTER_TOPIC}:{DEFAULT_PARTITIONS}, the sink's dead-letter topic; "
        f"partitions default to {DEFAULT_PARTITIONS})",
    )
    parser.add_argument(
        "--bootstrap-file",
        type=Path,
        metavar="PATH",
        help="also write the bootstrap address to PATH (removed again on exit)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        metavar="PORT",
        help="listen on fixed ports PORT..PORT+N-1 (broker i on PORT+i-1) instead of random ones, "
        "e.g. 29092 to match the default KAFKA_BOOTSTRAP_SERVERS=localhost:29092",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    topics: list[TopicSpec] = args.topics or [
        TopicSpec(DEFAULT_TOPIC, DEFAULT_PARTITIONS),
        TopicSpec(DEFAULT_DEAD_LETTER_TOPIC, DEFAULT_PARTITIONS),
    ]
    stop = threading.Event()
    received: list[str] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        cluster = EmbeddedKafka(
            args.brokers, {topic.name: topic.partitions for topic in topics}, port=args.port
        )
    except (EmbeddedBrokerError, OSError) as exc:
        log_event(logger, logging.ERROR, "broker_failed", reason=str(exc))
        return EXIT_FAILURE
    with cluster:
        bootstrap = cluster.bootstrap_servers
        if args.bootstrap_file is not None:
            tmp = args.bootstrap_file.with_name(args.bootstrap_file.name + ".tmp")
            tmp.write_text(bootstrap + "\n")
            # Readers polling for the file never see it half-written.
            tmp.replace(args.bootstrap_file)
        print(bootstrap, flush=True)
        log_event(
            logger,
            logging.INFO,
            "broker_ready",
            bootstrap=bootstrap,
            brokers=args.brokers,
            topics=",".join(f"{t.name}:{t.partitions}" for t in topics),
        )
        try:
            while not stop.wait(1.0):
                pass
        finally:
            if args.bootstrap_file is not None:
                with contextlib.suppress(FileNotFoundError):
                    args.bootstrap_file.unlink()
    log_event(logger, logging.INFO, "broker_stopped", signal=received[0] if received else "")
    sys.stdout.flush()
    return EXIT_OK
