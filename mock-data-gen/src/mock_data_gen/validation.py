"""Checking OpenRTB 2.6 bid requests produced elsewhere, one JSON document or JSON Lines at a time.

Errors make a request invalid: malformed JSON, wrong JSON types, missing required fields, values
the spec does not allow (flags other than 0/1, negative floors, ...) and broken "only one of"
rules. Warnings leave it valid: members the spec does not define for their object (most often a
misspelling, hence the "did you mean" hint; errors in strict mode), country codes that are not
ISO 3166-1 alpha-3 and currencies that are not ISO 4217 codes (errors in strict mode), consent
strings that are not TCF v2, explicit ``null`` members (read as absent) and coded values that
their AdCOM list does not define (lists grow, so these are only suspicious).

Warnings are read from the JSON itself rather than from the parsed request, so one pass reports
them next to the errors of an invalid request.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

import orjson
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from mock_data_gen.openrtb import (
    VENDOR_SPECIFIC_FROM_500,
    BidRequest,
    Deal,
    Geo,
    Imp,
    OpenRTBModel,
    StartDelay,
    User,
    child_models,
    is_listed,
    json_path,
)
from mock_data_gen.openrtb.base import coded_fields
from mock_data_gen.openrtb.iso4217 import CURRENCY_CODES

Severity = Literal["error", "warning"]

_BOM = b"\xef\xbb\xbf"
_JSON_POSITION = re.compile(r" at line (\d+) column (\d+)$")
_MAX_SHOWN_INPUT = 60
# OpenRTB 2.6 §3.2.19: Geo.country is "Country code using ISO-3166-1-alpha-3".
_ALPHA3 = re.compile(r"[A-Z]{3}")
# IAB TCF v2 consent string: base64url segments separated by "."; the core segment opens with the
# 6-bit version (2 encodes as "C") and its fixed fields alone take 213 bits (36 characters).
_TCF_SEGMENTS = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
_TCF_CORE_MIN_CHARS = 36


@dataclass(frozen=True, slots=True)
class Document:
    """The text of one bid request and the input line it starts on (1-based)."""

    line: int
    text: bytes


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where (input line, JSON path; ``""`` is the whole request) and what."""

    line: int
    path: str
    message: str
    severity: Severity


@dataclass(frozen=True, slots=True)
class CheckedRequest:
    """The outcome for one document: the parsed request (if it parsed) and what was found."""

    line: int
    request: BidRequest | None
    findings: tuple[Finding, ...]

    @property
    def valid(self) -> bool:
        return self.request is not None and all(f.severity != "error" for f in self.findings)

    @property
    def warning_count(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "warning")


@dataclass(slots=True)
class Summary:
    """Running totals over the checked requests."""

    checked: int = 0
    valid: int = 0
    invalid: int = 0
    warnings: int = 0

    def add(self, result: CheckedRequest) -> None:
        self.checked += 1
        if result.valid:
            self.valid += 1
        else:
            self.invalid += 1
        self.warnings += result.warning_count

    def __str__(self) -> str:
        return (
            f"checked {self.checked}, valid {self.valid}, invalid {self.invalid}, "
            f"warnings {self.warnings}"
        )


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


def check_document(document: Document, *, strict: bool = False) -> CheckedRequest:
    """Validate one document as an OpenRTB 2.6 BidRequest: its errors, then its notes."""
    strict_severity: Severity = "error" if strict else "warning"
    request: BidRequest | None = None
    found: list[Finding] = []
    try:
        request = BidRequest.model_validate_json(document.text)
    except ValidationError as error:
        found = [
            _finding_from_error(document.line, detail) for detail in error.errors(include_url=False)
        ]
    # Notes matter on invalid requests too: a misspelt required field ("imps") shows up as
    # "missing", and the hint next to it explains why; a country code is wrong whatever else is.
    found.extend(
        Finding(document.line, path, message, strict_severity if in_strict else "warning")
        for path, message, in_strict in _notes(document.text)
    )
    return CheckedRequest(document.line, request, tuple(found))


def check_stream(lines: Iterable[bytes], *, strict: bool = False) -> Iterator[CheckedRequest]:
    """Check every document of the input as it is read (memory stays one document deep)."""
    for document in split_documents(lines):
        yield check_document(document, strict=strict)


def _continues_on_later_lines(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError as error:
        return error.pos >= len(line.rstrip())
    return False


def _country_problem(country: str) -> str | None:
    if _ALPHA3.fullmatch(country):
        return None
    return (
        'expected an ISO 3166-1 alpha-3 country code (3 capital letters, e.g. "USA"), '
        f"got {_shown(country)}"
    )


def _currency_problem(currency: str) -> str | None:
    if currency in CURRENCY_CODES:
        return None
    message = f'expected an ISO 4217 currency code (e.g. "USD"), got {_shown(currency)}'
    upper = currency.strip().upper()
    return f'{message}; did you mean "{upper}"?' if upper in CURRENCY_CODES else message


def _consent_problem(consent: str) -> str | None:
    if _is_tcf_v2(consent):
        return None
    return (
        "not an IAB TCF v2 consent string (base64url segments separated by '.', the core one "
        f'starting with "C" for version 2), got {_shown(consent)}'
    )


# Strings whose format the spec defines, by object and field: the check (returning what is wrong,
# or None) and whether strict mode makes a finding an error (codes from a standard the spec names).
_FORMATS: dict[tuple[type[OpenRTBModel], str], tuple[Callable[[str], str | None], bool]] = {
    # §3.2.19: "Country code using ISO-3166-1-alpha-3".
    (Geo, "country"): (_country_problem, True),
    # §3.2.1 cur, §3.2.4 and §3.2.12 bidfloorcur: "ISO-4217 alpha codes".
    (BidRequest, "cur"): (_currency_problem, True),
    (Imp, "bidfloorcur"): (_currency_problem, True),
    (Deal, "bidfloorcur"): (_currency_problem, True),
    (User, "consent"): (_consent_problem, False),
}


def _is_tcf_v2(consent: str) -> bool:
    core = consent.split(".", 1)[0]
    return bool(
        _TCF_SEGMENTS.fullmatch(consent)
        and core.startswith("C")
        and len(core) >= _TCF_CORE_MIN_CHARS
    )


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


def _notes(text: bytes) -> Iterator[tuple[str, str, bool]]:
    """What the models accept (or would, once the errors are fixed) but a sender should hear
    about, in document order: (path, message, whether strict mode makes it an error).

    Read from the JSON, not the parsed request, so an invalid request gets them too. Values of
    the wrong JSON type are left to the model's errors.
    """
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return
    yield from _notes_for_object(BidRequest, data, "")


def _notes_for_object(
    model: type[OpenRTBModel], data: object, path: str
) -> Iterator[tuple[str, str, bool]]:
    if not isinstance(data, dict):
        return
    fields = model.model_fields
    children = child_models(model)
    codes = coded_fields(model)
    for key, value in data.items():
        member_path = json_path(path, key)
        if key not in fields:
            yield member_path, _unknown_field_message(model, key), True
        elif value is None and not fields[key].is_required():
            yield member_path, "null is not an OpenRTB value; omit the field instead", False
        elif key in children:
            for item_path, item in _items(member_path, value):
                yield from _notes_for_object(children[key], item, item_path)
        elif key in codes:
            for item_path, item in _items(member_path, value):
                # bool is an int to Python, not to JSON: true is the model's type error.
                if type(item) is int and not is_listed(codes[key], item):
                    yield item_path, _unlisted_message(codes[key], item), False
        elif (model, key) in _FORMATS:
            check, in_strict = _FORMATS[model, key]
            for item_path, item in _items(member_path, value):
                problem = check(item) if isinstance(item, str) else None
                if problem is not None:
                    yield item_path, problem, in_strict


def _items(path: str, value: object) -> Iterator[tuple[str, object]]:
    """The elements of an array with their paths, or the value itself."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield json_path(path, index), item
    else:
        yield path, value


def _unlisted_message(codes: type[IntEnum], value: int) -> str:
    return f"{value} is not defined by {codes.__name__} ({_defined_values(codes)})"


def _unknown_field_message(model: type[OpenRTBModel], key: str) -> str:
    message = f"unknown field: OpenRTB 2.6 does not define it for {model.__name__}"
    known = list(model.model_fields)
    by_case = {name.lower(): name for name in known}
    guesses = [by_case[key.lower()]] if key.lower() in by_case else []
    guesses = guesses or difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return f'{message}; did you mean "{guesses[0]}"?' if guesses else message


def _finding_from_error(line: int, error: ErrorDetails) -> Finding:
    kind = error["type"]
    ctx = error.get("ctx", {})
    path = ""
    for key in error["loc"]:
        path = json_path(path, key)
    if kind == "json_invalid":
        reason = str(ctx.get("error", error["msg"]))
        position = _JSON_POSITION.search(reason)
        if position:
            line += int(position.group(1)) - 1
            reason = f"{reason[: position.start()]} at column {position.group(2)}"
        return Finding(line, path, f"malformed JSON: {reason}", "error")
    if kind == "missing":
        return Finding(line, path, "required field is missing", "error")
    message = _READABLE[kind].format(**ctx) if kind in _READABLE else error["msg"]
    if kind == "too_short" and ctx.get("min_length") == 1:
        message = "must not be empty"
    if kind in _SHOW_INPUT:
        message = f"{message}, got {_shown(error['input'])}"
    elif kind == "string_too_long":
        message = f"{message}, got {len(error['input'])}"
    return Finding(line, path, message, "error")


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


def _shown(value: object) -> str:
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN_INPUT else f"{text[: _MAX_SHOWN_INPUT - 3]}..."


def _defined_values(codes: type[IntEnum]) -> str:
    values = sorted(member.value for member in codes)
    spans: list[str] = []
    start = previous = values[0]
    for value in [*values[1:], None]:
        if value is not None and value == previous + 1:
            previous = value
            continue
        spans.append(str(start) if start == previous else f"{start}..{previous}")
        if value is not None:
            start = previous = value
    if codes in VENDOR_SPECIFIC_FROM_500:
        spans.append("500+ vendor-specific")
    if codes is StartDelay:
        spans.append("or a positive number of seconds")
    return f"defined: {', '.join(spans)}"
