"""What an exchange engineer decodes from a request's own signals: the OS version its user agent
and client hints reveal, one access operator behind its addresses, carrier and connection type,
masked addresses and coarse location where privacy asks for them, and IPv6 as common as public
measurements say. Five seeds, each over two whole simulated days and a US-evening burst."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from decoders import decode_tc_string
from samples import Sample, day_times, sample

from mock_data_gen.synthesis import networks

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


# --- 2. Networks ----------------------------------------------------------------------------


@functools.cache
def _owners() -> dict[int, list[tuple[Any, str, str]]]:
    """Per IP version, (network, country, operator) of every block in the table."""
    out: dict[int, list[tuple[Any, str, str]]] = {4: [], 6: []}
    for version, table in ((4, networks.IPV4), (6, networks.IPV6)):
        for country, entries in table.items():
            for cidr, operator in entries:
                out[version].append((ipaddress.ip_network(cidr), country, operator))
    return out


def owner(address: str) -> tuple[str, str]:
    """(country, operator) whose block holds ``address``."""
    ip = ipaddress.ip_address(address)
    for net, country, operator in _owners()[ip.version]:
        if ip in net:
            return country, operator
    raise AssertionError(f"{address} is in no block of the table")


CELLULAR = frozenset({3, 4, 5, 6, 7})  # AdCOM 1.0 List: Connection Types


def test_addresses_carrier_and_connection_type_come_from_one_operator() -> None:
    seen: Counter[str] = Counter()
    requests = _all_requests()
    operators = []
    for request in requests:
        device = request["device"]
        owners = {owner(device[f]) for f in ("ip", "ipv6") if f in device}
        # IPv4 and IPv6 of a request lead to one operator, of the user's country.
        assert len(owners) == 1, (device.get("ip"), device.get("ipv6"), owners)
        ((country, name),) = owners
        assert country == device["geo"]["country"]
        seen["dual stack"] += "ip" in device and "ipv6" in device
        operators.append((country, name))
    for request, (country, name) in zip(requests, operators, strict=True):
        device = request["device"]
        operator = networks.operator(country, name)
        if device.get("connectiontype") in CELLULAR:
            # On a mobile network the carrier is the operator that owns the address.
            assert operator.mobile > 0 and operator.carrier, (country, name)
            assert (device.get("carrier"), device.get("mccmnc")) == (
                operator.carrier,
                operator.mccmnc,
            ), (country, name, device.get("carrier"))
            seen[f"cellular {device['devicetype']}"] += 1
        else:
            # Fixed lines (Ethernet, Wi-Fi) come from a broadband operator and name no carrier.
            assert operator.fixed > 0, (country, name)
            assert "carrier" not in device and "mccmnc" not in device
            seen["fixed"] += 1
    assert min(seen.values()) > 200 and len(seen) == 4, seen


# --- 9. Privacy hygiene ---------------------------------------------------------------------


def restricted(request: dict[str, Any]) -> str | None:
    """Why precise location and full addresses may not be sent, or None."""
    regs, device = request["regs"], request["device"]
    if regs.get("coppa") == 1:
        return "coppa"
    if device.get("lmt") == 1:
        return "lmt"
    consent = request.get("user", {}).get("consent")
    if consent is not None and 1 not in decode_tc_string(consent).special_features:
        return "no special feature 1"
    if regs.get("us_privacy", "1NN")[2] == "Y":
        return "us opt-out"
    return None


def _decimals(value: float) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text else 0


def test_restricted_requests_carry_coarse_location_and_masked_addresses() -> None:
    seen: Counter[str] = Counter()
    for request in _all_requests():
        device = request["device"]
        geo = device["geo"]
        reason = restricted(request)
        if reason is None:
            seen["precise"] += 1
            if "ip" in device:
                assert not device["ip"].endswith(".0")
            if "ipv6" in device:
                seen["precise v6 /48"] += int(ipaddress.IPv6Address(device["ipv6"])) % 2**80 == 0
            continue
        seen[reason] += 1
        # Masked as exchanges do: the IPv4 /24 and the IPv6 /48.
        if "ip" in device:
            assert device["ip"].endswith(".0"), (reason, device["ip"])
        if "ipv6" in device:
            assert int(ipaddress.IPv6Address(device["ipv6"])) % 2**80 == 0, (reason, device)
        # Location from the IP address only, at two decimals at most and without a postcode.
        assert geo["type"] == 2 and geo["ipservice"] in (1, 3, 4) and "accuracy" not in geo
        assert "zip" not in geo, (reason, geo)
        for field in ("lat", "lon"):
            if field in geo:
                assert _decimals(geo[field]) <= 2, (reason, geo)
    assert min(seen[r] for r in ("lmt", "no special feature 1", "us opt-out")) > 200, seen
    # Unrestricted IPv6 addresses keep their subscriber /56.
    assert seen["precise v6 /48"] < 0.01 * seen["precise"], seen


# --- 10. IPv6 share -------------------------------------------------------------------------


# Share of users reaching Google over IPv6: 42-47% in August 2024, 50% reached in April 2026
# (google.com/ipv6/statistics.html; APNIC blog, "Google hits 50% IPv6", 28 April 2026). APNIC
# Labs measures 42% of users worldwide IPv6-capable (same post).
GLOBAL_IPV6_SHARE = (0.40, 0.50)


def test_ipv6_share_over_a_day_is_within_public_measurements() -> None:
    low, high = GLOBAL_IPV6_SHARE
    by_country: dict[str, Counter[bool]] = defaultdict(Counter)
    for seed, samples in network_samples().items():
        for day in samples.days:
            users = [r for r in day.requests if "dooh" not in r]
            share = sum("ipv6" in r["device"] for r in users) / len(users)
            assert low <= share <= high, (seed, share)
            for r in users:
                by_country[r["device"]["geo"]["country"]]["ipv6" in r["device"]] += 1
    for country, counts in by_country.items():
        total = counts[True] + counts[False]
        target = networks.IPV6_SHARE[country]
        # Every market has IPv6 users; larger markets land near their measured share.
        assert counts[True] > 0, country
        if total >= 1_000:
            assert abs(counts[True] / total - target) < 0.1, (country, counts, target)
