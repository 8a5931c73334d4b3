"""The user pool: every user's device, location, privacy state and IDs, pre-serialised.

Users are grouped in blocks by (market, device class) so that the generator can pick a market by
local time, a device class by the hour's device mix, and then a user by Zipf-like popularity
within the block (rank 0 = the most active user).

All of a user's random draws are made at start-up, vectorised; the JSON pieces are built the
first time the user appears (:meth:`UserPool.materialise`) and kept. The pieces depend only on
the user's own draws, so the output is the same whichever order users are first seen in, start-up
stays fast, and memory is bounded by the pool size.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

import numpy as np

from mock_data_gen.synthesis import geo, identity, networks, wire
from mock_data_gen.synthesis.devices import (
    DEVICE_DRAWS,
    TemplateCatalog,
    device_templates,
    pick_device,
)
from mock_data_gen.synthesis.fragments import members, uuid4_texts
from mock_data_gen.synthesis.profile import DEVICE_CLASSES, TrafficProfile

T = TypeVar("T")

ZERO_IFA: Final = "00000000-0000-0000-0000-000000000000"
# Apple App Tracking Transparency status (device.ext.atts): 0 not determined, 1 restricted,
# 2 denied, 3 authorized; opt-in rates around 30% are typical.
ATT_STATUS: Final = ((3, 0.3), (2, 0.45), (0, 0.2), (1, 0.05))
# The kind of advertising ID a CTV platform gives apps (device.ext.ifa_type), as named by IAB Tech
# Lab's "Guidelines for Identifier for Advertising (IFA) on OTT platforms" (2018):
# https://iabtechlab.com/wp-content/uploads/2018/12/OTT-IFA-guidelines.final_Dec2018.pdf
IFA_TYPES: Final = {
    "roku": "rida",  # Roku ID for Advertising
    "firetv": "afai",  # Amazon Fire Advertising ID
    "tizen": "tifa",  # Samsung Tizen ID for Advertising
    "webos": "lgudid",  # LG Unique Device ID
    "tvos": "idfa",  # Apple ID for Advertisers
    "androidtv": "aaid",  # Android Advertising ID
}
# Audience data providers whose IAB Audience Taxonomy segments ride on requests.
_AUDIENCE_VENDORS: Final = ("lotame.com", "liveramp.com", "oracle.com", "eyeota.com")
_BUYER_SALT: Final = 0x5DEECE66D2B4C1F3
# Chance that a phone/tablet user granted location access to apps.
GPS_SHARE: Final = 0.35
_PROVIDERS: Final = len(identity.EID_PROVIDERS)
_DRAWS: Final = 22
# Share of users whose browser / app the buyer has matched (cookie sync or SDK): buyeruid.
BUYERUID_SHARE: Final = {"web": 0.45, "app": 0.3}
# AdCOM 1.0 List: Connection Types from 3 (cellular, unknown generation) on are mobile networks.
CELLULAR: Final = 3
# Connection types by device class: (value, weight).
_CONNECTION: Final = {
    "desktop": ((1, 0.35), (2, 0.65)),
    "phone": ((2, 0.55), (6, 0.3), (7, 0.15)),
    "tablet": ((2, 0.9), (6, 0.1)),
    "ctv": ((1, 0.3), (2, 0.7)),
}


def _weighted(options: tuple[tuple[T, float], ...], u: float) -> T:
    """The option whose cumulative weight (weights summing to 1) first exceeds ``u``."""
    acc = 0.0
    for value, weight in options:
        acc += weight
        if u < acc:
            return value
    return options[-1][0]


def block_sizes(profile: TrafficProfile, market_share: np.ndarray) -> np.ndarray:
    """Users per (market, device class), proportional to traffic share, at least 2 each."""
    mix = np.array(profile.device_weights(), dtype=np.float64)
    mix = mix / mix.sum()
    sizes: np.ndarray = np.rint(profile.users * market_share[:, None] * mix[None, :])
    return np.maximum(sizes.astype(np.int64), 2).reshape(-1)


class UserPool:
    """Users as parallel lists (index = user).

    Per-context lists are context-major: index ``user`` for web, ``user + count`` for app and
    ``user + 2 * count`` for COPPA-restricted app requests. Entries are filled by
    :meth:`materialise`; ``ready[user]`` tells whether it ran. ``pieces`` hands the lists to
    ``wire``, which joins them into requests.
    """

    def __init__(
        self,
        rng: np.random.Generator,
        profile: TrafficProfile,
        table: geo.MarketTable,
        catalog: TemplateCatalog,
    ) -> None:
        sizes = block_sizes(profile, table.weights(profile.market_shares, profile.gdpr_share))
        self.block_size = sizes
        self.block_start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        block = np.repeat(np.arange(len(sizes)), sizes)
        classes = len(DEVICE_CLASSES)
        count = self.count = len(block)
        self.market: list[int] = (block // classes).tolist()
        self.device_class: list[str] = [DEVICE_CLASSES[c] for c in (block % classes).tolist()]
        self._table = table
        self._catalog = catalog
        self._city: list[int] = geo.choose_cities(rng, table, block // classes).tolist()
        # Single precision is plenty for choices and halves the memory of the draws.
        self._device_u = rng.random((count, DEVICE_DRAWS), dtype=np.float32)
        self._geo_u = rng.random((count, geo.GEO_DRAWS), dtype=np.float32)
        self._geo_z = rng.standard_normal((count, 4), dtype=np.float32)
        self._u = rng.random((count, _DRAWS), dtype=np.float32)
        self._eid_u = rng.random((count, 3 * _PROVIDERS), dtype=np.float32)
        self._words = rng.bit_generator.random_raw((count, _PROVIDERS))
        self._ifas = uuid4_texts(rng.bit_generator.random_raw(2 * count)).decode("ascii")
        ids = uuid4_texts(rng.bit_generator.random_raw(2 * count)).decode("ascii")
        self.ids: list[str] = [ids[36 * i : 36 * i + 36] for i in range(count)]
        self._consents = identity.ConsentCatalog(rng)
        self.regs_catalog = identity.RegsCatalog()
        self._models: list[Any] = []
        self.platform: list[str] = []
        for user, (cls, u) in enumerate(
            zip(self.device_class, self._device_u.tolist(), strict=True)
        ):
            country = table.markets[self.market[user]].country
            model, platform = pick_device(cls, country, u)
            self._models.append(model)
            self.platform.append(platform)
        self.ready = bytearray(count)
        self.template = [0] * (2 * count)  # device template of web and app requests
        self.device_pieces: list[bytes] = [b""] * (3 * count)
        # The user object's pieces, each split where the exchange's name goes (eids[].inserter):
        # the request's exchange joins them, much faster than searching for a placeholder.
        self.user_heads: list[tuple[bytes, ...]] = [()] * (2 * count)
        self.user_tails: list[tuple[bytes, ...]] = [()] * (2 * count)
        self.consent_body: list[bytes] = [b""] * count
        self.consent_end: list[bytes] = [b""] * count
        self._consent_pieces: dict[bytes, tuple[bytes, bytes]] = {}
        # Day phase of the user's TCF consent renewal (identity.consent_days); -1 outside GDPR.
        self.consent_phase = np.full(count, -1, dtype=np.int64)
        self.regs = [0] * count
        self.pieces = wire.UserPieces(
            ids=self.ids,
            template=self.template,
            templates=catalog.pieces,
            device=self.device_pieces,
            heads=self.user_heads,
            tails=self.user_tails,
            consent=self.consent_body,
            consent_end=self.consent_end,
            regs=self.regs,
            closing=self.regs_catalog.pieces,
            coppa_closing=self.regs_catalog.coppa,
        )

    def materialise_all(self) -> None:
        """Build every user's pieces (same pieces as building each on first appearance)."""
        for i in range(self.count):
            self.materialise(i)

    def materialise(self, i: int) -> None:
        """Build and keep every JSON piece of user ``i``."""
        if self.ready[i]:
            return
        self.ready[i] = 1
        table, count = self._table, self.count
        u = self._u[i].tolist()
        m = table.markets[self.market[i]]
        cls = self.device_class[i]
        city = self._city[i]
        self.template[i], self.template[count + i] = device_templates(
            self._catalog, self._models[i], cls, self._device_u[i].tolist()
        )
        language = m.languages[0][0] if u[0] < m.languages[0][1] else m.languages[-1][0]
        consent: identity.Consent | None = None
        ids_allowed = True
        opted_out = False
        if m.regime == "gdpr":
            pattern = _weighted(identity.CONSENT_PATTERNS, u[1])
            cmp_index = min(int(u[2] * len(identity.CMPS)), len(identity.CMPS) - 1)
            consent = self._consents.consent(cmp_index, pattern, language, m.alpha2, u[3] < 0.5)
            ids_allowed = consent.allows_ids()
            regs: dict[str, Any] = {"gdpr": 1}
            # Users share consent bodies (identity.ConsentCatalog), and so their pieces.
            split = self._consent_pieces.get(consent.body)
            if split is None:
                split = self._consent_pieces[consent.body] = wire.consent_split(consent.body)
            self.consent_body[i], self.consent_end[i] = split
            self.consent_phase[i] = int(u[9] * 390)
        elif m.regime == "us":
            regs, opted_out = identity.us_regs(table.cities[city].region, u[4:9])
            ids_allowed = not opted_out
        else:
            regs = {"gdpr": 0}
        self.regs[i] = self.regs_catalog.add(regs)
        gps = GPS_SHARE if cls in ("phone", "tablet") else 0.0
        if consent is not None and not consent.precise_geo:
            gps = 0.0  # TCF Special Feature 1 not opted in: IP-derived location only
        # The connection type picks the operator (fixed line or mobile network), which gives the
        # addresses, carrier and MCC-MNC.
        connection = _weighted(_CONNECTION[cls], u[14])
        where = geo.user_geo(
            table,
            self.market[i],
            city,
            gps,
            self._geo_u[i].tolist(),
            self._geo_z[i].tolist(),
            connection >= CELLULAR,
        )
        special_feature_1 = None if consent is None else consent.precise_geo
        precise = geo.precise_location_allowed(special_feature_1, opted_out, lmt=False)
        show_ipv4 = u[10] < networks.DUAL_STACK_SHOWN
        net: dict[str, Any] = where.access.addresses(not precise, show_ipv4)
        if u[11] < 0.25:
            net["langb"] = f"{language}-{m.alpha2}"
        else:
            net["language"] = language
        net.update(where.access.carrier_members())
        net["connectiontype"] = connection
        words = self._words[i].tolist()
        # The bidder's own id for the user, known only where it may track them (under GDPR
        # with consent to its vendor id).
        buyer_uid: str | None = None
        if ids_allowed and (consent is None or consent.allows_vendor("adserver.org")):
            buyer_uid = identity.uuid_text(words[0] ^ _BUYER_SALT, words[-1] ^ _BUYER_SALT)
        eid_u = self._eid_u[i].tolist()
        # Desktop users only browse, CTV users only use apps: skip the pieces never read.
        if cls != "ctv":
            web_net = dict(net)
            if cls == "desktop":
                web_net["dnt"] = 1 if u[15] < 0.06 else 0
            web_geo = where.ip_geo if precise else where.coarse_geo
            self.device_pieces[i] = wire.device_members(members(web_net), web_geo)
            found = identity.eids(0, eid_u, words, consent, m.country) if ids_allowed else []
            buyer = buyer_uid if u[21] < BUYERUID_SHARE["web"] else None
            self.user_heads[i], self.user_tails[i] = _split_at_inserter(
                _user_pieces(self.ids[i], buyer, consent, found, u[18], u[20])
            )
        if cls == "desktop":
            return
        # In apps: the advertising ID and Limit Ad Tracking state (ATT on iOS).
        app_net = dict(net)
        platform = self.platform[i]
        atts = _weighted(ATT_STATUS, u[16])
        if platform == "ios":
            lmt = 0 if atts == 3 else 1
        else:
            lmt = 1 if u[16] < (0.04 if platform == "android" else 0.08) else 0
        if (consent is None or 1 in consent.purposes) and (lmt == 0 or u[17] < 0.7):
            ifa = self._ifas[36 * i : 36 * i + 36]
            app_net["ifa"] = ZERO_IFA if lmt else (ifa.upper() if platform == "ios" else ifa)
        app_net["lmt"] = lmt
        if platform == "ios":
            app_net["ext"] = {"atts": atts}
        elif cls == "ctv" and "ifa" in app_net:
            app_net["ext"] = {"ifa_type": IFA_TYPES[platform]}
        app_geo = where.app_geo
        if not geo.precise_location_allowed(special_feature_1, opted_out, lmt=lmt == 1):
            app_net.update(where.access.addresses(True, show_ipv4))
            app_geo = where.coarse_geo
        self.device_pieces[count + i] = wire.device_members(members(app_net), app_geo)
        coppa_net = {k: v for k, v in net.items() if k not in ("ip", "ipv6")}
        coppa_net["ip"] = where.access.ipv4_masked
        self.device_pieces[2 * count + i] = wire.device_members(
            members(coppa_net), table.coarse_geo[city]
        )
        context = 2 if cls == "ctv" else 1
        found = []
        if ids_allowed and lmt == 0:
            found = identity.eids(context, eid_u[context * _PROVIDERS :], words, consent, m.country)
        buyer = buyer_uid if lmt == 0 and u[21] < BUYERUID_SHARE["app"] else None
        head, tail = _split_at_inserter(
            _user_pieces(self.ids[i], buyer, consent, found, u[19], u[20])
        )
        self.user_heads[count + i], self.user_tails[count + i] = head, tail


def _split_at_inserter(
    pieces: tuple[bytes, bytes],
) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """A user object's (head, tail), each split where the exchange's name goes."""
    head, tail = pieces
    return tuple(head.split(identity.INSERTER_BYTES)), tuple(tail.split(identity.INSERTER_BYTES))


def _user_pieces(
    user_id: str,
    buyer_uid: str | None,
    consent: identity.Consent | None,
    eids: list[dict[str, Any]],
    u_data: float,
    u_segments: float,
) -> tuple[bytes, bytes]:
    """The user object (``wire.user_object``) as (head, tail): for GDPR users the head ends where
    the consent string (timestamp prefix + body) begins and the tail follows it; otherwise the
    tail is empty."""
    rest: dict[str, Any] = {}
    if eids:
        rest["eids"] = eids
    # First-party audience segments (IAB Audience Taxonomy 1.1, segtax 4) where IDs are allowed.
    if eids and u_data < 0.3:
        first = 100 + int(u_segments * 1400)
        rest["data"] = [
            {
                "id": "aud-1",
                "name": _AUDIENCE_VENDORS[int(u_segments * 997) % len(_AUDIENCE_VENDORS)],
                "segment": [{"id": str(first)}, {"id": str(first + 17)}],
                "ext": {"segtax": 4},
            }
        ]
    ids = {"id": user_id}
    if buyer_uid is not None:
        ids["buyeruid"] = buyer_uid
    return wire.user_object(members(ids), members(rest) if rest else b"", consent is not None)


# Sessions: a user is active in bursts. Time is cut in 5-minute session windows (they never
# straddle an hour); in each window a block (market, device class) has a slice of active users, a
# share of the block that follows the market's local hour (diurnal.ACTIVITY, relative to its
# peak), so the active population grows and shrinks with the time of day and every active user's
# share of the block's requests is the same. An active user stays on one context (web or app)
# and one site or app for the window. The slice depends only on the window and the block, never
# on how events are batched, so output stays deterministic.
SESSION_MS: Final = 300_000
_MIX_A: Final = np.uint64(0x9E3779B97F4A7C15)
_MIX_B: Final = np.uint64(0xBF58476D1CE4E5B9)
_MIX_C: Final = np.uint64(0x94D049BB133111EB)
_SESSION_DRAWS: Final = 3


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a well-mixed 64-bit word from each word."""
    z = x ^ (x >> np.uint64(30))
    z = z * _MIX_B
    z = z ^ (z >> np.uint64(27))
    z = z * _MIX_C
    out: np.ndarray = z ^ (z >> np.uint64(31))
    return out


def _unit(words: np.ndarray) -> np.ndarray:
    out: np.ndarray = (words >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
    return out


def session_users(
    t: np.ndarray,
    block: np.ndarray,
    block_start: np.ndarray,
    block_size: np.ndarray,
    activity: np.ndarray,
    u_user: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per request (times ``t``, blocks ``block``, the market's activity at its local hour relative
    to its peak ``activity``): the user, among their block's users active in the request's
    session window, and the user's session draws (``_SESSION_DRAWS`` uniforms a request, equal
    for all of the user's requests in the window: context, local or global property, property)."""
    w = (t // SESSION_MS).astype(np.uint64)
    size = block_size[block]
    active = np.maximum(np.ceil(size * activity), 1).astype(np.int64)
    # The slice of active users starts at a point of the block drawn per (window, block).
    start = (_mix(w * _MIX_A + block.astype(np.uint64)) % size.astype(np.uint64)).astype(np.int64)
    user = block_start[block] + (start + (u_user * active).astype(np.int64)) % size
    key = _mix(user.astype(np.uint64) * _MIX_B ^ w * _MIX_A)
    draws = np.empty((len(t), _SESSION_DRAWS), dtype=np.float64)
    for k in range(_SESSION_DRAWS):
        draws[:, k] = _unit(_mix(key + np.uint64((k + 1) * 0x9E3779B97F4A7C15 % (1 << 64))))
    return user, draws
