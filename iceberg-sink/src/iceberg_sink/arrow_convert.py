"""Kafka record values (JSON bid requests) -> Arrow rows in the table's own types.

Fast path: the values of a whole batch are joined into newline-delimited JSON and parsed by Arrow's
C++ JSON reader against an explicit schema derived from the table read from the catalog; members
without a column are ignored. Only when that fails is the batch bisected to isolate the records that
do not parse or do not fit the schema; those are returned as rejections for the dead-letter topic.
The rows leave out the optional columns and members that no record has carried so far (see
:mod:`iceberg_sink.arrow_shape`), so chunks may differ in their columns.

Columns that hold JSON text (such as OpenRTB's ``ext`` objects; the table lists them in its
``json-text-fields`` property) cannot be produced by the JSON reader from an object, so those
members are rewritten into JSON strings in the raw bytes first (:mod:`iceberg_sink.json_text`), at
a cost per member, not per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.json as pa_json
from platform_common.table_contract import (
    EVENT_TIME,
    JSON_TEXT_FIELDS_PROPERTY,
    KAFKA_OFFSET,
    KAFKA_PARTITION,
)

from iceberg_sink.arrow_shape import (
    check_required,
    concat_rows,
    conform,
    has_required,
    narrow,
    restrict,
)
from iceberg_sink.json_text import JsonTextMembers

_ELEMENT = "element"
# Below this many records a failing batch is checked record by record instead of halved again.
_PER_RECORD_BELOW = 8
_MIN_BLOCK_SIZE = 4 * 1024 * 1024
METADATA_COLUMNS = (EVENT_TIME, KAFKA_PARTITION, KAFKA_OFFSET)


@dataclass(slots=True)
class RawRecords:
    """A batch of Kafka records, column-wise (``timestamps_ms``: the Kafka record timestamps)."""

    payloads: list[bytes | None]
    partitions: list[int]
    offsets: list[int]
    timestamps_ms: list[int]
    keys: list[bytes | None]

    def __len__(self) -> int:
        return len(self.payloads)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that cannot become a row: ``index`` into the batch, a reason code and details."""

    index: int
    reason: str  # empty_value | invalid_json | schema_mismatch
    detail: str


@dataclass(frozen=True, slots=True)
class Converted:
    """Rows for the table (metadata columns filled) and the records that were rejected."""

    table: pa.Table
    rejections: list[Rejection]


class ConversionError(ValueError):
    """The table's schema has a column type the JSON reader cannot produce."""


def _reader_type(data_type: pa.DataType, strict: bool) -> pa.DataType:
    """The JSON reader supports only the 32-bit-offset variants of strings and lists."""
    if pa.types.is_large_string(data_type):
        return pa.string()
    if pa.types.is_large_binary(data_type):
        return pa.binary()
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        return pa.list_(_reader_field(data_type.value_field, strict))
    if pa.types.is_struct(data_type):
        return pa.struct(
            [_reader_field(data_type.field(i), strict) for i in range(data_type.num_fields)]
        )
    if pa.types.is_map(data_type) or pa.types.is_fixed_size_list(data_type):
        raise ConversionError(f"columns of type {data_type} cannot be read from JSON")
    return data_type


def _reader_field(field: pa.Field, strict: bool) -> pa.Field:
    """``strict``: keep the table's required fields; else every field is nullable.

    The field's metadata (the Iceberg field id) is kept: the rows are written to Parquet as they
    are, and the data files must carry the ids.
    """
    nullable = field.nullable or not strict
    return pa.field(field.name, _reader_type(field.type, strict), nullable, field.metadata)


class RecordConverter:
    """Converts batches for one table schema; build a new one when the table's schema changes."""

    def __init__(self, table_schema: pa.Schema, json_column_paths: Iterable[str] = ()) -> None:
        missing = [name for name in METADATA_COLUMNS if name not in table_schema.names]
        if missing:
            raise ConversionError(f"the table lacks the sink's columns {missing}")
        payload = [field for field in table_schema if field.name not in METADATA_COLUMNS]
        # Arrow's reader rejects an absent optional struct that has required members, so it reads
        # with every field optional and required fields are checked afterwards (_check_required).
        self._required = [_reader_field(field, True) for field in payload]
        self._strict_schema = pa.schema(self._required)
        self._read_schema = pa.schema([_reader_field(field, False) for field in payload])
        self._read_type = pa.struct(list(self._read_schema))
        self._full_options = pa_json.ParseOptions(
            explicit_schema=self._read_schema, unexpected_field_behavior="ignore"
        )
        self._observed = restrict(self._read_type, [])
        self._observed_options = self._options_for(self._observed)
        self._output_schema = pa.schema(
            [
                table_schema.field(name)
                if name in METADATA_COLUMNS
                else self._strict_schema.field(name)
                for name in table_schema.names
            ]
        )
        self._json_text = JsonTextMembers(_json_member_names(self._read_schema, json_column_paths))

    @property
    def output_schema(self) -> pa.Schema:
        """Every column of the table; converted rows have a part of them."""
        return self._output_schema

    def convert(self, records: RawRecords) -> Converted:
        """Rows for every record that fits; the others as rejections (never raises for data)."""
        rejections: list[Rejection] = []
        indices: list[int] = []
        payloads: list[bytes] = []
        for index, payload in enumerate(records.payloads):
            if payload:
                payloads.append(payload)
                indices.append(index)
            else:
                rejections.append(Rejection(index, "empty_value", "record has no value"))
        tables: list[pa.Table] = []
        rows: list[int] = []
        if payloads:
            self._convert_part(indices, payloads, tables, rows, rejections)
        rejections.sort(key=lambda rejection: rejection.index)
        return Converted(self._assemble(records, tables, rows), rejections)

    def _convert_part(
        self,
        indices: Sequence[int],
        payloads: Sequence[bytes],
        tables: list[pa.Table],
        rows: list[int],
        rejections: list[Rejection],
        screened: bool = False,
    ) -> None:
        """Append the rows of ``payloads`` to ``tables``/``rows`` or their rejections, bisecting.

        ``screened``: the records not JSON objects have been set aside already.
        """
        try:
            tables.append(self._read(payloads))
            rows.extend(indices)
            return
        except ValueError as exc:  # pyarrow.ArrowInvalid is a ValueError
            if len(payloads) == 1:
                rejections.append(_classify(indices[0], payloads[0], exc))
                return
        if not screened:
            # Each read of a part costs milliseconds whatever its size, so bisecting to every
            # malformed record is slow; orjson tells those apart in microseconds each.
            kept_indices, kept_payloads = [], []
            for index, payload in zip(indices, payloads, strict=True):
                if _is_json_object(payload):
                    kept_indices.append(index)
                    kept_payloads.append(payload)
                else:
                    rejections.append(_classify(index, payload, ValueError("not a JSON object")))
            if kept_payloads:
                self._convert_part(kept_indices, kept_payloads, tables, rows, rejections, True)
            return
        if len(payloads) < _PER_RECORD_BELOW:
            for index, payload in zip(indices, payloads, strict=True):
                self._convert_part([index], [payload], tables, rows, rejections, True)
            return
        middle = len(payloads) // 2
        self._convert_part(indices[:middle], payloads[:middle], tables, rows, rejections, True)
        self._convert_part(indices[middle:], payloads[middle:], tables, rows, rejections, True)

    def _read(self, payloads: Sequence[bytes]) -> pa.Table:
        # Outside strings a raw line break is JSON whitespace (inside one it is invalid JSON),
        # so a space keeps every valid document intact and one document on one line. (Looking
        # for one in each record is cheaper than counting those of the joined data.)
        if any(b"\n" in p or b"\r" in p for p in payloads):
            payloads = [p.replace(b"\n", b" ").replace(b"\r", b" ") for p in payloads]
        data = self._json_text.join(payloads)
        buffer = pa.py_buffer(data)
        # One block per core: fewer, larger chunks keep the per-chunk work below (and the
        # writer's per-batch work) small; a block must hold the longest record.
        block_size = max(
            _MIN_BLOCK_SIZE, -(-len(data) // pa.cpu_count()), 2 * max(map(len, payloads))
        )
        read_options = pa_json.ReadOptions(use_threads=True, block_size=block_size + 1)
        table = self._read_observed(buffer, read_options)
        if table is None:
            table = pa_json.read_json(
                buffer, read_options=read_options, parse_options=self._full_options
            )
        if table.num_rows != len(payloads):
            # Blank values vanish and "{..}{..}" on one line yields two rows.
            raise ValueError(
                f"expected one JSON object per record: {len(payloads)} records "
                f"gave {table.num_rows} rows"
            )
        columns, fields = [], []
        for field in self._required:
            if field.name not in table.column_names:
                if not field.nullable:
                    raise ValueError(f"required field {field.name} is missing or null")
                continue
            chunks = table.column(field.name).chunks
            for chunk in chunks:
                if has_required(field):
                    check_required(chunk, field, field.name, np.ones(len(chunk), dtype=bool))
            kept = narrow(field, table.schema.field(field.name).type)
            columns.append(pa.chunked_array([conform(c, kept) for c in chunks], kept.type))
            fields.append(kept)
        return pa.Table.from_arrays(columns, schema=pa.schema(fields))

    def _read_observed(self, buffer: pa.Buffer, read_options: Any) -> pa.Table | None:
        """Read against only the columns seen so far; ``None`` if the full schema is needed.

        The reader's cost grows with the width of the explicit schema, and a bid request uses a
        small part of OpenRTB. Members outside the observed part are inferred; if some of them
        are table columns, the observed part grows and the batch is read again. Inference can
        fail on members the table does not have (types differing between records); then the full
        schema, which ignores them, decides.
        """
        for _ in range(3):
            try:
                table = pa_json.read_json(
                    buffer, read_options=read_options, parse_options=self._observed_options
                )
            except ValueError:
                return None
            grown = restrict(self._read_type, [self._observed, pa.struct(list(table.schema))])
            if grown == self._observed:
                return table
            self._observed = grown
            self._observed_options = self._options_for(grown)
        return None

    @staticmethod
    def _options_for(observed: pa.DataType) -> Any:
        fields = [observed.field(i) for i in range(observed.num_fields)]
        return pa_json.ParseOptions(
            explicit_schema=pa.schema(fields), unexpected_field_behavior="infer"
        )

    def _assemble(self, records: RawRecords, tables: list[pa.Table], rows: list[int]) -> pa.Table:
        if not tables:
            return self._output_schema.empty_table()
        payload = concat_rows(tables)
        take = np.asarray(rows, dtype=np.int64)
        timestamps_us = np.asarray(records.timestamps_ms, dtype=np.int64)[take] * 1000
        metadata = {
            EVENT_TIME: pa.array(timestamps_us, type=self._output_schema.field(EVENT_TIME).type),
            KAFKA_PARTITION: pa.array(
                np.asarray(records.partitions, dtype=np.int32)[take],
                type=self._output_schema.field(KAFKA_PARTITION).type,
            ),
            KAFKA_OFFSET: pa.array(
                np.asarray(records.offsets, dtype=np.int64)[take],
                type=self._output_schema.field(KAFKA_OFFSET).type,
            ),
        }
        fields = [
            field if field.name in metadata else payload.schema.field(field.name)
            for field in self._output_schema
            if field.name in metadata or field.name in payload.column_names
        ]
        columns = [
            metadata[f.name] if f.name in metadata else payload.column(f.name) for f in fields
        ]
        return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def _json_member_names(schema: pa.Schema, json_column_paths: Iterable[str]) -> set[str]:
    """Names of the JSON-text members; raises if a listed path is not a string column, or if a
    column named like a JSON-text column is not one.

    The rewrite finds members by name at any depth (see ``json_text``), so every column of that
    name must be one of the JSON-text columns.
    """
    wanted = set(json_column_paths)
    by_name: dict[str, list[tuple[str, bool]]] = {}

    def visit(data_type: pa.DataType, path: str) -> None:
        if pa.types.is_struct(data_type):
            for i in range(data_type.num_fields):
                member = data_type.field(i)
                child = f"{path}.{member.name}" if path else member.name
                is_text = child in wanted and pa.types.is_string(member.type)
                by_name.setdefault(member.name, []).append((child, is_text))
                visit(member.type, child)
        elif pa.types.is_list(data_type):
            visit(data_type.value_type, f"{path}.{_ELEMENT}")

    visit(pa.struct(list(schema)), "")
    text_columns = {path for columns in by_name.values() for path, text in columns if text}
    if wanted - text_columns:
        raise ConversionError(
            f"the table's {JSON_TEXT_FIELDS_PROPERTY} property names columns that are not string "
            f"columns of the table: {', '.join(sorted(wanted - text_columns))}"
        )
    names = {name for name, columns in by_name.items() if any(text for _, text in columns)}
    for name in sorted(names):
        others = [path for path, text in by_name[name] if not text]
        if others:
            raise ConversionError(
                f"column {others[0]} is named like the JSON-text columns ({name}) but is not one"
            )
    return names


def _is_json_object(payload: bytes) -> bool:
    try:
        return isinstance(orjson.loads(payload), dict)
    except orjson.JSONDecodeError:
        return False


def _classify(index: int, payload: bytes, error: Exception) -> Rejection:
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        return Rejection(index, "invalid_json", str(exc))
    if not isinstance(document, dict):
        return Rejection(
            index, "schema_mismatch", f"not a JSON object but {type(document).__name__}"
        )
    return Rejection(index, "schema_mismatch", str(error))
