"""Which Kafka offsets a table holds, how often, in memory that grows with runs, not rows.

Rows arrive one data file at a time. Each file's ``(kafka_partition, kafka_offset)`` pairs are
sorted and compressed into runs of consecutive offsets (a sink commit covers a consecutive range
per partition, so a file adds about one run per partition); a pair repeated inside a file adds a
run of its own. At the end, a sweep over each partition's runs counts how many times each offset
is covered: 0 inside the log's retained range is a missing record, 2 or more a duplicate, and any
coverage at or past the log's end an offset the log never had.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

# Examples kept per kind and partition, for the message; the counts are always complete.
EXAMPLES = 5

Range = tuple[int, int]  # [first, next)


@dataclass
class PartitionCoverage:
    """One partition of the topic against the table."""

    partition: int
    log: Range  # [log start, log end): the records the topic retains
    rows: int = 0
    distinct: int = 0
    duplicates: int = 0  # rows beyond the first of their offset
    missing: int = 0  # retained offsets without a row
    beyond_log: int = 0  # distinct offsets at or past the log end
    expired: int = 0  # distinct offsets before the log start (retention deleted the records)
    duplicate_examples: list[tuple[Range, int]] = field(default_factory=list)  # (range, times)
    missing_examples: list[Range] = field(default_factory=list)
    beyond_examples: list[Range] = field(default_factory=list)

    @property
    def exactly_once(self) -> bool:
        return self.duplicates == 0 and self.missing == 0 and self.beyond_log == 0


class OffsetCoverage:
    """Accumulates runs of offsets per partition from batches of rows."""

    def __init__(self) -> None:
        self._partitions: list[npt.NDArray[np.int64]] = []
        self._starts: list[npt.NDArray[np.int64]] = []
        self._ends: list[npt.NDArray[np.int64]] = []
        self.rows = 0

    def add(self, partitions: npt.ArrayLike, offsets: npt.ArrayLike) -> None:
        p = np.asarray(partitions, dtype=np.int64)
        o = np.asarray(offsets, dtype=np.int64)
        if p.size == 0:
            return
        self.rows += int(p.size)
        order = np.lexsort((o, p))
        p, o = p[order], o[order]
        repeated = np.zeros(p.size, dtype=bool)
        repeated[1:] = (p[1:] == p[:-1]) & (o[1:] == o[:-1])
        if repeated.any():
            # Each repetition inside the file is a run of one offset of its own.
            self._append(p[repeated], o[repeated], o[repeated] + 1)
            p, o = p[~repeated], o[~repeated]
        breaks = np.ones(p.size, dtype=bool)
        breaks[1:] = (p[1:] != p[:-1]) | (o[1:] != o[:-1] + 1)
        first = np.flatnonzero(breaks)
        last = np.append(first[1:], p.size) - 1
        self._append(p[first], o[first], o[last] + 1)

    def _append(
        self,
        partitions: npt.NDArray[np.int64],
        starts: npt.NDArray[np.int64],
        ends: npt.NDArray[np.int64],
    ) -> None:
        self._partitions.append(partitions)
        self._starts.append(starts)
        self._ends.append(ends)

    @property
    def runs(self) -> int:
        return sum(part.size for part in self._partitions)

    def partitions(self) -> set[int]:
        if not self._partitions:
            return set()
        return {int(p) for p in np.unique(np.concatenate(self._partitions))}

    def compare(self, logs: dict[int, Range]) -> list[PartitionCoverage]:
        """Each partition of ``logs`` (partition -> retained [start, end)) and each partition the
        table has rows of, compared; a partition the topic lacks has an empty log."""
        if self._partitions:
            partitions = np.concatenate(self._partitions)
            starts = np.concatenate(self._starts)
            ends = np.concatenate(self._ends)
        else:
            partitions = starts = ends = np.zeros(0, dtype=np.int64)
        results = []
        for partition in sorted(set(logs) | self.partitions()):
            mask = partitions == partition
            log = logs.get(partition, (0, 0))
            results.append(_sweep(partition, log, starts[mask], ends[mask]))
        return results


def _note(examples: list[Range], first: int, end: int) -> None:
    if examples and examples[-1][1] == first:
        examples[-1] = (examples[-1][0], end)  # the same range, continued
    elif len(examples) < EXAMPLES:
        examples.append((first, end))


def _sweep(
    partition: int, log: Range, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> PartitionCoverage:
    result = PartitionCoverage(partition, log)
    low, high = log
    points = np.unique(np.concatenate([starts, ends, np.array([low, high], dtype=np.int64)]))
    delta = np.zeros(points.size, dtype=np.int64)
    np.add.at(delta, np.searchsorted(points, starts), 1)
    np.add.at(delta, np.searchsorted(points, ends), -1)
    depth = np.cumsum(delta)
    for index in range(points.size - 1):
        first, end, times = int(points[index]), int(points[index + 1]), int(depth[index])
        length = end - first
        result.rows += times * length
        if times == 0:
            if low <= first and end <= high:
                result.missing += length
                _note(result.missing_examples, first, end)
            continue
        result.distinct += length
        if times > 1:
            result.duplicates += (times - 1) * length
            if len(result.duplicate_examples) < EXAMPLES:
                result.duplicate_examples.append(((first, end), times))
        if first >= high:
            result.beyond_log += length
            _note(result.beyond_examples, first, end)
        elif end <= low:
            result.expired += length
    return result


def describe_range(first_and_next: Range) -> str:
    first, end = first_and_next
    return str(first) if end - first == 1 else f"{first}-{end - 1}"


def describe(ranges: Iterable[Range]) -> str:
    return ", ".join(describe_range(r) for r in ranges)
