"""The models' errors in words a sender can act on: malformed JSON, wrong JSON types, missing
required fields and values outside what the spec allows."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic_core import ErrorDetails

from mock_data_gen.validation.findings import Loc, shown

_JSON_POSITION = re.compile(r" at line (\d+) column (\d+)$")

# Errors of the models' rules across fields ("only one of", unique imp ids, a Qty's vendor). The
# semantic rules report the same, and more: every case in the object rather than the first one,
# on the member concerned, and also when other fields of the object have errors.
CROSS_FIELD_ERRORS = frozenset({"exclusive_fields", "duplicate_imp_id", "vendor_required"})


@dataclass(frozen=True, slots=True)
class ModelError:
    """One error of the models; ``line_offset`` is set for malformed JSON only (its line within
    the document, counted from 0), which has no location in a parsed tree."""

    loc: Loc
    message: str
    kind: str
    line_offset: int | None = None


def model_error(error: ErrorDetails) -> ModelError:
    kind = error["type"]
    ctx = error.get("ctx", {})
    loc = tuple(error["loc"])
    if kind == "json_invalid":
        reason = str(ctx.get("error", error["msg"]))
        position = _JSON_POSITION.search(reason)
        offset = 0
        if position:
            offset = int(position.group(1)) - 1
            reason = f"{reason[: position.start()]} at column {position.group(2)}"
        return ModelError(loc, f"malformed JSON: {reason}", kind, offset)
    if kind == "missing":
        return ModelError(loc, "required field is missing", kind)
    message = _READABLE[kind].format(**ctx) if kind in _READABLE else error["msg"]
    if kind == "too_short" and ctx.get("min_length") == 1:
        message = "must not be empty"
    if kind in _SHOW_INPUT:
        message = f"{message}, got {shown(error['input'])}"
    elif kind == "string_too_long":
        message = f"{message}, got {len(error['input'])}"
    return ModelError(loc, message, kind)


_READABLE = {
    "int_type": "expected an integer",
    "float_type": "expected a number",
    "string_type": "expected a string",
    "list_type": "expected an array",
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "model_attributes_type": "expected an object",
    "too_short": "must have at least {min_length} element(s)",
    "string_too_long": "must be at most {max_length} characters long",
    "greater_than_equal": "must be at least {ge:g}",
    "less_than_equal": "must be at most {le:g}",
    "finite_number": "must be a finite number",
}
_SHOW_INPUT = frozenset(
    {
        "int_type",
        "float_type",
        "string_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "choice",
        "greater_than_equal",
        "less_than_equal",
        "finite_number",
    }
)
