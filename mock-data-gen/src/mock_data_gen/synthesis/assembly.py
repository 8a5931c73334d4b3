"""Start-up: build every pool once and flatten it into the arrays the per-event path indexes
(the decisions' tables) and the pieces ``wire`` joins requests from."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from mock_data_gen.synthesis import content, identity, privacy, wire
from mock_data_gen.synthesis.devices import TemplateCatalog
from mock_data_gen.synthesis.diurnal import DiurnalMix
from mock_data_gen.synthesis.fragments import MAX_CENTS, cents_table, dumps, members
from mock_data_gen.synthesis.geo import LOCATION_USER_PROVIDED, MarketTable
from mock_data_gen.synthesis.inventory import KIND_DOOH, Inventory, InventoryBuilder
from mock_data_gen.synthesis.inventory_data import CTV_PLATFORMS, DSA_COUNTRIES
from mock_data_gen.synthesis.media import DOOH_QTY_SOURCE
from mock_data_gen.synthesis.placements import MAX_SLOTS
from mock_data_gen.synthesis.profile import DEVICE_CLASSES, TrafficProfile
from mock_data_gen.synthesis.users import UserPool
from mock_data_gen.synthesis.wire import Wire

# Share of sites that are global (English, any market) rather than local to one country.
GLOBAL_SITE_SHARE = 0.3
# DOOH screen hardware: (make, model, os, osv); commercial displays and media players.
_SCREENS = (
    ("Samsung", "QM55R", "Tizen", "6.5"),
    ("LG", "55UH5J", "WebOS", "6.0"),
    ("BrightSign", "XT1144", "Linux", "8.5"),
    ("Philips", "55BDL4511D", "Android", "9"),
)


@dataclass(slots=True)
class Tables:
    """Everything the per-event path reads: arrays to decide with, and the pieces (``wire``)."""

    markets: MarketTable
    diurnal: DiurnalMix
    users: UserPool
    inventory: Inventory
    wire: Wire
    device_classes: int
    dooh_share: float
    user_zipf: float
    property_zipf: float
    page_zipf: float
    floor_sigma: float
    local_share: float
    market_has_dooh: np.ndarray
    floor_mult: np.ndarray
    app_share: np.ndarray
    mobile_class: np.ndarray
    tablet_class: np.ndarray
    local_pool: np.ndarray
    global_pool: int
    dooh_pool: np.ndarray
    user_app_pool: np.ndarray
    pool_members: np.ndarray
    pool_start: np.ndarray
    pool_size: np.ndarray
    layout_start: np.ndarray
    layout_count: np.ndarray
    layout_slots: np.ndarray
    place_base: np.ndarray
    place_deal_prob: np.ndarray
    place_pmp_start: np.ndarray
    pmp_cap: np.ndarray
    content_start: np.ndarray
    content_count: np.ndarray
    screen_audience: np.ndarray
    place_has_refresh: np.ndarray
    place_pod: np.ndarray  # slots of a CTV pod: one floor and one deal draw per pod
    # Added to a slot's cents, the key of its floor piece (FLOOR_STRIDE)
    place_floor_key: np.ndarray
    place_late: np.ndarray  # slots whose ext carries a transaction id (wire.Wire.late_members)
    prop_coppa: np.ndarray
    prop_dsa: np.ndarray  # the publisher sends DSA transparency for EU users
    market_dsa: np.ndarray  # markets in the EU, where the Digital Services Act applies


# Floor pieces (wire.ImpressionPieces.floor) by key: (form * currencies + currency) * FLOOR_STRIDE
# + cents, where form is placements.POD_FLOOR_* (plain floors first), cents 0..MAX_CENTS.
FLOOR_CURRENCIES: Final = ("USD", "EUR")
FLOOR_STRIDE: Final = MAX_CENTS + 1
PLAIN_FLOOR_KEYS: Final = len(FLOOR_CURRENCIES) * FLOOR_STRIDE


def build_tables(rng: np.random.Generator, profile: TrafficProfile) -> Tables:
    markets = MarketTable()
    countries = _country_shares(markets)
    local_total = max(len(countries), int(profile.sites * (1 - GLOBAL_SITE_SHARE)))
    local_sites = {c: max(3, round(local_total * share)) for c, (_, share) in countries.items()}
    global_sites = max(3, round(profile.sites * GLOBAL_SITE_SHARE))
    vocab = _vocabularies(rng, markets, _publishers_by_locale(profile, markets, local_sites))
    # Scalar build-time choices use Python's generator (much faster per call than numpy's).
    builder = InventoryBuilder(random.Random(int(rng.integers(1 << 62))), profile)
    for country, (locale, _) in countries.items():
        builder.sites(local_sites[country], vocab[locale], country, f"web:{country}")
    builder.sites(global_sites, vocab["en_US"], "USA", "web:global")
    builder.apps(profile.apps, vocab["en_US"])
    builder.ctv_apps(profile.ctv_apps, vocab["en_US"])
    dooh_markets = [i for i, m in enumerate(markets.markets) if m.dooh]
    dooh_share = markets.base_share[dooh_markets] / markets.base_share[dooh_markets].sum()
    for index, share in zip(dooh_markets, dooh_share.tolist(), strict=True):
        market = markets.markets[index]
        ids = builder.dooh_screens(
            max(2, round(profile.dooh_screens * share)), vocab[market.faker_locale], market, index
        )
        builder.inv.pools[f"dooh:{index}"] = ids
    inv = builder.inv
    catalog = TemplateCatalog()
    users = UserPool(rng, profile, markets, catalog)

    _fill_empty_pools(inv.pools)
    names = sorted(inv.pools)
    for name in names:
        rng.shuffle(inv.pools[name])  # popularity rank is independent of build order
    pool_id = {name: i for i, name in enumerate(names)}
    sizes = np.array([len(inv.pools[name]) for name in names], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    members_flat = np.concatenate([np.array(inv.pools[name], dtype=np.int64) for name in names])
    global_pool = pool_id["web:global"]
    local_pool = np.array([pool_id[f"web:{m.country}"] for m in markets.markets], dtype=np.int64)
    dooh_pool = np.array(
        [pool_id.get(f"dooh:{i}", global_pool) for i in range(len(markets))], dtype=np.int64
    )
    user_app_pool = np.array(
        [pool_id.get(f"app:{p}", global_pool) for p in users.platform], dtype=np.int64
    )

    layout_start, layout_count, layout_slots = _layout_arrays(inv)
    cat = inv.catalog
    pmp_pieces: list[bytes] = []
    pmp_cap: list[int] = []
    pmp_start = []
    for placement in cat.placements:
        pmp_start.append(len(pmp_pieces))
        pmp_pieces.extend(placement.pmp)
        pmp_cap.extend(placement.pmp_cap)
    # Pages and content, flattened; properties sharing a content list share its range.
    closings: list[bytes] = []
    content_start = []
    flattened: dict[int, int] = {}
    for pieces in inv.contents:
        start = flattened.get(id(pieces))
        if start is None:
            start = flattened[id(pieces)] = len(closings)
            closings.extend(wire.property_closing(piece) for piece in pieces)
        content_start.append(start)
    content_count = [len(pieces) for pieces in inv.contents]
    inv.contents.clear()  # the closing pieces above replace them
    audience, screens = _screens(rng, markets, inv)
    imps = wire.ImpressionPieces(
        opening=[p.head for p in cat.placements],
        tag=[p.tag for p in cat.placements],
        # Plain floors in the first currency, then room for those in the others and for the two
        # forms of pod duration floors in each currency (made when first needed).
        floor=wire.floor_values(cents_table(), FLOOR_CURRENCIES[0])
        + [b""] * (3 * PLAIN_FLOOR_KEYS - FLOOR_STRIDE),
        pmp=pmp_pieces,
        refresh=[p.refresh for p in cat.placements],
        quantity=wire.quantity_format(DOOH_QTY_SOURCE),
        late=[p.late for p in cat.placements],
    )
    properties = wire.PropertyPieces(
        opening=inv.opening,
        closing=closings,
        seller=inv.seller,
        exchange=inv.exchange,
        screen_device=screens.device,
        screen_user=screens.user,
        screen_user_id=screens.user_id,
        screen_closing=screens.closing,
        publisher_cc=[
            b"" if kind == KIND_DOOH else privacy.tcf_publisher_cc_chars(country).encode()
            for kind, country in zip(inv.kind, inv.country, strict=True)
        ],
        dsa=inv.dsa,
        dsa_ext=inv.dsa_ext,
    )
    tables = Tables(
        markets=markets, diurnal=DiurnalMix(markets, profile), users=users, inventory=inv,
        wire=Wire(imps, properties, users.pieces),
        device_classes=len(DEVICE_CLASSES),
        dooh_share=profile.dooh_share, user_zipf=profile.user_zipf,
        property_zipf=profile.property_zipf, page_zipf=profile.page_zipf,
        floor_sigma=profile.floor_sigma, local_share=profile.local_site_share,
        market_has_dooh=np.array([m.dooh for m in markets.markets], dtype=bool),
        floor_mult=markets.floor_mult,
        app_share=np.array([0.0, profile.phone_app_share, profile.tablet_app_share, 1.0]),
        mobile_class=np.array([False, True, True, False]),
        tablet_class=np.array([False, False, True, False]),
        local_pool=local_pool, global_pool=global_pool, dooh_pool=dooh_pool,
        user_app_pool=user_app_pool, pool_members=members_flat, pool_start=starts, pool_size=sizes,
        layout_start=layout_start, layout_count=layout_count, layout_slots=layout_slots,
        place_base=np.array([p.base_floor for p in cat.placements], dtype=np.float64),
        place_deal_prob=np.array([p.deal_probability for p in cat.placements], dtype=np.float64),
        place_pmp_start=np.array(pmp_start, dtype=np.int64),
        pmp_cap=np.array(pmp_cap, dtype=np.int64),
        content_start=np.array(content_start, dtype=np.int64),
        content_count=np.array(content_count, dtype=np.int64),
        screen_audience=audience,
        place_has_refresh=np.array([bool(p.refresh) for p in cat.placements], dtype=bool),
        place_pod=np.array([p.pod for p in cat.placements], dtype=bool),
        place_floor_key=np.array(
            [
                (p.pod_floor * len(FLOOR_CURRENCIES) + FLOOR_CURRENCIES.index(p.currency))
                * FLOOR_STRIDE
                for p in cat.placements
            ],
            dtype=np.int64,
        ),
        place_late=np.array([bool(p.late) for p in cat.placements], dtype=bool),
        prop_coppa=np.array(inv.coppa, dtype=bool),
        prop_dsa=np.array(inv.dsa, dtype=np.int64) > 0,
        market_dsa=np.array([m.country in DSA_COUNTRIES for m in markets.markets], dtype=bool),
    )  # fmt: skip
    # What only building needed goes: tens of thousands of objects the garbage collector would
    # otherwise walk at every full collection while the generator runs.
    cat.finish()
    inv.layouts.clear()
    return tables


def _vocabularies(
    rng: np.random.Generator, markets: MarketTable, publishers: dict[str, int]
) -> dict[str, content.Vocabulary]:
    """A vocabulary per locale, with company names for its ``publishers`` (and some spare)."""
    locales = {"en_US": "en"}
    for market in markets.markets:
        locales.setdefault(market.faker_locale, market.languages[0][0])
    seed = int(rng.integers(1 << 31))
    return {
        locale: content.build_vocabulary(
            locale, language, seed + index, publishers.get(locale, 0) * 5 // 4 + 10
        )
        for index, (locale, language) in enumerate(sorted(locales.items()))
    }


def _publishers_by_locale(
    profile: TrafficProfile, markets: MarketTable, local_sites: dict[str, int]
) -> dict[str, int]:
    """How many publishers each locale's vocabulary names (as ``InventoryBuilder`` makes them:
    a publisher per three sites or apps, per two CTV apps, three per DOOH market)."""
    locale = {m.country: m.faker_locale for m in markets.markets}
    out: dict[str, int] = {}
    for country, sites in local_sites.items():
        out[locale[country]] = out.get(locale[country], 0) + max(2, sites // 3)
    global_sites = max(3, round(profile.sites * GLOBAL_SITE_SHARE))
    out["en_US"] = out.get("en_US", 0) + max(2, global_sites // 3) + max(2, profile.apps // 3)
    out["en_US"] += max(2, profile.ctv_apps // 2)
    for market in markets.markets:
        if market.dooh:
            out[market.faker_locale] = out.get(market.faker_locale, 0) + 3
    return out


def _country_shares(markets: MarketTable) -> dict[str, tuple[str, float]]:
    shares: dict[str, tuple[str, float]] = {}
    for market, share in zip(markets.markets, markets.base_share.tolist(), strict=True):
        locale, total = shares.get(market.country, (market.faker_locale, 0.0))
        shares[market.country] = (locale, total + share)
    return shares


def _fill_empty_pools(pools: dict[str, list[int]]) -> None:
    """Tiny profiles may leave a store or TV platform without apps; borrow a neighbour's."""
    for store, other in (("app:ios", "app:android"), ("app:android", "app:ios")):
        if not pools.get(store):
            pools[store] = list(pools.get(other, []))
    ctv_all = [p for key in CTV_PLATFORMS for p in pools.get(f"app:{key}", [])]
    for key in CTV_PLATFORMS:
        if not pools.get(f"app:{key}"):
            pools[f"app:{key}"] = list(ctv_all)
    empty = [name for name, members_ in pools.items() if not members_]
    if empty:
        raise ValueError(f"the traffic profile leaves these pools empty: {', '.join(empty)}")


def _layout_arrays(inv: Inventory) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    count = len(inv.layouts)
    start = np.zeros((count, 3), dtype=np.int64)
    size = np.zeros((count, 3), dtype=np.int64)
    flat: list[int] = []
    for prop, forms in enumerate(inv.layouts):
        for form, ids in enumerate(forms):
            start[prop, form] = len(flat)
            size[prop, form] = len(ids)
            flat.extend(ids)
        # A form the property is never seen in falls back to its first: never another's layouts.
        empty = size[prop] == 0
        start[prop, empty] = start[prop, 0]
        size[prop, empty] = size[prop, 0]
    # Layout ids per property are stored through an indirection list.
    flat_arr = np.array(flat, dtype=np.int64)
    slots = np.full((len(inv.catalog.layouts), MAX_SLOTS), -1, dtype=np.int64)
    for layout, placements in enumerate(inv.catalog.layouts):
        slots[layout, : len(placements)] = placements
    return start, size, slots[flat_arr]


@dataclass(slots=True)
class _Screens:
    """DOOH screens' pieces by property (empty for other properties)."""

    device: list[bytes]  # wire.device_members
    user: list[bytes]  # wire.screen_user
    user_id: list[str]
    closing: list[bytes]  # wire.request_closing


def _screens(
    rng: np.random.Generator, markets: MarketTable, inv: Inventory
) -> tuple[np.ndarray, _Screens]:
    count = len(inv.kind)
    audience = np.zeros(count, dtype=np.float64)
    screens = _Screens([b""] * count, [b""] * count, [""] * count, [b""] * count)
    for prop, market_index in enumerate(inv.market):
        if market_index < 0:
            continue
        market = markets.markets[market_index]
        start = int(markets.city_start[market_index])
        city = markets.cities[start + int(rng.integers(markets.city_count[market_index]))]
        make, model, os_name, osv = _SCREENS[int(rng.integers(len(_SCREENS)))]
        words = rng.bit_generator.random_raw(4).tolist()
        screen: dict[str, Any] = {
            "devicetype": 8,
            "make": make,
            "model": model,
            "os": os_name,
            "osv": osv,
        }
        screen.update(w=1920, h=1080, ppi=40, pxratio=1.0, connectiontype=3)
        # The screen's ID is the SSP's own (IAB Tech Lab OTT IFA guidelines: ifa_type "sspid").
        screen["ifa"] = identity.uuid_text(words[0], words[1])
        screen["ext"] = {"ifa_type": "sspid"}
        geo: dict[str, Any] = {
            "lat": round(city.lat + float(rng.normal(0, 0.03)), 6),
            "lon": round(city.lon + float(rng.normal(0, 0.03)), 6),
        }
        geo.update(type=LOCATION_USER_PROVIDED, country=market.country, region=city.region)
        if city.metro:
            geo["metro"] = city.metro
        geo["city"] = city.locode
        screens.device[prop] = wire.device_members(members(screen), members(geo))
        # A screen is seen by passers-by, not a user: no user object and no user key. The screen
        # is known by device.ifa, which "should not be used as a user identifier" (OpenRTB 2.6
        # implementation guide, 7.9.2.5).
        screens.user_id[prop] = ""
        screens.user[prop] = b""
        closing = wire.request_closing(dumps({"gdpr": int(market.regime == "gdpr")}))
        if inv.dsa[prop] and market.country in DSA_COUNTRIES:
            closing = wire.regs_with_ext(closing, inv.dsa_ext[inv.dsa[prop]])
        screens.closing[prop] = closing
        # Viewers per play: airports and malls see crowds, doctors' offices a handful.
        audience[prop] = float(rng.lognormal(2.2, 0.8))
    return audience, screens
