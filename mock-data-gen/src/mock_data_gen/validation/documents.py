"""Splitting input into documents: JSON Lines, or one JSON document spread over many lines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Document:
    """The text of one bid request and the input line it starts on (1-based)."""

    line: int
    text: bytes


def split_documents(lines: Iterable[bytes]) -> Iterator[Document]:
    """Split input into documents: JSON Lines, or one JSON document spread over many lines.

    The first non-blank line decides. If it is a complete JSON value, or broken before its end,
    the input is JSON Lines and every non-blank line is a document (a broken one is reported on
    its own line and checking goes on). If it merely stops short, the document may continue on the
    following lines: the whole input is that one document, unless it does not parse as one while
    some later line is an unindented JSON object of its own, in which case the first line was a
    truncated JSON line and the input is JSON Lines after all.
    """
    numbered = enumerate(lines, start=1)
    for number, line in numbered:
        if number == 1:
            line = line.removeprefix(_BOM)
        if line.strip():
            break
    else:
        return
    if _continues_on_later_lines(line):
        rest = list(numbered)
        whole = line + b"".join(text for _, text in rest)
        if _parses(whole) or not any(_is_request_line(text) for _, text in rest):
            yield Document(number, whole)
            return
        numbered = enumerate((text for _, text in rest), start=number + 1)
    yield _json_line(number, line)
    for number, line in numbered:
        if line.strip():
            yield _json_line(number, line)


def _json_line(number: int, line: bytes) -> Document:
    # Without its line break, an error at the end of the line is reported on this line, not on
    # the next one.
    return Document(number, line.rstrip())


def _continues_on_later_lines(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError as error:
        return error.pos >= len(line.rstrip())
    return False


def _parses(text: bytes) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True


def _is_request_line(line: bytes) -> bool:
    """Whether ``line`` is a JSON object on its own, starting the line: inside a pretty-printed
    document, a nested object that fits on one line is indented."""
    stripped = line.rstrip()
    return stripped.startswith(b"{") and stripped.endswith(b"}") and _parses(stripped)
