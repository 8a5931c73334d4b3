"""The exactly-once audit: the table's ``(kafka_partition, kafka_offset)`` pairs against the
offsets the topic retains, read one data file at a time (``coverage``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platform_common.table_contract import KAFKA_OFFSET, KAFKA_PARTITION
from pyiceberg.expressions import AlwaysTrue

from lake_tools.coverage import OffsetCoverage, PartitionCoverage, Range
from lake_tools.offsets_summary import committed_offsets_of_topic
from lake_tools.progress import Progress
from lake_tools.pyiceberg_compat import file_batches


@dataclass(frozen=True)
class Audit:
    table: str
    topic: str
    snapshot_id: int | None
    partitions: list[PartitionCoverage]
    committed: dict[int, int]  # the sink's committed next offset per partition, from the table
    files: int
    runs: int

    @property
    def exactly_once(self) -> bool:
        return all(p.exactly_once for p in self.partitions)

    @property
    def retained(self) -> int:
        return sum(high - low for low, high in (p.log for p in self.partitions))

    @property
    def dead_lettered(self) -> int:
        return sum(p.dead_lettered for p in self.partitions)

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.partitions)


def audit(
    table: Any,
    table_name: str,
    topic: str,
    group: str,
    logs: dict[int, Range],
    dead: OffsetCoverage | None = None,
) -> Audit:
    """Compare the current snapshot of ``table`` with the retained offsets ``logs`` of ``topic``,
    counting the positions ``dead`` names (the dead letters) as set aside."""
    coverage = OffsetCoverage()
    snapshot = table.current_snapshot()
    files = 0
    if snapshot is not None:
        tasks = list(table.scan(snapshot_id=snapshot.snapshot_id).plan_files())
        files = len(tasks)
        projected = table.schema().select(KAFKA_PARTITION, KAFKA_OFFSET)
        progress = Progress("verifying", total_files=files)
        for task in tasks:
            for batch in file_batches(table, table.metadata, projected, AlwaysTrue(), task):
                coverage.add(
                    batch.column(KAFKA_PARTITION).to_numpy(zero_copy_only=False),
                    batch.column(KAFKA_OFFSET).to_numpy(zero_copy_only=False),
                )
                progress.rows += batch.num_rows
            progress.file_done()
        progress.finish()
    return Audit(
        table=table_name,
        topic=topic,
        snapshot_id=None if snapshot is None else snapshot.snapshot_id,
        partitions=coverage.compare(logs, dead),
        committed=committed_offsets_of_topic(table, group, topic),
        files=files,
        runs=coverage.runs,
    )
