"""Accumulating consumed records into the next commit, and the sealed batch it becomes.

Records are converted to Arrow in chunks as they arrive (so the conversion overlaps with fetching
and memory holds columnar rows rather than JSON text), and each chunk goes on to the batch's data
file writer, which encodes Parquet in its own thread meanwhile. The rows stay in memory until the
commit: if the files cannot be finished, or some partitions' records must be dropped, the files are
deleted and written again from them. A batch remembers, per partition, the offset after its last
record; that becomes the partition's committed offset when the batch's snapshot lands.

The open batch owns its writer; sealing hands both to the batch's commit (see ``commits``).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from platform_common.table_contract import KAFKA_PARTITION

from iceberg_sink.arrow_convert import RawRecords, RecordConverter
from iceberg_sink.arrow_shape import concat_rows
from iceberg_sink.data_files import DataFileWriter, DataFileWriters
from iceberg_sink.dead_letter import DeadLetter

# Convert once this many records (or bytes) are waiting: big enough for the reader to run fast and
# for a chunk to make a sensible Parquet row group, small enough to keep the writer thread busy.
_CONVERT_RECORDS = 25_000
_CONVERT_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class SealedBatch:
    """Rows, dead letters and offsets that go into one snapshot."""

    rows: pa.Table
    dead_letters: list[DeadLetter]
    next_offsets: dict[int, int]
    records: int
    first_record_at: float
    # The writer the rows went to while the batch was open (None: no rows, or written anew).
    writer: DataFileWriter | None = None

    def without(self, partitions: Collection[int]) -> SealedBatch:
        """The same batch minus ``partitions``; its rows are not written yet (``writer`` None)."""
        keep = pc.invert(pc.is_in(self.rows.column(KAFKA_PARTITION), pa.array(list(partitions))))
        letters = [letter for letter in self.dead_letters if letter.partition not in partitions]
        rows = self.rows.filter(keep)
        return replace(
            self,
            rows=rows,
            dead_letters=letters,
            next_offsets={p: o for p, o in self.next_offsets.items() if p not in partitions},
            records=rows.num_rows + len(letters),
            writer=None,
        )


class Batch:
    """Records consumed since the last seal, converted in chunks and written as they come."""

    def __init__(self, converter: RecordConverter, writers: DataFileWriters) -> None:
        self._converter = converter
        self._writers = writers
        self._reset()

    def _reset(self) -> None:
        self._writer: DataFileWriter | None = None
        self._chunks: list[pa.Table] = []
        self._dead_letters: list[DeadLetter] = []
        self._raw = RawRecords([], [], [], [], [])
        self._raw_bytes = 0
        self.next_offsets: dict[int, int] = {}
        self.records = 0
        self.bytes = 0
        self.first_record_at: float | None = None

    def add(self, messages: Sequence[Any]) -> int:
        """Take Kafka messages (errors already filtered out); returns how many were added."""
        # Column by column: a comprehension per field costs less than one loop appending to five.
        raw = self._raw
        values = [message.value() for message in messages]
        partitions = [message.partition() for message in messages]
        offsets = [message.offset() for message in messages]
        now_ms = int(time.time() * 1000)
        raw.payloads += values
        raw.partitions += partitions
        raw.offsets += offsets
        # Type 0 is TIMESTAMP_NOT_AVAILABLE: fall back to the time of ingestion.
        raw.timestamps_ms += [
            timestamp if kind else now_ms
            for kind, timestamp in (message.timestamp() for message in messages)
        ]
        raw.keys += [message.key() for message in messages]
        # A partition's offsets ascend within a fetch: the last one of each is kept.
        self.next_offsets.update(zip(partitions, [offset + 1 for offset in offsets], strict=True))
        added = len(values)
        size = sum(map(len, filter(None, values)))
        if added and self.first_record_at is None:
            self.first_record_at = time.monotonic()
        self.records += added
        self.bytes += size
        self._raw_bytes += size
        if len(raw) >= _CONVERT_RECORDS or self._raw_bytes >= _CONVERT_BYTES:
            self._convert()
        return added

    def _convert(self, write: bool = True) -> None:
        raw = self._raw
        if not len(raw):
            return
        converted = self._converter.convert(raw)
        if converted.table.num_rows:
            self._chunks.append(converted.table)
            if write:
                self._write(converted.table)
        for rejection in converted.rejections:
            i = rejection.index
            self._dead_letters.append(
                DeadLetter(
                    partition=raw.partitions[i],
                    offset=raw.offsets[i],
                    timestamp_ms=raw.timestamps_ms[i],
                    key=raw.keys[i],
                    value=raw.payloads[i],
                    reason=rejection.reason,
                    message=rejection.detail,
                )
            )
        self._raw = RawRecords([], [], [], [], [])
        self._raw_bytes = 0

    def _write(self, rows: pa.Table) -> None:
        if self._writer is None:
            self._writer = self._writers.open()
        self._writer.add(rows)

    def due(self, now: float, interval: float, max_records: int, max_bytes: int) -> bool:
        """True when the batch should be committed: age, record count or byte size reached."""
        if self.first_record_at is None:
            return False
        return (
            self.records >= max_records
            or self.bytes >= max_bytes
            or now - self.first_record_at >= interval
        )

    def seal(self) -> SealedBatch | None:
        """All consumed so far, with its writer, as one sealed batch (None if empty); resets."""
        if self.first_record_at is None:
            return None
        self._convert()
        schema = self._converter.output_schema
        rows = concat_rows(self._chunks) if self._chunks else schema.empty_table()
        sealed = SealedBatch(
            rows=rows,
            dead_letters=self._dead_letters,
            next_offsets=self.next_offsets,
            records=self.records,
            first_record_at=self.first_record_at,
            writer=self._writer,
        )
        self._reset()
        return sealed

    def drop(self, partitions: Collection[int]) -> None:
        """Forget the records of ``partitions`` (revoked or stale); the rest is written anew."""
        if not any(p in self.next_offsets for p in partitions):
            return
        if self._writer is not None:
            self._writer.abort()
            self._writer = None
        self._convert(write=False)
        assert self.first_record_at is not None
        schema = self._converter.output_schema
        kept = SealedBatch(
            rows=concat_rows(self._chunks) if self._chunks else schema.empty_table(),
            dead_letters=self._dead_letters,
            next_offsets=self.next_offsets,
            records=self.records,
            first_record_at=self.first_record_at,
        ).without(partitions)
        self._reset()
        if kept.next_offsets:
            self._chunks = [kept.rows] if kept.rows.num_rows else []
            self._dead_letters = kept.dead_letters
            self.next_offsets = kept.next_offsets
            self.records = kept.records
            self.bytes = kept.rows.nbytes
            self.first_record_at = kept.first_record_at
            if kept.rows.num_rows:
                self._write(kept.rows)
