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
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

DEFAULT_TICK_SECONDS = 0.002
DEFAULT_MAX_LAG_SECONDS = 1.0
DEFAULT_CATCH_UP = 1.25
DEFAULT_BURST_SECONDS = 0.025


class Pacer:
    """Releases events at ``events_per_second``; 0 means unpaced (every ``take`` gets its limit)."""

    def __init__(
        self,
        events_per_second: float,
        *,
        tick_seconds: float = DEFAULT_TICK_SECONDS,
        max_lag_seconds: float = DEFAULT_MAX_LAG_SECONDS,
        catch_up: float = DEFAULT_CATCH_UP,
        burst_seconds: float = DEFAULT_BURST_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if events_per_second < 0 or not math.isfinite(events_per_second):
            raise ValueError(
                f"events_per_second must be a finite number >= 0, got {events_per_second}"
            )
        self.rate = events_per_second
        self._clock = clock
        self._batch = max(1, round(events_per_second * tick_seconds))
        self._max_backlog = max(self._batch, math.floor(events_per_second * max_lag_seconds))
        self._refill_rate = events_per_second * catch_up
        self._capacity = max(float(self._batch), events_per_second * burst_seconds)
        self._tokens = self._capacity
        self._anchor: float | None = None
        self._refilled = 0.0
        self._released = 0
        self.skipped = 0

    @property
    def batch_size(self) -> int:
        """Events released per tick at the target rate."""
        return self._batch

    def take(self, limit: int) -> int:
        """Release and return the number of events due now, at most ``limit`` (0 if none is due)."""
        if limit <= 0:
            return 0
        if self.rate == 0:
            return limit
        now = self._clock()
        if self._anchor is None:
            self._anchor = self._refilled = now
        self._tokens = min(
            self._capacity, self._tokens + (now - self._refilled) * self._refill_rate
        )
        self._refilled = now
        backlog = self._due(now) - self._released
        if backlog > self._max_backlog:
            # An outage, not a hiccup: write off all but max_backlog of the debt.
            dropped = backlog - self._max_backlog
            self.skipped += dropped
            self._anchor += dropped / self.rate
            backlog = self._max_backlog
        released = min(backlog, limit, math.floor(self._tokens))
        if released <= 0:
            return 0
        self._tokens -= released
        self._released += released
        return released

    def seconds_until_due(self) -> float:
        """Seconds until the next batch may be released (0 when unpaced or not started)."""
        if self.rate == 0 or self._anchor is None:
            return 0.0
        now = self._clock()
        # Event k is due at anchor + k / rate; the next batch ends with event released + batch - 1.
        due_wait = self._anchor + (self._released + self._batch - 1) / self.rate - now
        # When catching up, the token bucket decides: wait until one batch worth is refilled.
        owed = min(self._batch, max(1, self._due(now) - self._released))
        tokens = min(self._capacity, self._tokens + (now - self._refilled) * self._refill_rate)
        token_wait = (owed - tokens) / self._refill_rate
        return max(0.0, due_wait, token_wait)

    def _due(self, now: float) -> int:
        """Events due by ``now`` since the anchor (event 0 is due at the anchor)."""
        assert self._anchor is not None
        return math.floor((now - self._anchor) * self.rate) + 1
