"""Rate curves: the integral of the rate and its inverse agree, segment by segment."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mock_data_gen.pacing import Pacer
from mock_data_gen.rate_curve import RateCurve, Segment, flat
from mock_data_gen.simulated_clock import ScaledSchedule


def test_flat_events_are_one_over_the_rate_apart_up_to_the_end() -> None:
    curve = RateCurve(flat(2.0), end=6 * 3600)
    assert curve.total == 6 * 3600 * 2  # the event at the end itself is not in the range
    assert curve.time_of(0) == 0 and curve.time_of(43_199) == 21_599.5
    assert math.isinf(curve.time_of(43_200))
    assert curve.times_of(43_198, 4).tolist() == [21_599.0, 21_599.5, math.inf, math.inf]


def test_a_ramp_holds_the_area_under_it_and_inverts_exactly() -> None:
    curve = RateCurve([Segment(100, 10, 30)])
    assert curve.total == 2000  # (10 + 30) / 2 * 100
    assert curve.events_by(50) == pytest.approx(10 * 50 + 0.2 / 2 * 50 * 50)
    times = curve.times_of(0, 2000)
    assert np.all(np.diff(times) > 0)
    assert [curve.events_by(t) for t in times[::97].tolist()] == pytest.approx(
        list(range(0, 2000, 97))
    )
    # A falling ramp too, and its rate at each end.
    down = RateCurve([Segment(100, 30, 10)])
    assert (
        down.total == 2000
        and down.rate_at(0) == 30
        and down.rate_at(99.999) == pytest.approx(10, abs=1e-3)
    )
    assert down.time_of(1999) == pytest.approx(100 - 1 / 10, abs=1e-3)


def test_a_pause_holds_no_events_and_the_scalar_and_vector_inverse_agree() -> None:
    curve = RateCurve([Segment(10, 1, 1), Segment(5, 0, 0), Segment(10, 1, 3)])
    assert curve.total == 30 and curve.end == 25
    assert curve.time_of(9) == 9 and curve.time_of(10) == 15  # nothing between 10 and 15
    assert curve.times_of(0, 31).tolist() == [curve.time_of(k) for k in range(31)]
    assert curve.rate_at(12) == 0


def test_a_paced_schedule_releases_the_curve_at_its_speed() -> None:
    # Ten simulated seconds at 100/s then a burst of x10 for 10 s, at speed 10.
    curve = RateCurve([Segment(10, 100, 100), Segment(10, 1000, 1000), Segment(10, 100, 100)])
    now = [0.0]
    pacer = Pacer(ScaledSchedule(curve, 10), clock=lambda: now[0])
    released: list[tuple[float, int]] = []
    while pacer.next_index < 12_000 and now[0] < 10:
        count = pacer.take(pacer.batch_size)
        if count:
            released.append((now[0], count))
        else:
            now[0] += pacer.seconds_until_due() + 0.0005
    assert pacer.skipped == 0 and pacer.next_index == 12_000
    # Real second 1 to 2 is the burst: 10,000 events, at 10,000 a second.
    in_burst = sum(count for at, count in released if 1.0 <= at < 2.0)
    assert in_burst == pytest.approx(10_000, rel=0.01)
