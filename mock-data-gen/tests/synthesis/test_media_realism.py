"""Impressions look like real supply: formats, sizes, video and audio signals, floors, deals."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

import orjson
from samples import Sample

# IAB standard display sizes.
IAB_SIZES = {
    (300, 250), (728, 90), (320, 50), (160, 600), (300, 600), (970, 250), (320, 100), (336, 280),
    (300, 50), (970, 90), (120, 600), (468, 60), (320, 480), (480, 320), (1920, 1080), (1080, 1920),
    (768, 1024), (1024, 768),
}  # fmt: skip


def _imps(sample: Sample) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(request, imp) for request in sample.requests for imp in request["imp"]]


def test_each_request_is_for_exactly_one_of_site_app_or_dooh_in_a_realistic_mix(
    big_sample: Sample,
) -> None:
    kinds = Counter()
    for request in big_sample.requests:
        present = [k for k in ("site", "app", "dooh") if k in request]
        assert len(present) == 1, request["id"]
        kinds[present[0]] += 1
    total = len(big_sample.requests)
    assert 0.3 < kinds["site"] / total < 0.65
    assert 0.3 < kinds["app"] / total < 0.65
    assert 0.005 < kinds["dooh"] / total < 0.05


def test_banners_use_iab_sizes_with_300x250_and_320x50_leading(big_sample: Sample) -> None:
    sizes = Counter()
    for _, imp in _imps(big_sample):
        banner = imp.get("banner")
        if banner is None:
            continue
        assert banner["format"], "every banner lists its accepted sizes"
        assert (banner["w"], banner["h"]) == (banner["format"][0]["w"], banner["format"][0]["h"])
        for fmt in banner["format"]:
            assert (fmt["w"], fmt["h"]) in IAB_SIZES
        sizes[(banner["w"], banner["h"])] += 1
    top_two = {size for size, _ in sizes.most_common(2)}
    assert top_two == {(300, 250), (320, 50)}
    for size in [(728, 90), (300, 600), (970, 250), (320, 100)]:
        assert sizes[size] > 0, size
    assert any(len(imp["banner"]["format"]) > 1 for _, imp in _imps(big_sample) if "banner" in imp)


def test_video_covers_instream_outstream_and_ctv_pods_with_consistent_duration_rules(
    big_sample: Sample,
) -> None:
    plcmts = Counter()
    pods = 0
    dynamic = 0
    for request, imp in _imps(big_sample):
        video = imp.get("video")
        if video is None:
            continue
        plcmts[video["plcmt"]] += 1
        assert video["mimes"] and video["protocols"]
        has_minmax = "minduration" in video or "maxduration" in video
        assert has_minmax != ("rqddurs" in video), f"{request['id']}: exactly one duration form"
        assert not ("mincpmpersec" in video and "durfloors" in video)
        if "podid" in video:
            pods += 1
            assert video["podseq"] in (-1, 0, 1)
            if "poddur" in video:
                dynamic += 1
                assert video["maxseq"] >= 2 and video["mincpmpersec"] > 0
            else:
                assert video["slotinpod"] in (-1, 0, 1)
        if request.get("device", {}).get("devicetype") in (3, 7):
            assert video["plcmt"] == 1 and "podid" in video
    assert {1, 2, 3, 4} <= set(plcmts)
    assert pods > 100 and dynamic > 10
    assert any("durfloors" in imp.get("video", {}) for _, imp in _imps(big_sample))
    assert any("rqddurs" in imp.get("video", {}) for _, imp in _imps(big_sample))


def test_native_requests_are_native_1_2_json_strings_with_the_core_assets(
    big_sample: Sample,
) -> None:
    natives = [imp["native"] for _, imp in _imps(big_sample) if "native" in imp]
    assert len(natives) > 200
    for native in natives:
        assert native["ver"] == "1.2"
        request = orjson.loads(native["request"])
        assert request["ver"] == "1.2"
        assets = request["assets"]
        assert any("title" in a for a in assets)
        assert {a["img"]["type"] for a in assets if "img" in a} == {1, 3}  # icon and main image
        assert {1, 2} <= {a["data"]["type"] for a in assets if "data" in a}  # sponsored, desc
        assert len({a["id"] for a in assets}) == len(assets)


def test_audio_comes_from_streaming_radio_and_podcast_apps(big_sample: Sample) -> None:
    feeds = Counter()
    for request, imp in _imps(big_sample):
        if "audio" in imp:
            assert "app" in request
            assert request["app"]["cat"][0] in ("IAB1-6", "IAB1")
            feeds[imp["audio"]["feed"]] += 1
            assert imp["audio"]["mimes"]
    assert set(feeds) == {1, 2, 3}  # music streaming, broadcast radio, podcasts (AdCOM Feed Types)


def test_audio_stitching_and_ssai_tell_the_same_story(big_sample: Sample) -> None:
    modes = Counter()
    for _, imp in _imps(big_sample):
        if "audio" in imp:
            stitched, ssai = imp["audio"]["stitched"], imp["ssai"]
            # Stitched into the stream means server-side insertion (ssai 2 or 3), and back.
            assert (stitched == 1) == (ssai in (2, 3)), imp["tagid"]
            modes[(imp["audio"]["feed"], stitched, ssai)] += 1
    # On-demand music, live radio, podcasts stitched at download or inserted by the player.
    assert {(1, 1, 2), (2, 1, 3), (3, 1, 3), (3, 0, 1)} <= set(modes)


def _floors(sample: Sample) -> dict[tuple[str, str], list[float]]:
    out: dict[tuple[str, str], list[float]] = defaultdict(list)
    for request, imp in _imps(sample):
        if imp.get("bidfloorcur") != "USD":
            continue
        media = next(m for m in ("video", "audio", "native", "banner") if m in imp)
        out[(media, request["device"]["geo"]["country"])].append(imp["bidfloor"])
    return out


def test_floors_are_higher_for_video_than_display_and_in_rich_markets(big_sample: Sample) -> None:
    floors = _floors(big_sample)

    def median(media: str, *countries: str) -> float:
        return statistics.median(v for c in countries for v in floors[(media, c)])

    assert median("video", "USA") > 5 * median("banner", "USA")
    assert median("banner", "USA") > 3 * median("banner", "IND")
    assert median("banner", "USA") > 2 * median("banner", "BRA")
    assert median("banner", "GBR", "DEU") > 2 * median("banner", "IND", "BRA")
    # Log-normal spread: the upper quartile is well above the lower one.
    us = sorted(floors[("banner", "USA")])
    assert us[3 * len(us) // 4] > 1.5 * us[len(us) // 4]


def test_floor_currency_matches_the_request_currency_and_euro_floors_exist(
    big_sample: Sample,
) -> None:
    currencies = Counter()
    for request, imp in _imps(big_sample):
        assert request["cur"] == [imp["bidfloorcur"]]
        currencies[imp["bidfloorcur"]] += 1
        if imp["bidfloorcur"] == "EUR":
            # Only publishers in the euro area price in euros.
            assert request["device"]["geo"]["country"] in {"DEU", "FRA", "ITA", "ESP", "NLD"}
    assert currencies["USD"] > currencies["EUR"] > 0


def test_a_share_of_impressions_carries_private_marketplace_deals(big_sample: Sample) -> None:
    imps = _imps(big_sample)
    with_deals = [imp for _, imp in imps if "pmp" in imp]
    assert 0.03 < len(with_deals) / len(imps) < 0.35
    private = Counter(imp["pmp"]["private_auction"] for imp in with_deals)
    assert private[0] > private[1] > 0
    for imp in with_deals:
        for deal in imp["pmp"]["deals"]:
            assert deal["id"] and deal["at"] in (1, 3)
            floors = [k for k in ("bidfloor", "mincpmpersec", "durfloors") if k in deal]
            assert len(floors) == 1, deal
            assert deal["bidfloorcur"] == imp["bidfloorcur"]
    assert any(deal.get("guar") == 1 for imp in with_deals for deal in imp["pmp"]["deals"])


def test_deal_terms_match_the_deal_type_and_sit_at_or_above_the_open_floor(
    big_sample: Sample,
) -> None:
    kinds = Counter()
    for _, imp in _imps(big_sample):
        for deal in imp.get("pmp", {}).get("deals", []):
            prefix = deal["id"].split("-")[0]
            kinds[prefix] += 1
            # Programmatic guaranteed: fixed price, guaranteed; nothing else claims a guarantee.
            assert (prefix == "PG") == (deal.get("guar") == 1), deal
            if prefix in ("PG", "PD"):
                assert deal["at"] == 3, deal
            if "bidfloor" in deal:
                lowest = deal["bidfloor"]
            elif "durfloors" in deal:
                lowest = min(tier["bidfloor"] for tier in deal["durfloors"])
            else:
                lowest = deal["mincpmpersec"] * 30
            assert lowest >= imp["bidfloor"] - 1e-9, (deal, imp["bidfloor"])
    assert kinds["PG"] > 20 and kinds["PMP"] > 20
