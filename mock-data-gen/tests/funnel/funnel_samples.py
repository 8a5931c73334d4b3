"""Generated requests and their funnels, shared by the funnel tests.

The generator gets smaller pools than its default profile (fewer users, sites and apps): that only
changes how often the same users and properties recur, not what a request may contain, and it
builds in a second instead of three, five times per session.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from mock_data_gen.funnel import FunnelEvent, FunnelSimulator
from mock_data_gen.synthesis import DEFAULT_PROFILE, BidRequestGenerator, BidRequestRecord

SEEDS = (0, 1, 2, 3, 4)
REQUESTS_PER_SEED = 1500
DAY_MS = 86_400_000
START_MS = int(datetime(2026, 1, 14, tzinfo=UTC).timestamp() * 1000)
SMALL_POOLS = dataclasses.replace(
    DEFAULT_PROFILE, users=3_000, sites=300, apps=200, ctv_apps=60, dooh_screens=100
)


@dataclass
class Funnel:
    seed: int
    records: list[BidRequestRecord]
    requests: dict[str, dict[str, Any]]  # by request id
    request_times: dict[str, int]  # event time of each request (ms)
    events: list[FunnelEvent]

    def of_type(self, kind: str) -> list[FunnelEvent]:
        return [event for event in self.events if event.type == kind]


def generated_records(seed: int, count: int) -> list[BidRequestRecord]:
    """``count`` requests spread over a whole day (every market awake at some point)."""
    generator = BidRequestGenerator(seed=seed, profile=SMALL_POOLS)
    start = START_MS + seed * 3_600_000
    return generator.generate_batch([start + i * DAY_MS // count for i in range(count)])


def funnel(seed: int, count: int = REQUESTS_PER_SEED) -> Funnel:
    records = generated_records(seed, count)
    events = FunnelSimulator(seed).simulate_records(records)
    return Funnel(
        seed=seed,
        records=records,
        requests={r.request_id: orjson.loads(r.payload) for r in records},
        request_times={r.request_id: r.event_time_ms for r in records},
        events=events,
    )
