"""Operational metrics of the sink: Prometheus ``/metrics`` and ``/healthz`` (JSON).

The main loop bumps plain numbers on :class:`SinkMetrics`; Prometheus reads them through a collector
at scrape time, so the hot path pays no lock per record.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

from platform_common.http_endpoints import HttpEndpoints
from platform_common.metric_families import LabelledFamilies, LatencyHistogram
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

# The main loop ticks at least every second; a minute without one means it is stuck.
_STUCK_AFTER_SECONDS = 60.0


class SinkMetrics:
    """Counters and gauges of one sink process (written by the main loop only)."""

    def __init__(self, topic: str, table: str, unhealthy_after_seconds: float = 120.0) -> None:
        self.topic = topic
        self.table = table
        # /healthz fails once a sealed batch has waited this long for its commit.
        self.unhealthy_after_seconds = unhealthy_after_seconds
        self.state = "starting"  # starting | consuming | retrying | stopping | stopped
        self.records_consumed = 0
        self.records_committed = 0
        self.dead_letters: Counter[str] = Counter()
        self.batches_committed = 0
        self.commit_conflicts = 0
        self.commit_failures = 0
        self.stale_partition_drops = 0
        # Per partition: offsets deleted from the topic before the sink read them.
        self.offsets_skipped: Counter[int] = Counter()
        # Per partition: starts from the log start because the table was ahead of the topic.
        self.offset_gap_restarts: Counter[int] = Counter()
        self.data_files_written = 0
        self.rebalances = 0
        self.buffered_records = 0
        self.assigned_partitions = 0
        self.consumer_lag: dict[int, int] = {}
        self.last_commit_unix = 0.0
        # Monotonic time the oldest uncommitted sealed batch's first commit attempt began.
        self.commit_pending_since: float | None = None
        self.last_error = ""
        self.commit_latency = LatencyHistogram()  # Iceberg commit call (refresh + check + commit)
        self.batch_latency = LatencyHistogram()  # first record of a batch consumed -> committed
        self._tick = time.monotonic()

    def tick(self) -> None:
        self._tick = time.monotonic()

    def commit_pending_seconds(self) -> float:
        """How long the oldest sealed batch has waited for its commit (0 when none waits)."""
        since = self.commit_pending_since
        return 0.0 if since is None else max(0.0, time.monotonic() - since)

    def problem(self) -> str:
        """Why the sink is unhealthy now; empty when it is healthy."""
        if self.state not in ("consuming", "retrying"):
            return f"state is {self.state}"
        silent = time.monotonic() - self._tick
        if silent >= _STUCK_AFTER_SECONDS:
            return f"the main loop has been stuck for {silent:.0f} s"
        waited = self.commit_pending_seconds()
        if waited >= self.unhealthy_after_seconds:
            last = f"; last error: {self.last_error}" if self.last_error else ""
            return (
                f"a batch has waited {waited:.0f} s for its commit "
                f"(ICEBERG_SINK_UNHEALTHY_AFTER_SECONDS={self.unhealthy_after_seconds:g}){last}"
            )
        return ""

    @property
    def healthy(self) -> bool:
        return not self.problem()

    def status(self) -> dict[str, object]:
        problem = self.problem()
        return {
            "status": "unavailable" if problem else "ok",
            "reason": problem,
            "state": self.state,
            "commit_pending_seconds": round(self.commit_pending_seconds(), 1),
            "unhealthy_after_seconds": self.unhealthy_after_seconds,
            "topic": self.topic,
            "table": self.table,
            "records_consumed": self.records_consumed,
            "records_committed": self.records_committed,
            "dead_letters": sum(self.dead_letters.values()),
            "batches_committed": self.batches_committed,
            "buffered_records": self.buffered_records,
            "assigned_partitions": self.assigned_partitions,
            "consumer_lag": sum(self.consumer_lag.values()),
            "last_commit_unix": self.last_commit_unix,
            "last_error": self.last_error,
        }


class _Collector(Collector):
    def __init__(self, metrics: SinkMetrics) -> None:
        self._m = metrics

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily | HistogramMetricFamily]:
        m = self._m
        families = LabelledFamilies(topic=m.topic, table=m.table)
        counter, gauge = families.counter, families.gauge
        labels, values = families.names, families.values

        yield counter(
            "icebergsink_records_consumed", "Records read from Kafka.", m.records_consumed
        )
        yield counter(
            "icebergsink_records_committed",
            "Records committed as table rows.",
            m.records_committed,
        )
        dead = CounterMetricFamily(
            "icebergsink_records_dead_lettered",
            "Records sent to the dead-letter topic, by reason.",
            labels=[*labels, "reason"],
        )
        for reason in ("empty_value", "invalid_json", "schema_mismatch"):
            dead.add_metric([*values, reason], m.dead_letters[reason])
        yield dead
        yield counter("icebergsink_batches_committed", "Snapshots committed.", m.batches_committed)
        yield counter(
            "icebergsink_commit_conflicts",
            "Commits refused by the table (concurrent writers) and retried.",
            m.commit_conflicts,
        )
        yield counter(
            "icebergsink_commit_failures",
            "Commit attempts that failed (catalog, storage or Kafka unavailable) and were retried.",
            m.commit_failures,
        )
        yield counter(
            "icebergsink_stale_partition_drops",
            "Times records of a partition were dropped because another replica committed it.",
            m.stale_partition_drops,
        )
        for name, doc, counts in (
            (
                "icebergsink_offsets_skipped",
                "Offsets deleted from the topic (retention) before the sink read them.",
                m.offsets_skipped,
            ),
            (
                "icebergsink_offset_gap_restarts",
                "Partitions started from their log start because the table's offset was past the "
                "log end (ICEBERG_SINK_ON_OFFSET_GAP=from-log-start), by partition.",
                m.offset_gap_restarts,
            ),
        ):
            family = CounterMetricFamily(name, doc, labels=[*labels, "partition"])
            for partition, value in sorted(counts.items()):
                family.add_metric([*values, str(partition)], value)
            yield family
        yield counter(
            "icebergsink_data_files_written", "Parquet files written.", m.data_files_written
        )
        yield counter(
            "icebergsink_rebalances", "Partition assignments and revocations.", m.rebalances
        )
        yield gauge(
            "icebergsink_buffered_records",
            "Records consumed but not committed.",
            m.buffered_records,
        )
        yield gauge(
            "icebergsink_assigned_partitions", "Partitions owned now.", m.assigned_partitions
        )
        lag = GaugeMetricFamily(
            "icebergsink_consumer_lag",
            "Records between the consumer position and the end of each partition.",
            labels=[*labels, "partition"],
        )
        for partition, value in sorted(m.consumer_lag.items()):
            lag.add_metric([*values, str(partition)], value)
        yield lag
        yield gauge(
            "icebergsink_last_commit_timestamp_seconds",
            "Unix time of the last successful commit.",
            m.last_commit_unix,
        )
        for name, doc, histogram in (
            (
                "icebergsink_commit_latency_seconds",
                "Duration of the Iceberg commit (refresh, offset check, snapshot).",
                m.commit_latency,
            ),
            (
                "icebergsink_batch_latency_seconds",
                "From a batch's first record being consumed to its snapshot being committed.",
                m.batch_latency,
            ),
        ):
            yield families.histogram(name, doc, histogram)


class MetricsServer(HttpEndpoints):
    """Serves ``/metrics`` and ``/healthz``.

    ``/healthz`` answers 200 while consuming or retrying, 503 otherwise, and also once a sealed
    batch has waited ``unhealthy_after_seconds`` for its commit (every attempt failing or hanging):
    from then until a commit succeeds.
    """

    def __init__(self, metrics: SinkMetrics, port: int, host: str = "0.0.0.0") -> None:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Collector(metrics))
        super().__init__(port, registry, lambda: (metrics.healthy, metrics.status()), host=host)
