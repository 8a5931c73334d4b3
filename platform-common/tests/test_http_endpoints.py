"""/metrics and /healthz over real HTTP, as every service serves them."""

from __future__ import annotations

import gzip
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.parser import text_string_to_metric_families

from platform_common.http_endpoints import HttpEndpoints


@pytest.fixture
def served() -> Iterator[tuple[HttpEndpoints, dict[str, object]]]:
    registry = CollectorRegistry(auto_describe=False)
    Counter("svc_events", "Events.", registry=registry).inc(5)
    state: dict[str, object] = {"healthy": True, "reason": ""}

    def health() -> tuple[bool, dict[str, object]]:
        healthy = bool(state["healthy"])
        return healthy, {"status": "ok" if healthy else "unavailable", "reason": state["reason"]}

    endpoints = HttpEndpoints(0, registry, health, host="127.0.0.1")
    yield endpoints, state
    endpoints.close()


def _get(port: int, path: str, **headers: str) -> tuple[int, str, bytes, dict[str, str]]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return (
                response.status,
                response.headers["Content-Type"],
                response.read(),
                {k.lower(): v for k, v in response.headers.items()},
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read(), {}


def test_metrics_serves_the_registry_in_prometheus_text(
    served: tuple[HttpEndpoints, dict[str, object]],
) -> None:
    endpoints, _ = served
    code, content_type, body, _ = _get(endpoints.port, "/metrics")
    assert code == 200 and content_type.startswith("text/plain")
    samples = {
        sample.name: sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }
    assert samples["svc_events_total"] == 5


def test_metrics_is_prometheus_clients_own_app(
    served: tuple[HttpEndpoints, dict[str, object]],
) -> None:
    endpoints, _ = served
    # Content negotiation and compression come with make_wsgi_app.
    _, content_type, _, _ = _get(
        endpoints.port, "/metrics", Accept="application/openmetrics-text; version=1.0.0"
    )
    assert content_type.startswith("application/openmetrics-text")
    _, _, body, headers = _get(endpoints.port, "/metrics", **{"Accept-Encoding": "gzip"})
    assert headers.get("content-encoding") == "gzip"
    assert b"svc_events_total 5.0" in gzip.decompress(body)


def test_healthz_is_json_200_when_healthy_503_with_the_reason_otherwise(
    served: tuple[HttpEndpoints, dict[str, object]],
) -> None:
    endpoints, state = served
    code, content_type, body, _ = _get(endpoints.port, "/healthz")
    assert (code, content_type) == (200, "application/json")
    assert json.loads(body) == {"status": "ok", "reason": ""}
    state.update(healthy=False, reason="stuck for 61 s")
    code, content_type, body, _ = _get(endpoints.port, "/healthz?verbose=1")
    assert (code, content_type) == (503, "application/json")
    assert json.loads(body) == {"status": "unavailable", "reason": "stuck for 61 s"}


def test_other_paths_are_not_found(served: tuple[HttpEndpoints, dict[str, object]]) -> None:
    endpoints, _ = served
    for path in ("/", "/nothing", "/metrics/x", "/favicon.ico"):
        code, _, body, _ = _get(endpoints.port, path)
        assert code == 404, path
        assert b"/metrics" in body and b"/healthz" in body


def test_it_listens_on_the_address_given_only() -> None:
    endpoints = HttpEndpoints(0, CollectorRegistry(), lambda: (True, {}), host="127.0.0.1")
    try:
        assert _get(endpoints.port, "/healthz")[0] == 200
        # Nothing answers on another address of this machine (where it has one).
        others = {
            info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        } - {"127.0.0.1"}
        for address in others:
            with socket.socket() as probe:
                probe.settimeout(1)
                assert probe.connect_ex((address, endpoints.port)) != 0, address
    finally:
        endpoints.close()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", endpoints.port)) != 0, "still listening"
