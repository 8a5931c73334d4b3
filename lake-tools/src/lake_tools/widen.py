"""Widening a pruned Arrow array back to the table's full type, with nulls for what was not read.

DuckDB binds the table (and the views over it) to the table's full schema once, but each query
reads only the columns its plan needs (``sql_plan``): every other column, and every member of a
struct that was not read, is filled with nulls, which DuckDB never looks at since its plan does not
read them.
"""

from __future__ import annotations

import pyarrow as pa


def widen(array: pa.Array, full: pa.DataType) -> pa.Array:
    """``array`` as type ``full``: members missing from a struct become null, leaves are cast."""
    if array.type.equals(full):
        return array
    mask = array.is_null() if array.null_count else None
    if pa.types.is_struct(full):
        present = {array.type.field(i).name: i for i in range(array.type.num_fields)}
        # flatten() applies the array's offset (a slice) to the members.
        members = array.flatten()
        children = [
            widen(members[present[field.name]], field.type)
            if field.name in present
            else pa.nulls(len(array), field.type)
            for field in full
        ]
        return pa.StructArray.from_arrays(children, fields=list(full), mask=mask)
    if pa.types.is_list(full) or pa.types.is_large_list(full):
        values = widen(array.values, full.value_type)
        factory = pa.LargeListArray if pa.types.is_large_list(full) else pa.ListArray
        offsets = array.offsets
        if mask is not None:
            # from_arrays refuses offsets with nulls and a mask together; the mask says it all.
            offsets = offsets.fill_null(0)
        return factory.from_arrays(offsets, values, type=full, mask=mask)
    if pa.types.is_map(full):
        return array.cast(full)
    return array.cast(full)


def widen_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` with every column of ``schema``: the ones not read are null."""
    names = set(batch.schema.names)
    columns = [
        widen(batch.column(field.name), field.type)
        if field.name in names
        else pa.nulls(batch.num_rows, field.type)
        for field in schema
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema)
