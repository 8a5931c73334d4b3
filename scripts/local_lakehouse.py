"""The local lakehouse of ``run-local.sh --with-sink`` (a SQLite Iceberg catalog with its warehouse
on local files, as ``setup.sh --local`` makes it), the sink's table in it read with pyiceberg, and
the check that the table holds each record of the topic exactly once: one row per
``(kafka_partition, kafka_offset)`` pair of the topic, or its dead letter in the dead-letter topic
instead, and the offsets committed in the table at the topic's ends.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedded_kafka import Offsets
from local_processes import Failure, say
from local_settings import UsageError, env_value

if TYPE_CHECKING:
    from iceberg_sink.settings import SinkSettings
    from pyiceberg.catalog import Catalog
    from pyiceberg.table import Table

# The catalog of the local lakehouse, unless ICEBERG_CATALOG names another.
LOCAL_CATALOG = "local"


def use_local_lakehouse(lakehouse: Path) -> dict[str, str]:
    """Point the setup, the sink and this program at the local lakehouse, as ``setup.sh --local``
    does: a SQLite Iceberg catalog named "local" (unless ICEBERG_CATALOG names another) with its
    warehouse on local files under ``lakehouse``, so no bucket is needed. Returns the catalog's
    pyiceberg variables."""
    catalog = {
        "PYICEBERG_CATALOG__LOCAL__TYPE": "sql",
        "PYICEBERG_CATALOG__LOCAL__URI": f"sqlite:///{lakehouse / 'catalog.db'}",
        "PYICEBERG_CATALOG__LOCAL__WAREHOUSE": f"file://{lakehouse / 'warehouse'}",
    }
    os.environ.update(catalog)
    os.environ["ICEBERG_CATALOG"] = env_value("ICEBERG_CATALOG", LOCAL_CATALOG)
    os.environ.setdefault("WAREHOUSE_BUCKET", "")
    os.environ["SETUP_TIMEOUT_SECONDS"] = env_value("SETUP_TIMEOUT_SECONDS", "15")
    return catalog


def load_sink_settings(env: Mapping[str, str] | None = None) -> SinkSettings:
    """The sink's settings from the environment, with ``env`` over it (as a sink started with
    ``env`` reads them)."""
    from iceberg_sink.settings import ConfigError, load_settings

    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        return load_settings()
    except ConfigError as exc:
        raise UsageError(f"iceberg-sink: {exc}") from None
    finally:
        if env:
            os.environ.clear()
            os.environ.update(saved)


def dead_letters(bootstrap: str, dlq_topic: str, source: str) -> list[tuple[int, int]]:
    """The ``(partition, offset)`` in ``source`` of each dead letter ``dlq_topic`` holds, from
    its ``dlq.source.*`` headers (iceberg-sink's dead_letter.py); none if the topic is absent.
    A run of this script holds few records, so they are simply listed."""
    from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "run-local",
            "log_level": 0,
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    positions: list[tuple[int, int]] = []
    try:
        described = consumer.list_topics(dlq_topic, timeout=10).topics.get(dlq_topic)
        if described is None or described.error is not None:
            return positions
        pending: dict[int, int] = {}
        for partition in described.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(dlq_topic, partition), 10)
            if high > low:
                pending[partition] = int(high)
        if not pending:
            return positions
        consumer.assign([TopicPartition(dlq_topic, p, 0) for p in pending])
        deadline = time.monotonic() + 30
        while pending and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            error = message.error()
            if error is not None and error.code() != KafkaError._PARTITION_EOF:
                raise Failure(f"could not read {dlq_topic!r}: {error}")
            if error is None:
                raw: Any = message.headers() or []  # a list of (key, value) from a consumer
                headers = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in raw}
                if headers.get("dlq.source.topic", source) == source:
                    where = headers["dlq.source.partition"], headers["dlq.source.offset"]
                    positions.append((int(where[0]), int(where[1])))
            if (message.offset() or 0) + 1 >= pending.get(message.partition() or 0, 0):
                pending.pop(message.partition() or 0, None)
        if pending:
            raise Failure(f"could not read {dlq_topic!r} to its end within 30 s")
        return positions
    except (KafkaException, KeyError, ValueError) as exc:
        raise Failure(f"could not read the dead letters of {dlq_topic!r}: {exc}") from None
    finally:
        consumer.close()


def covered(committed: dict[int, int], ends: Offsets) -> int:
    """How many records of the topic the offsets committed in the table cover."""
    return sum(min(max(committed.get(p, low), low), high) - low for p, (low, high) in ends.items())


class Lakehouse:
    """The sink's table, read with pyiceberg."""

    def __init__(self, settings: SinkSettings) -> None:
        self.settings = settings
        self.table_name = settings.table_name
        self._catalog: Catalog | None = None

    def _table(self) -> Table:
        from pyiceberg.catalog import load_catalog

        if self._catalog is None:
            self._catalog = load_catalog(self.settings.iceberg_catalog)
        return self._catalog.load_table(self.settings.table_identifier)

    def committed_offsets(self) -> dict[int, int]:
        """The next offset of each partition of the topic committed in the table: from the newest
        snapshot whose summary carries the sink's ``kafka.offsets.<group>`` property (README,
        "Sink delivery")."""
        table = self._table()
        key = f"kafka.offsets.{self.settings.group_id}"
        snapshot = table.current_snapshot()
        while snapshot is not None:
            summary = snapshot.summary
            value = summary.additional_properties.get(key) if summary is not None else None
            if value is not None:
                of_topic = json.loads(value).get(self.settings.topic, {})
                return {int(partition): int(offset) for partition, offset in of_topic.items()}
            parent = snapshot.parent_snapshot_id
            snapshot = table.snapshot_by_id(parent) if parent is not None else None
        return {}

    def positions(self) -> list[tuple[int, int]]:
        """The ``(kafka_partition, kafka_offset)`` pair of each row."""
        rows = self._table().scan(selected_fields=("kafka_partition", "kafka_offset")).to_arrow()
        partitions, offsets = rows["kafka_partition"].to_pylist(), rows["kafka_offset"].to_pylist()
        return list(zip(partitions, offsets, strict=True))


def check_each_record_once(lakehouse: Lakehouse, ends: Offsets, topic: str, log: Path) -> bool:
    """Whether the table holds each record of ``topic`` (whose partitions end at ``ends``) once,
    or its dead letter instead, with the topic's ends committed in it; says which, and the
    offsets committed in the table. ``log`` is the sink's."""
    expected = sum(high - low for low, high in ends.values())
    table = lakehouse.table_name
    dlq = lakehouse.settings.dead_letter_topic
    try:
        committed = lakehouse.committed_offsets()
        positions = lakehouse.positions()
        set_aside = dead_letters(os.environ["KAFKA_BOOTSTRAP_SERVERS"], dlq, topic)
    except Failure as exc:
        say(str(exc))
        return False
    except Exception as exc:
        say(f"could not read table {table} ({type(exc).__name__}: {exc}); see {log}")
        return False

    rows, distinct = len(positions), set(positions)
    # A record the sink could not write is accounted for by its dead letter instead of a row;
    # dead letters are delivered at least once, so one sent twice is no fault.
    dead = {where for where in set_aside if _in_range(ends.get(where[0], (0, 0)), where[1])}
    both = distinct & dead
    foreign = [(p, o) for p, o in distinct if not _in_range(ends.get(p, (0, 0)), o)]
    once = rows == len(distinct) == expected - len(dead) and not foreign and not both
    # The table's offsets must say the same, or a restarted sink would read records again.
    ahead_or_behind = {p: committed.get(p, low) for p, (low, high) in ends.items()}
    offsets_match = all(ahead_or_behind[p] == high for p, (_, high) in ends.items())
    pairs = f"{rows} rows, {len(distinct)} distinct (kafka_partition, kafka_offset) pairs"
    if dead:
        pairs += f"; dead-letter topic {dlq} holds the other {len(dead)}"
        if len(set_aside) > len(dead):
            pairs += f" ({len(set_aside) - len(dead)} dead letters more than once)"
    records = expected - len(dead)
    if not once:
        say(
            f"table {table} holds {pairs} ({len(foreign)} not in the topic, {len(both)} also "
            f"dead-lettered), not the topic's {expected} records once each; see {log}"
        )
    elif not offsets_match:
        say(
            f"table {table} holds each of the topic's {records} records once ({pairs}), but "
            "the offsets committed in it (below) are not the topic's ends "
            f"{ {p: high for p, (_, high) in ends.items()} }; see {log}"
        )
    else:
        say(
            f"table {table} holds each of the topic's {records} records once ({pairs}); "
            "offsets committed in it (partition offset):"
        )
    for partition, offset in sorted(committed.items()):
        say(f"  {partition} {offset}")
    return once and offsets_match


def _in_range(first_and_next: tuple[int, int], offset: int) -> bool:
    return first_and_next[0] <= offset < first_and_next[1]
