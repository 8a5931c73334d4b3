"""Metric families from plain numbers: every family labelled alike, histograms cumulative."""

from __future__ import annotations

import pytest
from prometheus_client.core import CounterMetricFamily

from platform_common.metric_families import LabelledFamilies, LatencyHistogram


def test_histogram_exports_cumulative_buckets() -> None:
    histogram = LatencyHistogram((0.01, 0.1))
    for seconds in (0.005, 0.01, 0.05, 0.5, 7.0):
        histogram.observe(seconds)
    assert histogram.cumulative() == [("0.01", 2), ("0.1", 3), ("+Inf", 5)]
    assert histogram.total == pytest.approx(7.565)


def test_every_family_carries_the_same_labels() -> None:
    families = LabelledFamilies(topic="bids", table="db.bids")
    histogram = LatencyHistogram((0.1,))
    histogram.observe(0.05)
    built = [
        families.counter("x_records", "Records.", 3),
        families.gauge("x_lag", "Lag.", 7),
        families.histogram("x_latency_seconds", "Latency.", histogram),
    ]
    assert isinstance(built[0], CounterMetricFamily)
    labels = {"topic": "bids", "table": "db.bids"}
    assert all(sample.labels.items() >= labels.items() for f in built for sample in f.samples)
    values = {(s.name, s.labels.get("le")): s.value for f in built for s in f.samples}
    assert values[("x_records_total", None)] == 3
    assert values[("x_lag", None)] == 7
    assert values[("x_latency_seconds_bucket", "0.1")] == 1
    assert values[("x_latency_seconds_count", None)] == 1
