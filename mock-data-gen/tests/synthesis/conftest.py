"""Session-wide samples for the synthesis tests (see ``samples``)."""

from __future__ import annotations

import pytest
from samples import SUMMER_DAY_MS, WINTER_DAY_MS, Sample, day_times, sample


@pytest.fixture(scope="session")
def big_sample() -> Sample:
    """20,000 requests over a winter day and a summer day (seed 1)."""
    times = day_times(WINTER_DAY_MS, 10_000) + day_times(SUMMER_DAY_MS, 10_000)
    return sample(1, times)


@pytest.fixture(scope="session")
def conformance_samples() -> dict[int, Sample]:
    """2,000 requests over one day for each of 5 seeds."""
    return {
        seed: sample(seed, day_times(WINTER_DAY_MS + seed * 3_600_000, 2_000)) for seed in range(5)
    }
