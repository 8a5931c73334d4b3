"""Kafka offsets stored in Iceberg snapshot summaries: the sink's source of truth for progress.

Every snapshot the sink commits carries the summary property ``kafka.offsets.<group>`` whose value
is JSON ``{"<topic>": {"<partition>": <next offset>}}``: for each partition, the offset of the first
record *not* yet in the table. Data and offsets thus change in one atomic catalog commit, as in the
Iceberg Kafka Connect sink. Offsets committed to the Kafka consumer group are only a hint for tools
(lag dashboards) and the fallback when the table has no entry for a partition.

Each commit writes the complete map of the group (all topics, all partitions), merged from the
latest map in the table's history, so replicas that own different partitions never erase each
other's entries and the latest snapshot carrying the property describes the whole group.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from pyiceberg.table.metadata import TableMetadata

SUMMARY_PREFIX = "kafka.offsets."

# topic -> partition -> next offset to read
OffsetMap = dict[str, dict[int, int]]


class OffsetCodecError(ValueError):
    """A snapshot summary holds an offsets property the sink cannot read."""


def summary_key(group: str) -> str:
    """The snapshot summary property holding ``group``'s offsets."""
    return f"{SUMMARY_PREFIX}{group}"


def encode(offsets: Mapping[str, Mapping[int, int]]) -> str:
    """Compact, key-sorted JSON (partitions as strings, as JSON object keys must be)."""
    return orjson.dumps(
        {
            topic: {str(partition): offset for partition, offset in sorted(parts.items())}
            for topic, parts in sorted(offsets.items())
        }
    ).decode()


def decode(text: str) -> OffsetMap:
    """Parse a summary value; raises ``OffsetCodecError`` naming what is wrong."""
    try:
        raw: Any = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise OffsetCodecError(f"offsets property is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise OffsetCodecError(
            "offsets property must be a JSON object {topic: {partition: offset}}"
        )
    result: OffsetMap = {}
    for topic, parts in raw.items():
        if not isinstance(parts, dict):
            raise OffsetCodecError(f"offsets of topic {topic!r} must be an object")
        decoded: dict[int, int] = {}
        for partition, offset in parts.items():
            if not partition.isdigit() or not isinstance(offset, int) or offset < 0:
                raise OffsetCodecError(
                    f"topic {topic!r}: entry {partition!r}: {offset!r} is not "
                    "a partition number mapped to an offset >= 0"
                )
            decoded[int(partition)] = offset
        result[topic] = decoded
    return result


def merge(
    base: Mapping[str, Mapping[int, int]], topic: str, updates: Mapping[int, int]
) -> OffsetMap:
    """``base`` with ``updates`` applied to ``topic`` (a new map; the inputs are not changed)."""
    merged: OffsetMap = {name: dict(parts) for name, parts in base.items()}
    merged.setdefault(topic, {}).update(updates)
    return merged


def latest_offsets(table_metadata: TableMetadata, group: str) -> OffsetMap:
    """The group's offsets from the newest snapshot on ``main``'s lineage that carries them.

    Walks from the current snapshot through its parents, so snapshots by other writers (compaction,
    other jobs) and by other groups are skipped. Empty when no snapshot carries the property, e.g.
    on a new table or after the group's snapshots expired.
    """
    from pyiceberg.table.snapshots import ancestors_of

    key = summary_key(group)
    for snapshot in ancestors_of(table_metadata.current_snapshot(), table_metadata):
        value = snapshot.summary[key] if snapshot.summary is not None else None
        if value is not None:
            return decode(value)
    return {}
