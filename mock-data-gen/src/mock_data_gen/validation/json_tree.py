"""Reading a request as parsed JSON, before (or instead of) the models.

Checks read the JSON itself, so that they report on a request the models reject too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from mock_data_gen.validation.findings import Loc

JSONObject = Mapping[str, object]


def items(data: JSONObject, key: str, loc: Loc) -> Iterator[tuple[Loc, object]]:
    """The elements of the array ``data[key]`` with their locations, or the value itself."""
    value = data.get(key)
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield (*loc, key, index), item
    elif value is not None:
        yield (*loc, key), value
