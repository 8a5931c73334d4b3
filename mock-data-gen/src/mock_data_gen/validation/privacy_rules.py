"""Semantic rules of the privacy signals: OpenRTB 2.6 §3.2.3 Regs (US Privacy, GPP, COPPA) and
the identifiers a COPPA request should not carry."""

from __future__ import annotations

from collections.abc import Iterator

from mock_data_gen.openrtb import BidRequest, Regs
from mock_data_gen.validation.findings import Loc
from mock_data_gen.validation.json_tree import JSONObject, integer, items, obj, present, string
from mock_data_gen.validation.privacy_strings import (
    GPP_HEADER_ID,
    GppError,
    decode_gpp,
    us_privacy_problem,
)
from mock_data_gen.validation.rules import Hit, RuleBook

BOOK = RuleBook()

# Persistent identifiers, which the FTC's COPPA Rule counts as a child's personal information.
_COPPA_DEVICE_IDS = ("ifa", "didsha1", "didmd5", "dpidsha1", "dpidmd5", "macsha1", "macmd5")
_COPPA_USER_IDS = ("id", "buyeruid", "eids")


@BOOK.rule(
    "us-privacy-format",
    "error",
    Regs,
    summary="regs.us_privacy is not a US Privacy string (1, then Y, N or - three times)",
    reason="§3.2.3 refers to the US Privacy String specification, whose version 1 is exactly "
    "that; any other string cannot be read as the user's choice",
)
def _us_privacy_format(regs: JSONObject, loc: Loc) -> Iterator[Hit]:
    value = string(regs, "us_privacy")
    problem = None if value is None else us_privacy_problem(value)
    if problem is not None:
        yield (*loc, "us_privacy"), problem


@BOOK.rule(
    "gpp-string",
    "error",
    Regs,
    summary="regs.gpp does not decode: header (base64url, section id 3, version 1, section "
    "ids), then one section per id",
    reason="§3.2.3 refers to the Global Privacy Platform specification; a string that does "
    "not decode carries no usable signal",
)
def _gpp_string(regs: JSONObject, loc: Loc) -> Iterator[Hit]:
    value = string(regs, "gpp")
    if value is None:
        return
    try:
        decode_gpp(value)
    except GppError as error:
        yield (*loc, "gpp"), f"not a GPP string: {error}"


@BOOK.rule(
    "gpp-sid",
    "error",
    Regs,
    summary="regs.gpp_sid without regs.gpp, or naming a section that the GPP header does not list",
    reason="§3.2.3: gpp_sid names the sections of the GPP string that apply; they must be in "
    "the string",
)
def _gpp_sid(regs: JSONObject, loc: Loc) -> Iterator[Hit]:
    if not present(regs, "gpp_sid"):
        return
    value = string(regs, "gpp")
    if value is None:
        if not present(regs, "gpp"):
            yield (*loc, "gpp_sid"), "names GPP sections, but there is no gpp string"
        return
    try:
        listed = decode_gpp(value).section_ids
    except GppError:
        return  # gpp-string says why
    for item_loc, item in items(regs, "gpp_sid", loc):
        if type(item) is int and item != GPP_HEADER_ID and item not in listed:
            header = f"its header lists {list(listed)}"
            yield item_loc, f"section {item} is not in the GPP string ({header})"


@BOOK.rule(
    "gpp-sid-missing",
    "warning",
    Regs,
    summary="regs.gpp without regs.gpp_sid",
    reason="§3.2.3: gpp_sid says which sections of the string apply; without it a bidder has "
    "to guess",
)
def _gpp_sid_missing(regs: JSONObject, loc: Loc) -> Iterator[Hit]:
    if present(regs, "gpp") and not present(regs, "gpp_sid"):
        yield (*loc, "gpp"), "no gpp_sid: say which sections of the GPP string apply"


@BOOK.rule(
    "coppa-identifiers",
    "warning",
    BidRequest,
    summary="A COPPA request (regs.coppa 1) carries device.ifa, a hashed device id, user.id, "
    "user.buyeruid or user.eids",
    reason="§3.2.3: coppa 1 puts the request under the FTC's COPPA Rule, which counts persistent "
    "identifiers as a child's personal information; the spec itself sets no rule, so a warning",
)
def _coppa_identifiers(request: JSONObject, loc: Loc) -> Iterator[Hit]:
    regs = obj(request, "regs")
    if regs is None or integer(regs, "coppa") != 1:
        return
    for parent, names in (("device", _COPPA_DEVICE_IDS), ("user", _COPPA_USER_IDS)):
        holder = obj(request, parent)
        if holder is None:
            continue
        for name in names:
            if present(holder, name):
                yield (
                    (*loc, parent, name),
                    "a persistent identifier in a request subject to COPPA (regs.coppa 1): "
                    "leave it out",
                )
