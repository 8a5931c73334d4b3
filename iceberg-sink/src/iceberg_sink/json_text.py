"""Members kept as JSON text (the ``ext`` objects), rewritten in raw NDJSON before Arrow reads it.

Arrow's JSON reader cannot turn an object into a string column, so each such member's value is
replaced by a JSON string holding the value's compact JSON text: ``"ext":{"a":1}`` becomes
``"ext":"{\\"a\\":1}"``. The rewrite costs Python work per member found, and a pattern search per
record: only the records that hold a member name are rewritten, where only the member's value is
decoded (the standard library's C decoder reports where the value ends) and spliced in; then all
records are joined into newline-delimited JSON, which copies them once.

In valid JSON, a quoted name preceded by ``{`` or ``,`` and followed by ``:`` is always a member
name: inside a string a quote is escaped, and a closing quote is never followed by a letter. So
members are found by name wherever they are nested; the caller makes sure that every column of
that name is a JSON-text column. Values that are strings or null are kept as they are; a value that
does not decode is left unchanged for the reader to reject, with the record, as not fitting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

_WHITESPACE = frozenset(b" \t\r\n")
_BEFORE_NAME = frozenset(b"{,")
_COLON = ord(":")
_QUOTE = ord('"')
_NULL = ord("n")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# NaN and Infinity are not JSON: refusing them leaves such a record for the reader to reject.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


class JsonTextMembers:
    """Rewrites the values of members called ``names`` into JSON strings of their JSON text."""

    def __init__(self, names: Iterable[str]) -> None:
        # A compiled literal pattern scans faster than bytes.find, whose skip test is the
        # needle's last character: a quote, on nearly every other byte of JSON.
        self._needles = tuple(
            re.compile(re.escape(f'"{name}"'.encode())) for name in sorted(set(names))
        )

    def join(self, documents: Sequence[bytes]) -> bytes:
        """``documents`` (JSON without line breaks) with the members rewritten, one per line."""
        # Record by record, not over the joined data: rewriting that would copy it all again.
        for needle in self._needles:
            search = needle.search
            documents = [_rewrite(d, needle) if search(d) else d for d in documents]
        return b"\n".join(documents)


def _rewrite(data: bytes, needle: re.Pattern[bytes]) -> bytes:
    # Views, not slices: the unchanged stretches are copied once, by the join.
    view = memoryview(data)
    parts: list[bytes | memoryview] = []
    done = 0  # data[:done] is in parts
    search = needle.search
    match = search(data)
    while match is not None:
        found, resume = match.span()
        before = found - 1
        while before >= 0 and data[before] in _WHITESPACE:
            before -= 1
        if before >= 0 and data[before] in _BEFORE_NAME and found >= done:
            value = _skip_whitespace(data, resume)
            if value < len(data) and data[value] == _COLON:
                value = _skip_whitespace(data, value + 1)
                decoded = _decode_value(data, value)
                if decoded is not None:
                    parsed, end = decoded
                    parts.append(view[done:value])
                    parts.append(_json_string(parsed, data[value:end]))
                    done = resume = end
        match = search(data, resume)
    if not parts:
        return data
    parts.append(view[done:])
    return b"".join(parts)


def _skip_whitespace(data: bytes, index: int) -> int:
    while index < len(data) and data[index] in _WHITESPACE:
        index += 1
    return index


def _decode_value(data: bytes, start: int) -> tuple[Any, int] | None:
    """The value at ``start`` and where it ends, unless it is a string, null or malformed."""
    if start >= len(data) or data[start] in (_QUOTE, _NULL):
        return None
    line_end = data.find(b"\n", start)
    if line_end < 0:
        line_end = len(data)
    try:
        # Decoding only the rest of this record's line keeps the work proportional to the value.
        rest = data[start:line_end].decode()
        value, length = _DECODER.raw_decode(rest)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    if len(rest) != line_end - start:  # non-ASCII text before the end: count bytes, not characters
        length = len(rest[:length].encode())
    return value, start + length


def _json_string(value: Any, text: bytes) -> bytes:
    """A JSON string holding ``value`` as compact JSON (``text``: the value as it was sent)."""
    try:
        compact = orjson.dumps(value)
    except orjson.JSONEncodeError:  # integers beyond 64 bits: keep the text as it was sent
        compact = text
    return orjson.dumps(compact.decode())
