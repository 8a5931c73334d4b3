"""Prometheus metric families built at scrape time from plain numbers.

A service's hot path bumps plain integers and bucket counts; a collector turns them into metric
families when Prometheus scrapes, instead of paying for a locked client-library metric per event.
:class:`LabelledFamilies` builds families that all carry the same labels (the topic, the table);
:class:`LatencyHistogram` is the fixed-bucket histogram they export.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

# Seconds; the top buckets cover outages.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    300.0,
)


class LatencyHistogram:
    """Cumulative-on-export histogram with fixed bucket bounds (seconds)."""

    def __init__(self, bounds: Sequence[float] = LATENCY_BUCKETS) -> None:
        self.bounds = tuple(bounds)
        self.counts = [0] * (len(self.bounds) + 1)
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, seconds)] += 1
        self.total += seconds

    def cumulative(self) -> list[tuple[str, int]]:
        """``(le, count)`` pairs including ``+Inf``, as Prometheus expects."""
        running = 0
        buckets = []
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            buckets.append(("+Inf" if bound == float("inf") else repr(bound), running))
        return buckets


class LabelledFamilies:
    """Builds a collector's metric families, all carrying the same labels (e.g. the topic)."""

    def __init__(self, **labels: str) -> None:
        self.names = list(labels)
        self.values = list(labels.values())

    def counter(self, name: str, doc: str, value: float) -> CounterMetricFamily:
        family = CounterMetricFamily(name, doc, labels=self.names)
        family.add_metric(self.values, value)
        return family

    def gauge(self, name: str, doc: str, value: float) -> GaugeMetricFamily:
        family = GaugeMetricFamily(name, doc, labels=self.names)
        family.add_metric(self.values, value)
        return family

    def histogram(self, name: str, doc: str, histogram: LatencyHistogram) -> HistogramMetricFamily:
        family = HistogramMetricFamily(name, doc, labels=self.names)
        family.add_metric(self.values, histogram.cumulative(), histogram.total)
        return family
