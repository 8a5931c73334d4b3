"""Metrics: latency sample arithmetic; the generator's /metrics and /healthz over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import replace

import pytest
from platform_common.metric_families import LatencyHistogram
from prometheus_client.parser import text_string_to_metric_families

from mock_data_gen.metrics import (
    FunnelStatus,
    FunnelTopicCounts,
    LatencySample,
    MetricsServer,
    ServiceStatus,
)

STATUS = ServiceStatus(
    phase="producing",
    connected=True,
    produced=120,
    delivered=100,
    failed=2,
    bytes_delivered=51_200,
    queue_depth=18,
    target_rate=1000.0,
    actual_rate=998.5,
    skipped=0,
)


def test_latency_sample_percentiles_and_reset() -> None:
    sample = LatencySample()
    for millis in range(1, 1001):
        sample.add(millis / 1000)
    assert sample.drain_percentiles(0.5, 0.99) == [0.501, 0.991]
    assert sample.drain_percentiles(0.5) == [None]


def test_latency_sample_stays_bounded_and_spans_the_interval() -> None:
    sample = LatencySample(capacity=1000)
    for i in range(100_000):
        sample.add(float(i))
    p01, p50, p99 = sample.drain_percentiles(0.01, 0.5, 0.99)
    assert p01 is not None and p50 is not None and p99 is not None
    assert p01 < 2_000 and 45_000 < p50 < 55_000 and p99 > 97_000


@pytest.fixture
def server() -> object:
    state = {"status": STATUS}
    histogram = LatencyHistogram()
    for _ in range(100):
        histogram.observe(0.004)
    metrics = MetricsServer(0, lambda: state["status"], histogram, "bids", host="127.0.0.1")
    yield metrics, state
    metrics.close()


def _get(port: int, path: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_metrics_endpoint_reports_the_status(
    server: tuple[MetricsServer, dict[str, ServiceStatus]],
) -> None:
    metrics, _ = server
    code, content_type, body = _get(metrics.port, "/metrics")
    assert code == 200 and content_type.startswith("text/plain")
    samples = {
        (sample.name, sample.labels.get("le")): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }
    assert samples[("mockgen_events_produced_total", None)] == 120
    assert samples[("mockgen_events_delivered_total", None)] == 100
    assert samples[("mockgen_delivery_errors_total", None)] == 2
    assert samples[("mockgen_bytes_delivered_total", None)] == 51_200
    assert samples[("mockgen_queue_depth", None)] == 18
    assert samples[("mockgen_target_events_per_second", None)] == 1000
    assert samples[("mockgen_actual_events_per_second", None)] == 998.5
    assert samples[("mockgen_produce_latency_seconds_bucket", "0.0025")] == 0
    assert samples[("mockgen_produce_latency_seconds_bucket", "0.005")] == 100
    assert samples[("mockgen_produce_latency_seconds_count", None)] == 100
    assert samples[("mockgen_delivery_stalled_seconds", None)] == 0


def test_healthz_is_200_while_producing_and_delivering_within_the_bound(
    server: tuple[MetricsServer, dict[str, ServiceStatus]],
) -> None:
    metrics, state = server
    code, content_type, body = _get(metrics.port, "/healthz")
    assert (code, content_type) == (200, "application/json")
    assert json.loads(body)["status"] == "ok" and json.loads(body)["reason"] == ""
    bounded = replace(STATUS, unhealthy_after_seconds=30.0)
    for healthy in (
        replace(bounded, phase="backpressure"),
        # A broker connection lost, or events unacknowledged, for less than the bound.
        replace(bounded, connected=False, disconnected_seconds=29.5, stalled_seconds=29.5),
    ):
        state["status"] = healthy
        assert _get(metrics.port, "/healthz")[0] == 200, healthy
    for unhealthy, reason in (
        (replace(bounded, phase="connecting"), "not producing: connecting"),
        (replace(bounded, phase="stopping"), "not producing: stopping"),
        (
            replace(bounded, connected=False, disconnected_seconds=31.2),
            "no broker reachable for 31 s (UNHEALTHY_AFTER_SECONDS=30)",
        ),
        (
            replace(bounded, phase="backpressure", stalled_seconds=45.0),
            "18 events waiting, none acknowledged for 45 s (UNHEALTHY_AFTER_SECONDS=30)",
        ),
    ):
        state["status"] = unhealthy
        code, _, body = _get(metrics.port, "/healthz")
        assert code == 503
        assert (json.loads(body)["status"], json.loads(body)["reason"]) == ("unavailable", reason)
    assert _get(metrics.port, "/nothing")[0] == 404


def test_the_funnel_has_its_own_series_per_topic_and_event_type(
    server: tuple[MetricsServer, dict[str, ServiceStatus]],
) -> None:
    metrics, state = server
    code, _, body = _get(metrics.port, "/metrics")
    assert code == 200 and b"mockgen_funnel" not in body  # FUNNEL=requests: none
    state["status"] = replace(
        STATUS,
        funnel=FunnelStatus(
            topics=(
                FunnelTopicCounts("bids_out", "bid_response", 1400, 1300, 1, 700_000),
                FunnelTopicCounts("won", "win", 110, 100, 0, 90_000),
            ),
            pending=321,
            pending_bytes=280_000,
            early=7,
        ),
    )
    _, _, body = _get(metrics.port, "/metrics")
    samples = {
        (sample.name, sample.labels.get("topic"), sample.labels.get("type")): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }
    assert samples[("mockgen_funnel_events_produced_total", "bids_out", "bid_response")] == 1400
    assert samples[("mockgen_funnel_events_delivered_total", "bids_out", "bid_response")] == 1300
    assert samples[("mockgen_funnel_delivery_errors_total", "bids_out", "bid_response")] == 1
    assert samples[("mockgen_funnel_bytes_delivered_total", "won", "win")] == 90_000
    assert samples[("mockgen_funnel_pending_events", None, None)] == 321
    assert samples[("mockgen_funnel_pending_bytes", None, None)] == 280_000
    assert samples[("mockgen_funnel_events_early_total", None, None)] == 7
    # The request stream's own series still count requests only.
    assert samples[("mockgen_events_delivered_total", "bids", None)] == 100
    health = json.loads(_get(metrics.port, "/healthz")[2])
    assert health["funnel"]["pending"] == 321 and len(health["funnel"]["topics"]) == 2
