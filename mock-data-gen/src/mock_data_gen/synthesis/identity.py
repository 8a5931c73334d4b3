"""Who a user is to the ad ecosystem: privacy choices, the signals that encode them, and IDs.

The rules the generator keeps:
- EEA/UK users (GDPR) carry ``regs.gdpr=1`` and a TCF consent string; everyone else has
  ``gdpr=0`` and no consent string.
- US users carry ``us_privacy`` and a GPP string whose section matches their state.
- Extended IDs appear only where allowed: under GDPR only with consent to purposes 1 and 4 and to
  the ID provider as a vendor; never for US users who opted out, never with limited ad tracking,
  never under COPPA (the generator drops them for child-directed apps).
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from mock_data_gen.synthesis import privacy, wire
from mock_data_gen.synthesis.fragments import dumps
from mock_data_gen.synthesis.geo_data import US_STATE_SECTIONS

# Stands for the inserter's domain in per-user pieces (``eids[].inserter``, OpenRTB 2.6 §3.2.27:
# "the canonical domain name of the entity ... that caused the ID array element to be added"):
# the selling exchange, or where the page's header-bidding wrapper decides (``source.fd`` 1) the
# publisher running that wrapper. Users see many publishers, so the generator writes the domain
# per request.
INSERTER: Final = "@exchange@"
INSERTER_BYTES: Final = INSERTER.encode()

# CMPs (ids from the IAB Europe CMP list) with rough market shares.
CMPS: Final = ((28, 0.3), (300, 0.25), (7, 0.12), (6, 0.1), (10, 0.08), (134, 0.08), (31, 0.07))
# Global Vendor List ids of the ID providers and other large vendors a CMP discloses.
VENDOR_IDS: Final = {"id5-sync.com": 131, "liveramp.com": 97, "uidapi.com": 21, "adserver.org": 21,
                     "criteo.com": 91}  # fmt: skip
_MAJOR_VENDORS: Final = frozenset({10, 11, 21, 32, 42, 52, 69, 76, 79, 91, 97, 131, 164, 755, 793})
MAX_VENDOR_ID: Final = 1150
ALL_PURPOSES: Final = frozenset(range(1, privacy.TCF_PURPOSES + 1))

# Consent patterns seen in CMP analytics: most users accept, some reject, a few customise.
CONSENT_PATTERNS: Final = (("accept", 0.82), ("reject", 0.11), ("partial", 0.07))

# ID providers: (source, agent type, match method, coverage by context web/app/ctv, GVL id key)
# Agent types and match methods from AdCOM 1.0 (List: Agent Types, List: ID Match Methods).
EID_PROVIDERS: Final = (
    ("pubcid.org", 1, 4, (0.45, 0.0, 0.0)),
    ("id5-sync.com", 1, 5, (0.40, 0.0, 0.0)),
    ("id5-sync.com", 2, 5, (0.0, 0.25, 0.0)),
    ("criteo.com", 1, 2, (0.30, 0.0, 0.0)),
    ("adserver.org", 1, 2, (0.35, 0.0, 0.0)),
    ("liveramp.com", 3, 3, (0.15, 0.12, 0.20)),
    ("uidapi.com", 3, 3, (0.20, 0.12, 0.10)),
)


@dataclass(frozen=True, slots=True)
class Consent:
    """A GDPR user's TCF state: the string after the 13-character timestamp prefix."""

    body: bytes
    purposes: frozenset[int]
    vendors: frozenset[int]
    # Special Feature 1 (use precise geolocation data): without it no GPS location is sent.
    precise_geo: bool

    def allows_ids(self) -> bool:
        return {1, 3, 4} <= self.purposes

    def allows_vendor(self, source: str) -> bool:
        vendor = VENDOR_IDS.get(source)
        return vendor is None or vendor in self.vendors


class ConsentCatalog:
    """Distinct TC-string bodies, shared by all users with the same CMP, choices and language."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._cache: dict[tuple[Any, ...], Consent] = {}
        # Each CMP configuration discloses the major vendors plus a long tail.
        self._disclosed = []
        for _ in CMPS:
            tail = rng.choice(np.arange(1, MAX_VENDOR_ID + 1), size=320, replace=False)
            self._disclosed.append(frozenset(int(v) for v in tail) | _MAJOR_VENDORS)

    def consent(
        self, cmp_index: int, pattern: str, language: str, country: str, geo_opt_in: bool
    ) -> Consent:
        key = (cmp_index, pattern, language, country, geo_opt_in)
        found = self._cache.get(key)
        if found is not None:
            return found
        disclosed = self._disclosed[cmp_index]
        precise_geo = geo_opt_in and pattern == "accept"
        li_vendors = frozenset(v for v in disclosed if v % 3 == 0)
        if pattern == "accept":
            purposes, vendors = ALL_PURPOSES, disclosed
        elif pattern == "partial":
            purposes, vendors = (
                frozenset({1, 2, 7, 8, 9, 10}),
                frozenset(v for v in disclosed if v % 2),
            )
        else:
            purposes, vendors = frozenset(), frozenset()
        choices = privacy.TcfChoices(
            cmp_id=CMPS[cmp_index][0],
            cmp_version=3 + cmp_index,
            consent_screen=1,
            language=language.upper(),
            vendor_list_version=128 + cmp_index % 3,
            special_features=frozenset({1}) if precise_geo else frozenset(),
            purposes_consent=purposes,
            purposes_li=privacy.LI_PURPOSES,
            vendors_consent=vendors,
            vendors_li=li_vendors,
            disclosed_vendors=disclosed,
            publisher_cc=country,
        )
        # The timestamp only fills the first 13 characters, which the generator replaces.
        body = privacy.tcf_string(choices, 0)[13:].encode()
        found = Consent(body, purposes, vendors, precise_geo)
        self._cache[key] = found
        return found


def consent_days(event_day: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """The day each user last saved their choices: renewed every 390 days (TCF asks for at most
    13 months), at a per-user phase, so it is stable for a user and never in the future."""
    days: np.ndarray = event_day - (event_day + phase) % 390
    return days


class RegsCatalog:
    """Distinct ``regs`` objects (OpenRTB 2.6 §3.2.3), interned, as ``wire.request_closing``
    pieces: ``pieces[i]`` and its COPPA variant ``coppa[i]``."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.coppa: list[bytes] = []
        self._index: dict[bytes, int] = {}

    def add(self, regs: dict[str, Any]) -> int:
        piece = dumps(regs)
        found = self._index.get(piece)
        if found is None:
            found = len(self.pieces)
            self.pieces.append(wire.request_closing(piece))
            self.coppa.append(wire.request_closing(dumps({"coppa": 1, **regs})))
            self._index[piece] = found
        return found


def us_regs(state: str, u: list[float]) -> tuple[dict[str, Any], bool]:
    """``regs`` of a US user in ``state`` and whether they opted out of sale/targeting."""
    gpc = u[0] < 0.04
    opted_out = gpc or u[1] < 0.07
    covered = u[2] < 0.7
    section = US_STATE_SECTIONS.get(state) if u[3] < 0.6 else None
    return _us_regs(
        section or privacy.SECTION_USNAT, opted_out, gpc, covered, u[4] < 0.3
    ), opted_out


@functools.cache
def _us_regs(
    section: int, opted_out: bool, gpc: bool, covered: bool, with_usp: bool
) -> dict[str, Any]:
    choices = privacy.UsChoices(opted_out=opted_out, gpc=gpc, mspa_covered=covered)
    usp = privacy.us_privacy_string(True, opted_out, covered)
    sections = [(section, privacy.us_section(section, choices))]
    if with_usp:
        sections.append((privacy.SECTION_USP, usp))
    return {"gdpr": 0, "us_privacy": usp, "gpp": privacy.gpp_string(sections), "gpp_sid": [section]}


def uuid_text(word_a: int, word_b: int, upper: bool = False) -> str:
    """RFC 4122 version-4 UUID text from two random 64-bit words."""
    value = (word_a << 64) | word_b
    value = (value & ~(0xF << 76)) | (0x4 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    h = f"{value:032x}"
    text = f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return text.upper() if upper else text


# UID2 advertising tokens (https://unifiedid.com/docs/getting-started/gs-sharing and the token
# examples in https://unifiedid.com/docs/endpoints/post-token-generate): the bidstream carries
# the encrypted, rotating token, never the raw 44-character UID2. Version 4 tokens are Base64URL
# and open with "A4" (identity scope / type and version); their length is about 160-180 chars.
UID2_TOKEN_PREFIX: Final = "A4AAAA"
UID2_TOKEN_LENGTH: Final = 166


def uid2_token(word: int) -> str:
    """A UID2 advertising token (encrypted, Base64URL) derived from a random word."""
    raw = b"".join(
        hashlib.blake2b(word.to_bytes(8, "little"), digest_size=64, salt=salt).digest()
        for salt in (b"uid2a", b"uid2b")
    )
    body = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return UID2_TOKEN_PREFIX + body[: UID2_TOKEN_LENGTH - len(UID2_TOKEN_PREFIX)]


def token(word: int, salt: bytes, length: int) -> str:
    """A Base64URL token (at most 86 characters) derived from a random word."""
    digest = hashlib.blake2b(word.to_bytes(8, "little"), digest_size=64, salt=salt).digest()
    return base64.urlsafe_b64encode(digest).decode()[:length]


def eids(
    context: int, draws: list[float], words: list[int], consent: Consent | None, country: str
) -> list[dict[str, Any]]:
    """The user's extended IDs for one context (0 web, 1 app, 2 CTV) that consent allows.

    ``draws`` holds one uniform per provider, ``words`` one random 64-bit word per provider.
    """
    out = []
    for index, (source, atype, mm, coverage) in enumerate(EID_PROVIDERS):
        chance = coverage[context] * (1.0 if country == "USA" or source != "uidapi.com" else 0.25)
        if draws[index] >= chance:
            continue
        if consent is not None and not consent.allows_vendor(source):
            continue
        word = words[index]
        if source in ("pubcid.org", "adserver.org"):
            uid = uuid_text(word, word ^ 0x9E3779B97F4A7C15)
        elif source == "id5-sync.com":
            uid = "ID5*" + token(word, b"id5", 60)
        elif source == "liveramp.com":
            uid = "Ai" + token(word, b"ramp", 86)
        elif source == "uidapi.com":
            uid = uid2_token(word)
        else:
            uid = token(word, b"criteo", 40)
        eid: dict[str, Any] = {"inserter": INSERTER, "source": source}
        if mm >= 3:
            eid["matcher"] = source
        eid.update(mm=mm, uids=[{"id": uid, "atype": atype}])
        out.append(eid)
    return out
