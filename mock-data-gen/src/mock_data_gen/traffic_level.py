"""The diurnal rate profile: total request volume by UTC hour, as the generator's mix has it.

The generator picks each request's market by ``base_share * ACTIVITY[local hour]``
(``synthesis.diurnal.DiurnalMix``): the sum of those weights over the markets is how busy the
world is at that UTC hour, its traffic level. The ``diurnal`` profile makes the rate follow it, so
that volume and mix tell the same story: at 04:00 in New York there are fewer requests and fewer
of them American. The level is constant within a UTC hour because the mix is (it changes at the
top of each hour), and it is divided by its mean over the UTC day, so ``EVENTS_PER_SECOND`` is
each day's mean rate (time-zone changes such as daylight saving shift the curve within a day
without changing that day's total).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from mock_data_gen.rate_curve import Segment
from mock_data_gen.synthesis.diurnal import ACTIVITY
from mock_data_gen.synthesis.geo import MarketTable

SECONDS_PER_HOUR = 3600
HOURS_PER_DAY = 24


class TrafficLevel:
    """Relative request volume by UTC hour (mean 1 over each UTC day)."""

    def __init__(self) -> None:
        self._markets = MarketTable()
        self._days: dict[int, list[float]] = {}

    def at(self, epoch_hour: int) -> float:
        """The level of the UTC hour ``epoch_hour`` (hours since 1970-01-01T00:00Z)."""
        day, hour = divmod(epoch_hour, HOURS_PER_DAY)
        levels = self._days.get(day)
        if levels is None:
            raw = [self._raw(day * HOURS_PER_DAY + h) for h in range(HOURS_PER_DAY)]
            mean = sum(raw) / HOURS_PER_DAY
            levels = [value / mean for value in raw]
            if len(self._days) >= 64:  # a long run walks through days; only recent ones recur
                self._days.clear()
            self._days[day] = levels
        return levels[hour]

    def _raw(self, epoch_hour: int) -> float:
        _, local_hours = self._markets.local_time(epoch_hour)
        return float((self._markets.base_share * ACTIVITY[local_hours]).sum())


def diurnal(mean_rate: float, start_epoch_s: float, level: TrafficLevel) -> Iterator[Segment]:
    """Segments from ``start_epoch_s`` on: each UTC hour at ``mean_rate`` times its level (the
    first one from the start to the end of its hour)."""
    t = start_epoch_s
    while True:
        epoch_hour = math.floor(t / SECONDS_PER_HOUR)
        hour_end = (epoch_hour + 1) * SECONDS_PER_HOUR
        rate = mean_rate * level.at(epoch_hour)
        yield Segment(hour_end - t, rate, rate)
        t = hour_end
