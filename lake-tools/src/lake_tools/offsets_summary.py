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
