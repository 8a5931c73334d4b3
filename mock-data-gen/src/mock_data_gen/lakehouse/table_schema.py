"""The Iceberg table of bid requests, derived from the OpenRTB 2.6 pydantic models.

One row per bid request. The columns mirror the request: every field of
:class:`mock_data_gen.openrtb.BidRequest` becomes a column of the same (JSON) name, nested objects
become structs and arrays become lists, so ``imp[0].banner.w`` is ``imp.element.banner.w`` in the
table. Three columns describe where the row came from, as ``iceberg-sink`` expects of every table
it writes (``platform_common.table_contract``):

``event_time``       timestamptz, required: the Kafka record timestamp (the generator's event time)
``kafka_partition``  int, required
``kafka_offset``     long, required; with ``kafka_partition`` it identifies the record, so a
                     sink can de-duplicate redelivered records

Type mapping (Python annotation of the model field -> Iceberg type):

=====================================  ===========================================================
``str`` (and ``str`` enums)            string
``int`` (and AdCOM ``IntEnum`` lists)  int, or long when the field's declared bounds leave the
                                       32-bit range (OpenRTB integers are codes, flags, pixels,
                                       seconds: all well inside it)
``float``                              double
``bool``                               boolean
``list[X]``                            list<X>
an OpenRTB object                      struct of its fields
``dict`` (the ``ext`` objects)         string holding the object as compact JSON, because ``ext``
                                       content is exchange-defined and has no fixed shape
=====================================  ===========================================================

A field is ``required`` only where the spec requires it (``id``, ``imp``, ...); everything else is
optional. Members that a request carries beyond the spec (kept by the models as extra fields) have
no column and are dropped when rows are written. :attr:`TableLayout.json_column_paths` lists the
columns that hold JSON text; the setup writes them into the table's ``json-text-fields`` property,
where the sink reads them.

Field ids are assigned exactly as an Iceberg catalog assigns them when the table is created
(pre-order, a struct's own fields before their children), so the ids here equal the ids of a freshly
created table and are stable for a given model.
"""

from __future__ import annotations

import itertools
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal, Union

from platform_common.table_contract import (
    EVENT_TIME,
    KAFKA_OFFSET,
    KAFKA_PARTITION,
    PROVENANCE_COLUMNS,
)
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema, assign_fresh_schema_ids
from pyiceberg.transforms import HourTransform
from pyiceberg.types import (
    BooleanType,
    DoubleType,
    IcebergType,
    IntegerType,
    ListType,
    LongType,
    NestedField,
    StringType,
    StructType,
    TimestamptzType,
)

EVENT_TIME_PARTITION = "event_time_hour"
# Partition field ids start at 1000 by Iceberg convention.
_FIRST_PARTITION_FIELD_ID = 1000

_INT32_MIN = -(2**31)
_INT32_MAX = 2**31 - 1


def _metadata_columns(next_id: Callable[[], int], event: str) -> list[NestedField]:
    return [
        NestedField(next_id(), EVENT_TIME, TimestamptzType(), required=True,
                    doc=f"Kafka record timestamp (event time of the {event})"),
        NestedField(next_id(), KAFKA_PARTITION, IntegerType(), required=True,
                    doc="Kafka partition the record was read from"),
        NestedField(next_id(), KAFKA_OFFSET, LongType(), required=True,
                    doc="Kafka offset of the record within its partition"),
    ]  # fmt: skip


class SchemaDerivationError(TypeError):
    """A model field whose annotation has no Iceberg column type."""


@dataclass
class _Builder:
    """Walks pydantic models and builds Iceberg types; ids are provisional (see module doc)."""

    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    json_paths: list[str] = field(default_factory=list)
    _stack: list[type[BaseModel]] = field(default_factory=list)

    def next_id(self) -> int:
        return next(self.counter)

    def struct_fields(self, model: type[BaseModel], path: str) -> list[NestedField]:
        if model in self._stack:
            cycle = " -> ".join(m.__name__ for m in [*self._stack, model])
            raise SchemaDerivationError(f"{path or model.__name__}: recursive model ({cycle})")
        self._stack.append(model)
        try:
            return [self.column(name, info, path) for name, info in model.model_fields.items()]
        finally:
            self._stack.pop()

    def column(self, attribute: str, info: FieldInfo, parent: str) -> NestedField:
        name = info.serialization_alias or info.alias or attribute
        path = f"{parent}.{name}" if parent else name
        inner, nullable, metadata = _unwrap(info.annotation, list(info.metadata), path)
        field_id = self.next_id()
        field_type = self.iceberg_type(inner, metadata, path)
        return NestedField(field_id, name, field_type, required=info.is_required() and not nullable)

    def iceberg_type(self, annotation: Any, metadata: list[Any], path: str) -> IcebergType:
        origin = typing.get_origin(annotation)
        if origin is list:
            (element,) = typing.get_args(annotation) or (Any,)
            inner, nullable, element_metadata = _unwrap(element, [], path)
            element_id = self.next_id()
            element_type = self.iceberg_type(inner, element_metadata, f"{path}.element")
            return ListType(element_id, element_type, element_required=not nullable)
        if origin is dict or annotation is dict or annotation is Any:
            self.json_paths.append(path)
            return StringType()
        if origin is Literal:
            return _literal_type(typing.get_args(annotation), path)
        if isinstance(annotation, type):
            if issubclass(annotation, BaseModel):
                return StructType(*self.struct_fields(annotation, path))
            if issubclass(annotation, bool):
                return BooleanType()
            if issubclass(annotation, int):
                return _integer_type(metadata)
            if issubclass(annotation, float):
                return DoubleType()
            if issubclass(annotation, str):
                return StringType()
        raise SchemaDerivationError(
            f"{path}: no Iceberg column type for {annotation!r}; supported are str, int, float, "
            "bool, list[...], dict (stored as JSON text) and OpenRTB models"
        )


def _unwrap(annotation: Any, metadata: list[Any], path: str) -> tuple[Any, bool, list[Any]]:
    """Strip ``Annotated`` (collecting its metadata) and ``| None``: (type, nullable, metadata)."""
    nullable = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            base, *extra = typing.get_args(annotation)
            metadata.extend(extra)
            annotation = base
        elif origin is Union or origin is types.UnionType:
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) != len(typing.get_args(annotation)):
                nullable = True
            if len(members) != 1:
                raise SchemaDerivationError(
                    f"{path}: a column holds one type, but the field allows {members}"
                )
            annotation = members[0]
        else:
            return annotation, nullable, metadata


def _integer_type(metadata: Iterable[Any]) -> IcebergType:
    # ``Ge``/``Le``/``Interval`` constraints all expose their bounds under these names.
    for constraint in metadata:
        for attribute in ("ge", "gt", "le", "lt"):
            bound = getattr(constraint, attribute, None)
            if isinstance(bound, int) and not _INT32_MIN <= bound <= _INT32_MAX:
                return LongType()
    return IntegerType()


def _literal_type(values: tuple[Any, ...], path: str) -> IcebergType:
    kinds = {type(value.value) if isinstance(value, Enum) else type(value) for value in values}
    if kinds == {str}:
        return StringType()
    if kinds == {int}:
        return IntegerType()
    raise SchemaDerivationError(f"{path}: literal values {values!r} mix types")


@dataclass(frozen=True, slots=True)
class TableLayout:
    """The table's schema, partition spec and the columns that hold JSON text."""

    schema: Schema
    partition_spec: PartitionSpec
    json_column_paths: tuple[str, ...]


def derive_table_layout(model: type[BaseModel], event: str = "bid request") -> TableLayout:
    """Build the table layout for rows of ``model`` (the OpenRTB ``BidRequest``, or a funnel
    record); ``event`` names what the event time is the time of."""
    builder = _Builder()
    columns = [*_metadata_columns(builder.next_id, event), *builder.struct_fields(model, "")]
    clashes = {column.name for column in columns[len(PROVENANCE_COLUMNS) :]} & set(
        PROVENANCE_COLUMNS
    )
    if clashes:
        raise SchemaDerivationError(
            f"{model.__name__} has fields named like the table's own columns: {sorted(clashes)}"
        )
    schema = assign_fresh_schema_ids(Schema(*columns))
    spec = PartitionSpec(
        PartitionField(
            source_id=schema.find_field(EVENT_TIME).field_id,
            field_id=_FIRST_PARTITION_FIELD_ID,
            transform=HourTransform(),
            name=EVENT_TIME_PARTITION,
        )
    )
    return TableLayout(schema, spec, tuple(builder.json_paths))


@cache
def bid_request_layout() -> TableLayout:
    """The layout of the ``bid_requests`` table, derived from the OpenRTB ``BidRequest`` model."""
    from mock_data_gen.openrtb import BidRequest

    return derive_table_layout(BidRequest)
