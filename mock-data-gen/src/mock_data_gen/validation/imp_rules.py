"""Semantic rules of the impression and its media: OpenRTB 2.6 §3.1, §3.2.4-§3.2.12, §3.2.31,
§3.2.35, implementation guidance 7.11 (floors) and the Native Ads specification (1.2) that
``native.request`` follows."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import orjson

from mock_data_gen.openrtb import Audio, Banner, Deal, DurFloors, Format, Imp, Native, Qty, Video
from mock_data_gen.validation.findings import Loc, shown
from mock_data_gen.validation.json_tree import JSONObject, integer, present, string
from mock_data_gen.validation.rules import Hit, RuleBook, exclusive

BOOK = RuleBook()

_MEDIA = ("banner", "video", "audio", "native")
# Measurement vendor (AdCOM DOOH Multiplier Measurement Source Types).
_MEASUREMENT_VENDOR = 1


@BOOK.rule(
    "imp-media",
    "error",
    Imp,
    summary="An impression offers none of banner, video, audio and native",
    reason='§3.1: an Imp "requires at least one of Banner, Video, Audio, and Native"',
)
def _imp_media(imp: JSONObject, loc: Loc) -> Iterator[Hit]:
    if not any(present(imp, medium) for medium in _MEDIA):
        yield loc, "offers no banner, video, audio or native: an impression needs at least one"


@BOOK.rule(
    "banner-size",
    "warning",
    Banner,
    summary="A banner has neither a format array nor both w and h",
    reason="§3.2.6: format is recommended and, without it, w and h are highly recommended",
)
def _banner_size(banner: JSONObject, loc: Loc) -> Iterator[Hit]:
    if present(banner, "format") or (present(banner, "w") and present(banner, "h")):
        return
    yield loc, "no size: give a format array or both w and h"


@BOOK.rule(
    "format-size",
    "warning",
    Format,
    summary="A format has neither w and h nor wratio, hratio and wmin",
    reason="§3.2.10: it is recommended that either the w/h pair or the wratio/hratio/wmin set "
    "be specified",
)
def _format_size(fmt: JSONObject, loc: Loc) -> Iterator[Hit]:
    if all(present(fmt, name) for name in ("w", "h")):
        return
    if all(present(fmt, name) for name in ("wratio", "hratio", "wmin")):
        return
    yield loc, "no size: give w and h, or wratio, hratio and wmin (a flex ad)"


@BOOK.rule(
    "native-request",
    "error",
    Native,
    summary="native.request is not a JSON object with an assets array",
    reason="§3.2.9: request is a JSON-encoded Native Ads request; Native 1.2 §4.1: assets is "
    "required",
)
def _native_request(native: JSONObject, loc: Loc) -> Iterator[Hit]:
    request = string(native, "request")
    if request is None:
        return  # missing or not a string: the models' error
    parsed = _parse_native(request)
    if isinstance(parsed, str):
        yield (*loc, "request"), parsed
        return
    for index, asset in enumerate(parsed):
        if not isinstance(asset, dict):
            yield (*loc, "request"), f"assets[{index}] is not an object, got {shown(asset)}"


@BOOK.rule(
    "native-asset-ids",
    "error",
    Native,
    summary="A native asset has no integer id, or shares it with another asset",
    reason="Native 1.2 §4.2: id is required and unique within the assets array, so that the "
    "response can be aligned with the request",
)
def _native_asset_ids(native: JSONObject, loc: Loc) -> Iterator[Hit]:
    request = string(native, "request")
    parsed = None if request is None else _parse_native(request)
    if not isinstance(parsed, list):
        return
    first_use: dict[int, int] = {}
    for index, asset in enumerate(parsed):
        if not isinstance(asset, dict):
            continue
        asset_id = integer(asset, "id")
        if asset_id is None:
            yield (*loc, "request"), f"assets[{index}] has no integer id"
        elif asset_id in first_use:
            yield (
                (*loc, "request"),
                f"assets[{index}] repeats the id {asset_id} of assets[{first_use[asset_id]}]; "
                "asset ids must be unique",
            )
        else:
            first_use[asset_id] = index


@functools.lru_cache(maxsize=64)
def _parse_native(request: str) -> list[object] | str:
    """The assets of a Native request, or what is wrong with it."""
    try:
        payload = orjson.loads(request)
    except orjson.JSONDecodeError as error:
        return f"not JSON ({error}): the Native request must be a JSON-encoded object"
    if not isinstance(payload, dict):
        return f"must be a JSON-encoded object (the Native request), got {shown(payload)}"
    # Native 1.0 wraps the request object in {"native": {...}}; 1.1 and later do not.
    root = payload["native"] if isinstance(payload.get("native"), dict) else payload
    assets = root.get("assets")
    if not isinstance(assets, list) or not assets:
        return "the Native request has no assets array (it is required)"
    return assets


@BOOK.rule(
    "rqddurs-exclusive",
    "error",
    Video,
    Audio,
    summary="minduration or maxduration given together with rqddurs",
    reason="§3.2.7, §3.2.8: if rqddurs is specified, minduration and maxduration must not be",
)
def _rqddurs_exclusive(media: JSONObject, loc: Loc) -> Iterator[Hit]:
    yield from exclusive(media, loc, ("minduration", "rqddurs"), "may")
    yield from exclusive(media, loc, ("maxduration", "rqddurs"), "may")


@BOOK.rule(
    "min-max",
    "error",
    Video,
    Audio,
    DurFloors,
    summary="A maximum below its minimum (duration, bit rate, duration floor range)",
    reason="no creative can meet such a range, so the request cannot be read as meant",
)
def _min_max(media: JSONObject, loc: Loc) -> Iterator[Hit]:
    for low, high in (("minduration", "maxduration"), ("minbitrate", "maxbitrate"),
                      ("mindur", "maxdur")):  # fmt: skip
        minimum, maximum = integer(media, low), integer(media, high)
        if minimum is not None and maximum is not None and maximum < minimum:
            yield (*loc, high), f"{high} {maximum} is below {low} {minimum}"


@BOOK.rule(
    "durfloors-range",
    "error",
    DurFloors,
    summary="A duration floor has neither mindur nor maxdur",
    reason='§3.2.35: "Either mindur or maxdur is required"',
)
def _durfloors_range(floor: JSONObject, loc: Loc) -> Iterator[Hit]:
    if not present(floor, "mindur") and not present(floor, "maxdur"):
        yield loc, "no duration range: give mindur, maxdur or both"


@BOOK.rule(
    "media-floor-forms",
    "error",
    Video,
    Audio,
    summary="A video or audio object has both mincpmpersec and durfloors",
    reason="implementation guidance 7.11.2: in Video and Audio sellers must only include one "
    "form of floor guidance",
)
def _media_floor_forms(media: JSONObject, loc: Loc) -> Iterator[Hit]:
    yield from exclusive(media, loc, ("mincpmpersec", "durfloors"), "may")


@BOOK.rule(
    "deal-floor-forms",
    "warning",
    Deal,
    summary="A deal has more than one of bidfloor, mincpmpersec and durfloors",
    reason="implementation guidance 7.11.2: in a Deal a seller should provide either "
    "mincpmpersec or durfloors or bidfloor",
)
def _deal_floor_forms(deal: JSONObject, loc: Loc) -> Iterator[Hit]:
    yield from exclusive(deal, loc, ("bidfloor", "mincpmpersec", "durfloors"), "should")


@BOOK.rule(
    "qty-vendor",
    "error",
    Qty,
    summary="A quantity measured by a vendor (sourcetype 1) names no vendor",
    reason="§3.2.31: vendor is required if sourcetype is 1",
)
def _qty_vendor(qty: JSONObject, loc: Loc) -> Iterator[Hit]:
    if integer(qty, "sourcetype") == _MEASUREMENT_VENDOR and not present(qty, "vendor"):
        yield (*loc, "sourcetype"), "sourcetype 1 (measurement vendor) needs vendor"
