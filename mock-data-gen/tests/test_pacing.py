"""Pacing against a simulated clock: drift-free schedule, batches per tick, bounded catch-up."""

from __future__ import annotations

import bisect
import random

import pytest

from mock_data_gen.pacing import Pacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def simulate(
    pacer: Pacer, clock: FakeClock, seconds: float, oversleep: float, jitter: float, seed: int = 1
) -> list[tuple[float, int]]:
    """Drive the pacer like the service does; sleeps overshoot by ``oversleep`` + random jitter."""
    rng = random.Random(seed)
    releases = []
    end = clock.now + seconds
    while True:
        released = pacer.take(pacer.batch_size)
        if released:
            releases.append((clock.now, released))
        elif clock.now >= end:
            return releases
        else:
            clock.now += pacer.seconds_until_due() + oversleep + rng.uniform(0, jitter)


@pytest.mark.parametrize("rate", [10, 1000, 20000])
def test_systematic_oversleep_does_not_accumulate(rate: int) -> None:
    clock = FakeClock()
    pacer = Pacer(rate, clock=clock)
    start = clock.now
    # Every sleep overshoots by 1.5 ms (plus up to 1 ms jitter) for 1000 simulated seconds.
    releases = simulate(pacer, clock, 1000, oversleep=0.0015, jitter=0.001)
    total = sum(count for _, count in releases)
    # Everything due by now was released: event k is due at start + k / rate.
    assert total == int(rate * (clock.now - start)) + 1
    assert pacer.skipped == 0


def busiest_100ms(releases: list[tuple[float, int]]) -> int:
    times = [t for t, _ in releases]
    cumulative = [0]
    for _, count in releases:
        cumulative.append(cumulative[-1] + count)
    return max(
        cumulative[bisect.bisect_left(times, t + 0.1)] - cumulative[i] for i, t in enumerate(times)
    )


@pytest.mark.parametrize("rate", [1000, 20000])
def test_no_100ms_window_exceeds_twice_the_target(rate: int) -> None:
    clock = FakeClock()
    pacer = Pacer(rate, clock=clock)
    releases = simulate(pacer, clock, 60, oversleep=0.0, jitter=0.004)
    assert busiest_100ms(releases) <= 1.1 * rate * 0.1


def test_batches_are_one_tick_of_events() -> None:
    assert Pacer(20000).batch_size == 40
    assert Pacer(1000).batch_size == 2
    assert Pacer(10).batch_size == 1


def test_low_rate_releases_each_event_on_its_slot() -> None:
    clock = FakeClock()
    pacer = Pacer(10, clock=clock)
    assert pacer.take(1) == 1
    assert pacer.take(1) == 0
    assert pacer.seconds_until_due() == pytest.approx(0.1)
    clock.now += 0.0999
    assert pacer.take(1) == 0
    clock.now += 0.0002
    assert pacer.take(1) == 1


@pytest.mark.parametrize("stall", [0.03, 0.5, 0.99])
def test_a_stall_is_made_good_without_bursting(stall: float) -> None:
    clock = FakeClock()
    pacer = Pacer(1000, clock=clock)
    start = clock.now
    first = simulate(pacer, clock, 1, oversleep=0, jitter=0.001)
    clock.now += stall  # e.g. a collector pause or the process being descheduled
    rest = simulate(pacer, clock, 5, oversleep=0, jitter=0.001)
    assert pacer.skipped == 0
    assert sum(count for _, count in first + rest) == int(1000 * (clock.now - start)) + 1
    assert busiest_100ms(rest) <= 1.5 * 1000 * 0.1


def test_falling_far_behind_writes_off_the_excess() -> None:
    clock = FakeClock()
    pacer = Pacer(20000, clock=clock)
    start = clock.now
    first = simulate(pacer, clock, 1, oversleep=0, jitter=0)
    clock.now += 10.0  # e.g. generation paused for 10 s under backpressure
    rest = simulate(pacer, clock, 6, oversleep=0, jitter=0.001)
    # One second of debt is kept and paid back at 1.25x; the other 9 s are written off.
    assert pacer.skipped == pytest.approx(9 * 20000, abs=pacer.batch_size + 1)
    total = sum(count for _, count in first + rest)
    assert total == int(20000 * (clock.now - start)) + 1 - pacer.skipped
    assert busiest_100ms(rest) <= 1.5 * 20000 * 0.1


def test_unpaced_releases_the_whole_limit() -> None:
    pacer = Pacer(0)
    assert pacer.take(500) == 500
    assert pacer.seconds_until_due() == 0


@pytest.mark.parametrize("rate", [-1, float("inf"), float("nan")])
def test_rejects_impossible_rates(rate: float) -> None:
    with pytest.raises(ValueError, match="events_per_second"):
        Pacer(rate)
