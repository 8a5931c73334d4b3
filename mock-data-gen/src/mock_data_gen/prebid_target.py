"""``TARGET=prebid-server``: generated requests reshaped into what Prebid Server's
``/openrtb2/auction`` endpoint accepts.

The generator writes what an exchange sends a bidder (``TARGET=dsp``). Prebid Server receives the
request one step earlier, from a publisher's wrapper, and its validation
(``endpoints/openrtb2/auction.go`` and ``ortb/request_validator*.go`` in prebid/prebid-server)
refuses three things such a request has, or lacks:

- ``imp.metric``: "not yet supported by prebid-server", a fatal error for the whole request. The
  exchange's viewability estimates are dropped.
- ``imp.ext.prebid.bidder``: each imp must name at least one bidder the server is configured
  with, each with parameters its JSON schema (``static/bidder-params/<bidder>.json``) accepts. The
  bidders and their parameters are ``PREBID_BIDDERS``; the default is AppNexus with the placement
  of Prebid's own examples. The imp's other ``ext`` members (``gpid``, ``tid``, ``skadn``) are
  names the server reserves, so it does not take them for bidders.
- ``ext.prebid``: what a Prebid.js wrapper sends: ``targeting`` (bidder and winner keys, with a
  price granularity that passes the server's check: a precision, ranges ordered by ``max``,
  increments above 0) and ``cache.bids`` (the server's validation wants ``bids`` or ``vastxml``
  when ``cache`` is given). The channel is left to the server, which fills it from site or app.

Everything else the generator writes already passes the server's checks (ids, one of
site/app/dooh, media objects with sizes and MIME types, native requests, deal ids); the tests
encode those rules and check them over every transformed request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

# AppNexus's test placement, the one Prebid's documentation and examples use.
DEFAULT_BIDDERS = '{"appnexus": {"placement_id": 13144370}}'
_BIDDER_NAME = re.compile(r"[A-Za-z0-9_.-]+")
# Prebid.js's "medium" granularity written out: $0.10 steps up to $20.
_TARGETING = {
    "includewinners": True,
    "includebidderkeys": True,
    "pricegranularity": {"precision": 2, "ranges": [{"min": 0, "max": 20, "increment": 0.1}]},
}


class BiddersError(ValueError):
    """PREBID_BIDDERS is not a JSON object of bidder names to parameter objects."""


def parse_bidders(text: str) -> dict[str, dict[str, Any]]:
    """``{"bidder": {params}, ...}``, at least one bidder; ``BiddersError`` says what is wrong."""
    try:
        bidders = json.loads(text)
    except json.JSONDecodeError as error:
        raise BiddersError(f"not JSON ({error.msg}, column {error.colno})") from None
    if not isinstance(bidders, dict) or not bidders:
        raise BiddersError("expected a JSON object with at least one bidder")
    for name, params in bidders.items():
        if not _BIDDER_NAME.fullmatch(name):
            raise BiddersError(f"bidder {name!r}: expected a bidder code such as appnexus")
        if not isinstance(params, dict):
            raise BiddersError(f"bidder {name!r}: expected an object of its parameters")
    return bidders


class PrebidServerTarget:
    """Turns generated requests into Prebid Server auction requests for ``bidders``."""

    def __init__(self, bidders: Mapping[str, Mapping[str, Any]]) -> None:
        # Kept as JSON and parsed for each use: a request never shares an object with another.
        self._imp_prebid = orjson.dumps({"bidder": bidders})
        self._request_prebid = orjson.dumps({"targeting": _TARGETING, "cache": {"bids": {}}})

    def request(self, request: dict[str, Any]) -> dict[str, Any]:
        """The request, changed in place and returned."""
        for imp in request["imp"]:
            imp.pop("metric", None)
            imp["ext"] = {**imp.get("ext", {}), "prebid": orjson.loads(self._imp_prebid)}
        request["ext"] = {**request.get("ext", {}), "prebid": orjson.loads(self._request_prebid)}
        return request

    def payloads(self, payloads: Sequence[bytes]) -> list[bytes]:
        """Each JSON request transformed."""
        transform = self.request
        return [orjson.dumps(transform(orjson.loads(payload))) for payload in payloads]
