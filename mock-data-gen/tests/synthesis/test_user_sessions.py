"""Users are active in sessions, decoded from traffic of five seeds at two busy moments (1,000
requests a second) and over a whole simulated day: no user exceeds a realistic number of requests a
minute, and within a session window (5 minutes) a user stays on one context (web or app) and one
site or app. The caps (``users.SESSION_CAP``) follow Contentsquare's Digital Experience Benchmark
(pages per session and session length) and CTV ad-break cadence; the test allows the pool-limited
slack at high rates."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from samples import DAY_MS, SUMMER_DAY_MS, WINTER_DAY_MS, day_times, sample

SEEDS = (1, 7, 23, 101, 4242)
RATE_MS = 1  # 1,000 requests a second
MOMENTS = (WINTER_DAY_MS + 20 * 3_600_000, SUMMER_DAY_MS + 9 * 3_600_000)
WINDOW_MS = 300_000
# Requests of one user in one minute at most: web and apps, CTV (ad breaks). At 1,000 requests a
# second the 30,000-user pool itself bounds CTV users to a few requests a minute each.
MAX_PER_MINUTE = {"web": 12, "app": 12, "ctv": 9}
CTV_DEVICE_TYPES = (3, 7)


def _kind(request: dict[str, Any]) -> str:
    if "site" in request:
        return "web"
    return "ctv" if request["device"].get("devicetype") in CTV_DEVICE_TYPES else "app"


def _runs() -> list[list[tuple[int, dict[str, Any]]]]:
    runs = []
    for seed in SEEDS:
        for start in MOMENTS:
            times = [start + i * RATE_MS for i in range(12_000)]
            runs.append(list(zip(times, sample(seed, times).requests, strict=True)))
        times = day_times(WINTER_DAY_MS + 3 * DAY_MS, 12_000)
        runs.append(list(zip(times, sample(seed, times).requests, strict=True)))
    return runs


_CACHE: list[list[list[tuple[int, dict[str, Any]]]]] = []


def runs() -> list[list[tuple[int, dict[str, Any]]]]:
    if not _CACHE:
        _CACHE.append(_runs())
    return _CACHE[0]


def test_no_user_exceeds_a_realistic_rate() -> None:
    for run in runs():
        per_minute: Counter[tuple[str, str, int]] = Counter()
        for t, request in run:
            user = request.get("user", {}).get("id")
            if user and "dooh" not in request:
                per_minute[(user, _kind(request), t // 60_000)] += 1
        worst: dict[str, int] = defaultdict(int)
        for (_, kind, _), count in per_minute.items():
            worst[kind] = max(worst[kind], count)
        for kind, count in worst.items():
            assert count <= MAX_PER_MINUTE[kind], (kind, count)


def test_a_session_stays_on_one_context_and_one_site_or_app() -> None:
    sessions = 0
    for run in runs():
        seen: dict[tuple[str, int], set[tuple[str, str]]] = defaultdict(set)
        for t, request in run:
            user = request.get("user", {}).get("id")
            if not user or "dooh" in request:
                continue
            place = request.get("site") or request["app"]
            seen[(user, t // WINDOW_MS)].add((_kind(request), place["id"]))
        multi = [s for s in seen.values() if len(s) > 1]
        sessions += len(seen)
        assert not multi, multi[:3]
    assert sessions > 10_000
