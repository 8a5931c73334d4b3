"""Pruned Arrow arrays widened back to the full type, nulls where nothing was read."""

from __future__ import annotations

import pyarrow as pa

from lake_tools.widen import widen, widen_batch

FULL = pa.struct(
    [("geo", pa.struct([("country", pa.string()), ("city", pa.string())])), ("os", pa.string())]
)


def test_missing_struct_members_become_null_and_nulls_stay_null() -> None:
    pruned = pa.array(
        [{"geo": {"country": "DEU"}}, None, {"geo": None}],
        type=pa.struct([("geo", pa.struct([("country", pa.string())]))]),
    )

    wide = widen(pruned, FULL)

    assert wide.type == FULL
    assert wide.to_pylist() == [
        {"geo": {"country": "DEU", "city": None}, "os": None},
        None,
        {"geo": None, "os": None},
    ]


def test_lists_of_structs_and_slices() -> None:
    element = pa.struct([("id", pa.string()), ("bidfloor", pa.float64())])
    pruned = pa.array(
        [[{"id": "1"}], None, [{"id": "2"}, {"id": "3"}]],
        type=pa.list_(pa.struct([("id", pa.string())])),
    ).slice(1)

    wide = widen(pruned, pa.list_(element))

    assert wide.to_pylist() == [
        None,
        [{"id": "2", "bidfloor": None}, {"id": "3", "bidfloor": None}],
    ]


def test_batches_get_every_column() -> None:
    schema = pa.schema([("id", pa.string()), ("device", FULL)])
    batch = pa.record_batch([pa.array(["a"])], names=["id"])

    wide = widen_batch(batch, schema)

    assert wide.schema == schema
    assert wide.to_pylist() == [{"id": "a", "device": None}]
