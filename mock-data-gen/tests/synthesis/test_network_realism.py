"""What an exchange engineer decodes from a request's own signals: the OS version its user agent
and client hints reveal. Five seeds, each over two whole simulated days and a US-evening burst."""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from samples import Sample, day_times, sample

SEEDS = (0, 1, 2, 3, 4)
DAY_COUNT = 3_000
BURST_COUNT = 1_500


@dataclass
class SeedSamples:
    days: list[Sample]  # whole simulated days, from midnight UTC and from 13:30 UTC
    burst: Sample  # 1,500 requests at 1,000 per second in a US evening

    def requests(self) -> list[dict[str, Any]]:
        return [r for s in (*self.days, self.burst) for r in s.requests if "dooh" not in r]


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@functools.cache
def network_samples() -> dict[int, SeedSamples]:
    out = {}
    for seed in SEEDS:
        first = datetime(2026, 2, 3, tzinfo=UTC) + timedelta(days=41 * seed)
        second = datetime(2026, 8, 11, 13, 30, tzinfo=UTC) + timedelta(days=17 * seed)
        burst = _ms(datetime(2026, 10, 6, 1, tzinfo=UTC) + timedelta(days=seed))
        days = [sample(seed, day_times(_ms(start), DAY_COUNT)) for start in (first, second)]
        out[seed] = SeedSamples(days, sample(seed, [burst + i for i in range(BURST_COUNT)]))
    return out


def _all_requests() -> list[dict[str, Any]]:
    return [r for s in network_samples().values() for r in s.requests()]


# --- 1. OS versions --------------------------------------------------------------------------

# What a user agent string says about the OS version, per OS.
_UA_VERSION = {
    "MacOS": re.compile(r"Mac OS X (\d+[._]\d+(?:[._]\d+)?)[;)]"),
    "iOS": re.compile(r" OS (\d+(?:_\d+)+) like Mac OS X"),
    "Android": re.compile(r"Android (\d+(?:\.\d+)*)[;)]"),
    "Windows": re.compile(r"Windows NT (\d+)\.\d+"),
    "ChromeOS": re.compile(r"CrOS \S+ (\d+\.\d+\.\d+)"),
}


def signalled_osv(request: dict[str, Any]) -> str | None:
    """The OS version the request's own signals reveal; "" where they reveal none; None where an
    app SDK reports it (apps and TVs read the OS version from the platform's API)."""
    device = request["device"]
    os_name, ua = device["os"], device["ua"]
    if "site" not in request:
        return None
    version = device.get("sua", {}).get("platform", {}).get("version")
    if version:
        if os_name == "Windows":
            # UA-CH platformVersion 13 and up is Windows 11, 1-10 Windows 10.
            return "11" if int(version[0]) >= 13 else "10"
        parts = len(device.get("osv", "").split("."))
        return ".".join(version[:parts])
    found = _UA_VERSION.get(os_name)
    if found is None:
        return ""
    match = found.search(ua)
    assert match, (os_name, ua)
    return match.group(1).replace("_", ".")


def test_osv_is_what_the_request_itself_tells() -> None:
    seen: Counter[str] = Counter()
    for request in _all_requests():
        device = request["device"]
        expected = signalled_osv(request)
        if expected is None:
            continue
        assert device.get("osv", "") == expected, (
            device.get("osv"),
            device["ua"],
            device.get("sua"),
        )
        sua = device.get("sua")
        if sua and "version" in sua["platform"] and device["os"] != "Windows":
            # Client hints and osv agree component by component.
            assert sua["platform"]["version"][: len(device["osv"].split("."))] == device[
                "osv"
            ].split(".")
        if device["os"] == "MacOS":
            browser = "safari" if "Version/" in device["ua"] else "other"
            seen[f"mac {browser} {'hinted' if sua and 'version' in sua['platform'] else 'ua'}"] += 1
    # Safari and Firefox on a Mac freeze the UA at 10.15(.7): that is all an exchange can know.
    assert min(seen.values()) > 50 and len(seen) == 4, seen
