"""Deterministic OpenRTB 2.6 bid requests for the sink's tests (valid for the table layout)."""

from __future__ import annotations

import orjson

_SIZES = ((300, 250), (728, 90), (320, 50), (160, 600))
_COUNTRIES = ("USA", "DEU", "GBR", "FRA", "BRA", "JPN")


def bid_request(index: int, *, with_ext: bool | None = None) -> dict[str, object]:
    """Bid request number ``index``; every 7th carries ``ext`` objects unless told otherwise."""
    w, h = _SIZES[index % len(_SIZES)]
    request: dict[str, object] = {
        "id": f"{index:032x}",
        "imp": [
            {
                "id": "1",
                "tagid": f"slot-{index % 97}",
                "bidfloor": round(0.05 + (index % 300) / 100, 2),
                "bidfloorcur": "USD",
                "secure": 1,
                "banner": {"w": w, "h": h, "format": [{"w": w, "h": h}], "pos": 1},
            }
        ],
        "site": {
            "id": f"site-{index % 500}",
            "domain": f"news{index % 500}.example.com",
            "page": f"https://news{index % 500}.example.com/article/{index}",
            "cat": ["IAB12"],
            "publisher": {"id": f"pub-{index % 40}", "name": f"Publisher {index % 40}"},
        },
        "device": {
            "ua": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile",
            "ip": f"203.0.{index % 256}.{(index * 7) % 256}",
            "devicetype": 4,
            "make": "Google",
            "model": "Pixel 8",
            "os": "Android",
            "osv": "14",
            "language": "en",
            "js": 1,
            "geo": {
                "country": _COUNTRIES[index % len(_COUNTRIES)],
                "type": 2,
                "lat": 40.7,
                "lon": -74.0,
            },
        },
        "user": {"id": f"user-{index % 10_000:05d}"},
        "at": 1,
        "tmax": 120,
        "cur": ["USD"],
        "regs": {"coppa": 0, "gdpr": index % 2},
        "source": {"tid": f"{index * 31:032x}"},
    }
    if with_ext if with_ext is not None else index % 7 == 0:
        request["ext"] = {"exchange": {"region": "us-east", "shard": index % 4}}
        imps = request["imp"]
        assert isinstance(imps, list)
        imps[0]["ext"] = {"prebid": {"bidder": {"appnexus": {"placement_id": index}}}}
    return request


def payload(index: int, *, with_ext: bool | None = None) -> bytes:
    """``bid_request(index)`` as compact JSON, as the generator sends it."""
    return orjson.dumps(bid_request(index, with_ext=with_ext))
