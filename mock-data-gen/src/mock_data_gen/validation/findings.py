"""What checking reports: findings, the outcome per request and running totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import orjson

from mock_data_gen.openrtb import BidRequest, json_path

Severity = Literal["error", "warning"]
# Where in a request: member names and array indices from the top, () for the request itself.
Loc = tuple[str | int, ...]

_MAX_SHOWN_INPUT = 60


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where (input line, JSON path; ``""`` is the whole request) and what.

    ``rule`` names the semantic rule that found it (see ``catalogue``); ``""`` for the checks
    of types, fields and codes.
    """

    line: int
    path: str
    message: str
    severity: Severity
    rule: str = ""


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


def path_of(loc: Loc) -> str:
    """The JSON path of a location, e.g. ``imp[0].banner.w``."""
    path = ""
    for key in loc:
        path = json_path(path, key)
    return path


def shown(value: object) -> str:
    """A value as JSON for a message, shortened when long."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN_INPUT else f"{text[: _MAX_SHOWN_INPUT - 3]}..."
