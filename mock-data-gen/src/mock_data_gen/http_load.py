"""``mock-data-gen post``: a load generator for an auction endpoint.

Generated requests (shaped for the target, e.g. Prebid Server's ``/openrtb2/auction``) are POSTed
to a URL at a paced rate by a bounded number of workers, each with its own keep-alive connection
(standard library ``http.client``: no dependency to add). The pacer (the one ``run`` uses)
releases requests on time; a worker takes the next one from a queue of at most ``concurrency``
waiting requests, so when the server is slower than rate x concurrency allows, releases wait and
the achieved rate shows it. Each answer's status code and latency (from sending the request to
having read the whole answer) are kept; the report gives the counts by status, transport errors,
the achieved rate between the first and the last send, and the latency percentiles.
"""

from __future__ import annotations

import http.client
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from mock_data_gen.pacing import Pacer

_STOP = b""


@dataclass
class LoadReport:
    """What a load run saw; ``as_dict`` is what the command prints."""

    target_rate: float
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies_s: list[float] = field(default_factory=list)
    send_times: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        times = sorted(self.send_times)
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        latencies = np.asarray(self.latencies_s) * 1000
        percentiles = (
            dict(zip(("p50", "p95", "p99"), np.percentile(latencies, [50, 95, 99]), strict=True))
            if len(latencies)
            else {}
        )
        return {
            "sent": self.sent,
            "answered": sum(self.statuses.values()),
            "status": {str(code): n for code, n in sorted(self.statuses.items())},
            "errors": dict(self.errors),
            "target_rate": self.target_rate,
            # Sends are paced from the first on: n sends span (n - 1) intervals.
            "rate": round((len(times) - 1) / span, 2) if span > 0 else None,
            "latency_ms": {name: round(float(value), 3) for name, value in percentiles.items()},
        }


class UrlError(ValueError):
    """The URL is not an http:// or https:// URL with a host."""


class Poster:
    """POSTs bodies to ``url`` from ``concurrency`` threads, one keep-alive connection each."""

    def __init__(self, url: str, concurrency: int, timeout: float, report: LoadReport) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UrlError(f"{url!r}: expected an http:// or https:// URL with a host")
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout = timeout
        self._report = report
        self._lock = threading.Lock()
        # Bounded: a release waits when every worker is busy and this many are already waiting.
        self.queue: queue.Queue[bytes] = queue.Queue(maxsize=concurrency)
        self._workers = [
            threading.Thread(target=self._work, name=f"post-{i}", daemon=True)
            for i in range(concurrency)
        ]
        for worker in self._workers:
            worker.start()

    def _connect(self) -> http.client.HTTPConnection:
        kind = (
            http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        )
        return kind(self._host, self._port, timeout=self._timeout)

    def _work(self) -> None:
        connection = self._connect()
        report = self._report
        while (body := self.queue.get()) is not _STOP:
            started = time.monotonic()
            try:
                connection.request("POST", self._path, body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                status, error = response.status, None
            except (OSError, http.client.HTTPException) as exc:
                status, error = None, type(exc).__name__
                connection.close()
                connection = self._connect()  # a fresh connection for the next request
            elapsed = time.monotonic() - started
            with self._lock:
                report.send_times.append(started)
                if status is None:
                    report.errors[str(error)] += 1
                else:
                    report.statuses[status] += 1
                    report.latencies_s.append(elapsed)
        connection.close()

    def close(self) -> None:
        """Let the workers finish what is queued, then stop them."""
        for _ in self._workers:
            self.queue.put(_STOP)
        for worker in self._workers:
            worker.join()


def post_paced(
    generate: Callable[[Sequence[int]], Sequence[bytes]],
    poster: Poster,
    report: LoadReport,
    count: int,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    """Release ``count`` requests at ``report.target_rate`` a second into ``poster``."""
    pacer = Pacer(report.target_rate)
    while report.sent < count and not should_stop():
        due = pacer.take(min(pacer.batch_size, count - report.sent))
        if not due:
            time.sleep(min(pacer.seconds_until_due(), 0.05))
            continue
        now_ms = time.time_ns() // 1_000_000
        for body in generate([now_ms] * due):
            poster.queue.put(body)
            report.sent += 1
