"""Sellers differ the way real ones do: creative policies, block lists, timeouts, SDKs, slots."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

from decoders import decode_tc_string
from samples import Sample


def _placement(request: dict[str, Any]) -> dict[str, Any]:
    return request.get("site") or request.get("app") or request["dooh"]  # type: ignore[no-any-return]


def test_creative_policies_and_block_lists_vary_by_publisher_and_hold_within_one(
    big_sample: Sample,
) -> None:
    battr: dict[str, set[tuple[int, ...]]] = defaultdict(set)
    badv: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for request in big_sample.requests:
        publisher = _placement(request)["publisher"]["id"]
        badv[publisher].add(tuple(request.get("badv", ())))
        for imp in request["imp"]:
            if "banner" in imp and "dooh" not in request:
                battr[publisher].add(tuple(imp["banner"].get("battr", ())))
    assert all(len(lists) == 1 for lists in battr.values())
    assert all(len(lists) == 1 for lists in badv.values())
    policies = Counter(next(iter(lists)) for lists in battr.values())
    assert len(policies) >= 5 and policies.most_common(1)[0][1] < 0.5 * sum(policies.values())
    domains = {d for lists in badv.values() for blocked in lists for d in blocked}
    assert len(domains) >= 25


def test_viewability_is_a_per_slot_estimate_that_follows_the_position(big_sample: Sample) -> None:
    by_pos: dict[int, list[float]] = defaultdict(list)
    for request in big_sample.requests:
        for imp in request["imp"]:
            if "banner" in imp and "metric" in imp:
                value = imp["metric"][0]["value"]
                assert 0.0 < value < 1.0
                by_pos[imp["banner"]["pos"]].append(value)
    values = Counter(v for vs in by_pos.values() for v in vs)
    assert len(values) > 60 and values.most_common(1)[0][1] < 0.1 * values.total()
    mean = {pos: statistics.fmean(vs) for pos, vs in by_pos.items()}
    assert mean[5] > mean[1] > mean[3]


def test_tmax_follows_the_channel(big_sample: Sample) -> None:
    tmax: dict[str, Counter[int]] = defaultdict(Counter)
    for request in big_sample.requests:
        if "site" in request:
            channel = "web"
        elif "dooh" in request:
            channel = "dooh"
        else:
            channel = "ctv" if request["device"]["devicetype"] in (3, 7) else "app"
        tmax[channel][request["tmax"]] += 1
    assert set(tmax["web"]) <= set(range(200, 501)) and {300, 500} <= {
        t for t, _ in tmax["web"].most_common(2)
    }
    assert set(tmax["app"]) <= set(range(200, 301))
    assert set(tmax["ctv"]) <= set(range(500, 1001))
    assert min(tmax["dooh"]) >= 1000


def test_site_mobile_is_a_property_of_the_site_that_shapes_its_slots(big_sample: Sample) -> None:
    flags: dict[str, set[int]] = defaultdict(set)
    by_flag: Counter[tuple[int, int]] = Counter()
    for request in big_sample.requests:
        if "site" not in request:
            continue
        site = request["site"]
        flags[site["id"]].add(site["mobile"])
        by_flag[(site["mobile"], request["device"]["devicetype"])] += 1
        if site["mobile"] == 0:
            # Desktop-only sites show phones their desktop slots, never mobile adhesion.
            assert all(imp.get("banner", {}).get("pos") != 5 for imp in request["imp"])
    assert all(len(seen) == 1 for seen in flags.values())
    assert by_flag[(0, 2)] > 100 and by_flag[(0, 4)] > 20 and by_flag[(1, 2)] > 100


def test_app_impressions_name_the_apps_one_ad_sdk(big_sample: Sample) -> None:
    sdks: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for request in big_sample.requests:
        if "app" not in request or request["device"]["devicetype"] not in (4, 5):
            continue
        for imp in request["imp"]:
            sdks[request["app"]["id"]].add((imp["displaymanager"], imp["displaymanagerver"]))
    assert all(len(seen) == 1 for seen in sdks.values())
    names = Counter(next(iter(seen))[0] for seen in sdks.values())
    assert {"GoogleMobileAds", "AppLovin", "PrebidMobile"} <= set(names)


def test_buyer_uid_only_where_the_user_may_be_tracked(big_sample: Sample) -> None:
    counts = Counter()
    for request in big_sample.requests:
        user = request.get("user", {})
        if "dooh" in request or request["regs"].get("coppa") == 1:
            assert "buyeruid" not in user
            continue
        counts["users"] += 1
        if "buyeruid" not in user:
            continue
        counts["buyeruid"] += 1
        assert request["device"].get("lmt", 0) == 0
        if "consent" in user:
            tc = decode_tc_string(user["consent"])
            assert {1, 3, 4} <= tc.purposes_consent and 21 in tc.vendors_consent
        if "gpp" in request["regs"]:
            assert request["regs"]["us_privacy"][2] != "Y"  # not opted out of sale
    assert 0.15 < counts["buyeruid"] / counts["users"] < 0.5
