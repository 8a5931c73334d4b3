"""A rate over simulated time: events per simulated second, piecewise linear, and its inverse.

The curve is a run of segments, each with a rate that is constant or ramps linearly from its
start to its end (a flat profile is one endless segment; the diurnal profile one segment per UTC
hour; a scenario one per stage, split where a burst begins and ends). ``events_by(t)`` is the
expected number of events by ``t`` simulated seconds after the start, the integral of the rate;
event ``k`` (counting from 0) happens at ``time_of(k)``, where that integral reaches ``k``. Event
times are thus a deterministic function of the curve, so a backfill or a burst produces exactly
the counts the curve says, whatever the speed it runs at, and a seed replays the same stream.

Segments given as a sequence make a curve that ends with them (a scenario); given as an iterator,
an endless one (flat, diurnal) whose segments are taken only as far as asked for, so a diurnal run
without an end costs one segment per simulated hour, not a precomputed table. Either ends earlier
at ``end`` if that is given (``SIMULATED_END``).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

# Counts are floats: a few thousand events of rounding over 2^53 would be needed to matter.
# This much slack keeps an integral that lands on a whole number (6 h at 2/s) from counting one
# event more or less through float rounding.
_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class Segment:
    """``duration`` simulated seconds whose rate goes linearly from ``rate_from`` to ``rate_to``."""

    duration: float
    rate_from: float
    rate_to: float

    def __post_init__(self) -> None:
        if not (self.duration > 0 and math.isfinite(self.rate_from + self.rate_to)):
            raise ValueError(f"a segment needs a duration > 0 and finite rates: {self}")
        if self.rate_from < 0 or self.rate_to < 0:
            raise ValueError(f"a segment's rates must be >= 0: {self}")

    @property
    def events(self) -> float:
        return self.duration * (self.rate_from + self.rate_to) / 2

    def events_within(self, x: float) -> float:
        """Events in the first ``x`` seconds of the segment."""
        slope = (self.rate_to - self.rate_from) / self.duration
        return self.rate_from * x + slope * x * x / 2

    def time_within(self, m: float) -> float:
        """Seconds into the segment at which ``m`` of its events have happened (the inverse)."""
        if m <= 0:
            return 0.0
        slope = (self.rate_to - self.rate_from) / self.duration
        # Root of slope/2 x^2 + rate_from x - m = 0, in the form that is stable for slope -> 0
        # and for either sign of slope.
        root = math.sqrt(max(0.0, self.rate_from * self.rate_from + 2 * slope * m))
        return min(self.duration, 2 * m / (self.rate_from + root))

    def times_within(self, m: np.ndarray) -> np.ndarray:
        """``time_within`` of each of ``m`` (>= 0), vectorised."""
        slope = (self.rate_to - self.rate_from) / self.duration
        root = np.sqrt(np.maximum(0.0, self.rate_from * self.rate_from + 2 * slope * m))
        denominator = self.rate_from + root
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(m > 0, 2 * m / np.where(denominator > 0, denominator, 1.0), 0.0)
        return np.minimum(x, self.duration)

    def rate_at(self, x: float) -> float:
        return self.rate_from + (self.rate_to - self.rate_from) * x / self.duration


class RateCurve:
    """Events per simulated second over ``[0, end)`` simulated seconds, from its segments."""

    def __init__(
        self, segments: Sequence[Segment] | Iterator[Segment], *, end: float = math.inf
    ) -> None:
        self._source: Iterator[Segment] | None = iter(segments)
        self._segments: list[Segment] = []
        self._starts: list[float] = []  # simulated second at which each segment starts
        self._counts: list[float] = []  # events before each segment
        self._reach = 0.0  # end of the last segment taken
        self._events = 0.0  # events by then
        self._limit = end
        if isinstance(segments, Sequence):
            while self._source is not None and self._reach < self._limit:
                self._take()
            self._source = None

    @property
    def end(self) -> float:
        """Where the curve ends: its segments ran out or the given end came first (inf: never)."""
        if self._source is not None:  # endless segments: only the given end ends the curve
            return self._limit
        return min(self._reach, self._limit)

    @property
    def total(self) -> int | None:
        """Events in ``[0, end)``, or None for an endless curve."""
        end = self.end
        if math.isinf(end):
            return None
        return max(0, math.ceil(self.events_by(end) - _EPSILON))

    def events_by(self, t: float) -> float:
        """Events expected in ``[0, t)``: the rate's integral up to ``t``."""
        if t <= 0:
            return 0.0
        t = min(t, self._limit)
        self._extend(lambda: self._reach > t)
        index = bisect.bisect_right(self._starts, t) - 1
        if index < 0:
            return 0.0
        segment = self._segments[index]
        within = min(t - self._starts[index], segment.duration)
        return self._counts[index] + segment.events_within(within)

    def time_of(self, k: float) -> float:
        """Simulated second at which event ``k`` happens; inf when the curve ends before it."""
        self._extend(lambda: self._events > k)
        index = bisect.bisect_right(self._counts, k) - 1
        # A segment without events (rate 0) shares its count with the next: the bisection picks
        # the last of them, whose events come first.
        while index >= 0 and self._counts[index] + self._segments[index].events <= k:
            index += 1
            if index == len(self._segments):
                return math.inf
        if index < 0:
            return math.inf
        t = self._starts[index] + self._segments[index].time_within(k - self._counts[index])
        return t if t < self._limit else math.inf

    def times_of(self, first: int, count: int) -> np.ndarray:
        """``time_of`` of events ``first .. first + count - 1``, vectorised (inf past the end)."""
        last = first + count - 1
        self._extend(lambda: self._events > last)
        out = np.full(count, math.inf)
        index = max(0, bisect.bisect_right(self._counts, first) - 1)
        k = first
        while k <= last and index < len(self._segments):
            segment = self._segments[index]
            before = self._counts[index]
            after = before + segment.events
            if after > k:
                # This segment holds the events k with before <= k < after.
                stop = min(last + 1, math.ceil(after))
                within = np.arange(k, stop, dtype=np.float64) - before
                out[k - first : stop - first] = self._starts[index] + segment.times_within(within)
                k = stop
            index += 1
        out[out >= self._limit] = math.inf
        return out

    def rate_at(self, t: float) -> float:
        """Events per simulated second at ``t`` (0 past the end)."""
        if t < 0 or t >= self._limit:
            return 0.0
        self._extend(lambda: self._reach > t)
        index = bisect.bisect_right(self._starts, t) - 1
        if index < 0 or t >= self._reach:
            return 0.0
        return self._segments[index].rate_at(t - self._starts[index])

    def _extend(self, enough: Callable[[], bool]) -> None:
        while self._source is not None and self._reach < self._limit and not enough():
            self._take()

    def _take(self) -> None:
        assert self._source is not None
        segment = next(self._source, None)
        if segment is None:
            self._source = None
            return
        self._segments.append(segment)
        self._starts.append(self._reach)
        self._counts.append(self._events)
        self._reach += segment.duration
        self._events += segment.events


def flat(rate: float) -> Iterator[Segment]:
    """One endless stretch at ``rate`` > 0 events per second (in pieces of a day, which changes
    nothing about the events but keeps every segment's numbers small)."""
    if not rate > 0:
        raise ValueError(f"an endless flat rate must be > 0, got {rate}")
    while True:
        yield Segment(86_400.0, rate, rate)
