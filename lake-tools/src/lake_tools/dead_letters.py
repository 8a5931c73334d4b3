"""The records the sink set aside: the source positions the dead-letter topic names.

The sink produces each record it cannot write to ``<topic>.dlq`` (or its ICEBERG_SINK_DLQ_TOPIC)
with headers ``dlq.source.topic``, ``dlq.source.partition`` and ``dlq.source.offset``
(iceberg-sink's ``dead_letter.py``). ``lake verify`` counts a record so named as accounted for,
so the topic is read from its first to its last offset, headers only, and the positions are kept
as runs of offsets (``coverage``): memory grows with the runs, not with the dead letters' bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from lake_tools.coverage import OffsetCoverage
from lake_tools.settings import LakeSettings
from lake_tools.topic import TopicUnavailable

# Positions are handed to the coverage in batches of this many, so a large topic is read in
# bounded memory.
_BATCH = 10_000


@dataclass
class DeadLetters:
    """What the dead-letter topic says of ``source``."""

    topic: str
    found: bool  # False: the topic does not exist (the sink has produced nothing to it)
    coverage: OffsetCoverage = field(default_factory=OffsetCoverage)
    letters: int = 0  # every message read
    other_source: int = 0  # dead letters of another source topic
    unattributed: int = 0  # without readable dlq.source.partition / dlq.source.offset headers


def read_dead_letters(
    settings: LakeSettings, topic: str, source: str, timeout: float, *, required: bool
) -> DeadLetters:
    """The positions in ``source`` of the dead letters ``topic`` holds now; a missing ``topic``
    raises ``TopicUnavailable`` when ``required``, else is read as empty."""
    from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
    from platform_common.kafka_logs import kafka_logger

    config: dict[str, Any] = {
        **settings.kafka_properties(),
        "bootstrap.servers": settings.kafka_bootstrap_servers,
        "logger": kafka_logger,
        # Read by assignment, nothing joined or committed: the sink's own group is not touched.
        "group.id": "lake-verify",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
    }
    result = DeadLetters(topic, found=False)
    consumer = Consumer(config)
    try:
        metadata = consumer.list_topics(topic, timeout=timeout)
        described = metadata.topics.get(topic)
        if described is None or described.error is not None or not described.partitions:
            if required:
                raise TopicUnavailable(
                    f"dead-letter topic {topic!r} does not exist on "
                    f"{settings.kafka_bootstrap_servers} (--dlq-topic, ICEBERG_SINK_DLQ_TOPIC)"
                )
            return result
        result.found = True
        pending: dict[int, int] = {}  # partition -> log end still to reach
        assignment = []
        for partition in sorted(described.partitions):
            low, high = consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=timeout, cached=False
            )
            if high > low:
                pending[partition] = high
                assignment.append(TopicPartition(topic, partition, low))
        if not assignment:
            return result
        consumer.assign(assignment)
        partitions: list[int] = []
        offsets: list[int] = []
        quiet_since = time.monotonic()
        while pending:
            messages = consumer.consume(num_messages=1000, timeout=0.5)
            if not messages:
                if time.monotonic() - quiet_since > timeout:
                    raise TopicUnavailable(
                        f"dead-letter topic {topic!r}: no message within {timeout:g} s while "
                        f"partitions {sorted(pending)} have more to read (--timeout)"
                    )
                continue
            quiet_since = time.monotonic()
            for message in messages:
                error = message.error()
                if error is not None and error.code() != KafkaError._PARTITION_EOF:
                    raise TopicUnavailable(f"dead-letter topic {topic!r}: {error}")
                if error is None:
                    result.letters += 1
                    _note(result, message.headers() or [], source, partitions, offsets)
                where, offset = message.partition(), message.offset()
                if where is not None and offset is not None and offset + 1 >= pending.get(where, 0):
                    pending.pop(where, None)
            if len(partitions) >= _BATCH:
                result.coverage.add(partitions, offsets)
                partitions, offsets = [], []
        result.coverage.add(partitions, offsets)
        return result
    except KafkaException as exc:
        raise TopicUnavailable(
            f"Kafka at {settings.kafka_bootstrap_servers} did not answer for dead-letter topic "
            f"{topic!r} within {timeout:g} s ({exc.args[0]})"
        ) from None
    finally:
        consumer.close()


def _note(
    result: DeadLetters,
    headers: Any,
    source: str,
    partitions: list[int],
    offsets: list[int],
) -> None:
    values = {
        key: value.decode(errors="replace") if isinstance(value, bytes) else str(value or "")
        for key, value in headers
    }
    if values.get("dlq.source.topic", source) != source:
        result.other_source += 1
        return
    try:
        partition = int(values["dlq.source.partition"])
        offset = int(values["dlq.source.offset"])
    except (KeyError, ValueError):
        result.unattributed += 1
        return
    partitions.append(partition)
    offsets.append(offset)
