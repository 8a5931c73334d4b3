"""Semantic rules of the request as a whole and of its context objects: OpenRTB 2.6 §3.2.1
BidRequest, §3.2.13 Site, §3.2.14 App, §3.2.16 Content, §3.2.18 Device, §3.2.20 User and
§3.2.27 EID, and the deprecations and value ranges that hold in every object."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from mock_data_gen.openrtb import (
    EID,
    App,
    Audio,
    BidRequest,
    Content,
    Deal,
    Device,
    DurFloors,
    Geo,
    Imp,
    OpenRTBModel,
    Qty,
    Refresh,
    RefSettings,
    Site,
    User,
    Video,
    child_models,
)
from mock_data_gen.validation.findings import Loc, shown
from mock_data_gen.validation.json_tree import JSONObject, as_number, items, present, string
from mock_data_gen.validation.rules import Hit, RuleBook, exclusive

BOOK = RuleBook()

_MEDIUMS = ("site", "app", "dooh")
# §3.2.18 mccmnc: "the dash between the MCC and MNC parts is required"; MCC 3 digits, MNC 2 or 3.
_MCCMNC = re.compile(r"[0-9]{3}-[0-9]{2,3}")


@BOOK.rule(
    "one-medium",
    "error",
    BidRequest,
    summary="More than one of site, app and dooh",
    reason="§3.2.1, §3.2.13, §3.2.14: a request must not contain more than one of Site, App or "
    "DOOH",
)
def _one_medium(request: JSONObject, loc: Loc) -> Iterator[Hit]:
    yield from exclusive(request, loc, _MEDIUMS, "may")


@BOOK.rule(
    "no-medium",
    "warning",
    BidRequest,
    summary="None of site, app and dooh",
    reason="§3.2.1: these objects are highly recommended; without one a bidder does not know "
    "where the ad would run",
)
def _no_medium(request: JSONObject, loc: Loc) -> Iterator[Hit]:
    if not any(present(request, medium) for medium in _MEDIUMS):
        yield loc, "no site, app or dooh: say where the ad would run"


@BOOK.rule(
    "unique-imp-ids",
    "error",
    BidRequest,
    summary="Two impressions share an id",
    reason="§3.2.4: id is unique within the bid request, so that bids can refer to one",
)
def _unique_imp_ids(request: JSONObject, loc: Loc) -> Iterator[Hit]:
    first_use: dict[str, Loc] = {}
    for imp_loc, imp in items(request, "imp", loc):
        imp_id = string(imp, "id") if isinstance(imp, dict) else None
        if imp_id is None:
            continue
        if imp_id in first_use:
            yield (
                (*imp_loc, "id"),
                f"imp id {shown(imp_id)} is already used by imp[{first_use[imp_id][-1]}]; "
                "imp ids must be unique within the request",
            )
        else:
            first_use[imp_id] = imp_loc


@BOOK.rule(
    "request-auction-type",
    "warning",
    BidRequest,
    summary="at 3 (fixed price) on the request",
    reason="§3.2.1 defines the request's at as 1 (first price) or 2 (second price plus), 500 "
    "and greater exchange-specific; 3 (bidfloor is the agreed deal price) is defined for "
    "Deal.at only (§3.2.12), so a bidder cannot tell which auction it is in. The spec sets no "
    "must, so a warning",
)
def _request_auction_type(request: JSONObject, loc: Loc) -> Iterator[Hit]:
    # Other undefined values (4 to 499) are the notes' unlisted codes; 3 is listed because the
    # models share one AuctionType list with Deal.at, so it would pass unnoticed.
    if as_number(request.get("at")) == 3:
        message = (
            "3 (fixed price) is a deal's auction type (pmp.deals[].at); the request's at is "
            "1 first price, 2 second price plus or 500+ exchange-specific"
        )
        yield (*loc, "at"), message


@BOOK.rule(
    "keywords-exclusive",
    "error",
    Site,
    App,
    Content,
    User,
    summary="Both keywords and kwarray",
    reason="§3.2.13, §3.2.14, §3.2.16, §3.2.20: only one of keywords or kwarray may be present",
)
def _keywords_exclusive(data: JSONObject, loc: Loc) -> Iterator[Hit]:
    yield from exclusive(data, loc, ("keywords", "kwarray"), "may")


@BOOK.rule(
    "allow-and-block-lists",
    "warning",
    BidRequest,
    summary="Both wseat and bseat, or both acat and bcat",
    reason="§3.2.1: at most one of wseat and bseat should be used; only one of acat or bcat "
    "should be present",
)
def _allow_and_block_lists(request: JSONObject, loc: Loc) -> Iterator[Hit]:
    yield from exclusive(request, loc, ("wseat", "bseat"), "should")
    yield from exclusive(request, loc, ("acat", "bcat"), "should")


@BOOK.rule(
    "language-pairs",
    "warning",
    BidRequest,
    Device,
    Content,
    summary="Both an ISO 639-1 and a BCP 47 language field (wlang and wlangb, language and langb)",
    reason="§3.2.1, §3.2.16, §3.2.18: only one of them should be present",
)
def _language_pairs(data: JSONObject, loc: Loc) -> Iterator[Hit]:
    yield from exclusive(data, loc, ("wlang", "wlangb"), "should")
    yield from exclusive(data, loc, ("language", "langb"), "should")


@BOOK.rule(
    "ip-address",
    "error",
    Device,
    summary="device.ip is not an IPv4 address, or device.ipv6 not an IPv6 address",
    reason="§3.2.18: ip is the IPv4 address, ipv6 the IPv6 address closest to the device",
)
def _ip_address(device: JSONObject, loc: Loc) -> Iterator[Hit]:
    for name, version, other in (("ip", 4, "ipv6"), ("ipv6", 6, "ip")):
        value = string(device, name)
        if value is None:
            continue
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            yield (*loc, name), f"not an IPv{version} address, got {shown(value)}"
            continue
        if address.version != version:
            message = f"an IPv{address.version} address, which belongs in {other}"
            yield (*loc, name), f"{message}, got {shown(value)}"


@BOOK.rule(
    "mccmnc-format",
    "error",
    Device,
    summary="device.mccmnc is not MCC-MNC (3 digits, a dash, 2 or 3 digits)",
    reason="§3.2.18: mccmnc is the concatenated MCC-MNC code and the dash is required",
)
def _mccmnc_format(device: JSONObject, loc: Loc) -> Iterator[Hit]:
    value = string(device, "mccmnc")
    if value is not None and not _MCCMNC.fullmatch(value):
        yield (*loc, "mccmnc"), f'expected MCC-MNC such as "310-005", got {shown(value)}'


@BOOK.rule(
    "eid-source",
    "warning",
    EID,
    summary="An extended identifier has no source",
    reason="§3.2.27: source is the canonical domain of the ID; without it a buyer cannot tell "
    "which ID the uids are (guidance 7.12.2)",
)
def _eid_source(eid: JSONObject, loc: Loc) -> Iterator[Hit]:
    if not present(eid, "source"):
        yield loc, "no source: name the canonical domain of the ID"


# Counts, durations, times and prices that cannot be negative (maxextended may be -1 and
# startdelay has negative codes, so neither is here).
_NON_NEGATIVE: dict[type[OpenRTBModel], tuple[str, ...]] = {
    BidRequest: ("tmax",),
    Imp: ("exp",),
    Video: ("minduration", "maxduration", "poddur", "maxseq", "rqddurs", "skipmin", "skipafter",
            "minbitrate", "maxbitrate", "mincpmpersec"),
    Audio: ("minduration", "maxduration", "poddur", "maxseq", "rqddurs", "minbitrate",
            "maxbitrate", "mincpmpersec"),
    Deal: ("mincpmpersec",),
    DurFloors: ("mindur", "maxdur"),
    Qty: ("multiplier",),
    RefSettings: ("minint",),
    Refresh: ("count",),
    Content: ("len",),
    Geo: ("accuracy", "lastfix"),
}  # fmt: skip


@BOOK.model_rule(
    "negative-value",
    "error",
    *_NON_NEGATIVE,
    summary="A negative time, duration, count or price (tmax, exp, durations, bit rates, "
    "mincpmpersec, ...)",
    reason="the value contradicts itself: a negative tmax leaves no time to bid, a negative "
    "duration fits no creative",
)
def _negative_value(model: type[OpenRTBModel], data: JSONObject, loc: Loc) -> Iterator[Hit]:
    for name in _NON_NEGATIVE[model]:
        for item_loc, item in items(data, name, loc):
            amount = as_number(item)
            if amount is not None and amount < 0:
                yield item_loc, f"must not be negative, got {shown(item)}"


def _deprecated_fields(model: type[OpenRTBModel]) -> dict[str, str]:
    """Fields the spec deprecates, with the models' note on what replaces them."""
    return {
        name: str(field.deprecated).rstrip(".")
        for name, field in model.model_fields.items()
        if field.deprecated
    }


def _all_models(model: type[OpenRTBModel] = BidRequest) -> list[type[OpenRTBModel]]:
    found = [model]
    for child in child_models(model).values():
        found += [m for m in _all_models(child) if m not in found]
    return found


_DEPRECATED = {model: fields for model in _all_models() if (fields := _deprecated_fields(model))}


@BOOK.model_rule(
    "deprecated",
    "warning",
    *_DEPRECATED,
    summary="A deprecated field (video.placement, video.sequence, audio.sequence, user.yob, "
    "user.gender, the hashed device ids)",
    reason="the spec deprecates it; video.placement gave way to plcmt in 2.6-202303",
)
def _deprecated(model: type[OpenRTBModel], data: JSONObject, loc: Loc) -> Iterator[Hit]:
    for name, note in _DEPRECATED[model].items():
        if present(data, name):
            note = note[0].lower() + note[1:]
            yield (*loc, name), note
