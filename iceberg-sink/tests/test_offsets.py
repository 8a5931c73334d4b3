"""The offsets codec of the snapshot summary."""

from __future__ import annotations

import pytest

from iceberg_sink.offsets import OffsetCodecError, decode, encode, merge, summary_key


def test_round_trip_keeps_every_topic_and_partition() -> None:
    offsets = {"bid_requests": {0: 10, 11: 7}, "other": {3: 0}}
    text = encode(offsets)
    assert text == '{"bid_requests":{"0":10,"11":7},"other":{"3":0}}'
    assert decode(text) == offsets
    assert summary_key("g1") == "kafka.offsets.g1"


def test_merge_updates_one_topic_and_keeps_the_rest() -> None:
    base = {"t": {0: 5, 1: 9}, "u": {0: 1}}
    assert merge(base, "t", {1: 12, 2: 3}) == {"t": {0: 5, 1: 12, 2: 3}, "u": {0: 1}}
    assert base == {"t": {0: 5, 1: 9}, "u": {0: 1}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[1]", "must be a JSON object"),
        ('{"t": [1]}', "offsets of topic 't' must be an object"),
        ('{"t": {"x": 1}}', "entry 'x'"),
        ('{"t": {"0": -1}}', "offset >= 0"),
    ],
)
def test_decode_names_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(OffsetCodecError, match=message):
        decode(text)
