"""Prebid Server's validation of an ``/openrtb2/auction`` request, encoded as checks.

Read from prebid/prebid-server (``endpoints/openrtb2/auction.go``: ``validateRequest`` and what
it calls; ``ortb/request_validator.go`` and its ``_banner``, ``_video``, ``_audio``, ``_native``
and ``_pmp`` parts: ``ValidateImp``, ``validateImpExt``), and the bidder parameter schemas
(``static/bidder-params/<bidder>.json``) of the bidders used here. Only the errors are encoded;
the server's warnings (a second currency ignored, an invalid consent string ignored) do not refuse
a request. Each finding starts with the server's own message, so a failure reads like its answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

NATIVE_EXCHANGE_SPECIFIC = 500  # openrtb_ext.NativeExchangeSpecificLowerBound


def _exchange_specific_or(value: int, low: int, high: int) -> bool:
    return low <= value <= high or value >= NATIVE_EXCHANGE_SPECIFIC


def _bidder_params(name: str, params: Any) -> str | None:
    """The required members of the schemas of the bidders the tests configure."""
    if not isinstance(params, dict):
        return "params are not an object"
    if name == "appnexus":
        # oneOf placement_id / placementId, or inv_code (invCode) with member.
        placement = [k for k in ("placement_id", "placementId") if k in params]
        inventory = any(k in params for k in ("inv_code", "invCode")) and "member" in params
        if (len(placement) == 1) == inventory:
            return "needs exactly one of placement_id, or inv_code with member"
        for key in placement:
            if not isinstance(params[key], int | str) or isinstance(params[key], bool):
                return f"{key} must be an integer or a string"
        return None
    if name == "pubmatic":
        return None if isinstance(params.get("publisherId"), str) else "publisherId (string)"
    if name == "rubicon":
        for key in ("accountId", "siteId", "zoneId"):
            if not isinstance(params.get(key), int) or isinstance(params.get(key), bool):
                return f"{key} (integer) is required"
        return None
    return f"no schema encoded for bidder {name}"


def findings(request: Mapping[str, Any], bidders: Mapping[str, Any]) -> Iterator[str]:
    """Every error Prebid Server would answer ``request`` with, given its configured bidders."""
    if not request.get("id"):
        yield 'request missing required field: "id"'
    if request.get("tmax", 0) < 0:
        yield "request.tmax must be nonnegative"
    imps = request.get("imp") or []
    if not imps:
        yield "request.imp must contain at least one element."
    yield from _request_ext(request.get("ext"), bidders)
    kinds = [k for k in ("site", "app", "dooh") if k in request]
    if not kinds:
        yield "One of request.site or request.app or request.dooh must be defined"
    elif len(kinds) > 1:
        yield "No more than one of request.site or request.app or request.dooh can be defined"
    site = request.get("site")
    if site is not None and not (site.get("id") or site.get("page")):
        yield "request.site should include at least one of request.site.id or request.site.page."
    amp = ((site or {}).get("ext") or {}).get("amp")
    if amp is not None and amp not in (0, 1):
        yield "request.site.ext.amp must be either 1, 0, or undefined"
    dooh = request.get("dooh")
    if dooh is not None and not (dooh.get("id") or dooh.get("venuetype")):
        yield "request.dooh should include at least one of request.dooh.id or .venuetype."
    user = request.get("user") or {}
    if (user.get("geo") or {}).get("accuracy", 0) < 0:
        yield "request.user.geo.accuracy must be a positive number"
    user_prebid = (user.get("ext") or {}).get("prebid")
    if user_prebid is not None:
        buyeruids = user_prebid.get("buyeruids") or {}
        if not buyeruids:
            yield 'request.user.ext.prebid requires a "buyeruids" property with at least one ID'
        for name in buyeruids:
            if name not in bidders:
                yield f"request.user.ext.{name} is neither a known bidder name nor an alias"
    gdpr = (request.get("regs") or {}).get("gdpr")
    if gdpr is not None and gdpr not in (0, 1):
        yield "request.regs.gdpr must be either 0 or 1"
    device = request.get("device") or {}
    for key in ("w", "h", "ppi"):
        if device.get(key, 0) < 0:
            yield f"request.device.{key} must be a positive number"
    if (device.get("geo") or {}).get("accuracy", 0) < 0:
        yield "request.device.geo.accuracy must be a positive number"
    seen: dict[str, int] = {}
    for index, imp in enumerate(imps):
        if imp.get("id") in seen:
            yield f"request.imp[{seen[imp['id']]}].id and request.imp[{index}].id are both equal"
        seen.setdefault(imp.get("id"), index)
        yield from _imp(imp, index, bidders)


def _request_ext(ext: Any, bidders: Mapping[str, Any]) -> Iterator[str]:
    if ext is None:
        return
    if not isinstance(ext, dict):
        yield "request.ext is invalid: not an object"
        return
    prebid = ext.get("prebid")
    if prebid is None:
        return
    if not isinstance(prebid, dict):
        yield "request.ext is invalid: ext.prebid is not an object"
        return
    cache = prebid.get("cache")
    if cache is not None and cache.get("bids") is None and cache.get("vastxml") is None:
        yield 'request.ext.prebid.cache requires one of the "bids" or "vastxml" properties'
    channel = prebid.get("channel")
    if channel is not None and not channel.get("name"):
        yield "ext.prebid.channel.name can't be empty"
    for alias, core in (prebid.get("aliases") or {}).items():
        if core not in bidders:
            yield f"request.ext.prebid.aliases.{alias} refers to unknown bidder: {core}"
    targeting = prebid.get("targeting") or {}
    by_media = targeting.get("mediatypepricegranularity") or {}
    granularities = [targeting.get("pricegranularity"), *by_media.values()]
    for granularity in granularities:
        if isinstance(granularity, dict):
            yield from _price_granularity(granularity)


def _price_granularity(granularity: Mapping[str, Any]) -> Iterator[str]:
    precision = granularity.get("precision")
    if precision is None:
        yield "Price granularity error: precision is required"
    elif not 0 <= precision <= 15:  # openrtb_ext.MaxDecimalFigures
        yield "Price granularity error: precision out of 0-15"
    previous = 0.0
    for price_range in granularity.get("ranges") or []:
        if price_range["max"] <= previous:
            yield 'Price granularity error: range list must be ordered with increasing "max"'
        if price_range["increment"] <= 0:
            yield "Price granularity error: increment must be a nonzero positive number"
        previous = price_range["max"]


def _imp(imp: Mapping[str, Any], i: int, bidders: Mapping[str, Any]) -> Iterator[str]:
    where = f"request.imp[{i}]"
    if not imp.get("id"):
        yield f'{where} missing required field: "id"'
    if imp.get("metric"):
        yield f"{where}.metric is not yet supported by prebid-server"
    if not any(k in imp for k in ("banner", "video", "audio", "native")):
        yield f'{where} must contain at least one of "banner", "video", "audio", or "native"'
    if "banner" in imp:
        yield from _banner(imp["banner"], where, imp.get("instl") == 1)
    video = imp.get("video")
    if video is not None:
        if not video.get("mimes"):
            yield f"{where}.video.mimes must contain at least one supported MIME type"
        for key in ("w", "h", "minbitrate", "maxbitrate"):
            if video.get(key, 0) < 0:
                yield f"{where}.video.{key} must be a positive number"
    audio = imp.get("audio")
    if audio is not None:
        if not audio.get("mimes"):
            yield f"{where}.audio.mimes must contain at least one supported MIME type"
        for key in ("sequence", "maxseq", "minbitrate", "maxbitrate"):
            if audio.get(key, 0) < 0:
                yield f"{where}.audio.{key} must be a positive number"
    if "native" in imp:
        yield from _native(imp["native"], where)
    for index, deal in enumerate((imp.get("pmp") or {}).get("deals") or []):
        if not deal.get("id"):
            yield f'{where}.pmp.deals[{index}] missing required field: "id"'
    ext = imp.get("ext")
    if not ext:
        yield f"{where}.ext is required"
        return
    bidder = (ext.get("prebid") or {}).get("bidder") or {}
    if not bidder:
        yield f"{where}.ext.prebid.bidder must contain at least one bidder"
    for name, params in bidder.items():
        if name not in bidders:
            yield f"{where}.ext.prebid.bidder contains unknown bidder: {name}"
            continue
        problem = _bidder_params(name, params)
        if problem is not None:
            yield f"{where}.ext.prebid.bidder.{name} failed validation: {problem}"


def _banner(banner: Mapping[str, Any], where: str, interstitial: bool) -> Iterator[str]:
    for key in ("w", "h"):
        if banner.get(key, 0) < 0:
            yield f"{where}.banner.{key} must be a positive number"
    for key in ("wmin", "wmax", "hmin", "hmax"):
        if banner.get(key, 0) != 0:
            yield f'{where}.banner uses unsupported property: "{key}"'
    root = banner.get("w", 0) > 0 and banner.get("h", 0) > 0
    formats = banner.get("format") or []
    if not root and not formats and not interstitial:
        yield f'{where}.banner has no sizes. Define "w" and "h", or include "format" elements.'
    for index, fmt in enumerate(formats):
        hw = fmt.get("w", 0) != 0 or fmt.get("h", 0) != 0
        ratios = any(fmt.get(k, 0) != 0 for k in ("wmin", "wratio", "hratio"))
        if any(fmt.get(k, 0) < 0 for k in ("w", "h", "wmin", "wratio", "hratio")):
            yield f"{where}.banner.format[{index}] has a negative member"
        if hw == ratios:
            yield f"{where}.banner.format[{index}] should define *either* {{w, h}} *or* ratios"
        elif hw and not (fmt.get("w") and fmt.get("h")):
            yield f'{where}.banner.format[{index}] must define non-zero "h" and "w" properties.'
        elif ratios and not all(fmt.get(k) for k in ("wmin", "wratio", "hratio")):
            yield f'{where}.banner.format[{index}] must define non-zero "wmin", "wratio", "hratio"'


def _native(native: Mapping[str, Any], where: str) -> Iterator[str]:
    text = native.get("request")
    if not text:
        yield f'{where}.native missing required property "request"'
        return
    try:
        request = json.loads(text)
    except (TypeError, json.JSONDecodeError):
        yield f"{where}.native.request is not JSON"
        return
    where = f"{where}.native.request"
    context, subtype = request.get("context", 0), request.get("contextsubtype", 0)
    if context and not _exchange_specific_or(context, 1, 3):
        yield f"{where}.context is invalid"
    if context and subtype:
        groups = {1: (10, 15), 2: (20, 22), 3: (30, 32)}  # content, social, product
        matching = [c for c, (low, high) in groups.items() if low <= subtype <= high]
        if subtype < NATIVE_EXCHANGE_SPECIFIC and context < NATIVE_EXCHANGE_SPECIFIC:
            if not matching:
                yield f"{where}.contextsubtype is invalid"
            elif matching[0] != context:
                yield f"{where}.context is {context}, but contextsubtype is {subtype}"
    plcmttype = request.get("plcmttype", 0)
    if plcmttype and not _exchange_specific_or(plcmttype, 1, 4):
        yield f"{where}.plcmttype is invalid"
    assets = request.get("assets") or []
    if not assets:
        yield f"{where}.assets must be an array containing at least one object"
    ids = [asset.get("id", 0) for asset in assets]
    if any(ids) and len(set(ids)) != len(ids):
        yield f"{where}.assets ids are not unique"
    for index, asset in enumerate(assets):
        kinds = [k for k in ("title", "img", "video", "data") if k in asset]
        if len(kinds) != 1:
            yield f"{where}.assets[{index}] must define exactly one of {{title, img, video, data}}"
            continue
        body = asset[kinds[0]]
        if kinds[0] == "title" and body.get("len", 0) < 1:
            yield f"{where}.assets[{index}].title.len must be a positive number"
        if kinds[0] == "img" and any(body.get(k, 0) < 0 for k in ("w", "h", "wmin", "hmin")):
            yield f"{where}.assets[{index}].img has a negative size"
        if kinds[0] == "data" and not _exchange_specific_or(body.get("type", 0), 1, 12):
            yield f"{where}.assets[{index}].data.type is invalid"
        if kinds[0] == "video":
            if not body.get("mimes"):
                yield f"{where}.assets[{index}].video.mimes must have at least one MIME type"
            for key in ("minduration", "maxduration"):
                if body.get(key, 0) < 1:
                    yield f"{where}.assets[{index}].video.{key} must be a positive integer"
            protocols = body.get("protocols") or []
            if not protocols or any(not 1 <= p <= 10 for p in protocols):
                yield f"{where}.assets[{index}].video.protocols are missing or invalid"
    for index, tracker in enumerate(request.get("eventtrackers") or []):
        if not _exchange_specific_or(tracker.get("event", 0), 1, 4):
            yield f"{where}.eventtrackers[{index}].event is invalid"
        methods = tracker.get("methods") or []
        if not methods:
            yield f"{where}.eventtrackers[{index}].method is required"
        if any(not _exchange_specific_or(m, 1, 2) for m in methods):
            yield f"{where}.eventtrackers[{index}].methods is invalid"
