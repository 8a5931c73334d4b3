"""Identity signals as the bidstream carries them, decoded from traffic of several seeds at several
times (two moments and a whole simulated day):

- UID2 travels as an encrypted advertising token (Base64URL, opening with "A4", about 160+
  characters; https://unifiedid.com/docs/getting-started/gs-sharing), never as the raw
  44-character UID2.
- ``eids[].inserter`` (OpenRTB 2.6 §3.2.27) names who added the ID: with the page's header-bidding
  wrapper deciding (``source.fd`` 1) the publisher, by its site's domain, else the exchange.
- DOOH screens carry no ``user.id``: a screen's persistent id must not act as a user ID.
- Where a CTV or DOOH device has an ``ifa``, ``device.ext.ifa_type`` names its kind (IAB Tech Lab,
  "Guidelines for Identifier for Advertising (IFA) on OTT platforms", 2018).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from samples import DAY_MS, SUMMER_DAY_MS, WINTER_DAY_MS, day_times, sample

SEEDS = (1, 7, 23, 101, 4242)
# Two busy moments (a few simulated seconds each) and a whole day.
MOMENTS = (WINTER_DAY_MS + 20 * 3_600_000, SUMMER_DAY_MS + 9 * 3_600_000)
TOKEN = re.compile(r"^A4[A-Za-z0-9_-]{148,}$")
# Advertising ID kinds by device OS (IAB Tech Lab OTT IFA guidelines).
IFA_TYPE_BY_OS = {"Roku OS": "rida", "FireOS": "afai", "Tizen": "tifa", "WebOS": "lgudid",
                  "tvOS": "idfa", "Android": "aaid"}  # fmt: skip
CTV_DEVICE_TYPES = (3, 7)
DOOH_DEVICE_TYPE = 8


def _traffic() -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = []
    for seed in SEEDS:
        for start in MOMENTS:
            requests += sample(seed, [start + i for i in range(0, 1500 * 4, 4)]).requests
        requests += sample(seed, day_times(WINTER_DAY_MS + 2 * DAY_MS, 3000)).requests
    return requests


_CACHE: list[list[dict[str, Any]]] = []


def traffic() -> list[dict[str, Any]]:
    if not _CACHE:
        _CACHE.append(_traffic())
    return _CACHE[0]


def test_uid2_rides_as_an_advertising_token() -> None:
    tokens = [
        uid["id"]
        for request in traffic()
        for eid in request.get("user", {}).get("eids", [])
        if eid["source"] == "uidapi.com"
        for uid in eid["uids"]
    ]
    assert len(tokens) > 200
    bad = [t for t in tokens if not TOKEN.match(t)]
    assert not bad, bad[:3]
    assert len(set(tokens)) > 0.5 * len(tokens)


def test_the_wrapper_inserts_ids_where_it_decides() -> None:
    inserters: Counter[str] = Counter()
    for request in traffic():
        eids = request.get("user", {}).get("eids", [])
        if not eids:
            continue
        source = request["source"]
        if source["fd"] == 1:
            expected, kind = request["site"]["domain"], "wrapper"
        else:
            expected, kind = source["schain"]["nodes"][-1]["asi"], "exchange"
        assert all(eid["inserter"] == expected for eid in eids), (source, eids)
        inserters[kind] += 1
    assert inserters["wrapper"] > 200 and inserters["exchange"] > 200, inserters


def test_dooh_screens_carry_no_user_id_and_typed_ifas_on_ctv_and_dooh() -> None:
    screens = ctv = 0
    for request in traffic():
        device = request["device"]
        if "dooh" in request:
            screens += 1
            assert "id" not in request.get("user", {}), request.get("user")
            assert device["devicetype"] == DOOH_DEVICE_TYPE
            if "ifa" in device:
                assert device["ext"]["ifa_type"] == "sspid"
        elif device.get("devicetype") in CTV_DEVICE_TYPES and "ifa" in device:
            ctv += 1
            assert device["ext"]["ifa_type"] == IFA_TYPE_BY_OS[device["os"]], device
    assert screens > 100 and ctv > 500, (screens, ctv)
