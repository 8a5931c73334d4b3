"""The Kafka offsets the sink commits in the table's snapshot summaries (design document, 7.3).

Each sink commit sets ``kafka.offsets.<group>`` = ``{"<topic>": {"<partition>": <next offset>}}``,
the group's complete map. Read here to put the audit's findings next to what the table says it
has committed, and to know which snapshots maintenance must keep.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

SUMMARY_PREFIX = "kafka.offsets."


def summary_key(group: str) -> str:
    return f"{SUMMARY_PREFIX}{group}"


def summary_of(snapshot: Any) -> dict[str, str]:
    summary = snapshot.summary
    return dict(summary.additional_properties) if summary is not None else {}


def lineage(table: Any) -> Iterator[Any]:
    """The current snapshot, then its parent, and so on, as far as they exist."""
    snapshot = table.current_snapshot()
    while snapshot is not None:
        yield snapshot
        parent = snapshot.parent_snapshot_id
        snapshot = table.snapshot_by_id(parent) if parent is not None else None


def committed_offsets(table: Any, group: str, topic: str) -> dict[int, int]:
    """The next offset per partition of ``topic`` that the newest snapshot carrying ``group``'s
    offsets records; empty if none does (or it cannot be read)."""
    key = summary_key(group)
    for snapshot in lineage(table):
        value = summary_of(snapshot).get(key)
        if value is None:
            continue
        try:
            parts = json.loads(value).get(topic, {})
            return {int(partition): int(offset) for partition, offset in parts.items()}
        except (ValueError, AttributeError, TypeError):
            return {}
    return {}


def committed_offsets_of_topic(table: Any, group: str, topic: str) -> dict[int, int]:
    """``group``'s committed offsets of ``topic``, or else, when ``group`` committed none here,
    those of the one group that committed ``topic`` to the table (each funnel topic's sink has a
    group of its own, ``iceberg-sink-wins`` in the Docker stack, while ``ICEBERG_SINK_GROUP``
    names one); empty if none did or several did."""
    own = committed_offsets(table, group, topic)
    if own:
        return own
    newest = next(iter(lineage(table)), None)
    if newest is None:
        return {}
    groups = []
    for key, value in summary_of(newest).items():
        if not key.startswith(SUMMARY_PREFIX):
            continue
        try:
            if topic in json.loads(value):
                groups.append(key[len(SUMMARY_PREFIX) :])
        except (ValueError, TypeError):
            continue
    return committed_offsets(table, groups[0], topic) if len(groups) == 1 else {}
