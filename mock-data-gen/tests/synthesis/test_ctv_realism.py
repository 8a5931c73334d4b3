"""Connected TV requests look like the apps that send them: live breaks are not cached for
hours, and native TV apps (no browser engine) do not claim JavaScript."""

from __future__ import annotations

from collections import Counter

from supply_samples import channel, supply_samples

# A live break is decided when its cue arrives, seconds before it airs.
LIVE_EXP_MAX = 60
# Platforms whose apps are web apps on the TV's browser engine (Tizen, webOS) run JavaScript;
# Roku (BrightScript), tvOS, Fire OS and Android TV apps play VAST in the platform's player.
WEB_APP_OS = {"Tizen", "WebOS"}


def test_live_breaks_expire_within_a_minute_and_vod_breaks_may_wait() -> None:
    for seed, samples in supply_samples().items():
        counts: Counter[str] = Counter()
        for request in samples.requests:
            if channel(request) != "ctv" or "app" not in request:
                continue
            live = request["app"].get("content", {}).get("livestream") == 1
            for imp in request["imp"]:
                if "video" not in imp:
                    continue
                counts["live" if live else "vod"] += 1
                if live:
                    assert imp.get("exp", 0) <= LIVE_EXP_MAX, (seed, imp)
                else:
                    assert imp["exp"] > LIVE_EXP_MAX, (seed, imp)
        assert counts["live"] > 10 and counts["vod"] > 100, (seed, counts)


def test_native_tv_apps_do_not_claim_javascript() -> None:
    for seed, samples in supply_samples().items():
        seen: Counter[tuple[str, object]] = Counter()
        for request in samples.requests:
            if channel(request) != "ctv" or "app" not in request:
                continue
            device = request["device"]
            seen[device["os"], device.get("js")] += 1
        assert all(js != 1 for (os, js) in seen if os not in WEB_APP_OS), (seed, seen)
        assert all(js == 1 for (os, js) in seen if os in WEB_APP_OS), (seed, seen)
        systems = {os for os, _ in seen}
        assert {"Roku OS", "tvOS"} <= systems and systems & WEB_APP_OS, (seed, seen)
