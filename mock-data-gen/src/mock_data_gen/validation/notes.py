"""Notes on members one at a time: what the models accept (or would, once their errors are
fixed) but a sender should hear about.

Members the spec does not define for their object (most often a misspelling, hence the "did you
mean" hint; errors in strict mode), explicit ``null`` members (read as absent), coded values
that their AdCOM list does not define (lists grow, so these are only suspicious), country codes
that are not ISO 3166-1 alpha-3 and currencies that are not ISO 4217 (errors in strict mode),
and consent strings that are not TCF v2.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import IntEnum

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
)
from mock_data_gen.openrtb.base import coded_fields
from mock_data_gen.openrtb.iso4217 import CURRENCY_CODES
from mock_data_gen.validation.findings import Loc, shown
from mock_data_gen.validation.json_tree import JSONObject, items
from mock_data_gen.validation.privacy_strings import tcf_problem

# OpenRTB 2.6 §3.2.19: Geo.country is "Country code using ISO-3166-1-alpha-3".
_ALPHA3 = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class Note:
    """A note on one member, and whether strict mode makes it an error."""

    loc: Loc
    message: str
    error_in_strict: bool


def notes(data: object) -> Iterator[Note]:
    """The notes on a parsed request, in document order. Values of the wrong JSON type are left
    to the models' errors."""
    if isinstance(data, dict):
        yield from _notes_for_object(BidRequest, data, ())


def _notes_for_object(model: type[OpenRTBModel], data: JSONObject, loc: Loc) -> Iterator[Note]:
    fields = model.model_fields
    children = child_models(model)
    codes = coded_fields(model)
    for key, value in data.items():
        member = (*loc, key)
        if key not in fields:
            yield Note(member, _unknown_field_message(model, key), True)
        elif value is None and not fields[key].is_required():
            yield Note(member, "null is not an OpenRTB value; omit the field instead", False)
        elif key in children:
            for item_loc, item in items(data, key, loc):
                if isinstance(item, dict):
                    yield from _notes_for_object(children[key], item, item_loc)
        elif key in codes:
            for item_loc, item in items(data, key, loc):
                # bool is an int to Python, not to JSON: true is the model's type error.
                if type(item) is int and not is_listed(codes[key], item):
                    yield Note(item_loc, _unlisted_message(codes[key], item), False)
        elif (model, key) in _FORMATS:
            check, in_strict = _FORMATS[model, key]
            for item_loc, item in items(data, key, loc):
                problem = check(item) if isinstance(item, str) else None
                if problem is not None:
                    yield Note(item_loc, problem, in_strict)


def _country_problem(country: str) -> str | None:
    if _ALPHA3.fullmatch(country):
        return None
    return (
        'expected an ISO 3166-1 alpha-3 country code (3 capital letters, e.g. "USA"), '
        f"got {shown(country)}"
    )


def _currency_problem(currency: str) -> str | None:
    if currency in CURRENCY_CODES:
        return None
    message = f'expected an ISO 4217 currency code (e.g. "USD"), got {shown(currency)}'
    upper = currency.strip().upper()
    return f'{message}; did you mean "{upper}"?' if upper in CURRENCY_CODES else message


# Strings whose format the spec defines, by object and field: the check (returning what is wrong,
# or None) and whether strict mode makes a finding an error (codes from a standard the spec names).
_FORMATS: dict[tuple[type[OpenRTBModel], str], tuple[Callable[[str], str | None], bool]] = {
    # §3.2.19: "Country code using ISO-3166-1-alpha-3".
    (Geo, "country"): (_country_problem, True),
    # §3.2.1 cur, §3.2.4 and §3.2.12 bidfloorcur: "ISO-4217 alpha codes".
    (BidRequest, "cur"): (_currency_problem, True),
    (Imp, "bidfloorcur"): (_currency_problem, True),
    (Deal, "bidfloorcur"): (_currency_problem, True),
    (User, "consent"): (tcf_problem, False),
}


def _unlisted_message(codes: type[IntEnum], value: int) -> str:
    return f"{value} is not defined by {codes.__name__} ({_defined_values(codes)})"


def _unknown_field_message(model: type[OpenRTBModel], key: str) -> str:
    message = f"unknown field: OpenRTB 2.6 does not define it for {model.__name__}"
    known = list(model.model_fields)
    by_case = {name.lower(): name for name in known}
    guesses = [by_case[key.lower()]] if key.lower() in by_case else []
    guesses = guesses or difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return f'{message}; did you mean "{guesses[0]}"?' if guesses else message


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
