"""Checking one document, and a stream of them: the models' errors, then the notes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import orjson
from pydantic import ValidationError

from mock_data_gen.openrtb import BidRequest
from mock_data_gen.validation.documents import Document, split_documents
from mock_data_gen.validation.findings import CheckedRequest, Finding, Severity, path_of
from mock_data_gen.validation.model_errors import model_error
from mock_data_gen.validation.notes import notes


def check_document(document: Document, *, strict: bool = False) -> CheckedRequest:
    """Validate one document as an OpenRTB 2.6 BidRequest: its errors, then its notes."""
    strict_severity: Severity = "error" if strict else "warning"
    request: BidRequest | None = None
    found: list[Finding] = []
    try:
        request = BidRequest.model_validate_json(document.text)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            found_error = model_error(detail)
            line = document.line + (found_error.line_offset or 0)
            found.append(Finding(line, path_of(found_error.loc), found_error.message, "error"))
    try:
        data: object = orjson.loads(document.text)
    except orjson.JSONDecodeError:
        data = None  # the models' error says where
    # Notes matter on invalid requests too: a misspelt required field ("imps") shows up as
    # "missing", and the hint next to it explains why; a country code is wrong whatever else is.
    found.extend(
        Finding(
            document.line,
            path_of(note.loc),
            note.message,
            strict_severity if note.error_in_strict else "warning",
        )
        for note in notes(data)
    )
    return CheckedRequest(document.line, request, tuple(found))


def check_stream(lines: Iterable[bytes], *, strict: bool = False) -> Iterator[CheckedRequest]:
    """Check every document of the input as it is read (memory stays one document deep)."""
    for document in split_documents(lines):
        yield check_document(document, strict=strict)
