"""``mock-data-gen post``: against a local HTTP server started here, it holds its rate with bounded
concurrency, every request arrives as one Prebid Server accepts, and the report gives the status
codes and latency percentiles the server caused."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from prebid_server_rules import findings

from mock_data_gen.prebid_target import DEFAULT_BIDDERS, parse_bidders

DELAY_S = 0.02


class _Auction(BaseHTTPRequestHandler):
    """Answers 200 after DELAY_S, or 400 for a request whose id ends in "0" when told to."""

    protocol_version = "HTTP/1.1"  # keep-alive, as an auction server answers
    # Headers and body go out in two writes: without this, Nagle's algorithm holds the body
    # until the client's delayed acknowledgement, 40 ms that are the test server's, not ours.
    disable_nagle_algorithm = True
    server: Any

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = orjson.loads(body)
        with self.server.lock:
            self.server.bodies.append(request)
            self.server.in_flight += 1
            self.server.peak = max(self.server.peak, self.server.in_flight)
        time.sleep(DELAY_S)
        status = 400 if self.server.refuse_some and request["id"].endswith("0") else 200
        answer = b'{"id": "%s"}' % request["id"].encode()
        with self.server.lock:
            self.server.in_flight -= 1
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def auction() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Auction)
    server.lock = threading.Lock()  # type: ignore[attr-defined]
    server.bodies = []  # type: ignore[attr-defined]
    server.in_flight = server.peak = 0  # type: ignore[attr-defined]
    server.refuse_some = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _post(server: ThreadingHTTPServer, *args: str) -> tuple[int, dict[str, Any], str]:
    url = f"http://127.0.0.1:{server.server_address[1]}/openrtb2/auction"
    result = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "post", url, "--seed", "4", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.returncode, report, result.stderr


def test_holds_its_rate_and_reports_the_latency_percentiles(auction: Any) -> None:
    code, report, stderr = _post(auction, "--rate", "200", "--count", "600", "--concurrency", "8")
    assert code == 0, stderr
    assert report["sent"] == report["answered"] == 600 == len(auction.bodies)
    assert report["status"] == {"200": 600} and report["errors"] == {}
    # Paced: 600 sends over 3 s at 200 a second, within 2%.
    assert report["rate"] == pytest.approx(200, rel=0.02)
    latency = report["latency_ms"]
    print(f"rate {report['rate']}/s, latency ms {latency}, peak in flight {auction.peak}")
    # The server's 20 ms is in every latency; the order of the percentiles is their definition.
    assert DELAY_S * 1000 <= latency["p50"] <= latency["p95"] <= latency["p99"] < 1000
    assert auction.peak <= 8  # bounded concurrency
    bidders = parse_bidders(DEFAULT_BIDDERS)
    found = Counter(f for request in auction.bodies for f in findings(request, bidders))
    assert not found, found.most_common(3)


def test_too_little_concurrency_shows_as_a_lower_rate(auction: Any) -> None:
    # One connection and 20 ms an answer allow at most 50 a second.
    code, report, _ = _post(auction, "--rate", "200", "--count", "100", "--concurrency", "1")
    assert code == 0
    assert report["rate"] < 55 and auction.peak == 1


def test_refused_requests_are_counted_and_exit_1(auction: Any) -> None:
    auction.refuse_some = True
    code, report, _ = _post(auction, "--rate", "500", "--count", "300", "--target", "dsp")
    refused = sum(1 for request in auction.bodies if request["id"].endswith("0"))
    assert code == 1 and refused > 0
    assert report["status"] == {"200": 300 - refused, "400": refused}
    assert all("ext" not in request or "prebid" not in request["ext"] for request in auction.bodies)


def test_unreachable_server_is_a_transport_error() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Auction)
    server.server_close()  # the port is free again: nobody answers there
    code, report, _ = _post(server, "--rate", "100", "--count", "5", "--timeout", "1")
    assert code == 1 and report["answered"] == 0
    assert report["errors"] == {"ConnectionRefusedError": 5}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://host/x"], "URL: 'ftp://host/x': expected an http:// or https:// URL"),
        (["http://h/x", "--prebid-bidders", "[]"], "--prebid-bidders: expected a JSON object"),
        (["http://h/x", "--rate", "0"], "'0' is not a number of events per second > 0"),
    ],
)
def test_bad_arguments_exit_2(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "post", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and message in result.stderr, result.stderr
