"""TARGET=prebid-server: every transformed request passes Prebid Server's validation as encoded in
``prebid_server_rules``; the generator's own requests do not, and each encoded rule bites."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections import Counter
from functools import cache
from typing import Any

import orjson
import pytest
from kafka_testkit import KafkaCluster, read_topic
from prebid_server_rules import findings

from mock_data_gen.prebid_target import (
    DEFAULT_BIDDERS,
    BiddersError,
    PrebidServerTarget,
    parse_bidders,
)
from mock_data_gen.settings import ConfigError, load_settings
from mock_data_gen.synthesis import BidRequestGenerator

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
DAY_MS = 86_400_000
COUNT = 10_000
BIDDERS = {
    "appnexus": {"placement_id": 13144370},
    "pubmatic": {"publisherId": "156209"},
    "rubicon": {"accountId": 1001, "siteId": 113932, "zoneId": 535510},
}


def _requests(seed: int) -> list[bytes]:
    # Spread over a day, so that every hour's mix (CTV at prime time, ...) is in it.
    times = [T0 + i * DAY_MS // COUNT for i in range(COUNT)]
    return list(BidRequestGenerator(seed=seed).generate_columns(times).payloads)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_no_finding_over_ten_thousand_requests(seed: int) -> None:
    bidders = parse_bidders(DEFAULT_BIDDERS) if seed % 2 else BIDDERS
    payloads = PrebidServerTarget(bidders).payloads(_requests(seed))
    found: Counter[str] = Counter()
    media: Counter[str] = Counter()
    for payload in payloads:
        request = orjson.loads(payload)
        found.update(findings(request, bidders))
        media.update(k for imp in request["imp"] for k in ("banner", "video", "audio", "native")
                     if k in imp)  # fmt: skip
        media.update(k for k in ("site", "app", "dooh") if k in request)
    assert not found, found.most_common(5)
    # The rules were exercised on every kind of request the generator writes.
    assert all(media[k] > 20 for k in ("banner", "video", "audio", "native", "site", "app", "dooh"))


def test_the_generators_own_requests_are_refused() -> None:
    found = [
        finding
        for payload in _requests(1)[:2000]
        for finding in findings(orjson.loads(payload), BIDDERS)
    ]
    assert any(f.endswith("].ext is required") for f in found)  # no bidder named
    assert any(f.endswith("].ext.prebid.bidder must contain at least one bidder") for f in found)
    assert any("metric is not yet supported" in finding for finding in found)


@cache
def _valid_payload() -> bytes:
    return next(p for p in _requests(2)[:2000] if b'"native"' in p and b'"site"' in p)


def _valid() -> dict[str, Any]:
    return PrebidServerTarget(BIDDERS).request(orjson.loads(_valid_payload()))


def _native_imp(request: dict[str, Any]) -> dict[str, Any]:
    return next(imp for imp in request["imp"] if "native" in imp)


def _set_native(request: dict[str, Any], change: Any) -> None:
    imp = _native_imp(request)
    native = orjson.loads(imp["native"]["request"])
    change(native)
    imp["native"]["request"] = orjson.dumps(native).decode()


MISTAKES = {
    "no id": (lambda r: r.pop("id"), 'request missing required field: "id"'),
    "site and app": (lambda r: r.update(app={"id": "a"}), "No more than one of request.site"),
    "no site or app": (lambda r: r.pop("site"), "One of request.site or request.app"),
    "site without id or page": (
        lambda r: [r["site"].pop(k, None) for k in ("id", "page")],
        "request.site should include at least one of",
    ),
    "imp.metric": (
        lambda r: r["imp"][0].update(metric=[{"type": "viewability", "value": 0.7}]),
        "request.imp[0].metric is not yet supported by prebid-server",
    ),
    "unknown bidder": (
        lambda r: r["imp"][0]["ext"]["prebid"].update(bidder={"nobody": {}}),
        "request.imp[0].ext.prebid.bidder contains unknown bidder: nobody",
    ),
    "bad bidder params": (
        lambda r: r["imp"][0]["ext"]["prebid"].update(bidder={"rubicon": {"accountId": 1}}),
        "request.imp[0].ext.prebid.bidder.rubicon failed validation: siteId",
    ),
    "no media": (
        lambda r: [r["imp"][0].pop(k, None) for k in ("banner", "video", "audio", "native")],
        'request.imp[0] must contain at least one of "banner"',
    ),
    "duplicate imp id": (
        lambda r: r["imp"].append(copy.deepcopy(r["imp"][0])),
        "].id are both",
    ),
    "deal without id": (
        lambda r: r["imp"][0].update(pmp={"deals": [{"bidfloor": 1.0}]}),
        'request.imp[0].pmp.deals[0] missing required field: "id"',
    ),
    "cache without bids": (
        lambda r: r["ext"]["prebid"].update(cache={}),
        'cache requires one of the "bids" or "vastxml" properties',
    ),
    "unordered granularity": (
        lambda r: r["ext"]["prebid"]["targeting"]["pricegranularity"]["ranges"].append(
            {"min": 0, "max": 5, "increment": 0.5}
        ),
        'range list must be ordered with increasing "max"',
    ),
    "gdpr 2": (lambda r: r.update(regs={"gdpr": 2}), "request.regs.gdpr must be either 0 or 1"),
    "native asset with two kinds": (
        lambda r: _set_native(r, lambda n: n["assets"][0].update(data={"type": 1})),
        "must define exactly one of {title, img, video, data}",
    ),
    "native tracker without methods": (
        lambda r: _set_native(r, lambda n: n.update(eventtrackers=[{"event": 1, "methods": []}])),
        "eventtrackers[0].method is required",
    ),
    "native context and subtype disagree": (
        lambda r: _set_native(r, lambda n: n.update(context=2, contextsubtype=10)),
        "context is 2, but contextsubtype is 10",
    ),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_rule_refuses_its_mistake(mistake: str) -> None:
    request = _valid()
    assert list(findings(request, BIDDERS)) == []
    change, message = MISTAKES[mistake]
    change(request)
    assert any(message in finding for finding in findings(request, BIDDERS)), list(
        findings(request, BIDDERS)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("appnexus", "not JSON"),
        ("{}", "expected a JSON object with at least one bidder"),
        ('{"app nexus": {}}', "bidder 'app nexus': expected a bidder code"),
        ('{"appnexus": 13144370}', "bidder 'appnexus': expected an object of its parameters"),
    ],
)
def test_bad_bidders_are_named(text: str, message: str) -> None:
    with pytest.raises(BiddersError, match=message):
        parse_bidders(text)


def test_bad_prebid_bidders_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREBID_BIDDERS", "appnexus")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert "PREBID_BIDDERS='appnexus' is not accepted (not JSON" in str(error.value)
    assert "expected a JSON object of bidder codes to their parameters" in str(error.value)


@pytest.mark.integration
def test_run_streams_requests_prebid_server_accepts(
    kafka_cluster: KafkaCluster, kafka_topic: str
) -> None:
    bidders = '{"pubmatic": {"publisherId": "156209"}}'
    result = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "run"],
        env={
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": kafka_cluster.bootstrap_servers,
            "TOPIC_BID_REQUESTS": kafka_topic,
            "METRICS_PORT": "0",
            "EVENTS_PER_SECOND": "0",
            "MAX_EVENTS": "2000",
            "TARGET": "Prebid-Server",
            "PREBID_BIDDERS": bidders,
            "SEED": "9",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    records = read_topic(kafka_cluster.bootstrap_servers, kafka_topic)
    assert len(records) == 2000
    found: Counter[str] = Counter()
    for record in records:
        found.update(findings(orjson.loads(record.value()), parse_bidders(bidders)))
    assert not found, found.most_common(3)
