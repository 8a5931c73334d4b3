"""Checking one document, and a stream of them: the models' errors, the semantic rules and the
notes, in one pass, each on the line of the member concerned."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from mock_data_gen.openrtb import BidRequest
from mock_data_gen.validation.catalogue import apply_rules
from mock_data_gen.validation.documents import Document, split_documents
from mock_data_gen.validation.findings import (
    CheckedRequest,
    Finding,
    Loc,
    Severity,
    path_of,
)
from mock_data_gen.validation.model_errors import CROSS_FIELD_ERRORS, ModelError, model_error
from mock_data_gen.validation.notes import notes
from mock_data_gen.validation.positions import line_map


@dataclass(frozen=True, slots=True)
class _Found:
    loc: Loc
    message: str
    severity: Severity
    rule: str = ""
    # For malformed JSON, which has no location: its line within the document, from 0.
    line_offset: int | None = None


def check_document(document: Document, *, strict: bool = False) -> CheckedRequest:
    """Validate one document as an OpenRTB 2.6 BidRequest: the models' errors, then what the
    semantic rules find, then the notes, sorted by line."""
    request: BidRequest | None = None
    errors: list[ModelError] = []
    try:
        request = BidRequest.model_validate_json(document.text)
    except ValidationError as error:
        errors = [model_error(detail) for detail in error.errors(include_url=False)]
    try:
        data: object = orjson.loads(document.text)
    except orjson.JSONDecodeError:
        data = None  # the models' error says where
    found = [
        _Found(e.loc, e.message, "error", line_offset=e.line_offset)
        for e in errors
        if e.kind not in CROSS_FIELD_ERRORS
    ]
    # Rules and notes matter on invalid requests too: a misspelt required field ("imps") shows
    # up as "missing", and the hint next to it explains why; a country code is wrong whatever
    # else is.
    found += [
        _Found(loc, message, rule.severity, rule.id) for rule, loc, message in apply_rules(data)
    ]
    if request is None and all(f.severity != "error" for f in found):
        # The models' cross-field errors are the rules' to report; should a rule miss one, the
        # request is still invalid, so keep the models' word for it.
        found += [_Found(e.loc, e.message, "error") for e in errors if e.kind in CROSS_FIELD_ERRORS]
    strict_severity: Severity = "error" if strict else "warning"
    found += [
        _Found(note.loc, note.message, strict_severity if note.error_in_strict else "warning")
        for note in notes(data)
    ]
    return CheckedRequest(document.line, request, _placed(document, data, found))


def check_stream(lines: Iterable[bytes], *, strict: bool = False) -> Iterator[CheckedRequest]:
    """Check every document of the input as it is read (memory stays one document deep)."""
    for document in split_documents(lines):
        yield check_document(document, strict=strict)


def _placed(document: Document, data: object, found: list[_Found]) -> tuple[Finding, ...]:
    """Findings with their input lines, sorted by line (stable: same line, same order)."""
    # A JSON line, or a document that did not parse, needs no scan.
    multi_line = data is not None and b"\n" in document.text.rstrip()
    lines = line_map(document.text) if found and multi_line else None
    placed = []
    for item in found:
        if item.line_offset is not None:
            line = document.line + item.line_offset
        elif lines is not None:
            line = document.line + lines.line_of(item.loc) - 1
        else:
            line = document.line
        placed.append(Finding(line, path_of(item.loc), item.message, item.severity, item.rule))
    placed.sort(key=lambda finding: finding.line)
    return tuple(placed)
