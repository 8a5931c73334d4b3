"""``mock-data-gen consume``: read bid requests back from the topic, to check a stream.

Prints the first ``--count`` records (from the start of each partition) to stdout, one JSON
document a line, and logs each partition's offsets and the total number of records held. It joins
no consumer group and commits nothing, so it can be run any number of times.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from typing import Any

from platform_common.kafka_config import parse_extra_config
from platform_common.logs import log_event

from mock_data_gen.exit_codes import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from mock_data_gen.kafka_clients import (
    CONNECTION_RESERVED,
    build_client,
    reader_config,
    refused_extra_config,
)
from mock_data_gen.settings import ConfigError, Settings

logger = logging.getLogger(__name__)
_EXTRA_ACCEPTED = "comma-separated librdkafka key=value pairs, without bootstrap.servers"


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds > 0")
    return value


def register(subparsers: Any) -> None:
    defaults = Settings.model_fields
    parser = subparsers.add_parser(
        "consume",
        help="print bid requests read back from the topic, with its offsets",
        description="Read records from the start of each partition of the topic, print them one "
        "JSON document a line, and log every partition's offsets and the record total. Joins no "
        "consumer group and commits nothing.",
        epilog="example: mock-data-gen consume --count 1 | python3 -m json.tool",
    )
    parser.add_argument(
        "--count",
        type=_count,
        default=5,
        help="records to print; 0 = offsets only (default 5)",
    )
    parser.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        or defaults["kafka_bootstrap_servers"].default,
        help="Kafka to read from [env KAFKA_BOOTSTRAP_SERVERS, default %(default)s]; "
        "KAFKA_EXTRA_CONFIG adds client properties (SASL, TLS) as for run",
    )
    parser.add_argument(
        "--topic",
        default=os.environ.get("TOPIC_BID_REQUESTS") or defaults["topic_bid_requests"].default,
        help="topic to read [env TOPIC_BID_REQUESTS, default %(default)s]",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=10.0,
        help="give up after this many seconds (default %(default)s)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from confluent_kafka import Consumer, KafkaException, TopicPartition

    try:
        extra = parse_extra_config(os.environ.get("KAFKA_EXTRA_CONFIG", ""), CONNECTION_RESERVED)
    except ValueError as exc:
        # The reason names the entry's key, never its value (it may be a password).
        return _usage(f"KAFKA_EXTRA_CONFIG is not accepted ({exc}); expected {_EXTRA_ACCEPTED}")
    try:
        consumer = build_client(Consumer, reader_config(args.bootstrap_servers, extra), extra)
    except ConfigError as exc:
        return _usage(refused_extra_config(exc, extra))
    deadline = time.monotonic() + args.timeout
    try:
        try:
            metadata = consumer.list_topics(args.topic, timeout=args.timeout)
            topic = metadata.topics.get(args.topic)
            if topic is None or topic.error is not None:
                reason = topic.error.str() if topic is not None else "no such topic"
                return _fail(f"topic {args.topic!r} at {args.bootstrap_servers}: {reason}")
            offsets = {
                partition: consumer.get_watermark_offsets(
                    TopicPartition(args.topic, partition), timeout=_left(deadline)
                )
                for partition in sorted(topic.partitions)
            }
        except KafkaException as exc:
            return _fail(f"Kafka at {args.bootstrap_servers}: {exc.args[0].str()}")
        total = 0
        for partition, (low, high) in offsets.items():
            log_event(logger, logging.INFO, "partition_offsets", partition=partition, first=low,
                      next=high, records=high - low)  # fmt: skip
            total += high - low
        wanted = min(args.count, total)
        consumer.assign(
            [TopicPartition(args.topic, p, low) for p, (low, high) in offsets.items() if high > low]
        )
        printed = 0
        while printed < wanted and time.monotonic() < deadline:
            for message in consumer.consume(wanted - printed, timeout=min(_left(deadline), 1.0)):
                error = message.error()
                if error is not None:
                    return _fail(f"reading {args.topic!r}: {error.str()}")
                sys.stdout.buffer.write((message.value() or b"") + b"\n")
                printed += 1
        sys.stdout.flush()
    finally:
        consumer.close()
    log_event(logger, logging.INFO, "consumed", topic=args.topic, printed=printed,
              records_in_topic=total)  # fmt: skip
    if printed < wanted:
        return _fail(f"read {printed} of {wanted} records within {args.timeout:g}s")
    if args.count > 0 and total == 0:
        return _fail(f"topic {args.topic!r} holds no records")
    return EXIT_OK


def _left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.1)


def _fail(reason: str) -> int:
    log_event(logger, logging.ERROR, "consume_failed", reason=reason)
    return EXIT_FAILURE


def _usage(reason: str) -> int:
    log_event(logger, logging.ERROR, "consume_failed", reason=f"invalid configuration: {reason}")
    return EXIT_USAGE
