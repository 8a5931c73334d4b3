"""Offsets counted as runs: every kind of finding, with exact counts and named offsets."""

from __future__ import annotations

from lake_tools.coverage import OffsetCoverage


def _coverage(*batches: list[tuple[int, int]]) -> OffsetCoverage:
    coverage = OffsetCoverage()
    for batch in batches:
        coverage.add([p for p, _ in batch], [o for _, o in batch])
    return coverage


def test_consecutive_offsets_over_files_are_exactly_once_in_few_runs() -> None:
    coverage = _coverage(
        [(0, o) for o in range(0, 50)] + [(1, o) for o in range(0, 30)],
        [(0, o) for o in range(50, 100)] + [(1, o) for o in range(30, 40)],
    )

    (zero, one) = coverage.compare({0: (0, 100), 1: (0, 40)})

    assert zero.exactly_once and one.exactly_once
    assert (zero.rows, zero.distinct, one.rows) == (100, 100, 40)
    assert coverage.runs == 4


def test_a_duplicate_inside_a_file_and_across_files_is_named() -> None:
    coverage = _coverage(
        [(0, 0), (0, 1), (0, 1), (0, 2)],
        [(0, 2), (0, 3)],
    )

    (result,) = coverage.compare({0: (0, 4)})

    assert (result.rows, result.distinct, result.duplicates) == (6, 4, 2)
    assert result.duplicate_examples == [((1, 2), 2), ((2, 3), 2)]
    assert not result.exactly_once


def test_missing_retained_offsets_and_offsets_beyond_the_log() -> None:
    coverage = _coverage([(0, o) for o in (0, 1, 2, 6, 7, 8, 9, 10, 11)])

    (result,) = coverage.compare({0: (0, 10)})

    assert result.missing == 3 and result.missing_examples == [(3, 6)]
    assert result.beyond_log == 2 and result.beyond_examples == [(10, 12)]


def test_expired_records_are_no_error_and_empty_partitions_miss_everything() -> None:
    coverage = _coverage([(0, o) for o in range(0, 10)])

    zero, one = coverage.compare({0: (5, 10), 1: (0, 3)})

    assert zero.exactly_once and zero.expired == 5
    assert one.missing == 3 and one.rows == 0


def test_rows_of_a_partition_the_topic_lacks_are_beyond_the_log() -> None:
    coverage = _coverage([(7, 0), (7, 1)])

    (seven,) = coverage.compare({})

    assert seven.beyond_log == 2 and not seven.exactly_once
