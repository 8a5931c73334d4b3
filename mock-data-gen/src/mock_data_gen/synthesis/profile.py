"""The traffic profile: what mix of traffic the generator produces and how large its pools are.

Every number has a default taken from public industry figures (noted beside it); a profile is
validated when built, so a bad value fails with one message naming the field and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Final

from mock_data_gen.synthesis.geo_data import GDPR_COUNTRIES, MARKETS

DEVICE_CLASSES: Final = ("desktop", "phone", "tablet", "ctv")
# ISO-3166-1 alpha-3 codes of the countries the generator has markets for (market_shares keys).
MARKET_COUNTRIES: Final = tuple(sorted({m.country for m in MARKETS}))


def _frozen(mapping: dict[str, float]) -> MappingProxyType[str, float]:
    return MappingProxyType(mapping)


@dataclass(frozen=True, slots=True)
class TrafficProfile:
    """Traffic mix weights and pool sizes for :class:`~mock_data_gen.synthesis.BidRequestGenerator`.

    Pool sizes bound memory: every pool is built once at start-up and never grows.
    """

    # Distinct users (browsers/devices). Popularity is Zipf-like, so a pool of this size already
    # yields heavy recurrence of the top users, as real exchange logs show.
    users: int = 30_000
    # Sites per market language plus a shared pool of global English-language sites.
    sites: int = 1_800
    # Mobile app titles; each is published on iOS, Android or both.
    apps: int = 1_200
    # CTV streaming app titles; each is on several TV platforms.
    ctv_apps: int = 160
    dooh_screens: int = 600
    # Share of requests for digital out-of-home screens (DOOH is ~2-3% of programmatic spend).
    dooh_share: float = 0.02
    # Device mix of user traffic before the diurnal shift (open-web programmatic, 2024: mobile
    # ~55%, desktop ~28%, CTV ~10%, tablet ~7%).
    device_mix: MappingProxyType[str, float] = field(
        default_factory=lambda: _frozen(
            {"desktop": 0.28, "phone": 0.55, "tablet": 0.07, "ctv": 0.10}
        )
    )
    # Share of phone / tablet requests that come from apps rather than the mobile web (in-app is
    # roughly two thirds of mobile programmatic volume).
    phone_app_share: float = 0.68
    tablet_app_share: float = 0.60
    # Share of web requests that go to sites of the user's own market rather than global sites.
    local_site_share: float = 0.65
    # Zipf exponents of popularity: users, properties (sites/apps), pages within a site.
    user_zipf: float = 0.8
    property_zipf: float = 1.0
    page_zipf: float = 0.9
    # Standard deviation of log floor around a placement's typical floor (request-to-request
    # variation from dynamic flooring).
    floor_sigma: float = 0.45
    # Multiplies every placement's chance of carrying private-marketplace deals.
    deal_rate: float = 1.0
    # Share of properties in euro markets that price in EUR rather than USD.
    eur_share: float = 0.35
    # Weights by country (ISO-3166-1 alpha-3, one of MARKET_COUNTRIES) replacing the built-in
    # market shares (geo_data.MARKETS); a country left out gets no traffic. A country with several
    # time zones splits its weight as the built-in shares do. None: the built-in shares. The
    # diurnal activity by local hour still applies on top.
    market_shares: MappingProxyType[str, float] | None = None
    # Share of the market weights (before the diurnal activity) that goes to GDPR markets (EU/EEA
    # and UK): their weights are scaled to this fraction, the others to the rest. None: as the
    # market weights have it.
    gdpr_share: float | None = None

    def __post_init__(self) -> None:
        for name in ("users", "sites", "apps", "ctv_apps", "dooh_screens"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"TrafficProfile.{name} must be a positive integer, got {value!r}")
        for name in (
            "dooh_share",
            "phone_app_share",
            "tablet_app_share",
            "local_site_share",
            "eur_share",
        ):
            _check_share(name, getattr(self, name))
        for name in ("user_zipf", "property_zipf", "page_zipf"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0.0 < value <= 3.0):
                raise ValueError(f"TrafficProfile.{name} must be in (0, 3], got {value!r}")
        if not (0.0 <= self.floor_sigma <= 2.0):
            raise ValueError(
                f"TrafficProfile.floor_sigma must be in [0, 2], got {self.floor_sigma}"
            )
        if not (0.0 <= self.deal_rate <= 5.0):
            raise ValueError(f"TrafficProfile.deal_rate must be in [0, 5], got {self.deal_rate}")
        mix = dict(self.device_mix)
        if set(mix) != set(DEVICE_CLASSES):
            raise ValueError(
                "TrafficProfile.device_mix must have exactly the keys "
                f"{', '.join(DEVICE_CLASSES)}; "
                f"got {', '.join(sorted(mix)) or 'none'}"
            )
        if any(not math.isfinite(w) or w < 0 for w in mix.values()) or sum(mix.values()) <= 0:
            raise ValueError(
                "TrafficProfile.device_mix weights must be finite, non-negative and not all zero; "
                f"got {mix}"
            )
        self._check_markets()
        if self.users < 4 * len(DEVICE_CLASSES):
            raise ValueError(f"TrafficProfile.users must be at least 16, got {self.users}")

    def _check_markets(self) -> None:
        countries = set(MARKET_COUNTRIES)
        if self.market_shares is not None:
            shares = dict(self.market_shares)
            unknown = sorted(set(shares) - countries)
            if unknown:
                raise ValueError(
                    f"TrafficProfile.market_shares has unknown countries {', '.join(unknown)}; "
                    f"expected some of {', '.join(MARKET_COUNTRIES)}"
                )
            if (
                any(not math.isfinite(w) or w < 0 for w in shares.values())
                or sum(shares.values()) <= 0
            ):
                raise ValueError(
                    "TrafficProfile.market_shares weights must be finite, non-negative and not "
                    f"all zero; got {shares}"
                )
        else:
            shares = dict.fromkeys(countries, 1.0)
        if self.gdpr_share is not None:
            _check_share("gdpr_share", self.gdpr_share)
            gdpr = sum(w for c, w in shares.items() if c in GDPR_COUNTRIES)
            other = sum(w for c, w in shares.items() if c not in GDPR_COUNTRIES)
            if (self.gdpr_share > 0 and gdpr <= 0) or (self.gdpr_share < 1 and other <= 0):
                raise ValueError(
                    f"TrafficProfile.gdpr_share {self.gdpr_share} cannot be met: the market "
                    "shares give no weight to "
                    + ("GDPR" if gdpr <= 0 else "non-GDPR")
                    + f" markets (GDPR markets: {', '.join(sorted(GDPR_COUNTRIES))})"
                )

    def device_weights(self) -> tuple[float, ...]:
        """Device-class weights in the order of :data:`DEVICE_CLASSES`."""
        return tuple(float(self.device_mix[name]) for name in DEVICE_CLASSES)

    def describe(self) -> dict[str, object]:
        """The profile as plain values (for logs and reports)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _plain(value: object) -> object:
    return dict(value) if isinstance(value, MappingProxyType) else value


def _check_share(name: str, value: object) -> None:
    if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
        raise ValueError(f"TrafficProfile.{name} must be a share in [0, 1], got {value!r}")


DEFAULT_PROFILE: Final = TrafficProfile()
