"""Locations are no more precise than their source: IP geolocation of a mobile network reaches
the city at best (carriers route through a few gateways), so such requests carry no postcode
and coordinates to two decimals; fixed lines and GPS keep theirs."""

from __future__ import annotations

from collections import Counter

from supply_samples import supply_samples

# AdCOM 1.0 Connection Types: 3 cellular (unknown generation) to 7 (5G).
CELLULAR = {3, 4, 5, 6, 7}
LOCATION_IP = 2


def _decimals(value: float) -> int:
    text = repr(value)
    return len(text.partition(".")[2].rstrip("0")) if "." in text else 0


def test_ip_locations_of_mobile_networks_are_city_level() -> None:
    for seed, samples in supply_samples().items():
        counts: Counter[str] = Counter()
        for request in samples.requests:
            device = request.get("device", {})
            geo = device.get("geo")
            if geo is None or geo.get("type") != LOCATION_IP:
                continue
            if device.get("connectiontype") in CELLULAR:
                counts["cellular"] += 1
                assert "zip" not in geo, (seed, geo)
                # COPPA requests carry no coordinates at all.
                for coordinate in (geo.get("lat", 0.0), geo.get("lon", 0.0)):
                    assert _decimals(coordinate) <= 2, (seed, geo)
            elif "zip" in geo:
                counts["fixed line with postcode"] += 1
        assert counts["cellular"] > 100 and counts["fixed line with postcode"] > 100, (seed, counts)
