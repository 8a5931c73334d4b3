"""``/metrics`` and ``/healthz`` of a service, served from a thread.

``/metrics`` is prometheus_client's own WSGI app (``make_wsgi_app``: content negotiation,
OpenMetrics, gzip and ``name[]`` filtering as Prometheus expects them) for the service's registry;
``/healthz`` answers JSON, 200 when the service is healthy and 503 otherwise; any other path 404.
They are served by wsgiref behind prometheus_client's thread-per-request server, the one its own
``start_wsgi_server`` uses, on ``METRICS_HOST:METRICS_PORT``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIRequestHandler, make_server

import orjson
from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

from platform_common.settings import DEFAULT_METRICS_HOST

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

Health = Callable[[], tuple[bool, dict[str, object]]]
_NOT_FOUND = b"not found: try /metrics or /healthz\n"


class _DebugLoggingHandler(WSGIRequestHandler):
    """Request lines go to the debug log, not to stderr."""

    def log_message(self, format: str, *args: object) -> None:
        logger.debug(format, *args)


def _app(
    registry: CollectorRegistry, health: Health
) -> Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]:
    """The WSGI app: ``/metrics`` of ``registry``, ``/healthz`` from ``health``, else 404."""
    metrics = make_wsgi_app(registry)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            body: Iterable[bytes] = metrics(environ, start_response)
            return body
        if path == "/healthz":
            healthy, status = health()
            payload = orjson.dumps(status)
            code = "200 OK" if healthy else "503 Service Unavailable"
            start_response(
                code,
                [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
            )
            return [payload]
        start_response(
            "404 Not Found",
            [("Content-Type", "text/plain"), ("Content-Length", str(len(_NOT_FOUND)))],
        )
        return [_NOT_FOUND]

    return app


class HttpEndpoints:
    """Serves ``/metrics`` (Prometheus text of ``registry``) and ``/healthz`` from a thread.

    ``health`` returns whether the process is healthy (200, else 503) and the JSON body to send.
    ``host`` is the address listened on: loopback unless the caller says otherwise (``0.0.0.0``
    in containers); ``port`` 0 picks a free port, which :attr:`port` then tells.
    """

    def __init__(
        self,
        port: int,
        registry: CollectorRegistry,
        health: Health,
        *,
        host: str = DEFAULT_METRICS_HOST,
    ) -> None:
        self._server = make_server(
            host,
            port,
            _app(registry, health),
            server_class=ThreadingWSGIServer,
            handler_class=_DebugLoggingHandler,
        )
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics-http", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
