"""JSON -> Arrow conversion against the real table layout."""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa
import pyarrow.json as pa_json
from mock_data_gen.lakehouse.table_schema import bid_request_layout
from payloads import payload
from sink_runner import bid_requests

from iceberg_sink.arrow_convert import RawRecords, RecordConverter
from iceberg_sink.arrow_shape import concat_rows, misfit


def _converter() -> RecordConverter:
    layout = bid_request_layout()
    return RecordConverter(layout.schema.as_arrow(), layout.json_column_paths)


def _records(payloads: list[bytes | None]) -> RawRecords:
    n = len(payloads)
    return RawRecords(
        payloads,
        [i % 3 for i in range(n)],
        list(range(n)),
        [1_700_000_000_000 + i for i in range(n)],
        [None] * n,
    )


def test_rows_equal_a_full_schema_read_and_carry_kafka_columns() -> None:
    payloads = bid_requests(500) + [payload(i, with_ext=False) for i in range(500)]
    converter = _converter()
    converted = converter.convert(_records(list(payloads)))
    assert converted.rejections == []
    # Records carrying JSON-text members are converted as a group of their own, so row order
    # differs from offset order; the Kafka columns still pair each row with its record.
    table = converted.table.sort_by("kafka_offset")
    assert table.num_rows == 1000
    assert table.column("kafka_offset").to_pylist() == list(range(1000))
    assert table.column("kafka_partition").to_pylist() == [i % 3 for i in range(1000)]
    assert table.column("event_time")[0].as_py().timestamp() == 1_700_000_000
    # The same values as one straight read against the complete (all-optional) schema.
    plain = b"\n".join(payload(i, with_ext=False) for i in range(500))
    reference = pa_json.read_json(
        pa.py_buffer(plain),
        parse_options=pa_json.ParseOptions(
            explicit_schema=converter._read_schema, unexpected_field_behavior="ignore"
        ),
    )
    # Rows leave out the optional columns and members no record filled: a reader sees nulls there.
    assert "wlangb" not in table.column_names
    ours = table.slice(500).drop_columns(["kafka_offset", "kafka_partition", "event_time"])
    assert _present(ours.to_pylist()) == _present(reference.to_pylist())
    first = orjson.loads(payloads[0])
    if "ext" in first:
        assert orjson.loads(table.column("ext")[0].as_py()) == first["ext"]


def _present(value: Any) -> Any:
    """``value`` without the null members of its objects (absent and null read the same)."""
    if isinstance(value, dict):
        return {k: _present(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_present(v) for v in value]
    return value


def test_rows_of_chunks_with_different_columns_concatenate() -> None:
    converter = _converter()
    plain = converter.convert(_records([payload(i, with_ext=False) for i in range(5)])).table
    rich = converter.convert(_records(list(bid_requests(50)))).table
    assert plain.schema != rich.schema
    rows = concat_rows([plain, rich])
    assert rows.num_rows == 55
    assert _present(rows.slice(0, 5).to_pylist()) == _present(plain.to_pylist())
    assert _present(rows.slice(5).to_pylist()) == _present(rich.to_pylist())
    assert misfit(rows.schema, bid_request_layout().schema.as_arrow()) is None


def test_bad_records_are_isolated_with_reasons() -> None:
    good = [payload(i) for i in range(40)]
    bad: list[bytes | None] = [
        None,
        b"{broken",
        b"[1]",
        b'{"id": "x", "imp": [{"id": 1}]}',
        b'{"id": "y"}',
        b'{"id":"a","imp":[{"id":"1"}]}{"id":"b","imp":[{"id":"1"}]}',
        b'{"id":"z","imp":[{"id":"1","video":{"w":1}}]}',
    ]
    records: list[bytes | None] = [*good[:20], *bad, *good[20:]]
    converted = _converter().convert(_records(records))
    assert converted.table.num_rows == 40
    reasons = {r.index - 20: r.reason for r in converted.rejections}
    assert reasons == {
        0: "empty_value",
        1: "invalid_json",
        2: "schema_mismatch",
        3: "schema_mismatch",
        4: "schema_mismatch",
        5: "invalid_json",
        6: "schema_mismatch",
    }
    details = {r.index - 20: r.detail for r in converted.rejections}
    assert "imp" in details[4] and "imp[].video.mimes" in details[6]


def test_line_breaks_inside_a_record_do_not_split_it() -> None:
    pretty = orjson.dumps(orjson.loads(payload(3)), option=orjson.OPT_INDENT_2)
    converted = _converter().convert(_records([pretty, payload(4)]))
    assert converted.rejections == [] and converted.table.num_rows == 2


def test_malformed_records_in_a_large_batch_are_set_aside_and_the_rest_kept_in_order() -> None:
    records: list[bytes | None] = [payload(i) for i in range(2_000)]
    for i in range(7, 2_000, 100):
        records[i] = (records[i] or b"")[:100]  # cut off mid-document
    records[500] = b"[1]"

    converted = _converter().convert(_records(records))

    reasons = {r.index: r.reason for r in converted.rejections}
    cut_off = dict.fromkeys(range(7, 2_000, 100), "invalid_json")
    assert reasons == {**cut_off, 500: "schema_mismatch"}
    assert converted.table.num_rows == 2_000 - len(reasons)
    kept = converted.table.column("kafka_offset").to_pylist()
    assert kept == [i for i in range(2_000) if i not in reasons]
