"""Devices and locations are internally consistent: make/OS/UA/client hints/screen, and geo."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from samples import Sample

from mock_data_gen.synthesis import networks
from mock_data_gen.synthesis.geo_data import MARKETS

ANDROID_MAKES = {"Samsung", "Google", "Xiaomi", "Motorola", "OnePlus", "OPPO", "Lenovo"}
CTV_MAKES = {"Roku", "Samsung", "LG", "Amazon", "Apple", "Google"}
DESKTOP_OS = {"Windows", "MacOS", "ChromeOS", "Linux"}
UA_MARKERS = {
    "Windows": "Windows NT",
    "MacOS": "Macintosh",
    "ChromeOS": "CrOS",
    "Linux": "Linux",
    "Roku OS": "Roku/DVP",
    "Tizen": "Tizen",
    "WebOS": "Web0S",
    "FireOS": "AFT",
    "tvOS": "Apple TV",
}
SUA_PLATFORM = {"Windows": "Windows", "MacOS": "macOS", "Android": "Android", "iOS": "iOS",
                "ChromeOS": "Chrome OS", "Linux": "Linux"}  # fmt: skip
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CITIES = {city.locode: (market, city) for market in MARKETS for city in market.cities}


def _user_requests(sample: Sample) -> list[dict]:
    return [r for r in sample.requests if "dooh" not in r]


def test_make_os_and_device_type_agree(big_sample: Sample) -> None:
    seen = Counter()
    for request in _user_requests(big_sample):
        device = request["device"]
        os_name, make, kind = device["os"], device.get("make"), device["devicetype"]
        seen[(kind, os_name)] += 1
        if os_name in ("iOS", "tvOS"):
            assert make == "Apple"
        if os_name == "Android" and kind in (4, 5):
            hidden = "Android 10; K)" in device["ua"] or "Firefox/" in device["ua"]
            assert make in ANDROID_MAKES or (make is None and hidden)
        if kind in (3, 7):
            assert make in CTV_MAKES and "app" in request
        if kind == 2:
            assert os_name in DESKTOP_OS and "site" in request
        if kind in (4, 5):
            assert os_name in ("iOS", "Android")
        if make == "Apple":
            assert os_name in ("iOS", "MacOS", "tvOS")
    assert {(4, "iOS"), (4, "Android"), (5, "iOS"), (2, "Windows"), (2, "MacOS")} <= set(seen)
    assert {(3, "Tizen"), (3, "WebOS"), (7, "Roku OS"), (7, "FireOS"), (7, "tvOS")} <= set(seen)


def test_user_agent_and_client_hints_tell_the_same_story(big_sample: Sample) -> None:
    with_hints = 0
    for request in _user_requests(big_sample):
        device = request["device"]
        ua, os_name = device["ua"], device["os"]
        if os_name == "iOS":
            assert "iPhone" in ua if device["model"] == "iPhone" else "iPad" in ua
        elif os_name == "Android":
            assert "Android" in ua
        else:
            assert UA_MARKERS[os_name] in ua, (os_name, ua)
        sua = device.get("sua")
        if sua is None:
            continue
        with_hints += 1
        assert sua["platform"]["brand"] == SUA_PLATFORM[os_name]
        assert sua["mobile"] == (1 if device["devicetype"] == 4 else 0)
        brands = {b["brand"]: b.get("version", []) for b in sua["browsers"]}
        if "Edg/" in ua:
            assert "Microsoft Edge" in brands
        elif "Chrome/" in ua and "SamsungBrowser" not in ua and "wv)" not in ua:
            assert "Google Chrome" in brands
            major = re.search(r"Chrome/(\d+)", ua).group(1)  # type: ignore[union-attr]
            assert brands["Google Chrome"][0] == major
        if "Safari" in brands:
            assert "Version/" in ua and "Chrome" not in ua and sua["source"] == 3
        if sua["source"] == 2:  # high-entropy hints carry full versions
            assert all(len(b["version"]) == 4 for b in sua["browsers"] if b["brand"] != "Safari")
    assert with_hints > 1000


def test_device_detail_is_only_what_the_ua_and_client_hints_reveal(big_sample: Sample) -> None:
    seen = Counter()
    for request in _user_requests(big_sample):
        device = request["device"]
        ua, sua = device["ua"], device.get("sua", {})
        platform_version = sua.get("platform", {}).get("version")
        if "Android 10; K)" in ua and "site" in request:
            # Reduced UA: model and version come only from high-entropy hints.
            if platform_version is None:
                assert not {"make", "model", "hwv"} & set(device) and device["osv"] == "10"
                seen["reduced"] += 1
            else:
                assert device["osv"] == platform_version[0] and sua["model"]
                assert device["model"] and device["make"] in ANDROID_MAKES
                seen["hinted"] += 1
        if device["os"] == "Windows":
            assert "Windows NT 10.0" in ua
            if device["osv"] == "11":
                assert platform_version is not None and int(platform_version[0]) >= 13
                seen["win11"] += 1
            else:
                assert device["osv"] == "10"
                seen["win10" if "Firefox/" not in ua else "firefox"] += 1
    assert min(seen.values()) > 50 and len(seen) == 5, seen


def test_screens_are_plausible_for_the_device(big_sample: Sample) -> None:
    for request in _user_requests(big_sample):
        d = request["device"]
        if d["devicetype"] == 4:
            assert d["h"] > d["w"] and d["ppi"] >= 250 and 2.0 <= d["pxratio"] <= 3.5
        elif d["devicetype"] == 5:
            assert d["h"] > d["w"] and 180 <= d["ppi"] <= 330 and 1.5 <= d["pxratio"] <= 2.0
        elif d["devicetype"] == 2:
            assert d["w"] > d["h"] and 90 <= d["ppi"] <= 230 and 1.0 <= d["pxratio"] <= 2.0
        else:
            assert d["w"] >= 1920 and d["h"] >= 1080 and d["pxratio"] == 1.0


def test_geo_is_consistent_with_the_country_and_the_local_clock(big_sample: Sample) -> None:
    metros = 0
    for record, request in zip(big_sample.records, big_sample.requests, strict=True):
        geo = request["device"]["geo"]
        market, city = CITIES[geo["city"]]
        assert geo["country"] == market.country
        assert geo["region"] == city.region
        assert ("metro" in geo) == (market.country == "USA")
        metros += "metro" in geo
        if "lat" in geo:  # COPPA requests carry no coordinates
            assert abs(geo["lat"] - city.lat) < 1.0 and abs(geo["lon"] - city.lon) < 1.0
        moment = datetime.fromtimestamp(record.event_time_ms / 1000, UTC)
        offset = moment.astimezone(ZoneInfo(market.tz)).utcoffset()
        assert offset is not None and geo["utcoffset"] == offset.total_seconds() // 60
        if geo["type"] == 2:
            assert geo["ipservice"] in (1, 3, 4) and "accuracy" not in geo
        elif geo["type"] == 1:
            assert geo["accuracy"] > 0 and "app" in request
        if "zip" in geo:  # only with a precise location (see test_network_realism)
            assert geo["zip"].startswith(city.zips) and "dooh" not in request
    assert metros > 1000


def test_addresses_and_advertising_ids_are_well_formed(big_sample: Sample) -> None:
    for request in _user_requests(big_sample):
        device = request["device"]
        assert "ip" in device or "ipv6" in device
        if "ip" in device:
            assert isinstance(ipaddress.ip_address(device["ip"]), ipaddress.IPv4Address)
        if "ipv6" in device:
            assert device["ipv6"].endswith("::")
            ipaddress.IPv6Address(device["ipv6"])
        if "ifa" in device:
            assert UUID.match(device["ifa"]) and "app" in request
            if device["os"] == "iOS":
                assert device["ifa"] == device["ifa"].upper()


# Blocks an exchange engineer's GeoIP lookup places outside the stated country (or nowhere).
FOREIGN = {
    "81.96.0.0/12": "GBR",  # Virgin Media UK
    "90.176.0.0/13": "CZE",  # O2 Czech Republic
    "2.176.0.0/12": "IRN",  # TCI Iran
}


def test_ip_addresses_come_from_isp_blocks_of_the_users_country(big_sample: Sample) -> None:
    tables = {4: networks.IPV4, 6: networks.IPV6}
    blocks = {
        (v, country): [ipaddress.ip_network(cidr) for cidr, _ in entries]
        for v, table in tables.items()
        for country, entries in table.items()
    }
    foreign = {ipaddress.ip_network(cidr): country for cidr, country in FOREIGN.items()}
    seen = Counter()
    for request in _user_requests(big_sample):
        device = request["device"]
        country = device["geo"]["country"]
        for field, version in (("ip", 4), ("ipv6", 6)):
            if field not in device:
                continue
            address = ipaddress.ip_address(device[field])
            assert address.is_global, (country, address)
            assert any(address in net for net in blocks[(version, country)]), (country, address)
            assert all(address not in net or owner == country for net, owner in foreign.items())
            seen[(version, country)] += 1
    assert seen[(4, "SWE")] > 50 and seen[(4, "GBR")] > 500 and seen[(6, "USA")] > 200


def test_the_isp_table_is_global_unicast_and_each_block_has_one_country() -> None:
    owners: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]] = []
    for table in (networks.IPV4, networks.IPV6):
        for country, entries in table.items():
            for cidr, _ in entries:
                net = ipaddress.ip_network(cidr)
                assert net.network_address.is_global and net.broadcast_address.is_global, cidr
                assert not net.is_multicast and not net.is_private, cidr
                owners.append((net, country))
    for a, country_a in owners:
        for b, country_b in owners:
            if a is not b and a.version == b.version and a.overlaps(b):
                raise AssertionError(f"{a} ({country_a}) overlaps {b} ({country_b})")
    assert {m.country for m in MARKETS} <= set(networks.IPV4)
    # Host draws at the edges of the unit interval stay inside the block and off .0/.255.
    for block in networks.networks("USA", 4) + networks.networks("SWE", 4):
        for u in (0.0, 0.9999999):
            address = ipaddress.ip_address(networks.ipv4_in(block, u, u))
            first, size = block
            assert first <= int(address) < first + size and str(address).split(".")[3] not in (
                "0",
                "255",
            )
