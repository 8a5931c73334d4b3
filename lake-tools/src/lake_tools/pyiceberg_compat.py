"""Every use of pyiceberg beyond its documented API, in one place (pyiceberg is pinned to 0.12).

* The catalog's configuration is read again from the environment: pyiceberg reads it once, at
  import, and a process (or a test) may have set it since.
* Scans are read one data file at a time with ``ArrowScan``: ``DataScan.to_arrow_batch_reader``
  hands every file to a thread pool at once, each thread materialising its whole file, so its
  memory grows with the table; one file at a time keeps it to one file's projected columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pyarrow as pa
from pyiceberg.expressions import BooleanExpression
from pyiceberg.io.pyarrow import ArrowScan
from pyiceberg.schema import Schema
from pyiceberg.table import FileScanTask, Table
from pyiceberg.table.metadata import TableMetadata
from pyiceberg.utils.config import Config


def catalog_properties(name: str) -> dict[str, str] | None:
    """Catalog ``name``'s configuration as the environment and ``~/.pyiceberg.yaml`` say now."""
    properties = Config().get_catalog_config(name)
    return cast(dict[str, str], properties) if properties else None


def file_batches(
    table: Table,
    metadata: TableMetadata,
    projected: Schema,
    row_filter: BooleanExpression,
    task: FileScanTask,
) -> Iterator[pa.RecordBatch]:
    """The record batches of one data file, projected onto ``projected`` and filtered."""
    scan: Any = ArrowScan(
        table_metadata=metadata, io=table.io, projected_schema=projected, row_filter=row_filter
    )
    yield from scan.to_record_batches([task])
