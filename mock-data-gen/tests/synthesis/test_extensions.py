"""The extensions most 2.6 traffic carries, in ``ext`` where the IAB Tech Lab and Prebid put them:
SKAdNetwork on iOS apps, DSA transparency under the Digital Services Act, GPID, per-imp tids."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from supply_samples import channel, placement, supply_samples

# EU member states among the markets: the DSA applies there, not in the UK.
EU = {"DEU", "FRA", "ITA", "ESP", "NLD", "SWE", "POL"}
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
SKADN_ID = re.compile(r"[0-9a-z]{10}\.skadnetwork")


def test_ios_in_app_impressions_carry_skadnetwork_signals_for_the_app() -> None:
    pooled: Counter[tuple[str, bool]] = Counter()
    for seed, samples in supply_samples().items():
        shares: Counter[tuple[str, bool]] = Counter()
        for request in samples.requests:
            for imp in request["imp"]:
                skadn = imp.get("ext", {}).get("skadn")
                ios_app = channel(request) == "app" and request["device"]["os"] == "iOS"
                shares[("ios" if ios_app else "other", skadn is not None)] += 1
                if skadn is None:
                    continue
                assert ios_app, (seed, request["id"])
                assert skadn["sourceapp"] == request["app"]["bundle"]
                versions = skadn["versions"]
                assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))))
                assert versions[0] == "2.0" and {"3.0", "4.0"} <= set(versions)
                ids = skadn["skadnetids"]
                assert 1 <= len(ids) <= 10 and len(set(ids)) == len(ids)
                assert all(SKADN_ID.fullmatch(i) for i in ids), ids
        ios = shares[("ios", True)] + shares[("ios", False)]
        # Per seed a few popular apps weigh heavily; over all seeds, most iOS apps send it.
        assert ios > 500 and 0.55 < shares[("ios", True)] / ios < 0.99, (seed, shares)
        pooled += shares
    ios = pooled[("ios", True)] + pooled[("ios", False)]
    assert 0.75 < pooled[("ios", True)] / ios < 0.97, pooled


def test_eu_requests_carry_dsa_transparency_set_per_publisher() -> None:
    for seed, samples in supply_samples().items():
        by_publisher: dict[str, set[str]] = defaultdict(set)
        eu = with_dsa = 0
        required: Counter[int] = Counter()
        for request in samples.requests:
            dsa = request["regs"].get("ext", {}).get("dsa")
            country = request["device"]["geo"]["country"]
            if country not in EU:
                assert dsa is None, (seed, country)
                continue
            eu += 1
            if dsa is None:
                continue
            with_dsa += 1
            assert dsa["dsarequired"] in (1, 2, 3) and dsa["pubrender"] in (0, 1, 2)
            assert dsa["datatopub"] in (0, 1, 2)
            for entity in dsa.get("transparency", []):
                assert entity["domain"] and set(entity["dsaparams"]) <= {1, 2, 3}
            required[dsa["dsarequired"]] += 1
            by_publisher[placement(request)["publisher"]["id"]].add(repr(sorted(dsa.items())))
        assert eu > 300 and 0.5 < with_dsa / eu < 0.95, (seed, eu, with_dsa)
        assert all(len(settings) == 1 for settings in by_publisher.values()), seed
        assert len(required) >= 2, (seed, required)


def test_header_bidding_impressions_name_their_ad_unit_and_transaction() -> None:
    for seed, samples in supply_samples().items():
        gpids: dict[tuple[str, str], set[str]] = defaultdict(set)
        owners: dict[str, set[str]] = defaultdict(set)
        tids: set[str] = set()
        counts: Counter[str] = Counter()
        for request in samples.requests:
            for imp in request["imp"]:
                ext = imp.get("ext", {})
                counts[channel(request)] += 1
                if "gpid" in ext:
                    counts["gpid " + channel(request)] += 1
                    # The ad server's ad unit path: network code, then the publisher's path.
                    assert re.fullmatch(r"/\d{4,11}(/[\w.-]+)+(#[\w-]+)?", ext["gpid"]), ext
                    key = (placement(request)["id"], imp["tagid"])
                    gpids[key].add(ext["gpid"])
                    owners[ext["gpid"]].add(placement(request)["id"])
                if "tid" in ext:
                    counts["tid " + channel(request)] += 1
                    assert UUID4.fullmatch(ext["tid"]) and ext["tid"] != request["source"]["tid"]
                    assert ext["tid"] not in tids, seed
                    tids.add(ext["tid"])
        assert all(len(paths) == 1 for paths in gpids.values()), seed
        assert all(len(properties) == 1 for properties in owners.values()), seed
        assert 0.4 < counts["gpid web"] / counts["web"] < 0.8, (seed, counts)
        assert 0.1 < counts["tid web"] / counts["web"] < 0.5, (seed, counts)
        assert counts["gpid app"] > 0 and counts["tid app"] > 0, (seed, counts)
        assert counts["gpid dooh"] == counts["tid ctv"] == 0, (seed, counts)
