"""Supply looks like real sellers' over many seeds and times of day: one identity per publisher,
pod floors that belong to their pod and market, and CTV and audio details that tell one story."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from typing import Any

from supply_samples import channel, placement, supply_samples

# What a CTV platform's store URL looks like, with the app's store id (``app.bundle``) in it.
STORE_URL = {
    "Roku OS": r"https://channelstore\.roku\.com/details/{bundle}",
    "FireOS": r"https://www\.amazon\.com/dp/{bundle}",
    "Tizen": r"https://www\.samsung\.com/us/appstore/app/{bundle}",
    "WebOS": r"https://us\.lgappstv\.com/main/tvapp/detail\?appId={bundle}",
    "tvOS": r"https://apps\.apple\.com/us/app/id{bundle}",
    "Android": r"https://play\.google\.com/store/apps/details\?id={bundle}",
}


def _imps(requests: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(request, imp) for request in requests for imp in request["imp"]]


# --- 3. One publisher, one identity --------------------------------------------------------


def test_each_publisher_has_one_id_one_name_one_domain_and_sells_under_its_own_id() -> None:
    for seed, samples in supply_samples().items():
        identity: dict[str, set[tuple[str, str]]] = defaultdict(set)
        by_domain: dict[str, set[str]] = defaultdict(set)
        by_name: dict[str, set[str]] = defaultdict(set)
        site_owner: dict[str, set[str]] = defaultdict(set)
        reseller_sid: dict[tuple[str, str], set[str]] = defaultdict(set)
        for request in samples.requests:
            where = placement(request)
            pub = where["publisher"]
            identity[pub["id"]].add((pub["name"], pub["domain"]))
            by_domain[pub["domain"]].add(pub["id"])
            by_name[pub["name"]].add(pub["id"])
            if "site" in request:
                site_owner[where["domain"]].add(pub["id"])
            nodes = request["source"]["schain"]["nodes"]
            if len(nodes) == 1:
                # Sold directly: the seller id in the exchange's sellers.json is the publisher's.
                assert nodes[0]["sid"] == pub["id"], (seed, request["id"])
            else:
                reseller_sid[(pub["id"], nodes[0]["asi"])].add(nodes[0]["sid"])
        assert len(identity) > 150, seed
        assert all(len(names) == 1 for names in identity.values()), seed
        shared = {d: ids for d, ids in by_domain.items() if len(ids) > 1}
        assert not shared, (seed, sorted(shared)[:5])
        assert all(len(ids) == 1 for ids in by_name.values()), seed
        assert all(len(ids) == 1 for ids in site_owner.values()), seed
        # A reseller holds one account per publisher, whichever of its sites is sold.
        assert all(len(sids) == 1 for sids in reseller_sid.values()), seed


# --- 5. Pod floors -----------------------------------------------------------------------------


def test_a_pod_has_one_floor_with_at_most_a_premium_on_its_first_slot() -> None:
    pods = 0
    for seed, samples in supply_samples().items():
        for request in samples.requests:
            slots = [imp for imp in request["imp"] if "slotinpod" in imp.get("video", {})]
            if len(slots) < 2:
                continue
            pods += 1
            first = [imp["bidfloor"] for imp in slots if imp["video"]["slotinpod"] == 1]
            rest = {imp["bidfloor"] for imp in slots if imp["video"]["slotinpod"] != 1}
            assert len(rest) == 1, (seed, request["id"], rest)
            (floor,) = rest
            assert all(floor <= f <= 1.5 * floor + 0.01 for f in first), (seed, first, floor)
    assert pods > 500


def _duration_floors(requests: list[dict[str, Any]]) -> list[tuple[str, str, float, float]]:
    """(country, form, the imp's bidfloor, the duration floor for 30 seconds of ad) of every CTV
    slot's duration floors: a tier's floor per second of its longest spot (the slot's longest
    for an open-ended tier), or ``mincpmpersec``, times 30."""
    out = []
    for request, imp in _imps(requests):
        video = imp.get("video", {})
        country = request["device"]["geo"]["country"]
        for tier in video.get("durfloors", []):
            seconds = tier.get("maxdur", video["maxduration"])
            out.append((country, "durfloors", imp["bidfloor"], tier["bidfloor"] / seconds * 30))
        if "mincpmpersec" in video:
            out.append((country, "mincpmpersec", imp["bidfloor"], video["mincpmpersec"] * 30))
    return out


def test_duration_floors_follow_the_slot_floor_and_its_market() -> None:
    for seed, samples in supply_samples().items():
        floors = _duration_floors(samples.requests)
        forms = Counter(form for _, form, _, _ in floors)
        assert forms["durfloors"] > 50 and forms["mincpmpersec"] > 20, (seed, forms)
        for _, form, bidfloor, per_30s in floors:
            # Never far from the slot's own floor: longer spots at most at a moderate premium.
            assert 0.95 * bidfloor - 0.01 <= per_30s <= 2.0 * bidfloor + 0.01, (seed, form)
        values = {round(per_30s, 2) for _, _, _, per_30s in floors}
        assert len(values) > 0.3 * len(floors), seed
        by_country: dict[str, list[float]] = defaultdict(list)
        for country, _, _, per_30s in floors:
            by_country[country].append(per_30s)
        rich = statistics.median(by_country["USA"])
        poor = [statistics.median(v) for c, v in by_country.items() if c in ("IND", "BRA", "IDN")]
        assert poor and all(rich > 2.5 * p for p in poor), (seed, rich, poor)


# --- 7. CTV and audio details ------------------------------------------------------------------


def test_ctv_apps_name_their_store_page_own_version_and_genre() -> None:
    for seed, samples in supply_samples().items():
        versions: dict[str, set[str]] = defaultdict(set)
        cats: Counter[str] = Counter()
        ctv = 0
        for request in samples.requests:
            if channel(request) != "ctv":
                continue
            ctv += 1
            app, device = request["app"], request["device"]
            pattern = STORE_URL[device["os"]].format(bundle=re.escape(app["bundle"]))
            assert re.fullmatch(pattern, app.get("storeurl", "")), (seed, app, device["os"])
            versions[app["ver"]].add(app["id"])
            cats.update(app["cat"])
            content = app.get("content", {})
            if content.get("livestream") == 1:
                # Live channels carry news or sports; the app says so too.
                assert set(app["cat"]) & set(content["cat"]), (seed, app["cat"], content)
        assert ctv > 300, seed
        assert len(versions) > 15, seed
        assert len(cats) >= 5 and cats.most_common(1)[0][1] < 0.6 * cats.total(), (seed, cats)


def test_apple_tv_user_agents_carry_a_build_of_their_own_tvos_release() -> None:
    checked = 0
    for seed, samples in supply_samples().items():
        for request in samples.requests:
            device = request["device"]
            if device.get("os") != "tvOS":
                continue
            found = re.search(r"AppleCoreMedia/1\.0\.0\.(\w+) .*CPU OS (\d+)_", device["ua"])
            assert found, device["ua"]
            build, major = found.groups()
            # tvOS N builds are numbered N + 4 (tvOS 17: 21x, tvOS 18: 22x).
            assert int(build[:2]) == int(major) + 4, (seed, device["ua"], device["osv"])
            assert device["osv"].split(".")[0] == major
            checked += 1
    assert checked > 100


def test_live_audio_breaks_are_in_live_streams_and_podcasts_are_stitched_server_side() -> None:
    modes: Counter[tuple[int, int]] = Counter()
    for seed, samples in supply_samples().items():
        feeds: Counter[int] = Counter()
        for request, imp in _imps(samples.requests):
            audio = imp.get("audio")
            if audio is None:
                continue
            content = request["app"].get("content", {})
            live = "rqddurs" in audio
            # An exact-duration (live) break belongs to a live stream, and back.
            assert live == (content.get("livestream") == 1), (seed, audio, content)
            if live:
                assert audio["feed"] == 2 and content.get("realtime") == 1, seed
            modes[(audio["feed"], imp.get("ssai", 0))] += 1
            feeds[audio["feed"]] += 1
            # Stitched into the stream means server-side insertion (ssai 2 or 3), and back.
            assert audio["stitched"] == (1 if imp["ssai"] in (2, 3) else 0)
        assert set(feeds) == {1, 2, 3}, (seed, feeds)
    podcasts = sum(c for (feed, _), c in modes.items() if feed == 3)
    stitched = sum(c for (feed, ssai), c in modes.items() if feed == 3 and ssai in (2, 3))
    # Dynamic ad insertion on the hosting platform dominates podcast advertising.
    assert podcasts > 50 and stitched / podcasts > 0.7, modes


def test_interstitials_fill_the_screen_of_the_device_they_run_on() -> None:
    sizes: dict[int, Counter[tuple[int, int]]] = defaultdict(Counter)
    for samples in supply_samples().values():
        for request, imp in _imps(samples.requests):
            if imp.get("instl") != 1:
                continue
            media = imp.get("banner") or imp["video"]
            sizes[request["device"]["devicetype"]][(media["w"], media["h"])] += 1
    assert set(sizes[4]) == {(320, 480), (480, 320)}, sizes[4]
    assert set(sizes[5]) == {(768, 1024), (1024, 768)}, sizes[5]
    assert sizes[5].total() > 30
