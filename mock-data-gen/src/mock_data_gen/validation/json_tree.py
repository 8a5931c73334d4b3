"""Reading a request as parsed JSON, before (or instead of) the models.

Checks read the JSON itself, so that they report on a request the models reject too. Values of
the wrong JSON type are the models' errors: the readers here return ``None`` for them, and the
checks pass over them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from mock_data_gen.openrtb import BidRequest, OpenRTBModel, child_models
from mock_data_gen.validation.findings import Loc

JSONObject = Mapping[str, object]


def walk(data: object) -> Iterator[tuple[type[OpenRTBModel], JSONObject, Loc]]:
    """Every OpenRTB object of a request, with its model and location, parents first."""
    if isinstance(data, dict):
        yield from _walk(BidRequest, data, ())


def _walk(
    model: type[OpenRTBModel], data: JSONObject, loc: Loc
) -> Iterator[tuple[type[OpenRTBModel], JSONObject, Loc]]:
    yield model, data, loc
    for key, child in child_models(model).items():
        for item_loc, item in items(data, key, loc):
            if isinstance(item, dict):
                yield from _walk(child, item, item_loc)


def items(data: JSONObject, key: str, loc: Loc) -> Iterator[tuple[Loc, object]]:
    """The elements of the array ``data[key]`` with their locations, or the value itself."""
    value = data.get(key)
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield (*loc, key, index), item
    elif value is not None:
        yield (*loc, key), value


def present(data: JSONObject, key: str) -> bool:
    """Whether ``key`` is given: ``null`` and ``[]`` read as absent, as in the models."""
    return data.get(key) not in (None, [])


def integer(data: JSONObject, key: str) -> int | None:
    value = data.get(key)
    # bool is an int to Python, not to JSON.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def number(data: JSONObject, key: str) -> float | None:
    return as_number(data.get(key))


def as_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def string(data: JSONObject, key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def obj(data: JSONObject, key: str) -> JSONObject | None:
    value = data.get(key)
    return value if isinstance(value, dict) else None
