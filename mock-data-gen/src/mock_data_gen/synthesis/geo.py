"""Where users are: markets, local time, and the pre-serialised ``Geo`` objects of every user.

A market is one country's time zone (``geo_data.MARKETS``). Local time drives the diurnal traffic
mix, and the same zone gives ``geo.utcoffset``, which is therefore right for the event's date
(daylight saving included): offsets are looked up per UTC hour from the IANA database.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from mock_data_gen.synthesis import networks
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


GEO_DRAWS: Final = 13  # uniforms per user consumed by user_geo (plus 4 normals)


class UserGeo(NamedTuple):
    """One user's location and addresses.

    ``ip_geo`` / ``app_geo`` are the members of ``Geo`` (OpenRTB 2.6 §3.2.19) but ``utcoffset``,
    which is the event hour's: web traffic shows IP geolocation, apps show GPS where the user
    granted location access.
    """

    ip_geo: bytes
    app_geo: bytes
    ipv4: str
    ipv6: str | None


class MarketTable:
    """The markets as arrays, plus local-time lookups per UTC hour."""

    def __init__(self, markets: tuple[Market, ...] = MARKETS) -> None:
        self.markets = markets
        shares = np.array([m.share for m in markets], dtype=np.float64)
        self.base_share = shares / shares.sum()
        self.floor_mult = np.array([m.floor_mult for m in markets], dtype=np.float64)
        self._zones = [ZoneInfo(m.tz) for m in markets]
        self._offsets: dict[int, tuple[list[int], np.ndarray]] = {}
        self.ipv4 = [networks.networks(m.country, 4) for m in markets]
        self.ipv6 = [networks.networks(m.country, 6) for m in markets]
        bare = sorted({m.country for m, v4 in zip(markets, self.ipv4, strict=True) if not v4})
        if bare:
            raise ValueError(f"no IPv4 networks listed for {', '.join(bare)} in networks.IPV4")
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
        # Geo members without lat/lon, zip or IP detail: what COPPA-restricted requests carry.
        self.coarse_geo: list[bytes] = [
            members(
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


def user_geo(
    table: MarketTable,
    market_index: int,
    city_index: int,
    gps_share: float,
    u: list[float],
    z: list[float],
) -> UserGeo:
    """Serialise one user's geo objects and pick their addresses.

    ``gps_share`` is the user's chance of having granted location access to apps; ``u`` holds
    ``GEO_DRAWS`` uniforms and ``z`` four standard normals.
    """
    c = table.cities[city_index]
    market = table.markets[market_index]
    postal = _postal_code(market.country, c.zips[int(u[0] * len(c.zips))], u[1])
    service = IP_SERVICES[-1]
    acc = 0.0
    for candidate, weight in zip(IP_SERVICES, IP_SERVICE_WEIGHTS, strict=True):
        acc += weight
        if u[2] < acc:
            service = candidate
            break
    tail = {"country": market.country, "region": c.region}
    if c.metro:
        tail["metro"] = c.metro
    tail.update(city=c.locode, zip=postal)
    # IP geolocation resolves to the postal area, a few km from the city centre.
    ip_geo = members(
        {
            "lat": round(c.lat + 0.04 * z[0], 4),
            "lon": round(c.lon + 0.05 * z[1], 4),
            "type": LOCATION_IP,
            "ipservice": service,
            **tail,
        }
    )
    app_geo = ip_geo
    if u[3] < gps_share:
        app_geo = members(
            {
                "lat": round(c.lat + 0.07 * z[2], 6),
                "lon": round(c.lon + 0.09 * z[3], 6),
                "type": LOCATION_GPS,
                "accuracy": 5 + int(u[4] * 60),
                "lastfix": int(u[5] * 600),
                **tail,
            }
        )
    v4, v6 = table.ipv4[market_index], table.ipv6[market_index]
    ipv4 = networks.ipv4_in(v4[int(u[6] * len(v4))], u[7], u[8])
    ipv6 = None
    if v6 and u[9] < 0.2:
        ipv6 = networks.ipv6_in(v6[int(u[10] * len(v6))], u[11], u[12])
    return UserGeo(ip_geo, app_geo, ipv4, ipv6)


def truncate_ipv4(address: str) -> str:
    """Zero the last octet (the usual /24 anonymisation of exchanges under privacy rules)."""
    return address.rsplit(".", 1)[0] + ".0"


def choose_cities(
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
