"""Arrow types of the table's rows: parts of the table's types, and values shaped to fit them.

Rows hold only the columns and struct members that the records have carried so far (what the JSON
reader observed, plus whatever is required), not every column of the table: a bid request fills a
small part of OpenRTB, and in Parquet every column costs time for each row written, even one that
is always null. An Iceberg reader resolves a column that a data file lacks as null (the spec's
column projection by field id, the same rule that lets old files be read after a column is added),
so leaving out optional columns that hold no value changes nothing a query sees. Required columns
are always written.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def restrict(target: pa.DataType, observed: Sequence[pa.DataType]) -> pa.DataType:
    """``target`` reduced to the struct members present in any of the ``observed`` types."""
    if pa.types.is_struct(target):
        structs = [o for o in observed if pa.types.is_struct(o)]
        fields = []
        for i in range(target.num_fields):
            member = target.field(i)
            seen = [o.field(member.name).type for o in structs if member.name in o.names]
            if seen:
                fields.append(pa.field(member.name, restrict(member.type, seen)))
        return pa.struct(fields)
    if pa.types.is_list(target):
        values = [o.value_type for o in observed if pa.types.is_list(o)]
        return pa.list_(pa.field(target.value_field.name, restrict(target.value_type, values)))
    return target


_FILL: dict[str, Any] = {"string": "", "bool": False}


def conform(array: pa.Array, field: pa.Field) -> pa.Array:
    """``array`` (read with a narrower, all-optional type) in the table's exact type of ``field``.

    Absent members become nulls. Under an absent parent a required member still needs values
    (Arrow forbids nulls in a non-nullable child), so there it gets empty lists and zeros, which
    no reader sees because the parent is null.
    """
    target = field.type
    mask = array.is_null() if field.nullable and array.null_count else None
    if pa.types.is_struct(target):
        source = array.type
        names = [source.field(i).name for i in range(source.num_fields)]
        children = dict(zip(names, array.flatten(), strict=True))
        fields = [target.field(i) for i in range(target.num_fields)]
        columns = [
            conform(children[f.name], f) if f.name in children else _absent(len(array), f)
            for f in fields
        ]
        return pa.StructArray.from_arrays(columns, fields=fields, mask=mask)
    if pa.types.is_list(target):
        values = conform(array.values, target.value_field)
        return pa.ListArray.from_arrays(array.offsets, values, type=target, mask=mask)
    if array.type != target:
        array = array.cast(target)
    if not field.nullable and array.null_count:
        array = pc.fill_null(array, _FILL.get(str(target), 0))
    return array


def _absent(length: int, field: pa.Field) -> pa.Array:
    """A column of ``length`` nulls (zeros and empty lists where ``field`` is required)."""
    return conform(pa.nulls(length, _loose(field.type)), field)


def _loose(data_type: pa.DataType) -> pa.DataType:
    if pa.types.is_struct(data_type):
        return pa.struct([pa.field(f.name, _loose(f.type)) for f in data_type])
    if pa.types.is_list(data_type):
        return pa.list_(pa.field(data_type.value_field.name, _loose(data_type.value_type)))
    return data_type


def check_required(array: pa.Array, field: pa.Field, path: str, present: np.ndarray) -> None:
    """Raise ``ValueError`` if a required value is null where all its parents are present."""
    is_valid = array.is_valid().to_numpy(zero_copy_only=False)
    if not field.nullable and (present & ~is_valid).any():
        raise ValueError(f"required field {path} is missing or null")
    valid = present & is_valid
    data_type = field.type
    if pa.types.is_struct(data_type):
        source = array.type
        names = [source.field(i).name for i in range(source.num_fields)]
        children = dict(zip(names, array.flatten(), strict=True))
        for i in range(data_type.num_fields):
            member = data_type.field(i)
            if not has_required(member):
                continue
            if member.name in children:
                check_required(children[member.name], member, f"{path}.{member.name}", valid)
            elif not member.nullable and valid.any():
                raise ValueError(f"required field {path}.{member.name} is missing or null")
    elif pa.types.is_list(data_type) and has_required(data_type.value_field):
        parents = pc.list_parent_indices(array).to_numpy(zero_copy_only=False)
        check_required(array.flatten(), data_type.value_field, f"{path}[]", valid[parents])


@cache
def has_required(field: pa.Field) -> bool:
    data_type = field.type
    if not field.nullable:
        return True
    if pa.types.is_struct(data_type):
        return any(has_required(data_type.field(i)) for i in range(data_type.num_fields))
    if pa.types.is_list(data_type):
        return has_required(data_type.value_field)
    return False


@cache
def _holds_required_member(data_type: pa.DataType) -> bool:
    """Whether a struct somewhere in ``data_type`` has a required member (list elements being
    non-null does not count: an empty list needs no element)."""
    if pa.types.is_struct(data_type):
        return any(
            not member.nullable or _holds_required_member(member.type)
            for member in (data_type.field(i) for i in range(data_type.num_fields))
        )
    if pa.types.is_list(data_type):
        return _holds_required_member(data_type.value_type)
    return False


def narrow(field: pa.Field, present: pa.DataType | None) -> pa.Field:
    """``field`` cut down to the struct members in ``present`` (a type the reader produced) and
    those that are or hold required ones; ``None``: nothing present, only those are kept.

    An optional struct holding a required member stays, all null, even when no record filled it:
    a reader projecting the table's type onto a file that lacks such a struct inside a list
    (``imp[].video`` with its required ``mimes``) fails instead of reading nulls (pyiceberg 0.12
    does), while a null struct that is present reads as null everywhere."""
    data_type = field.type
    if pa.types.is_struct(data_type):
        seen = present if present is not None and pa.types.is_struct(present) else None
        members = []
        for i in range(data_type.num_fields):
            member = data_type.field(i)
            if seen is not None and member.name in seen.names:
                members.append(narrow(member, seen.field(member.name).type))
            elif not member.nullable or _holds_required_member(member.type):
                members.append(narrow(member, None))
        return field.with_type(pa.struct(members))
    if pa.types.is_list(data_type):
        values = present.value_type if present is not None and pa.types.is_list(present) else None
        return field.with_type(pa.list_(narrow(data_type.value_field, values)))
    return field


def within(data_type: pa.DataType, wider: pa.DataType) -> bool:
    """Whether every struct member of ``data_type`` is also in ``wider``, of the same type."""
    if pa.types.is_struct(data_type) and pa.types.is_struct(wider):
        for i in range(data_type.num_fields):
            member = data_type.field(i)
            index = wider.get_field_index(member.name)
            if index < 0 or not within(member.type, wider.field(index).type):
                return False
        return True
    if pa.types.is_list(data_type) and pa.types.is_list(wider):
        return within(data_type.value_type, wider.value_type)
    return bool(data_type == wider)


def widen(rows: pa.Table, schema: pa.Schema) -> pa.Table:
    """``rows`` in ``schema``, a wider part of the table's columns (see :func:`within`): the
    columns and members the rows lack are nulls."""
    columns = [
        pa.chunked_array([conform(chunk, field) for chunk in rows.column(field.name).chunks])
        if field.name in rows.column_names
        else pa.chunked_array([_absent(rows.num_rows, field)])
        for field in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def concat_rows(tables: Sequence[pa.Table]) -> pa.Table:
    """One table of ``tables``, whose columns may be different parts of the table's columns.

    Columns and members missing from some of them are filled with nulls there; they are all
    optional (required ones are never left out).
    """
    if len(tables) == 1:
        return tables[0]
    return pa.concat_tables(tables, promote_options="permissive")


def misfit(schema: pa.Schema, table_schema: pa.Schema) -> str | None:
    """Why rows of ``schema`` cannot be written as the table's (``None``: they can).

    They can if every column and member is one of the table's, of its type and nullability, and
    no required one is missing.
    """
    return _misfit_struct(pa.struct(list(schema)), pa.struct(list(table_schema)), "")


def _misfit_struct(data_type: pa.StructType, table_type: pa.StructType, path: str) -> str | None:
    names = set()
    for i in range(data_type.num_fields):
        field = data_type.field(i)
        names.add(field.name)
        where = f"{path}{field.name}"
        index = table_type.get_field_index(field.name)
        if index < 0:
            return f"{where} is not a column of the table"
        reason = _misfit_field(field, table_type.field(index), where)
        if reason is not None:
            return reason
    for i in range(table_type.num_fields):
        member = table_type.field(i)
        if not member.nullable and member.name not in names:
            return f"required {path}{member.name} is missing"
    return None


def _misfit_field(field: pa.Field, table_field: pa.Field, path: str) -> str | None:
    if field.nullable != table_field.nullable:
        return f"{path} differs in nullability"
    data_type, table_type = field.type, table_field.type
    if pa.types.is_struct(table_type) and pa.types.is_struct(data_type):
        return _misfit_struct(data_type, table_type, f"{path}.")
    if _is_list(table_type) and _is_list(data_type):
        return _misfit_field(data_type.value_field, table_type.value_field, f"{path}[]")
    if _plain(data_type) != _plain(table_type):
        return f"{path} is {data_type}, not {table_type}"
    return None


def _is_list(data_type: pa.DataType) -> bool:
    return bool(pa.types.is_list(data_type) or pa.types.is_large_list(data_type))


def _plain(data_type: pa.DataType) -> Any:
    """Offsets of 32 or 64 bits make no difference in Parquet."""
    if pa.types.is_large_string(data_type):
        return pa.string()
    if pa.types.is_large_binary(data_type):
        return pa.binary()
    return data_type
