"""Parquet data files of the table, written chunk by chunk while the batch is still consumed.

Each converted chunk is handed to a writer thread that appends it, as one row group, to the open
file of its partition (``hour(event_time)`` for the bid request table), so Parquet encoding runs
on another core while the main thread reads Kafka and parses JSON (both release the GIL). A file
is closed when the batch is sealed or when it reaches the table's target file size; closing
computes the column statistics Iceberg keeps per file. A file holds the columns its rows carry,
which leave out the optional ones no record has filled (see :mod:`iceberg_sink.arrow_shape`); rows
carrying more columns than the open file close it and start another. Nothing here touches the
catalog: the files become part of the table only when a snapshot referencing them commits.

A writer belongs to one batch: it is opened while the batch is consumed, finished by the batch's
commit, and aborted (its files deleted, finished ones included) if the batch is dropped or its
commit abandoned.

pyiceberg's own writer (``Table.append``) takes a whole table at once, and its partitioning copies
every partition even when the batch holds a single one; the pieces it is built from are used here
the same way (location provider, statistics from the Parquet footer, ``DataFile`` records), through
:mod:`iceberg_sink.pyiceberg_compat`.
"""

from __future__ import annotations

import functools
import logging
import operator
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from platform_common.logs import log_event

from iceberg_sink import pyiceberg_compat as compat
from iceberg_sink.arrow_shape import misfit, widen, within

if TYPE_CHECKING:
    from pyiceberg.io import OutputStream
    from pyiceberg.manifest import DataFile
    from pyiceberg.partitioning import PartitionField, PartitionKey
    from pyiceberg.table import Table

logger = logging.getLogger(__name__)

# Chunks queued for the writer thread before the main thread waits (bounds the work a seal waits
# for, and slows consumption down to the writer's pace).
_MAX_IN_FLIGHT = 3


@dataclass
class _OpenFile:
    path: str
    stream: OutputStream
    writer: pq.ParquetWriter
    partition_key: PartitionKey | None
    arrow_bytes: int = 0


class DataFileWriter:
    """Writes one batch's rows into new data files of the table (never commits them).

    ``add`` queues rows for the writer thread (``executor``; ``None`` writes in the caller),
    ``finish`` waits and returns the files as pyiceberg ``DataFile`` records, ``abort`` deletes
    them. After a failed write the writer only keeps the error, which ``finish`` raises.
    """

    def __init__(self, table: Table, executor: Executor | None) -> None:
        metadata = table.metadata
        self._io = table.io
        self._schema = metadata.schema()
        self._arrow_schema = self._schema.as_arrow()
        self._spec = metadata.spec()
        self._executor = executor
        self._locations = compat.location_provider(metadata)
        self._write_id = uuid.uuid4()
        self._options = compat.write_options(metadata.properties)
        self._records = compat.DataFileRecords(metadata)
        self._partitioners = [self._partitioner(field) for field in self._spec.fields]
        self._open: dict[tuple[Any, ...], _OpenFile] = {}
        self._done: list[DataFile] = []
        self._paths: list[str] = []
        self._in_flight: deque[Future[None]] = deque()
        self._error: BaseException | None = None

    def add(self, rows: pa.Table) -> None:
        """Append ``rows`` (in the table's Arrow schema) to the batch's files."""
        if rows.num_rows == 0:
            return
        if self._executor is None:
            self._write(rows)
            return
        while len(self._in_flight) >= _MAX_IN_FLIGHT:
            self._in_flight.popleft().result()
        self._in_flight.append(self._executor.submit(self._write, rows))

    def finish(self) -> list[DataFile]:
        """Close every file and return their ``DataFile`` records; raises the write's error."""
        self._drain()
        if self._error is None:
            try:
                for key in list(self._open):
                    self._close(key)
            except Exception as exc:
                self._error = exc
        if self._error is not None:
            self.abort()
            raise self._error
        return self._done

    def abort(self) -> None:
        """Delete every file written or opened so far, finished ones included (best effort)."""
        self._drain()
        for open_file in self._open.values():
            try:
                open_file.writer.close()
                open_file.stream.close()
            except Exception:  # the file is deleted below; a broken stream changes nothing
                pass
        self._open.clear()
        self._done = []
        for path in self._paths:
            try:
                self._io.delete(path)
            except Exception as exc:  # an orphan file is harmless; never fail the pipeline on it
                log_event(logger, logging.WARNING, "orphan_file_kept", path=path, error=exc)
        self._paths = []

    def _drain(self) -> None:
        while self._in_flight:
            self._in_flight.popleft().result()

    # --- in the writer thread --------------------------------------------------------------------

    def _write(self, rows: pa.Table) -> None:
        if self._error is not None:
            return
        try:
            for key, part in self._split(rows):
                open_file = self._open.get(key)
                if open_file is not None and not open_file.writer.schema.equals(part.schema):
                    file_schema = open_file.writer.schema
                    if within(pa.struct(list(part.schema)), pa.struct(list(file_schema))):
                        part = widen(part, file_schema)
                    else:
                        # The rows carry columns the file left out: they start a file of their
                        # own, which narrower rows then join (the columns seen only grow).
                        self._close(key)
                        open_file = None
                if open_file is None:
                    open_file = self._create(key, part)
                open_file.writer.write_table(part, row_group_size=self._options.row_group_rows)
                open_file.arrow_bytes += part.nbytes
                if open_file.arrow_bytes >= self._options.target_file_bytes:
                    self._close(key)
        except Exception as exc:
            self._error = exc

    def _split(self, rows: pa.Table) -> list[tuple[tuple[Any, ...], pa.Table]]:
        """``rows`` by partition; a chunk usually falls into one partition and is not copied."""
        if not self._partitioners:
            return [((), rows)]
        keys = [partitioner(rows) for partitioner in self._partitioners]
        names = [f"p{i}" for i in range(len(keys))]
        unique = pa.table(dict(zip(names, keys, strict=True))).group_by(names).aggregate([])
        combos = [tuple(row[name] for name in names) for row in unique.to_pylist()]
        if len(combos) == 1:
            return [(combos[0], rows)]
        parts = []
        for combo in combos:
            conditions = [
                pc.is_null(key) if value is None else pc.equal(key, value)
                for key, value in zip(keys, combo, strict=True)
            ]
            parts.append((combo, rows.filter(functools.reduce(operator.and_, conditions))))
        return parts

    def _partitioner(self, field: PartitionField) -> Callable[[pa.Table], pa.Array]:
        column_name = self._schema.find_column_name(field.source_id)
        assert column_name is not None  # a partition field's source is a column of the schema
        path = column_name.split(".")
        transform = compat.partition_transform(self._schema, field)

        def partition_values(rows: pa.Table) -> pa.Array:
            column: Any = rows.column(path[0]).combine_chunks()
            for member in path[1:]:
                column = pc.struct_field(column, member)
            return transform(column)

        return partition_values

    def _create(self, key: tuple[Any, ...], rows: pa.Table) -> _OpenFile:
        partition_key = None
        if self._partitioners:
            partition_key = compat.partition_key(self._spec, self._schema, key)
        reason = misfit(rows.schema, self._arrow_schema)
        if reason is not None:
            raise ValueError(f"rows do not fit the table: {reason}")
        name = f"{len(self._paths):05d}-{self._write_id}.parquet"
        path = self._locations.new_data_location(data_file_name=name, partition_key=partition_key)
        self._paths.append(path)
        stream = self._io.new_output(path).create(overwrite=True)
        writer = pq.ParquetWriter(stream, schema=rows.schema, **self._options.parquet)
        self._open[key] = _OpenFile(path, stream, writer, partition_key)
        return self._open[key]

    def _close(self, key: tuple[Any, ...]) -> None:
        open_file = self._open.pop(key)
        open_file.writer.close()
        size = open_file.stream.tell()
        open_file.stream.close()
        footer = open_file.writer.writer.metadata
        self._done.append(
            self._records.record(open_file.path, size, footer, open_file.partition_key)
        )


class TableSource(Protocol):
    @property
    def table(self) -> Table:
        """The table as last loaded."""


class DataFileWriters:
    """Opens the writers of new data files, for the table as last loaded, on the writer thread."""

    def __init__(self, source: TableSource, executor: Executor | None) -> None:
        self._source = source
        self._executor = executor

    def open(self) -> DataFileWriter:
        return DataFileWriter(self._source.table, self._executor)
