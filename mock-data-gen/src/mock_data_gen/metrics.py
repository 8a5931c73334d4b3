"""Operational metrics: Prometheus ``/metrics``, ``/healthz`` and the numbers behind the stats line.

The hot path (one delivery report per event, up to hundreds of thousands a second) only bumps plain
integers and a bucket count; Prometheus reads them through a collector at scrape time instead of
paying for a locked client-library counter per event.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

from platform_common.http_endpoints import HttpEndpoints
from platform_common.metric_families import LabelledFamilies, LatencyHistogram
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector


class LatencySample:
    """A bounded, evenly thinned sample of latencies for the percentiles of one stats interval.

    When full, every other kept value is dropped and only every 2nd (then 4th, ...) new value is
    kept, so memory stays bounded and the sample still spans the whole interval.
    """

    def __init__(self, capacity: int = 65_536) -> None:
        self._capacity = capacity
        self._values: list[float] = []
        self._stride = 1
        self._seen = 0

    def add(self, seconds: float) -> None:
        self._seen += 1
        if self._seen % self._stride:
            return
        self._values.append(seconds)
        if len(self._values) >= self._capacity:
            self._values = self._values[::2]
            self._stride *= 2

    def drain_percentiles(self, *quantiles: float) -> list[float | None]:
        """Percentiles (nearest rank) of the values since the last drain; resets the sample."""
        values = sorted(self._values)
        self._values, self._stride, self._seen = [], 1, 0
        if not values:
            return [None for _ in quantiles]
        return [values[min(len(values) - 1, int(q * len(values)))] for q in quantiles]


@dataclass(frozen=True, slots=True)
class FunnelTopicCounts:
    """What the funnel's producer did on one of its topics (``FUNNEL=full``)."""

    topic: str
    event_type: str  # bid_response, win, impression or click
    produced: int
    delivered: int
    failed: int
    bytes_delivered: int


@dataclass(frozen=True, slots=True)
class FunnelStatus:
    """The auction funnel's delivery and its heap of events waiting for their time."""

    topics: tuple[FunnelTopicCounts, ...]
    pending: int  # events simulated, waiting for their event time
    pending_bytes: int  # what they hold, as the heap's bound counts it
    early: int  # produced ahead of their time because the heap was at its bound


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    """What the service reports about itself at one moment."""

    phase: str  # connecting | producing | backpressure | stopping | stopped
    connected: bool
    produced: int
    delivered: int
    failed: int
    bytes_delivered: int
    queue_depth: int
    target_rate: float
    actual_rate: float
    skipped: int
    # Seconds since an acknowledgement last arrived while events were waiting (0 when none wait).
    stalled_seconds: float = 0.0
    # Seconds since the last broker connection was lost (0 while connected).
    disconnected_seconds: float = 0.0
    # Either of the two above beyond this makes the service unhealthy (UNHEALTHY_AFTER_SECONDS).
    unhealthy_after_seconds: float = math.inf
    funnel: FunnelStatus | None = None  # with FUNNEL=full

    @property
    def problem(self) -> str:
        """Why the service cannot be counted on to deliver, or "" when it can."""
        if self.phase not in ("producing", "backpressure"):
            return f"not producing: {self.phase}"
        bound = f"UNHEALTHY_AFTER_SECONDS={self.unhealthy_after_seconds:g}"
        if self.disconnected_seconds > self.unhealthy_after_seconds:
            return f"no broker reachable for {self.disconnected_seconds:.0f} s ({bound})"
        if self.stalled_seconds > self.unhealthy_after_seconds:
            return (
                f"{self.queue_depth} events waiting, none acknowledged for "
                f"{self.stalled_seconds:.0f} s ({bound})"
            )
        return ""

    @property
    def healthy(self) -> bool:
        return not self.problem


class _ServiceCollector(Collector):
    def __init__(
        self, status: Callable[[], ServiceStatus], histogram: LatencyHistogram, topic: str
    ) -> None:
        self._status = status
        self._histogram = histogram
        self._topic = topic

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily | HistogramMetricFamily]:
        status = self._status()
        families = LabelledFamilies(topic=self._topic)
        counter, gauge = families.counter, families.gauge

        yield counter(
            "mockgen_events_produced", "Events accepted by the producer.", status.produced
        )
        yield counter("mockgen_events_delivered", "Events acknowledged by Kafka.", status.delivered)
        yield counter("mockgen_delivery_errors", "Events Kafka did not acknowledge.", status.failed)
        yield counter(
            "mockgen_bytes_delivered",
            "Payload bytes acknowledged by Kafka.",
            status.bytes_delivered,
        )
        yield counter(
            "mockgen_events_skipped",
            "Scheduled events not generated because the service fell behind its schedule.",
            status.skipped,
        )
        yield gauge(
            "mockgen_queue_depth", "Events waiting for acknowledgement.", status.queue_depth
        )
        yield gauge(
            "mockgen_target_events_per_second", "Configured rate (0 = unpaced).", status.target_rate
        )
        yield gauge(
            "mockgen_actual_events_per_second",
            "Produced events per second over the last few seconds.",
            status.actual_rate,
        )
        yield gauge(
            "mockgen_kafka_connected", "1 when a broker connection is up.", status.connected
        )
        yield gauge(
            "mockgen_delivery_stalled_seconds",
            "Seconds events have waited without any acknowledgement (0 when none wait).",
            status.stalled_seconds,
        )
        yield families.histogram(
            "mockgen_produce_latency_seconds",
            "Time from produce() to Kafka's acknowledgement.",
            self._histogram,
        )
        if status.funnel is not None:
            yield from _funnel_families(status.funnel)


def _funnel_families(funnel: FunnelStatus) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
    """The funnel's own series, apart from the request stream's (which ``MAX_EVENTS`` and the
    rate count): per topic and event type, and the heap of events waiting for their time."""
    for name, doc, field in (
        ("mockgen_funnel_events_produced", "Funnel events accepted by the producer.", "produced"),
        ("mockgen_funnel_events_delivered", "Funnel events acknowledged by Kafka.", "delivered"),
        ("mockgen_funnel_delivery_errors", "Funnel events Kafka did not acknowledge.", "failed"),
        (
            "mockgen_funnel_bytes_delivered",
            "Funnel payload bytes acknowledged by Kafka.",
            "bytes_delivered",
        ),
    ):
        family = CounterMetricFamily(name, doc, labels=["topic", "type"])
        for counts in funnel.topics:
            family.add_metric([counts.topic, counts.event_type], getattr(counts, field))
        yield family
    yield GaugeMetricFamily(
        "mockgen_funnel_pending_events",
        "Funnel events simulated and waiting for their event time.",
        value=funnel.pending,
    )
    yield GaugeMetricFamily(
        "mockgen_funnel_pending_bytes",
        "Bytes the waiting funnel events hold, as the heap's bound counts them.",
        value=funnel.pending_bytes,
    )
    yield CounterMetricFamily(
        "mockgen_funnel_events_early",
        "Funnel events produced ahead of their time because the heap was at its bound.",
        value=funnel.early,
    )


class MetricsServer(HttpEndpoints):
    """The generator's ``/metrics`` and ``/healthz`` (JSON; 200 healthy, 503 otherwise, with the
    reason)."""

    def __init__(
        self,
        port: int,
        status: Callable[[], ServiceStatus],
        histogram: LatencyHistogram,
        topic: str,
        *,
        host: str = "127.0.0.1",
    ) -> None:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_ServiceCollector(status, histogram, topic))

        def health() -> tuple[bool, dict[str, object]]:
            current = status()
            problem = current.problem
            body = {"status": "unavailable" if problem else "ok", "reason": problem}
            return not problem, {**body, **asdict(current)}

        super().__init__(port, registry, health, host=host)
