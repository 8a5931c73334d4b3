"""Where users are: markets, local time, and the pre-serialised ``Geo`` objects of every user.

A market is one country's time zone (``geo_data.MARKETS``). Local time drives the diurnal traffic
mix, and the same zone gives ``geo.utcoffset``, which is therefore right for the event's date
(daylight saving included): offsets are looked up per UTC hour from the IANA database.

Where precise location may not be sent (``precise_location_allowed``), requests carry the coarse
IP location exchanges pass instead: latitude and longitude rounded to two decimals (about 1 km),
no postcode, and masked addresses (``networks.Access``). That is what Prebid Server does for the
same signals ("Prebid Server | Features | Privacy", docs.prebid.org: without TCF Special
Feature 1, for a US opt-out of sale and for ``device.lmt``: IPv4 last octet masked, IPv6
anonymised, ``geo.lat``/``lon`` rounded to two decimal places).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
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


GEO_DRAWS: Final = 6 + networks.ACCESS_DRAWS  # uniforms per user for user_geo (plus 4 normals)


class UserGeo(NamedTuple):
    """One user's location and addresses.

    ``ip_geo`` / ``app_geo`` / ``coarse_geo`` are the members of ``Geo`` (OpenRTB 2.6 §3.2.19)
    but ``utcoffset``, which is the event hour's: web traffic shows IP geolocation, apps show GPS
    where the user granted location access, and requests that may not carry a precise location
    show the coarse IP location. ``access`` is the user's connection (``networks.Access``).
    """

    ip_geo: bytes
    app_geo: bytes
    coarse_geo: bytes
    access: networks.Access


class MarketTable:
    """The markets as arrays, plus local-time lookups per UTC hour."""

    def __init__(self, markets: tuple[Market, ...] = MARKETS) -> None:
        self.markets = markets
        shares = np.array([m.share for m in markets], dtype=np.float64)
        self.base_share = shares / shares.sum()
        self.floor_mult = np.array([m.floor_mult for m in markets], dtype=np.float64)
        self._zones = [ZoneInfo(m.tz) for m in markets]
        self._offsets: dict[int, tuple[list[int], np.ndarray]] = {}
        # Each market's access operators (fails at start-up for a country without them).
        self.networks = [networks.country_networks(m.country) for m in markets]
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

    def weights(
        self, market_shares: Mapping[str, float] | None, gdpr_share: float | None
    ) -> np.ndarray:
        """Market weights (summing to 1) before the diurnal activity: ``base_share`` itself
        without overrides; else each country's weight from ``market_shares`` split over its
        markets as the built-in shares do, then GDPR markets scaled to ``gdpr_share``."""
        if market_shares is None and gdpr_share is None:
            base: np.ndarray = self.base_share
            return base
        weights = self.base_share.copy()
        if market_shares is not None:
            country = [m.country for m in self.markets]
            totals: dict[str, float] = {}
            for c, share in zip(country, self.base_share.tolist(), strict=True):
                totals[c] = totals.get(c, 0.0) + share
            weights *= np.array([market_shares.get(c, 0.0) / totals[c] for c in country])
        if gdpr_share is not None:
            gdpr = np.array([m.regime == "gdpr" for m in self.markets])
            for mask, target in ((gdpr, gdpr_share), (~gdpr, 1.0 - gdpr_share)):
                total = weights[mask].sum()
                if total > 0:
                    weights[mask] *= target / total
        result: np.ndarray = weights / weights.sum()
        return result

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


def precise_location_allowed(special_feature_1: bool | None, us_opted_out: bool, lmt: bool) -> bool:
    """Whether an exchange passes the user's precise location and full addresses: not without
    TCF Special Feature 1 "Use precise geolocation data" (``special_feature_1`` False; None
    outside GDPR), not after a US opt-out of sale, not with Limit Ad Tracking (Prebid Server's
    enforcement of the same signals, see the module docstring)."""
    return special_feature_1 is not False and not us_opted_out and not lmt


def user_geo(
    table: MarketTable,
    market_index: int,
    city_index: int,
    gps_share: float,
    u: list[float],
    z: list[float],
    cellular: bool,
) -> UserGeo:
    """Serialise one user's geo objects and draw their connection (``cellular``: a mobile
    network, else a fixed line).

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
    tail["city"] = c.locode
    if cellular:
        # A mobile network's addresses leave through a few gateways: IP geolocation finds the
        # city at best, so no postcode and the city's coordinates to two decimals.
        ip = {"lat": round(c.lat, 2), "lon": round(c.lon, 2), "type": LOCATION_IP}
        ip_geo = coarse_geo = members({**ip, "ipservice": service, **tail})
    else:
        # A fixed line's IP geolocation resolves to the postal area, a few km from the centre.
        lat, lon = round(c.lat + 0.04 * z[0], 4), round(c.lon + 0.05 * z[1], 4)
        ip = {"lat": lat, "lon": lon, "type": LOCATION_IP, "ipservice": service}
        ip_geo = members({**ip, **tail, "zip": postal})
        coarse_geo = members({**ip, "lat": round(lat, 2), "lon": round(lon, 2), **tail})
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
                "zip": postal,
            }
        )
    access = table.networks[market_index].access(cellular, u[6 : 6 + networks.ACCESS_DRAWS])
    return UserGeo(ip_geo, app_geo, coarse_geo, access)


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
