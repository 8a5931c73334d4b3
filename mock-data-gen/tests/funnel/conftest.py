"""Session-wide funnels for the funnel tests (see ``funnel_samples``)."""

from __future__ import annotations

import pytest
from funnel_samples import SEEDS, Funnel, funnel


@pytest.fixture(scope="session")
def funnels() -> dict[int, Funnel]:
    """1,500 requests over one day and their funnels, for each of 5 seeds."""
    return {seed: funnel(seed) for seed in SEEDS}
