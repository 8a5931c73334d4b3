"""Which Kafka offsets a table holds, how often, in memory that grows with runs, not rows.

Rows arrive one data file at a time. Each file's ``(kafka_partition, kafka_offset)`` pairs are
sorted and compressed into runs of consecutive offsets (a sink commit covers a consecutive range
per partition, so a file adds about one run per partition); a pair repeated inside a file adds a
run of its own. At the end, a sweep over each partition's runs counts how many times each offset
is covered: 0 inside the log's retained range is a missing record, 2 or more a duplicate, and any
coverage at or past the log's end an offset the log never had.

The dead letters (the records the sink set aside in its dead-letter topic, ``dead_letters``) are
runs of the same kind, swept alongside: a retained offset without a row but with a dead letter is
accounted for; one with both is a fault (the sink wrote it and set it aside); one with two dead
letters only a warning, as the sink delivers dead letters at least once.
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
    dead_lettered: int = 0  # retained offsets without a row, set aside in the dead-letter topic
    dead_repeats: int = 0  # dead letters beyond the first of their offset (a warning)
    in_both: int = 0  # offsets with a row and a dead letter
    duplicate_examples: list[tuple[Range, int]] = field(default_factory=list)  # (range, times)
    missing_examples: list[Range] = field(default_factory=list)
    beyond_examples: list[Range] = field(default_factory=list)
    repeat_examples: list[Range] = field(default_factory=list)
    both_examples: list[Range] = field(default_factory=list)

    @property
    def exactly_once(self) -> bool:
        return (
            self.duplicates == 0
            and self.missing == 0
            and self.beyond_log == 0
            and self.in_both == 0
        )


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

    def arrays(self) -> tuple[npt.NDArray[np.int64], ...]:
        """Every run so far as (partitions, starts, ends)."""
        if not self._partitions:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        return (
            np.concatenate(self._partitions),
            np.concatenate(self._starts),
            np.concatenate(self._ends),
        )

    def compare(
        self, logs: dict[int, Range], dead: OffsetCoverage | None = None
    ) -> list[PartitionCoverage]:
        """Each partition of ``logs`` (partition -> retained [start, end)) and each partition the
        table has rows of, compared; a partition the topic lacks has an empty log. ``dead``: the
        positions of the dead letters."""
        partitions, starts, ends = self.arrays()
        dead = dead or OffsetCoverage()
        dead_partitions, dead_starts, dead_ends = dead.arrays()
        results = []
        for partition in sorted(set(logs) | self.partitions()):
            mask = partitions == partition
            dead_mask = dead_partitions == partition
            log = logs.get(partition, (0, 0))
            results.append(
                _sweep(
                    partition,
                    log,
                    (starts[mask], ends[mask]),
                    (dead_starts[dead_mask], dead_ends[dead_mask]),
                )
            )
        return results


def _note(examples: list[Range], first: int, end: int) -> None:
    if examples and examples[-1][1] == first:
        examples[-1] = (examples[-1][0], end)  # the same range, continued
    elif len(examples) < EXAMPLES:
        examples.append((first, end))


Runs = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]  # (starts, ends)


def _depth(points: npt.NDArray[np.int64], runs: Runs) -> npt.NDArray[np.int64]:
    """How many runs cover each interval [points[i], points[i + 1])."""
    delta = np.zeros(points.size, dtype=np.int64)
    np.add.at(delta, np.searchsorted(points, runs[0]), 1)
    np.add.at(delta, np.searchsorted(points, runs[1]), -1)
    return np.cumsum(delta)


def _sweep(partition: int, log: Range, rows: Runs, dead: Runs) -> PartitionCoverage:
    result = PartitionCoverage(partition, log)
    low, high = log
    points = np.unique(np.concatenate([*rows, *dead, np.array([low, high], dtype=np.int64)]))
    depth, dead_depth = _depth(points, rows), _depth(points, dead)
    for index in range(points.size - 1):
        first, end, times = int(points[index]), int(points[index + 1]), int(depth[index])
        letters = int(dead_depth[index])
        length = end - first
        result.rows += times * length
        if letters > 1 and end > low:
            result.dead_repeats += (letters - 1) * length
            _note(result.repeat_examples, first, end)
        if times == 0:
            if letters and first >= high:
                result.beyond_log += length
                _note(result.beyond_examples, first, end)
            elif letters and low <= first:
                result.dead_lettered += length
            elif low <= first and end <= high:
                result.missing += length
                _note(result.missing_examples, first, end)
            continue
        if letters and end > low:
            result.in_both += length
            _note(result.both_examples, first, end)
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
