"""Price floors and private-marketplace deals.

An impression's floor is log-normal: the placement's typical floor (format base x publisher
quality, fixed at start-up) times the user's market level (``geo_data`` ``floor_mult``) times a
per-request log-normal factor (dynamic flooring). Bases are median US open-market floors in USD
CPM, in line with public SSP rate cards and floor benchmarks (2024): display well under $1,
rewarded and in-stream video several dollars, CTV the highest.

Deals carry the negotiated terms of a buyer: a fixed floor (at 1 or 3) or, for video and audio, a
per-second or per-duration floor (OpenRTB 2.6 §7.11: exactly one form of floor guidance per deal).
A CTV ad pod has one floor for all its slots per request, and the duration floors of its video
follow that floor (``pod_floor_member``).
"""

from __future__ import annotations

import math
import random
from typing import Any, Final

import numpy as np

from mock_data_gen.synthesis.fragments import dumps

# Median floor (USD CPM, US market) per placement kind.
BASE_FLOOR: Final = {
    "banner_desktop": 0.55,
    "banner_mobile_web": 0.30,
    "banner_app": 0.35,
    "interstitial_app": 2.40,
    "native": 0.90,
    "video_outstream": 3.20,
    "video_instream_web": 7.50,
    "video_rewarded": 9.00,
    "video_ctv": 21.00,
    "audio": 6.50,
    "dooh": 4.50,
}
# Large formats sell higher than small ones (premium sizes, rate-card ratios).
SIZE_PREMIUM: Final = {
    (970, 250): 1.8,
    (300, 600): 1.5,
    (970, 90): 1.3,
    (728, 90): 0.9,
    (160, 600): 0.7,
    (120, 600): 0.6,
    (320, 50): 0.8,
    (300, 50): 0.7,
    (320, 100): 1.0,
    (468, 60): 0.6,
}
# Euro per US dollar used to express floors of EUR-priced inventory.
EUR_PER_USD: Final = 0.92

# Buyer seats and advertiser domains seen on deals (DSP seat naming conventions).
_SEATS: Final = ("ttd-48721", "dv360-22113", "xandr-9915", "amzn-5521", "yahoo-3340", "mm-1187")
_ADVERTISERS: Final = (
    "ford.com",
    "toyota.com",
    "nike.com",
    "pg.com",
    "unilever.com",
    "cocacola.com",
    "samsung.com",
    "disneyplus.com",
    "booking.com",
    "loreal.com",
)
_DEAL_PREFIX: Final = ("PMP", "DEAL", "PD", "XCH")  # PG only for guaranteed deals


def deal_pmps(
    rnd: random.Random,
    publisher_id: str,
    base_floor: float,
    currency: str,
    timed_media: bool,
    variants: int,
) -> tuple[list[bytes], list[int]]:
    """Serialised ``Pmp`` objects (OpenRTB 2.6 §3.2.11) for one placement, one per variant
    offered, and each variant's lowest deal floor in cents: the request's open floor is kept at
    or under it, as a deal is negotiated above what the open auction asks."""
    deals = [
        _deal(rnd, publisher_id, index, base_floor, currency, timed_media)
        for index in range(rnd.randrange(1, 5))
    ]
    pieces, caps = [], []
    for _ in range(variants):
        take = rnd.randrange(1, len(deals) + 1)
        chosen = [deals[i] for i in sorted(rnd.sample(range(len(deals)), take))]
        private = 1 if rnd.random() < 0.25 else 0
        pmp = {"private_auction": private, "deals": chosen}
        pieces.append(dumps(pmp))
        caps.append(max(1, min(math.floor(_deal_cpm(deal) * 100 + 1e-6) for deal in chosen)))
    return pieces, caps


def _deal_cpm(deal: dict[str, Any]) -> float:
    """A deal's lowest CPM: its floor, its lowest duration tier, or per second x 30 s."""
    if "bidfloor" in deal:
        return float(deal["bidfloor"])
    if "durfloors" in deal:
        return min(float(tier["bidfloor"]) for tier in deal["durfloors"])
    return float(deal["mincpmpersec"]) * 30.0


def _deal(
    rnd: random.Random,
    publisher_id: str,
    index: int,
    base_floor: float,
    currency: str,
    timed_media: bool,
) -> dict[str, Any]:
    # Programmatic guaranteed (PG) deals trade at the agreed fixed price (at 3) with guar 1;
    # preferred deals (PD) at a fixed price too; other private deals run a first-price auction.
    guaranteed = rnd.random() < 0.12
    prefix = "PG" if guaranteed else _DEAL_PREFIX[rnd.randrange(len(_DEAL_PREFIX))]
    deal_id = f"{prefix}-{publisher_id}-{index + 1:02d}{rnd.randrange(1000, 9999)}"
    floor = round(base_floor * rnd.uniform(1.1, 2.6), 2)
    deal: dict[str, Any] = {"id": deal_id}
    form = rnd.random()
    if timed_media and form < 0.3:
        deal["mincpmpersec"] = round(floor / 30.0, 3)
    elif timed_media and form < 0.5:
        deal["durfloors"] = duration_floors(floor)
    else:
        deal["bidfloor"] = floor
    deal["bidfloorcur"] = currency
    deal["at"] = 3 if prefix in ("PG", "PD") else 1
    if rnd.random() < 0.7:
        seats = rnd.sample(range(len(_SEATS)), rnd.randrange(1, 3))
        deal["wseat"] = [_SEATS[i] for i in sorted(seats)]
    if rnd.random() < 0.3:
        deal["wadomain"] = [_ADVERTISERS[rnd.randrange(len(_ADVERTISERS))]]
    if guaranteed:
        deal["guar"] = 1
    return deal


def duration_floors(floor: float) -> list[dict[str, Any]]:
    """Two-tier duration floors: short spots at the floor, longer ones at a premium.

    Each range gives one bound only (OpenRTB 2.6 §3.2.35: "Either mindur or maxdur is required,
    but not both"); the tiers meet at 16 seconds.
    """
    return [
        {"maxdur": 15, "bidfloor": round(floor, 2)},
        {"mindur": 16, "bidfloor": round(floor * 1.6, 2)},
    ]


def pod_floor_member(form: int, cents: int) -> bytes:
    """A CTV pod slot's duration floors (``placements.POD_FLOOR_*``), derived per request from the
    slot's own floor (``cents``, already at its market's level), so they move with it.

    The slot's floor is that of its longest (30-second) spot; shorter spots pay pro rata, as in
    the tiers of OpenRTB 2.6 §3.2.35 ("1-15 seconds at a floor of $5; 16-30 seconds at a floor
    of $10"): ``durfloors`` gives spots of up to 15 s half the floor and longer ones the floor,
    ``mincpmpersec`` the floor per second of a 30-second spot.
    """
    if form == 1:
        tiers = [
            {"maxdur": 15, "bidfloor": max(1, (cents + 1) // 2) / 100},
            {"mindur": 16, "bidfloor": cents / 100},
        ]
        return b'"durfloors":' + dumps(tiers)
    return b'"mincpmpersec":' + dumps(round(cents / 3000, 4))


def publisher_quality(rnd: random.Random, count: int) -> list[float]:
    """Per-publisher floor multiplier: premium publishers price higher (log-normal, sd 0.35)."""
    return [rnd.lognormvariate(0.0, 0.35) for _ in range(count)]


def floor_cents(
    base: np.ndarray, market_mult: np.ndarray, normal: np.ndarray, sigma: float, limit: int
) -> np.ndarray:
    """Vectorised per-impression floors in whole cents (at least 1 cent)."""
    cents: np.ndarray = np.clip(
        np.rint(base * market_mult * np.exp(sigma * normal) * 100.0), 1, limit
    )
    return cents.astype(np.int64)


def box_muller(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """Two standard normals per pair of uniforms, concatenated along the last axis.

    Box-Muller consumes a fixed number of uniforms, unlike numpy's ziggurat sampler, so a batch
    of events draws exactly what the same events draw one at a time.
    """
    radius = np.sqrt(-2.0 * np.log1p(-u1))
    angle = 2.0 * math.pi * u2
    return np.concatenate((radius * np.cos(angle), radius * np.sin(angle)), axis=-1)
