"""Data files written chunk by chunk in a writer thread, then committed with a real catalog."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from payloads import payload
from sink_runner import Lakehouse

from iceberg_sink.arrow_convert import RawRecords, RecordConverter
from iceberg_sink.catalog import json_text_fields, open_table
from iceberg_sink.committer import TableCommitter
from iceberg_sink.data_files import DataFileWriter

HOUR_MS = 3_600_000
START_MS = 1_767_225_600_000  # 2026-01-01T00:00Z


def _committer(lakehouse: Lakehouse) -> TableCommitter:
    catalog = lakehouse.catalog()
    table = open_table(catalog, ("db", "bid_requests"))
    return TableCommitter(catalog, ("db", "bid_requests"), table, "sink", "bid_requests")


def _rows(committer: TableCommitter, offsets: range, times_ms: list[int]) -> pa.Table:
    converter = RecordConverter(committer.arrow_schema(), json_text_fields(committer.table))
    records = RawRecords(
        [payload(o) for o in offsets],
        [0] * len(offsets),
        list(offsets),
        times_ms,
        [None] * len(offsets),
    )
    return converter.convert(records).table


def _parquet_files(lakehouse: Lakehouse) -> set[Path]:
    return set(Path(lakehouse.warehouse.removeprefix("file://")).rglob("*.parquet"))


def test_chunks_spanning_hours_land_in_one_file_per_hour(lakehouse: Lakehouse) -> None:
    committer = _committer(lakehouse)
    with ThreadPoolExecutor(max_workers=1) as thread:
        writer = DataFileWriter(committer.table, thread)
        # Three chunks: the first hour, both hours, the second hour.
        writer.add(_rows(committer, range(0, 100), [START_MS + 1000] * 100))
        mixed = [START_MS + (HOUR_MS if o % 2 else 0) for o in range(100, 200)]
        writer.add(_rows(committer, range(100, 200), mixed))
        writer.add(_rows(committer, range(200, 300), [START_MS + HOUR_MS + 5] * 100))
        files = writer.finish()
    assert sorted(f.record_count for f in files) == [150, 150]
    assert all(f.file_size_in_bytes > 0 for f in files)
    committer.commit(files, {0: 300}, {0: None}, "one")
    rows = lakehouse.table().scan(selected_fields=("kafka_offset", "event_time")).to_arrow()
    assert sorted(rows["kafka_offset"].to_pylist()) == list(range(300))
    # Each file holds exactly one hour, recorded as its partition, with column statistics.
    partitions = set()
    for data_file in files:
        times = pq.read_table(data_file.file_path.removeprefix("file://"), columns=["event_time"])
        hours = {int(t.timestamp()) // 3600 for t in times["event_time"].to_pylist()}
        assert hours == {data_file.partition[0]}
        assert data_file.value_counts and data_file.lower_bounds
        partitions.add(data_file.partition[0])
    assert partitions == {START_MS // HOUR_MS, START_MS // HOUR_MS + 1}


def test_a_file_is_closed_at_the_target_size(lakehouse: Lakehouse) -> None:
    committer = _committer(lakehouse)
    with lakehouse.table().transaction() as transaction:
        transaction.set_properties({"write.target-file-size-bytes": "1"})
    committer.refresh()
    writer = DataFileWriter(committer.table, None)
    for start in range(0, 300, 100):
        writer.add(_rows(committer, range(start, start + 100), [START_MS] * 100))
    files = writer.finish()
    assert [f.record_count for f in files] == [100, 100, 100]


def test_abort_and_failed_writes_leave_no_files(lakehouse: Lakehouse) -> None:
    committer = _committer(lakehouse)
    with ThreadPoolExecutor(max_workers=1) as thread:
        writer = DataFileWriter(committer.table, thread)
        writer.add(_rows(committer, range(0, 100), [START_MS] * 100))
        writer.abort()
        assert _parquet_files(lakehouse) == set()

        failing = DataFileWriter(committer.table, thread)
        failing.add(_rows(committer, range(0, 100), [START_MS] * 100))
        # Rows of another shape cannot go into the open file: the write fails in the thread.
        other: Any = pa.table({"event_time": pa.array([START_MS], pa.timestamp("ms", "UTC"))})
        failing.add(other)
        with pytest.raises(ValueError):
            failing.finish()
    assert _parquet_files(lakehouse) == set()


def test_files_leave_out_columns_no_record_filled(lakehouse: Lakehouse) -> None:
    committer = _committer(lakehouse)
    converter = RecordConverter(committer.arrow_schema(), json_text_fields(committer.table))

    def rows(offsets: range, with_ext: bool) -> pa.Table:
        records = RawRecords(
            [payload(o, with_ext=with_ext) for o in offsets],
            [0] * len(offsets),
            list(offsets),
            [START_MS] * len(offsets),
            [None] * len(offsets),
        )
        return converter.convert(records).table

    writer = DataFileWriter(committer.table, None)
    writer.add(rows(range(0, 50), with_ext=False))
    # These rows carry the ext columns the open file lacks: they start a file of their own...
    writer.add(rows(range(50, 100), with_ext=True))
    # ...which narrower rows join rather than starting yet another.
    writer.add(rows(range(100, 150), with_ext=False))
    files = writer.finish()
    assert [f.record_count for f in files] == [50, 100]
    narrow = pq.read_schema(files[0].file_path.removeprefix("file://"))
    assert "ext" not in narrow.names and "dooh" not in narrow.names
    # Optional structs holding a required member stay, null: a reader projecting the table's
    # imp[].video (required mimes) onto a file without it fails rather than reading nulls.
    imp = narrow.field("imp").type.value_type
    assert {"banner", "video", "audio", "native"} <= set(imp.names)
    committer.commit(files, {0: 150}, {0: None}, "narrow")
    scanned = lakehouse.table().scan(selected_fields=("kafka_offset", "ext", "dooh")).to_arrow()
    by_offset = {row["kafka_offset"]: row for row in scanned.to_pylist()}
    assert sorted(by_offset) == list(range(150))
    without_ext = [*range(50), *range(100, 150)]
    assert all(by_offset[o]["ext"] is None and by_offset[o]["dooh"] is None for o in without_ext)
    assert all(by_offset[o]["ext"] is not None for o in range(50, 100))
    # Every column, as a query engine reads the table.
    everything = lakehouse.table().scan().to_arrow().to_pylist()
    assert len(everything) == 150
    assert all(row["imp"][0]["video"] is None for row in everything)
    assert {row["imp"][0]["banner"]["w"] for row in everything} == {300, 728, 320, 160}
