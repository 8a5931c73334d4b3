"""The clock of a ``run``: when each event is due and which time it carries.

A run's rate is a ``RateCurve`` over simulated seconds from its start (flat or diurnal; a
scenario's stages). Event *k* happens at ``start + curve.time_of(k)`` on the simulated clock and
is due ``curve.time_of(k) / speed`` real seconds after the first event, which is what the pacer
waits for (``schedule()``); at ``SPEED=max`` nothing is waited for (a backfill).

- **Live** (no ``SIMULATED_START``, ``SIMULATED_END`` or ``SPEED``): the simulated clock is the
  wall clock. Each event carries the wall-clock time at which it was generated, as the stream
  always has, so that the record timestamp says when it was really produced.
- **Simulated**: each event carries its time on the simulated clock, ``start + time_of(k)``. Event
  times are then a function of the curve alone, whatever the machine's speed or hiccups: a
  backfill of six hours at 2 events/s holds events at exactly ``start + k / 2``; a burst of x10
  for 10 s holds ten times the events in those 10 s. They never decrease: events are generated,
  and sent to each partition, in the order of ``k``. Events the pacer writes off after an outage
  (``skipped``) leave a gap on the simulated clock: it keeps its pace with real time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import numpy as np

from mock_data_gen.pacing import Schedule
from mock_data_gen.rate_curve import RateCurve, Segment, flat
from mock_data_gen.scenario import Scenario
from mock_data_gen.settings import MAX_SPEED, Settings
from mock_data_gen.traffic_level import TrafficLevel, diurnal


class ScaledSchedule:
    """The curve in real seconds since the first event, at ``speed`` simulated seconds each."""

    def __init__(self, curve: RateCurve, speed: float) -> None:
        self._curve = curve
        self._speed = speed

    @property
    def total(self) -> int | None:
        return self._curve.total

    def events_by(self, elapsed: float) -> float:
        return self._curve.events_by(elapsed * self._speed)

    def elapsed_at(self, k: float) -> float:
        return self._curve.time_of(k) / self._speed

    def rate_at(self, elapsed: float) -> float:
        return self._curve.rate_at(elapsed * self._speed) * self._speed


class SimulatedClock:
    """Start, speed and rate curve of a run; event times by index; the pacer's schedule."""

    def __init__(
        self,
        curve: RateCurve,
        start: datetime,
        speed: float,
        *,
        simulated: bool,
        end_reason: str = "simulated_end",
    ) -> None:
        self.curve = curve
        self.start = start
        self.speed = speed  # inf: as fast as possible
        self.simulated = simulated
        # What the curve's end is, for the stop reason: SIMULATED_END or a scenario's last stage.
        self.end_reason = end_reason
        self._start_ms = round(start.timestamp() * 1000)

    @classmethod
    def from_settings(
        cls, settings: Settings, scenario: Scenario | None = None, now: datetime | None = None
    ) -> SimulatedClock:
        """The clock ``settings`` describe, starting ``now`` (default: the wall clock) unless
        ``SIMULATED_START`` says otherwise; with ``scenario`` (``SCENARIO_FILE`` as read at
        start-up), its stages are the rate."""
        start = settings.simulated_start or now or datetime.now(UTC)
        speed = math.inf if settings.speed == MAX_SPEED else float(settings.speed)
        end = math.inf
        if settings.simulated_end is not None:
            end = (settings.simulated_end - start).total_seconds()
        if scenario is not None:
            curve = RateCurve(scenario.segments(), end=end)
            reason = "simulated_end" if end <= scenario.duration else "scenario_end"
            return cls(curve, start, speed, simulated=settings.simulated, end_reason=reason)
        curve = RateCurve(rate_segments(settings, start), end=end)
        return cls(curve, start, speed, simulated=settings.simulated)

    @property
    def total(self) -> int | None:
        """Events until the simulated end, None without one."""
        return self.curve.total

    @property
    def paced(self) -> bool:
        return math.isfinite(self.speed)

    def schedule(self) -> Schedule:
        """When each event is due in real seconds (for a paced clock)."""
        return ScaledSchedule(self.curve, self.speed)

    def event_times_ms(self, first: int, count: int) -> list[int]:
        """Epoch milliseconds of events ``first .. first + count - 1``."""
        if not self.simulated:
            return [time.time_ns() // 1_000_000] * count
        milliseconds = self.curve.times_of(first, count) * 1000
        # Rounded to the microsecond first, so that an event due on a whole millisecond (k / rate)
        # is not put a millisecond early by float error.
        whole = np.floor(np.round(milliseconds, 3)).astype(np.int64) + self._start_ms
        return whole.tolist()  # type: ignore[no-any-return]

    def progress(self, index: int) -> dict[str, object]:
        """Where the clock stands when event ``index`` is due and how far through its range, for
        the stats and summary lines of a simulated run (nothing for a live one)."""
        if not self.simulated:
            return {}
        progress: dict[str, object] = {
            "simulated_time": self.simulated_time(index).isoformat(timespec="seconds")
        }
        if self.total:
            progress["simulated_done_pct"] = round(100 * index / self.total, 1)
        return progress

    def simulated_time(self, index: int) -> datetime:
        """Where the simulated clock stands when event ``index`` is due."""
        offset = self.curve.time_of(index)
        if math.isinf(offset):
            offset = self.curve.end
        return datetime.fromtimestamp(self.start.timestamp() + offset, UTC)


def rate_segments(settings: Settings, start: datetime) -> Iterator[Segment]:
    """The segments of the run's rate profile, from ``start`` on (endless; a scenario's are
    finite and given to ``from_settings``)."""
    if settings.rate_profile == "diurnal":
        return diurnal(settings.events_per_second, start.timestamp(), TrafficLevel())
    return flat(settings.events_per_second)


def scenario_times(
    scenario: Scenario, start: datetime
) -> tuple[Callable[[int, int], list[int]], int]:
    """For ``sample``: the epoch milliseconds of events ``(first, count)`` on the scenario's
    curve from ``start``, and how many events it holds."""
    clock = SimulatedClock(RateCurve(scenario.segments()), start, math.inf, simulated=True)
    total = clock.total
    assert total is not None  # a scenario ends with its last stage
    return clock.event_times_ms, total
