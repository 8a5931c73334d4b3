"""Diurnal traffic curves: how request volume and device mix follow each market's local clock.

The curves are relative request volumes per local hour, shaped after published hourly
programmatic traffic and TV-viewing curves: a trough around 04:00, a morning ramp, a
daytime plateau and an evening peak (prime time). Desktop leans to office hours, connected TV to
the evening, phones stay broad.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from mock_data_gen.synthesis.geo import MarketTable
from mock_data_gen.synthesis.profile import TrafficProfile

# Relative request volume of a market by local hour 00..23 (all devices together).
ACTIVITY: Final = np.array(
    [
        0.42, 0.28, 0.19, 0.14, 0.12, 0.14, 0.24, 0.42,
        0.62, 0.74, 0.80, 0.84, 0.87, 0.86, 0.84, 0.84,
        0.87, 0.91, 0.96, 1.00, 1.00, 0.95, 0.80, 0.60,
    ],
    dtype=np.float64,
)  # fmt: skip

# Device-class multipliers by local hour, applied on top of the profile's device mix.
DEVICE_SHAPE: Final = np.array(
    [
        # desktop: office hours
        [0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.1, 1.45, 1.55, 1.5,
         1.35, 1.45, 1.5, 1.45, 1.3, 1.05, 0.8, 0.7, 0.65, 0.6, 0.5, 0.4],
        # phone: broad, a little stronger in the morning commute and late evening
        [1.1, 1.05, 1.0, 1.0, 1.0, 1.05, 1.15, 1.15, 1.0, 0.9, 0.85, 0.85,
         0.95, 0.9, 0.85, 0.85, 0.9, 0.95, 0.95, 0.95, 0.95, 1.0, 1.1, 1.15],
        # tablet: evenings and weekends-like afternoons
        [0.9, 0.8, 0.7, 0.7, 0.7, 0.7, 0.75, 0.8, 0.8, 0.8, 0.85, 0.9,
         0.95, 0.95, 1.0, 1.0, 1.05, 1.15, 1.25, 1.3, 1.3, 1.25, 1.1, 1.0],
        # connected TV: prime time
        [1.0, 0.8, 0.6, 0.5, 0.45, 0.45, 0.5, 0.55, 0.55, 0.55, 0.6, 0.65,
         0.7, 0.75, 0.8, 0.85, 0.95, 1.2, 1.6, 1.9, 2.0, 1.85, 1.55, 1.25],
    ],
    dtype=np.float64,
)  # fmt: skip


class DiurnalMix:
    """Per-UTC-hour cumulative distributions over markets and over device classes."""

    def __init__(self, table: MarketTable, profile: TrafficProfile) -> None:
        self._table = table
        self._share = table.weights(profile.market_shares, profile.gdpr_share)
        self._device = np.array(profile.device_weights(), dtype=np.float64)
        self._cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def at(self, epoch_hour: int) -> tuple[np.ndarray, np.ndarray]:
        """``(market_cdf, device_cdf)`` at that UTC hour.

        ``market_cdf`` has one entry per market (last = 1.0); ``device_cdf`` has shape
        (markets, device classes) with each row ending at 1.0.
        """
        cached = self._cache.get(epoch_hour)
        if cached is None:
            _, hours = self._table.local_time(epoch_hour)
            market = self._share * ACTIVITY[hours]
            market_cdf = np.cumsum(market / market.sum())
            market_cdf[-1] = 1.0
            device = self._device[None, :] * DEVICE_SHAPE[:, hours].T
            device_cdf = np.cumsum(device / device.sum(axis=1, keepdims=True), axis=1)
            device_cdf[:, -1] = 1.0
            if len(self._cache) >= 256:
                self._cache.clear()
            cached = (market_cdf, device_cdf)
            self._cache[epoch_hour] = cached
        return cached
