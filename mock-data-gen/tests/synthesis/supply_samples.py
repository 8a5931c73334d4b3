"""Samples for the supply, media-mix and extension realism tests: five seeds, each over a whole
simulated day and in two bursts at other dates and hours (a US evening, a European morning)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from samples import DAY_MS, Sample, day_times, sample

SEEDS = (0, 1, 2, 3, 4)
# A whole day per seed, a request every 18 simulated seconds, on a different date per seed.
DAY_COUNT = 4_800
FIRST_DAY = datetime(2026, 1, 14, tzinfo=UTC)
# Two bursts at 1,000 requests per second: US prime time and a European weekday morning.
BURSTS = (datetime(2026, 7, 15, 1, tzinfo=UTC), datetime(2026, 4, 20, 8, tzinfo=UTC))
BURST_COUNT = 1_500


@dataclass
class SeedSamples:
    day: Sample
    bursts: list[Sample]

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.day.requests + [r for burst in self.bursts for r in burst.requests]


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@functools.cache
def supply_samples() -> dict[int, SeedSamples]:
    out = {}
    for seed in SEEDS:
        day = _ms(FIRST_DAY + timedelta(days=37 * seed))
        bursts = [sample(seed, [_ms(start) + i for i in range(BURST_COUNT)]) for start in BURSTS]
        out[seed] = SeedSamples(sample(seed, day_times(day, DAY_COUNT)), bursts)
    assert DAY_COUNT * 18_000 == DAY_MS
    return out


def placement(request: dict[str, Any]) -> dict[str, Any]:
    """The request's site, app or DOOH screen."""
    return request.get("site") or request.get("app") or request["dooh"]  # type: ignore[no-any-return]


def channel(request: dict[str, Any]) -> str:
    """web, app, ctv or dooh."""
    if "dooh" in request:
        return "dooh"
    if "site" in request:
        return "web"
    return "ctv" if request["device"].get("devicetype") in (3, 7) else "app"
