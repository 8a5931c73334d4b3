"""The user pool: every user's device, location, privacy state and IDs, pre-serialised.

Users are grouped in blocks by (market, device class) so that the generator can pick a market by
local time, a device class by the hour's device mix, and then a user by Zipf-like popularity
within the block (rank 0 = the most active user).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from mock_data_gen.synthesis import geo, identity
from mock_data_gen.synthesis.devices import TemplateCatalog, build_user_devices
from mock_data_gen.synthesis.fragments import members, uuid4_texts
from mock_data_gen.synthesis.profile import DEVICE_CLASSES, TrafficProfile

ZERO_IFA: Final = "00000000-0000-0000-0000-000000000000"
# Apple App Tracking Transparency status (device.ext.atts): 0 not determined, 1 restricted,
# 2 denied, 3 authorized; opt-in rates around 30% are typical.
ATT_STATUS: Final = ((3, 0.3), (2, 0.45), (0, 0.2), (1, 0.05))
_PROVIDERS: Final = len(identity.EID_PROVIDERS)
# Connection types (AdCOM 1.0 List: Connection Types) by device class: (value, weight).
_CONNECTION: Final = {
    "desktop": ((1, 0.35), (2, 0.65)),
    "phone": ((2, 0.55), (6, 0.3), (7, 0.15)),
    "tablet": ((2, 0.9), (6, 0.1)),
    "ctv": ((1, 0.3), (2, 0.7)),
}


@dataclass(slots=True)
class UserPool:
    """Users as parallel lists (index = user) and the block table."""

    ids: list[str]
    market: list[int]
    device_class: list[int]
    platform: list[str]
    web_template: list[int]
    app_template: list[int]
    # ``"k":v,...,"geo":{...`` members following the template (no utcoffset, no closing brace).
    web_device: list[bytes]
    app_device: list[bytes]
    coppa_device: list[bytes]
    # ``,"user":{...`` pieces: for GDPR users ``head`` ends with ``"consent":"`` and ``tail``
    # continues after the consent string's 13-character timestamp prefix.
    web_user: list[tuple[bytes, bytes]]
    app_user: list[tuple[bytes, bytes]]
    consent_body: list[bytes | None]
    consent_phase: list[int]
    regs: list[int]
    regs_catalog: identity.RegsCatalog
    block_start: np.ndarray
    block_size: np.ndarray


def _weighted(options: tuple[tuple[int, float], ...], u: float) -> int:
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


def build_users(
    rng: np.random.Generator,
    profile: TrafficProfile,
    table: geo.MarketTable,
    catalog: TemplateCatalog,
) -> UserPool:
    sizes = block_sizes(profile, table.base_share)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    classes = len(DEVICE_CLASSES)
    block = np.repeat(np.arange(len(sizes)), sizes)
    market = block // classes
    device_class = block % classes
    count = len(block)
    class_names = [DEVICE_CLASSES[c] for c in device_class.tolist()]
    countries = [table.markets[m].country for m in market.tolist()]
    devices = build_user_devices(rng, catalog, class_names, countries)
    gps = np.where(np.isin(device_class, (1, 2)), 0.35, 0.0)
    geos = geo.build_user_geo(rng, table, market, gps)
    draws = rng.random((count, 24)).tolist()
    eid_draws = rng.random((count, 3 * _PROVIDERS)).tolist()
    words = rng.bit_generator.random_raw((count, _PROVIDERS)).tolist()
    user_ids = uuid4_texts(rng.bit_generator.random_raw(2 * count)).decode("ascii")
    ifas = uuid4_texts(rng.bit_generator.random_raw(2 * count)).decode("ascii")
    consents = identity.ConsentCatalog(rng)
    regs_catalog = identity.RegsCatalog()
    pool = UserPool(
        ids=[user_ids[36 * i : 36 * i + 36] for i in range(count)], market=market.tolist(),
        device_class=device_class.tolist(), platform=devices.platform,
        web_template=devices.web_template, app_template=devices.app_template, web_device=[],
        app_device=[], coppa_device=[], web_user=[], app_user=[], consent_body=[],
        consent_phase=[], regs=[], regs_catalog=regs_catalog, block_start=starts, block_size=sizes,
    )  # fmt: skip
    for i in range(count):
        u = draws[i]
        m = table.markets[pool.market[i]]
        cls = class_names[i]
        user_id = pool.ids[i]
        language = m.languages[0][0] if u[0] < m.languages[0][1] else m.languages[-1][0]
        consent: identity.Consent | None = None
        ids_allowed = True
        if m.regime == "gdpr":
            pattern = "accept" if u[1] < 0.82 else ("reject" if u[1] < 0.93 else "partial")
            cmp_index = min(int(u[2] * len(identity.CMPS)), len(identity.CMPS) - 1)
            consent = consents.consent(cmp_index, pattern, language, m.alpha2, u[3] < 0.5)
            ids_allowed = consent.allows_ids()
            regs: dict[str, Any] = {"gdpr": 1}
        elif m.regime == "us":
            regs, opted_out = identity.us_regs(table.cities[geos.city[i]].region, u[4:9])
            ids_allowed = not opted_out
        else:
            regs = {"gdpr": 0}
        pool.regs.append(regs_catalog.add(regs))
        pool.consent_body.append(consent.body if consent else None)
        pool.consent_phase.append(int(u[9] * 390) if consent else -1)
        # Exchanges truncate the IP when the user gave no consent to store/track.
        ip = geos.ipv4[i] if ids_allowed or consent is None else geo.truncate_ipv4(geos.ipv4[i])
        net: dict[str, Any] = {}
        if geos.ipv6[i] is None or u[10] < 0.7:
            net["ip"] = ip
        if geos.ipv6[i] is not None:
            net["ipv6"] = geos.ipv6[i]
        if u[11] < 0.25:
            net["langb"] = f"{language}-{m.alpha2}"
        else:
            net["language"] = language
        if cls == "phone" or (cls == "tablet" and u[12] < 0.2):
            carrier, mccmnc = m.carriers[int(u[13] * len(m.carriers))]
            net.update(carrier=carrier, mccmnc=mccmnc)
        net["connectiontype"] = _weighted(_CONNECTION[cls], u[14])
        # Desktop users only browse, CTV users only use apps: skip the pieces never read.
        if cls != "ctv":
            web_net = dict(net)
            if cls == "desktop":
                web_net["dnt"] = 1 if u[15] < 0.06 else 0
            pool.web_device.append(members(web_net) + b"," + geos.ip_geo[i])
            found = (
                identity.eids(0, eid_draws[i], words[i], consent, m.country) if ids_allowed else []
            )
            pool.web_user.append(_user_pieces(user_id, consent, found, u[18], u[20]))
        else:
            pool.web_device.append(b"")
            pool.web_user.append((b"", b""))
        if cls == "desktop":
            pool.app_device.append(b"")
            pool.coppa_device.append(b"")
            pool.app_user.append((b"", b""))
            continue
        # In apps: the advertising ID and Limit Ad Tracking state (ATT on iOS).
        app_net = dict(net)
        platform = devices.platform[i]
        if platform == "ios":
            atts = _weighted(ATT_STATUS, u[16])
            lmt = 0 if atts == 3 else 1
        else:
            lmt = 1 if u[16] < (0.04 if platform == "android" else 0.08) else 0
        storage_allowed = consent is None or 1 in consent.purposes
        if storage_allowed and (lmt == 0 or u[17] < 0.7):
            ifa = ifas[36 * i : 36 * i + 36]
            app_net["ifa"] = ZERO_IFA if lmt else (ifa.upper() if platform == "ios" else ifa)
        app_net["lmt"] = lmt
        if platform == "ios":
            app_net["ext"] = {"atts": atts}
        pool.app_device.append(members(app_net) + b"," + geos.app_geo[i])
        coppa_net = {k: v for k, v in net.items() if k not in ("ip", "ipv6")}
        coppa_net["ip"] = geo.truncate_ipv4(geos.ipv4[i])
        pool.coppa_device.append(members(coppa_net) + b"," + table.coarse_geo[geos.city[i]])
        context = 2 if cls == "ctv" else 1
        found = []
        if ids_allowed and lmt == 0:
            draws_app = eid_draws[i][context * _PROVIDERS :]
            found = identity.eids(context, draws_app, words[i], consent, m.country)
        pool.app_user.append(_user_pieces(user_id, consent, found, u[19], u[20]))
    return pool


def _user_pieces(
    user_id: str,
    consent: identity.Consent | None,
    eids: list[dict[str, Any]],
    u_data: float,
    u_segments: float,
) -> tuple[bytes, bytes]:
    rest: dict[str, Any] = {}
    if eids:
        rest["eids"] = eids
    # First-party audience segments (IAB Audience Taxonomy 1.1, segtax 4) where IDs are allowed.
    if eids and u_data < 0.3:
        first = 100 + int(u_segments * 1400)
        rest["data"] = [
            {
                "id": "aud-1",
                "name": "audience.exchange.example",
                "segment": [{"id": str(first)}, {"id": str(first + 17)}],
                "ext": {"segtax": 4},
            }
        ]
    tail = (b"," + members(rest) if rest else b"") + b"}"
    head = b',"user":{"id":"' + user_id.encode() + b'"'
    if consent is None:
        return head + tail, b""
    return head + b',"consent":"', consent.body + b'"' + tail
