"""Steady event pacing against an absolute monotonic schedule.

Event *k* (counting from 0) is due at ``anchor + k / rate``. The pacer never sleeps itself: it says
how many events are due now and how long until the next batch is due, so the caller can spend the
wait serving delivery reports. Because due counts are computed from the clock each time, a late
wake-up is made good at the next one and sleep errors never accumulate (no drift).

``seconds_until_due`` points at the moment a tick's worth of events (``rate * tick_seconds``) is
due, so a high rate does not cost one wake-up per event; a caller that wakes earlier (the service
does, to serve delivery reports) simply gets the smaller number due by then.

A caller that falls behind (the producer queue was full, the process was descheduled) catches up by
at most ``max_lag_seconds`` worth of events; older missed slots are dropped and counted in
``skipped``, because a burst of stale events would break the steady-rate promise downstream (at
0.05 s, a 100 ms window never carries more than 1.5x the target).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

DEFAULT_TICK_SECONDS = 0.002
DEFAULT_MAX_LAG_SECONDS = 0.05


class Pacer:
    """Releases events at ``events_per_second``; 0 means unpaced (every ``take`` gets its limit)."""

    def __init__(
        self,
        events_per_second: float,
        *,
        tick_seconds: float = DEFAULT_TICK_SECONDS,
        max_lag_seconds: float = DEFAULT_MAX_LAG_SECONDS,
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
        self._anchor: float | None = None
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
            self._anchor = now
        backlog = self._due(now) - self._released
        if backlog > self._max_backlog:
            # Fell behind: move the schedule forward so that only max_backlog events are owed.
            dropped = backlog - self._max_backlog
            self.skipped += dropped
            self._anchor += dropped / self.rate
            backlog = self._max_backlog
        if backlog <= 0:
            return 0
        released = min(backlog, limit)
        self._released += released
        return released

    def seconds_until_due(self) -> float:
        """Seconds until the next batch is due (0 when unpaced, not started, or already due)."""
        if self.rate == 0 or self._anchor is None:
            return 0.0
        # The next batch is due when the last event of a full batch is; event k is due at
        # anchor + k / rate, so the batch ending with event released + batch - 1 is due then.
        due_at = self._anchor + (self._released + self._batch - 1) / self.rate
        return max(0.0, due_at - self._clock())

    def _due(self, now: float) -> int:
        """Events due by ``now`` since the anchor (event 0 is due at the anchor)."""
        assert self._anchor is not None
        return math.floor((now - self._anchor) * self.rate) + 1
