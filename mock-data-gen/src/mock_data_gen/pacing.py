"""Steady event pacing against an absolute monotonic schedule.

Event *k* (counting from 0) is due at ``anchor + k / rate``. The pacer never sleeps itself: it says
how many events are due now and how long until the next batch is due, so the caller can spend the
wait serving delivery reports. Because due counts are computed from the clock each time, a late
wake-up is made good at the next one and sleep errors never accumulate (no drift).

``seconds_until_due`` points at the moment a tick's worth of events (``rate * tick_seconds``) is
due, so a high rate does not cost one wake-up per event; a caller that wakes earlier (the service
does, to serve delivery reports) simply gets the smaller number due by then.

A caller that falls behind (the producer queue was full, the process was descheduled) is owed
the missed events. They are made good at no more than ``catch_up`` times the rate (a token bucket
holding ``burst_seconds`` of events), so no 100 ms window carries more than
``(catch_up * 0.1 + burst_seconds) / 0.1`` = 1.5x the target with the defaults, and the long-run
count stays exact. Only a debt beyond ``max_lag_seconds`` (an outage, not a hiccup) is written
off and counted in ``skipped``: paying it back would flood consumers with stale events.

The rate may change over time: given a ``Schedule`` instead of a number, event *k* is due at
``anchor + schedule.elapsed_at(k)`` and the tick, catch-up and write-off sizes follow the rate of
the moment (a diurnal curve, a scenario's ramps and bursts, simulated time at some speed). A
number is the flat schedule ``k / rate``, exactly as before. Events written off keep their place
in the schedule: ``next_index`` skips past them, so a schedule that gives each event a simulated
time leaves a gap there rather than shifting every later event.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

DEFAULT_TICK_SECONDS = 0.002
DEFAULT_MAX_LAG_SECONDS = 1.0
DEFAULT_CATCH_UP = 1.25
DEFAULT_BURST_SECONDS = 0.025


class Schedule(Protocol):
    """When events are due, in seconds since the first one (real seconds, as the pacer waits)."""

    @property
    def total(self) -> int | None:
        """Events in the schedule, None if it never ends."""
        ...

    def events_by(self, elapsed: float) -> float:
        """Events scheduled before ``elapsed`` (a real number: the integral of the rate)."""
        ...

    def elapsed_at(self, k: float) -> float:
        """When event ``k`` is due (inf if the schedule ends before it)."""
        ...

    def rate_at(self, elapsed: float) -> float:
        """Events per second at ``elapsed``."""
        ...


class FlatSchedule:
    """Event *k* at ``k / rate``, without end."""

    total = None

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def events_by(self, elapsed: float) -> float:
        return elapsed * self.rate

    def elapsed_at(self, k: float) -> float:
        return k / self.rate

    def rate_at(self, elapsed: float) -> float:
        return self.rate


class Pacer:
    """Releases events as ``events_per_second`` (a rate, or a ``Schedule``) says; a rate of 0
    means unpaced (every ``take`` gets its limit)."""

    def __init__(
        self,
        events_per_second: float | Schedule,
        *,
        tick_seconds: float = DEFAULT_TICK_SECONDS,
        max_lag_seconds: float = DEFAULT_MAX_LAG_SECONDS,
        catch_up: float = DEFAULT_CATCH_UP,
        burst_seconds: float = DEFAULT_BURST_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        schedule: Schedule | None
        if isinstance(events_per_second, int | float):
            if events_per_second < 0 or not math.isfinite(events_per_second):
                raise ValueError(
                    f"events_per_second must be a finite number >= 0, got {events_per_second}"
                )
            schedule = FlatSchedule(events_per_second) if events_per_second else None
        else:
            schedule = events_per_second
        self._schedule = schedule
        self._clock = clock
        self._tick_seconds = tick_seconds
        self._max_lag_seconds = max_lag_seconds
        self._catch_up = catch_up
        self._burst_seconds = burst_seconds
        self._set_rate(schedule.rate_at(0.0) if schedule else 0.0)
        self._tokens = self._capacity
        self._anchor: float | None = None
        self._refilled = 0.0
        self._released = 0
        self.skipped = 0

    def _set_rate(self, rate: float) -> None:
        """Sizes that follow the rate of the moment: tick batch, write-off bound, token bucket."""
        self.rate = rate
        self._batch = max(1, round(rate * self._tick_seconds))
        self._max_backlog = max(self._batch, math.floor(rate * self._max_lag_seconds))
        self._refill_rate = rate * self._catch_up
        self._capacity = max(float(self._batch), rate * self._burst_seconds)

    @property
    def batch_size(self) -> int:
        """Events released per tick at the target rate (of the moment)."""
        return self._batch

    @property
    def next_index(self) -> int:
        """Index of the next event: every event before it was released or written off."""
        return self._released

    def take(self, limit: int) -> int:
        """Release and return the number of events due now, at most ``limit`` (0 if none is due)."""
        if limit <= 0:
            return 0
        schedule = self._schedule
        if schedule is None:
            self._released += limit
            return limit
        now = self._clock()
        if self._anchor is None:
            self._anchor = self._refilled = now
        elapsed = now - self._anchor
        if not isinstance(schedule, FlatSchedule):  # a flat rate (the common case) never changes
            self._set_rate(schedule.rate_at(elapsed))
        self._tokens = min(
            self._capacity, self._tokens + (now - self._refilled) * self._refill_rate
        )
        self._refilled = now
        backlog = self._due(elapsed) - self._released
        if backlog > self._max_backlog:
            # An outage, not a hiccup: write off all but max_backlog of the debt.
            dropped = backlog - self._max_backlog
            self.skipped += dropped
            self._released += dropped
            backlog = self._max_backlog
        released = min(backlog, limit, math.floor(self._tokens))
        if released <= 0:
            return 0
        self._tokens -= released
        self._released += released
        return released

    def seconds_until_due(self) -> float:
        """Seconds until the next batch may be released (0 when unpaced or not started)."""
        schedule = self._schedule
        if schedule is None or self._anchor is None:
            return 0.0
        now = self._clock()
        # The next batch ends with event released + batch - 1.
        due_wait = self._anchor + schedule.elapsed_at(self._released + self._batch - 1) - now
        # When catching up, the token bucket decides: wait until one batch worth is refilled.
        owed = min(self._batch, max(1, self._due(now - self._anchor) - self._released))
        if self._refill_rate <= 0:  # nothing is due at a rate of 0; the schedule says when
            return max(0.0, due_wait)
        tokens = min(self._capacity, self._tokens + (now - self._refilled) * self._refill_rate)
        token_wait = (owed - tokens) / self._refill_rate
        return max(0.0, due_wait, token_wait)

    def _due(self, elapsed: float) -> int:
        """Events due by ``elapsed`` seconds after the anchor (event 0 is due at the anchor)."""
        assert self._schedule is not None
        due = math.floor(self._schedule.events_by(elapsed)) + 1
        total = self._schedule.total
        return due if total is None else min(due, total)
