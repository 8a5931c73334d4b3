"""Every use of pyiceberg beyond its documented API, in one place, for the tested range (0.12.x).

The sink writes data files and commits snapshots itself, with pieces pyiceberg's own writer is built
from but does not document: statistics from the Parquet footer, ``DataFile`` records, partition
keys and transforms, the location provider, the table's write properties, and the transaction's
staged state. It also relies on two behaviours: a transaction reads its retry count from the table
object's metadata, and pyiceberg reads its configuration from the environment at import. Whoever
moves the pin in ``pyproject.toml`` checks this module, and only this module, against the new
version (``tests/test_committer.py`` and ``tests/test_data_files.py`` exercise each piece).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.io.pyarrow import (
    StatisticsCollector,
    compute_statistics_plan,
    data_file_statistics_from_parquet_metadata,
    parquet_path_to_id_mapping,
)
from pyiceberg.manifest import DataFile, DataFileContent, FileFormat
from pyiceberg.partitioning import PartitionField, PartitionFieldValue, PartitionKey, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table, TableProperties, Transaction
from pyiceberg.table.locations import LocationProvider, load_location_provider
from pyiceberg.table.metadata import TableMetadata
from pyiceberg.table.update import TableUpdate, update_table_metadata
from pyiceberg.typedef import Record
from pyiceberg.utils.config import Config
from pyiceberg.utils.properties import property_as_bool, property_as_int

# Iceberg's table property for a writer's own retries of conflicting commits.
_COMMIT_RETRIES = "commit.retry.num-retries"


def catalog_properties(name: str) -> dict[str, str] | None:
    """Catalog ``name``'s configuration as the environment and ``~/.pyiceberg.yaml`` say now.

    pyiceberg reads the environment once, at import; reading it again honours this process's.
    """
    properties = Config().get_catalog_config(name)
    return cast(dict[str, str], properties) if properties else None


def append_once(table: Table, data_files: Sequence[DataFile], properties: dict[str, str]) -> int:
    """Commit a snapshot adding ``data_files`` onto ``table``'s current one; returns its id.

    Raises ``CommitFailedException`` if ``main`` moved since ``table`` was loaded. pyiceberg (0.12
    on) would instead retry by itself, re-basing the snapshot on the new head with checks made
    against the old one; its retries are switched off for this commit only (the transaction reads
    the property from the table object, which is copied, not from the table in the catalog).
    """
    metadata = table.metadata
    merge_manifests = property_as_bool(
        metadata.properties,
        TableProperties.MANIFEST_MERGE_ENABLED,
        TableProperties.MANIFEST_MERGE_ENABLED_DEFAULT,
    )
    once = copy.copy(table)
    once.metadata = metadata.model_copy(
        update={"properties": {**metadata.properties, _COMMIT_RETRIES: "0"}}
    )
    with _CachingTransaction(once) as transaction:
        update = transaction.update_snapshot(snapshot_properties=properties)
        producer = update.merge_append() if merge_manifests else update.fast_append()
        with producer as append:
            for data_file in data_files:
                append.append_data_file(data_file)
    snapshot_id = once.metadata.current_snapshot_id
    assert snapshot_id is not None  # the append just made one
    return snapshot_id


class _CachingTransaction(Transaction):
    """pyiceberg's ``Transaction`` whose ``table_metadata`` is derived once per change.

    pyiceberg derives ``table_metadata`` from a deep copy of the table's metadata and the staged
    updates at every look, a dozen times in a commit; with the hundreds of columns of the bid
    request schema that was most of a commit's CPU time, taken from conversion. Both inputs are
    replaced, never mutated (pyiceberg's models are frozen), so it is derived again only when
    either of them is another object.
    """

    _derived: tuple[TableMetadata, tuple[TableUpdate, ...], TableMetadata] | None = None

    @property
    def table_metadata(self) -> TableMetadata:
        base, updates = self._table.metadata, self._updates
        derived = self._derived
        if derived is None or derived[0] is not base or derived[1] is not updates:
            derived = (base, updates, update_table_metadata(base, updates))
            self._derived = derived
        return derived[2]


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """How the table asks for its data files to be written (``write.*`` properties)."""

    target_file_bytes: int
    row_group_rows: int
    # Keyword arguments of ``pyarrow.parquet.ParquetWriter``.
    parquet: dict[str, Any]


def write_options(properties: dict[str, str]) -> WriteOptions:
    """The table's write properties, with Iceberg's defaults where they are not set."""
    codec = properties.get(
        TableProperties.PARQUET_COMPRESSION, TableProperties.PARQUET_COMPRESSION_DEFAULT
    )

    def integer(name: str, default: int | None) -> int | None:
        return property_as_int(properties, name, default)

    return WriteOptions(
        target_file_bytes=integer(TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, None)
        or TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT,
        row_group_rows=integer(TableProperties.PARQUET_ROW_GROUP_LIMIT, None)
        or TableProperties.PARQUET_ROW_GROUP_LIMIT_DEFAULT,
        parquet={
            "compression": "none" if codec == "uncompressed" else codec,
            "compression_level": integer(
                TableProperties.PARQUET_COMPRESSION_LEVEL,
                TableProperties.PARQUET_COMPRESSION_LEVEL_DEFAULT,
            ),
            "data_page_size": integer(
                TableProperties.PARQUET_PAGE_SIZE_BYTES,
                TableProperties.PARQUET_PAGE_SIZE_BYTES_DEFAULT,
            ),
            "dictionary_pagesize_limit": integer(
                TableProperties.PARQUET_DICT_SIZE_BYTES,
                TableProperties.PARQUET_DICT_SIZE_BYTES_DEFAULT,
            ),
            "write_batch_size": integer(
                TableProperties.PARQUET_PAGE_ROW_LIMIT,
                TableProperties.PARQUET_PAGE_ROW_LIMIT_DEFAULT,
            ),
        },
    )


def location_provider(metadata: TableMetadata) -> LocationProvider:
    """Where the table's new data files go (its ``write.*location*`` properties honoured)."""
    return load_location_provider(metadata.location, metadata.properties)


def partition_transform(schema: Schema, field: PartitionField) -> Callable[[pa.Array], pa.Array]:
    """The partition field's transform on Arrow values of its source column (pyiceberg-core)."""
    source_type = schema.find_field(field.source_id).field_type
    return field.transform.pyarrow_transform(source_type)


def partition_key(spec: PartitionSpec, schema: Schema, values: Sequence[object]) -> PartitionKey:
    """The key of the partition whose transformed values are ``values`` (in ``spec``'s order)."""
    return PartitionKey(
        field_values=[
            PartitionFieldValue(field=field, value=value)
            for field, value in zip(spec.fields, values, strict=True)
        ],
        partition_spec=spec,
        schema=schema,
    )


class DataFileRecords:
    """Makes the ``DataFile`` records of Parquet files written for a table, as a commit lists them.

    Column statistics (counts, bounds) come from each file's Parquet footer, collected the way the
    table's ``write.metadata.metrics.*`` properties ask.
    """

    def __init__(self, metadata: TableMetadata) -> None:
        schema = metadata.schema()
        self._spec_id = metadata.default_spec_id
        self._plan: dict[int, StatisticsCollector] = compute_statistics_plan(
            schema, metadata.properties
        )
        self._column_ids = parquet_path_to_id_mapping(schema)

    def record(
        self,
        path: str,
        size: int,
        footer: pq.FileMetaData,
        partition: PartitionKey | None,
    ) -> DataFile:
        statistics = data_file_statistics_from_parquet_metadata(
            parquet_metadata=footer,
            stats_columns=self._plan,
            parquet_column_mapping=self._column_ids,
        )
        return DataFile.from_args(
            content=DataFileContent.DATA,
            file_path=path,
            file_format=FileFormat.PARQUET,
            partition=partition.partition if partition is not None else Record(),
            file_size_in_bytes=size,
            sort_order_id=None,
            spec_id=self._spec_id,
            equality_ids=None,
            key_metadata=None,
            **statistics.to_serialized_dict(),
        )
