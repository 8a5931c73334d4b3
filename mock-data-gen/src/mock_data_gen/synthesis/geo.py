"""Where users are: markets, local time, and the pre-serialised ``Geo`` objects of every user.

A market is one country's time zone (``geo_data.MARKETS``). Local time drives the diurnal traffic
mix, and the same zone gives ``geo.utcoffset``, which is therefore right for the event's date
(daylight saving included): offsets are looked up per UTC hour from the IANA database.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np

from mock_data_gen.synthesis.fragments import members
from mock_data_gen.synthesis.geo_data import MARKETS, City, Market

# AdCOM 1.0 List: Location Types.
LOCATION_GPS: Final = 1
LOCATION_IP: Final = 2
LOCATION_USER_PROVIDED: Final = 3
# AdCOM 1.0 List: IP Location Services, with rough market shares of the vendors.
IP_SERVICES: Final = (3, 4, 1)  # MaxMind, NetAcuity (Digital Element), ip2location
IP_SERVICE_WEIGHTS: Final = (0.6, 0.3, 0.1)

MS_PER_HOUR: Final = 3_600_000

# What follows the real postal-code prefix kept in the city table, per country: '#' a digit,
# '@' a letter. Formats from each postal administration (e.g. US ZIP "606" + "##" = 60614).
_ZIP_SUFFIX: Final = {
    "USA": "##",
    "CAN": " #@#",
    "MEX": "##",
    "BRA": "-###",
    "GBR": " #@@",
    "NLD": " @@",
    "SWE": " ##",
    "POL": "###",
    "IDN": "##",
    "JPN": "####",
}
_POSTCODE_LETTERS: Final = "ABDEFHJLNPRSTUWXYZ"


@dataclass(frozen=True, slots=True)
class UserGeo:
    """Per-user geo columns (index = user)."""

    city: list[int]
    # ``"geo":{...`` members without ``utcoffset`` and the closing brace; the generator appends
    # the offset of the event's hour. ``ip_geo`` is what web traffic shows (IP geolocation),
    # ``app_geo`` what apps show (GPS where the user granted location access).
    ip_geo: list[bytes]
    app_geo: list[bytes]
    ipv4: list[str]
    ipv6: list[str | None]


class MarketTable:
    """The markets as arrays, plus local-time lookups per UTC hour."""

    def __init__(self, markets: tuple[Market, ...] = MARKETS) -> None:
        self.markets = markets
        shares = np.array([m.share for m in markets], dtype=np.float64)
        self.base_share = shares / shares.sum()
        self.floor_mult = np.array([m.floor_mult for m in markets], dtype=np.float64)
        self._zones = [ZoneInfo(m.tz) for m in markets]
        self._offsets: dict[int, tuple[list[int], np.ndarray]] = {}
        # Cities flattened, with each market's slice.
        self.cities: list[City] = []
        self.city_market: list[int] = []
        self.city_start = np.zeros(len(markets), dtype=np.int64)
        self.city_count = np.zeros(len(markets), dtype=np.int64)
        for index, market in enumerate(markets):
            self.city_start[index] = len(self.cities)
            self.city_count[index] = len(market.cities)
            self.cities.extend(market.cities)
            self.city_market.extend([index] * len(market.cities))
        # Geo pieces without lat/lon, zip or IP detail: what COPPA-restricted requests carry.
        self.coarse_geo: list[bytes] = [
            b'"geo":{'
            + members(
                {
                    "type": LOCATION_IP,
                    "ipservice": IP_SERVICES[0],
                    "country": markets[self.city_market[i]].country,
                    "region": city.region,
                    **({"metro": city.metro} if city.metro else {}),
                    "city": city.locode,
                }
            )
            for i, city in enumerate(self.cities)
        ]

    def __len__(self) -> int:
        return len(self.markets)

    def local_time(self, epoch_hour: int) -> tuple[list[int], np.ndarray]:
        """UTC offsets in minutes and local hour of day (0-23) of every market at that UTC hour."""
        cached = self._offsets.get(epoch_hour)
        if cached is None:
            moment = datetime.fromtimestamp(epoch_hour * 3600, tz=UTC)
            offsets = []
            for zone in self._zones:
                delta = moment.astimezone(zone).utcoffset()
                offsets.append(int(delta.total_seconds() // 60) if delta is not None else 0)
            utc_hour = epoch_hour % 24
            hours = np.array(
                [int((utc_hour * 60 + off) // 60) % 24 for off in offsets], dtype=np.int64
            )
            # Bounded: a long run walks through hours but only the recent ones are reused.
            if len(self._offsets) >= 256:
                self._offsets.clear()
            cached = (offsets, hours)
            self._offsets[epoch_hour] = cached
        return cached

    def utcoffset_pieces(self, epoch_hour: int) -> list[bytes]:
        """``,"utcoffset":N}}``: closes every market's ``geo`` and its ``device`` at that hour."""
        offsets, _ = self.local_time(epoch_hour)
        return [b',"utcoffset":%d}}' % off for off in offsets]


def build_user_geo(
    rng: np.random.Generator,
    table: MarketTable,
    user_market: np.ndarray,
    gps_share: np.ndarray,
) -> UserGeo:
    """Place every user in a city of their market and serialise their geo objects.

    ``gps_share`` is each user's chance of having granted location access to apps (0 for desktop
    and CTV users).
    """
    count = len(user_market)
    city = _choose_cities(rng, table, user_market)
    draws = rng.random((count, 13)).tolist()
    normals = rng.standard_normal((count, 4)).tolist()
    city_list = city.tolist()
    market_list = user_market.tolist()
    gps_list = gps_share.tolist()
    ip_geo: list[bytes] = []
    app_geo: list[bytes] = []
    ipv4: list[str] = []
    ipv6: list[str | None] = []
    for i in range(count):
        u = draws[i]
        z = normals[i]
        c = table.cities[city_list[i]]
        market = table.markets[market_list[i]]
        postal = _postal_code(market.country, c.zips[int(u[0] * len(c.zips))], u[1])
        service = IP_SERVICES[0 if u[2] < 0.6 else (1 if u[2] < 0.9 else 2)]
        tail = {
            "country": market.country,
            "region": c.region,
            **({"metro": c.metro} if c.metro else {}),
            "city": c.locode,
            "zip": postal,
        }
        # IP geolocation resolves to the postal area, a few km from the city centre.
        ip_piece = b'"geo":{' + members(
            {
                "lat": round(c.lat + 0.04 * z[0], 4),
                "lon": round(c.lon + 0.05 * z[1], 4),
                "type": LOCATION_IP,
                "ipservice": service,
                **tail,
            }
        )
        ip_geo.append(ip_piece)
        if u[3] < gps_list[i]:
            app_geo.append(
                b'"geo":{'
                + members(
                    {
                        "lat": round(c.lat + 0.07 * z[2], 6),
                        "lon": round(c.lon + 0.09 * z[3], 6),
                        "type": LOCATION_GPS,
                        "accuracy": 5 + int(u[4] * 60),
                        "lastfix": int(u[5] * 600),
                        **tail,
                    }
                )
            )
        else:
            app_geo.append(ip_piece)
        first = market.ipv4[int(u[6] * len(market.ipv4))]
        ipv4.append(f"{first}.{int(u[7] * 256)}.{int(u[8] * 256)}.{1 + int(u[9] * 254)}")
        if u[10] < 0.2:
            prefix = market.ipv6[int(u[11] * len(market.ipv6))]
            ipv6.append(f"{prefix}:{int(u[12] * 65536):x}::")
        else:
            ipv6.append(None)
    return UserGeo(city_list, ip_geo, app_geo, ipv4, ipv6)


def truncate_ipv4(address: str) -> str:
    """Zero the last octet (the usual /24 anonymisation of exchanges under privacy rules)."""
    return address.rsplit(".", 1)[0] + ".0"


def _choose_cities(
    rng: np.random.Generator, table: MarketTable, user_market: np.ndarray
) -> np.ndarray:
    city = np.empty(len(user_market), dtype=np.int64)
    for index, market in enumerate(table.markets):
        mask = user_market == index
        weights = np.array([c.weight for c in market.cities], dtype=np.float64)
        picks = rng.choice(len(weights), size=int(mask.sum()), p=weights / weights.sum())
        city[mask] = table.city_start[index] + picks
    return city


def _postal_code(country: str, prefix: str, u: float) -> str:
    suffix = _ZIP_SUFFIX.get(country, "")
    out = [prefix]
    state = int(u * 1_000_000_007)
    for symbol in suffix:
        if symbol == "#":
            out.append(string.digits[state % 10])
            state //= 10
        elif symbol == "@":
            out.append(_POSTCODE_LETTERS[state % len(_POSTCODE_LETTERS)])
            state //= len(_POSTCODE_LETTERS)
        else:
            out.append(symbol)
    return "".join(out)
