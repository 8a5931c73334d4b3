"""Generated samples shared by the synthesis tests (building a generator takes about a second)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from mock_data_gen.synthesis import BidRequestGenerator, BidRequestRecord

# A winter day (no daylight saving in the northern hemisphere) and a summer day.
WINTER_DAY_MS = int(datetime(2026, 1, 14, tzinfo=UTC).timestamp() * 1000)
SUMMER_DAY_MS = int(datetime(2026, 7, 15, tzinfo=UTC).timestamp() * 1000)
DAY_MS = 86_400_000


@dataclass
class Sample:
    records: list[BidRequestRecord]
    requests: list[dict[str, Any]]


def day_times(start_ms: int, count: int) -> list[int]:
    """``count`` event times spread evenly over one day."""
    return [start_ms + i * DAY_MS // count for i in range(count)]


_GENERATORS: dict[int, BidRequestGenerator] = {}


def generator(seed: int) -> BidRequestGenerator:
    """A fresh generator per seed, built once per test session (generation advances it)."""
    if seed not in _GENERATORS:
        _GENERATORS[seed] = BidRequestGenerator(seed=seed)
    return _GENERATORS[seed]


def sample(seed: int, times: list[int]) -> Sample:
    records = generator(seed).generate_batch(times)
    return Sample(records, [orjson.loads(record.payload) for record in records])
