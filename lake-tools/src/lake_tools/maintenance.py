"""Snapshot expiry that keeps the sink's offsets readable, and the small-file report.

Every sink commit is a snapshot; without expiry the table's metadata grows by one snapshot per
commit interval forever. Expiry removes snapshots older than a retention, except:

* the newest snapshot carrying each ``kafka.offsets.<group>`` property (each sink group's offsets,
  design document 7.3), and every snapshot between it and the current one: the sink finds its
  offsets by walking from the current snapshot through its parents, and a walk stops at the first
  parent that is gone;
* the newest ``keep_last`` snapshots, and the heads of branches and tags (pyiceberg refuses those).

pyiceberg removes the snapshots from the table's metadata only; files that only they referenced
(their manifest lists; the table is append-only, so no data file) stay in storage until an
orphan-file job removes them (design document, "Lake tools").
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from lake_tools.offsets_summary import SUMMARY_PREFIX, lineage, summary_of

COMMIT_ATTEMPTS = 3


@dataclass(frozen=True)
class ExpiryPlan:
    expire: list[int]
    kept_for_offsets: dict[str, int]  # summary key -> the newest snapshot carrying it
    kept: int  # snapshots left after expiry
    older_than_ms: int


def plan_expiry(table: Any, retain_ms: int, keep_last: int, now_ms: int) -> ExpiryPlan:
    """Which snapshots to expire: older than ``now_ms - retain_ms``, none of the protected."""
    chain = list(lineage(table))  # newest first
    newest_for: dict[str, int] = {}
    deepest = 0
    for depth, snapshot in enumerate(chain):
        for key in summary_of(snapshot):
            if key.startswith(SUMMARY_PREFIX) and key not in newest_for:
                newest_for[key] = snapshot.snapshot_id
                deepest = depth
    protected = {s.snapshot_id for s in chain[: deepest + 1]}
    by_time = sorted(table.snapshots(), key=lambda s: s.timestamp_ms, reverse=True)
    protected.update(s.snapshot_id for s in by_time[:keep_last])
    protected.update(ref.snapshot_id for ref in table.metadata.refs.values())
    cutoff = now_ms - retain_ms
    expire = [
        s.snapshot_id
        for s in table.snapshots()
        if s.timestamp_ms < cutoff and s.snapshot_id not in protected
    ]
    return ExpiryPlan(expire, newest_for, len(table.snapshots()) - len(expire), cutoff)


def expire(table: Any, retain_ms: int, keep_last: int) -> ExpiryPlan:
    """Plan and commit the expiry; a concurrent commit (the sink's) makes it plan again."""
    from pyiceberg.exceptions import CommitFailedException

    for attempt in range(1, COMMIT_ATTEMPTS + 1):
        plan = plan_expiry(table, retain_ms, keep_last, int(time.time() * 1000))
        if not plan.expire:
            return plan
        try:
            table.maintenance.expire_snapshots().by_ids(plan.expire).commit()
            return plan
        except CommitFailedException:
            if attempt == COMMIT_ATTEMPTS:
                raise
            table = table.refresh()
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class PartitionFiles:
    partition: str
    files: int
    small_files: int
    bytes: int
    rows: int


def small_files(table: Any, small_bytes: int) -> list[PartitionFiles]:
    """Data files of the current snapshot per partition, and how many are under ``small_bytes``."""
    snapshot = table.current_snapshot()
    if snapshot is None:
        return []
    spec = table.spec()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for task in table.scan(snapshot_id=snapshot.snapshot_id).plan_files():
        data = task.file
        name = spec.partition_to_path(data.partition, table.schema()) if spec.fields else "-"
        entry = counts[name]
        entry[0] += 1
        entry[1] += data.file_size_in_bytes < small_bytes
        entry[2] += data.file_size_in_bytes
        entry[3] += data.record_count
    return [
        PartitionFiles(name, files, small, size, rows)
        for name, (files, small, size, rows) in sorted(counts.items())
    ]
