"""Rewriting JSON-text members (``ext``) in raw NDJSON, and the converter's guard for it."""

from __future__ import annotations

import orjson
import pyarrow as pa
import pytest

from iceberg_sink.arrow_convert import ConversionError, RecordConverter
from iceberg_sink.json_text import JsonTextMembers

EXT = JsonTextMembers(["ext"])


def _rewritten(*documents: bytes) -> list[object]:
    return [orjson.loads(line) for line in EXT.join(documents).split(b"\n")]


def test_objects_at_any_depth_become_their_compact_json_text() -> None:
    document = (
        b'{"id":"1","ext":{"a": 1, "b": [1, 2]},'
        b'"imp":[{"id":"1","ext":{"x":{"y":true}}},{"id":"2","banner":{"ext":[1,"2"]}}]}'
    )
    assert _rewritten(document) == [
        {
            "id": "1",
            "ext": '{"a":1,"b":[1,2]}',
            "imp": [
                {"id": "1", "ext": '{"x":{"y":true}}'},
                {"id": "2", "banner": {"ext": '[1,"2"]'}},
            ],
        }
    ]


def test_only_the_outermost_member_is_rewritten() -> None:
    (document,) = _rewritten(b'{"ext":{"prebid":{"ext":{"k":1}}}}')
    assert document == {"ext": '{"prebid":{"ext":{"k":1}}}'}


def test_strings_null_and_lookalikes_are_left_alone() -> None:
    documents = (
        b'{"ext":"already text"}',
        b'{"ext":null}',
        b'{"page":"a \\"ext\\": {1} b","next":{"ext2":1}}',
        b'{"name":"ext","tags":["a","ext"],"o":{"k":1}}',
        b'{"ext" :\t{"spaced":1} , "id":"x"}',
        b'{"ext":7}',
    )
    assert _rewritten(*documents) == [
        {"ext": "already text"},
        {"ext": None},
        {"page": 'a "ext": {1} b', "next": {"ext2": 1}},
        {"name": "ext", "tags": ["a", "ext"], "o": {"k": 1}},
        {"ext": '{"spaced":1}', "id": "x"},
        {"ext": "7"},
    ]


def test_byte_offsets_hold_with_non_ascii_text() -> None:
    documents = (b'{"ext":{"city":"Z\xc3\xbcrich"},"name":"\xc3\xa9t\xc3\xa9"}', b'{"ext":{}}')
    assert _rewritten(*documents) == [
        {"ext": '{"city":"Zürich"}', "name": "été"},
        {"ext": "{}"},
    ]


def test_values_that_do_not_decode_are_left_for_the_reader_to_reject() -> None:
    broken = b'{"ext":{"a":1,}}'
    not_json = b'{"ext":{"a":NaN}}'
    fine = b'{"ext":{"a":1}}'
    data = EXT.join([broken, not_json, fine])
    assert data.split(b"\n") == [broken, not_json, b'{"ext":"{\\"a\\":1}"}']


def test_integers_beyond_64_bits_keep_their_text() -> None:
    (document,) = _rewritten(b'{"ext":{"big":123456789012345678901234567890}}')
    assert document == {"ext": '{"big":123456789012345678901234567890}'}


def test_a_non_json_column_named_like_a_json_column_is_refused() -> None:
    schema = pa.schema(
        [
            pa.field("event_time", pa.timestamp("us", "UTC"), False),
            pa.field("kafka_partition", pa.int32(), False),
            pa.field("kafka_offset", pa.int64(), False),
            pa.field("ext", pa.string()),
            pa.field("site", pa.struct([pa.field("ext", pa.struct([pa.field("a", pa.int32())]))])),
        ]
    )
    with pytest.raises(ConversionError, match=r"column site\.ext is named like"):
        RecordConverter(schema, ["ext"])


def test_a_listed_json_text_column_that_is_no_string_column_is_refused() -> None:
    schema = pa.schema(
        [
            pa.field("event_time", pa.timestamp("us", "UTC"), False),
            pa.field("kafka_partition", pa.int32(), False),
            pa.field("kafka_offset", pa.int64(), False),
            pa.field("ext", pa.string()),
            pa.field("site", pa.struct([pa.field("id", pa.int32())])),
        ]
    )
    for listed in (["ext", "site.id"], ["ext", "site.gone"]):
        with pytest.raises(ConversionError, match=r"json-text-fields property names columns"):
            RecordConverter(schema, listed)
    RecordConverter(schema, ["ext"])
