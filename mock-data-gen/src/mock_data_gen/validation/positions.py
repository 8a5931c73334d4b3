"""On which line of a multi-line JSON document each member and array element starts.

A pretty-printed request spreads over many lines, and a finding is worth most on the line of
the member it is about. JSON parsers keep no positions, so one scan over the tokens of the text
(strings, punctuation, bare scalars and line breaks) follows the nesting and notes the line of
every object member (the line of its name) and every array element (the line its value starts
on). Only documents that did parse are scanned, so the scan need not handle broken JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import orjson

from mock_data_gen.validation.findings import Loc

# A string (JSON strings hold no raw line break), one punctuation character, a line break, or a
# bare scalar (number, true, false, null).
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\]:,\n]|[^\s"{}\[\]:,]+')


@dataclass(slots=True)
class _Container:
    loc: Loc
    is_array: bool
    index: int = 0
    key: str = ""
    expects_key: bool = True


@dataclass(slots=True)
class LineMap:
    """The line (1-based, within the document) where each location starts."""

    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int:
        """The line of ``loc``, or of its nearest enclosing member where it is absent (a
        missing field is reported where its object is)."""
        while loc and loc not in self.lines:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


def line_map(text: bytes) -> LineMap:
    """Scan a document that parses as JSON; the last of duplicate member names wins, as when
    parsing."""
    lines: dict[Loc, int] = {}
    line = 1
    stack: list[_Container] = []
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token == b"\n":
            line += 1
        elif token == b",":
            top = stack[-1]
            if top.is_array:
                top.index += 1
            else:
                top.expects_key = True
        elif token in (b"}", b"]"):
            stack.pop()
        elif token == b":":
            continue
        elif stack and not stack[-1].is_array and stack[-1].expects_key:
            top = stack[-1]
            top.key = orjson.loads(token)
            top.expects_key = False
            lines[(*top.loc, top.key)] = line
        else:
            loc = _value_loc(stack)
            if (stack and stack[-1].is_array) or not stack:
                lines[loc] = line
            if token in (b"{", b"["):
                stack.append(_Container(loc, is_array=token == b"["))
    return LineMap(lines)


def _value_loc(stack: list[_Container]) -> Loc:
    if not stack:
        return ()
    top = stack[-1]
    return (*top.loc, top.index) if top.is_array else (*top.loc, top.key)
