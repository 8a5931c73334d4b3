"""Privacy signal encoders: IAB TCF v2 consent strings, GPP strings and US Privacy strings.

- TCF: "Consent string and vendor list formats v2" (IAB Tech Lab), core segment plus the
  Disclosed Vendors segment that TCF 2.3 makes mandatory; Base64URL without padding.
- GPP: "Consent String Specification" v1 header (type 3, version 1, Fibonacci range of section
  ids) and the US sections usnat (7), usca (8), usva (9), usco (10), usct (12) in their version 1
  layouts, with the GPC sub-section where the section defines one; uspv1 (6) carries the US
  Privacy string verbatim.
- US Privacy: "1" + notice given + opted out of sale + LSPA covered, each Y / N / -.

PublisherCC is the publisher's country (TCF v2 "Consent string and vendor list formats": the
country "that determines legislation of reference. Commonly, this corresponds to the country
in which the publisher's business entity is established"), not the user's: a user's choices
are encoded once and each request puts its publisher's country in (``tcf_publisher_cc_chars``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

_B64URL: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

TCF_VERSION: Final = 2
TCF_POLICY_VERSION: Final = 4  # TCF 2.2 and later
TCF_PURPOSES: Final = 11
# Purposes that may rest on legitimate interest in TCF 2.2 (3-6 may not).
LI_PURPOSES: Final = frozenset({2, 7, 8, 9, 10, 11})

GPP_HEADER_TYPE: Final = 3
GPP_VERSION: Final = 1
SECTION_USP: Final = 6
SECTION_USNAT: Final = 7
SECTION_USCA: Final = 8
SECTION_USVA: Final = 9
SECTION_USCO: Final = 10
SECTION_USCT: Final = 12

# Field layout after ``Version`` of each US section, version 1: widths of the Int(2) fields,
# with the fixed lists of 2-bit values written out, and whether a GPC sub-section follows.
# (notices, opt-outs, sensitive data count, known-child count or None for a single Int(2))
_US_LAYOUT: Final = {
    SECTION_USNAT: (6, 3, 12, 2, True),
    SECTION_USCA: (3, 2, 9, 2, True),
    SECTION_USVA: (3, 2, 8, None, False),
    SECTION_USCO: (3, 2, 7, None, True),
    SECTION_USCT: (3, 2, 8, 3, True),
}


class BitWriter:
    """Big-endian bit accumulator."""

    __slots__ = ("length", "value")

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def uint(self, value: int, bits: int) -> BitWriter:
        if value < 0 or value >= 1 << bits:
            raise ValueError(f"{value} does not fit in {bits} bits")
        self.value = (self.value << bits) | value
        self.length += bits
        return self

    def flags(self, ids: Iterable[int], size: int) -> BitWriter:
        """A bitfield of ``size`` bits where bit i-1 is set for each id i."""
        field = 0
        for item in ids:
            field |= 1 << (size - item)
        return self.uint(field, size)

    def fibonacci(self, value: int) -> BitWriter:
        """Fibonacci (Zeckendorf) code of a positive integer, ending in ``11``."""
        if value < 1:
            raise ValueError("Fibonacci coding needs a positive integer")
        fibs = [1, 2]
        while fibs[-1] <= value:
            fibs.append(fibs[-1] + fibs[-2])
        code = [0] * (len(fibs) - 1)
        rest = value
        for index in range(len(fibs) - 2, -1, -1):
            if fibs[index] <= rest:
                code[index] = 1
                rest -= fibs[index]
        while code and code[-1] == 0:
            code.pop()
        for bit in (*code, 1):
            self.uint(bit, 1)
        return self

    def base64url_bytes(self) -> str:
        """TCF style: pad to whole bytes, then Base64URL without ``=`` padding."""
        pad = -self.length % 8
        data = (self.value << pad).to_bytes((self.length + pad) // 8, "big")
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    def base64url_sixes(self) -> str:
        """GPP style: pad to a multiple of 6 bits, one Base64URL character per 6 bits."""
        pad = -self.length % 6
        value = self.value << pad
        chars = (self.length + pad) // 6
        return "".join(_B64URL[(value >> (6 * (chars - 1 - i))) & 63] for i in range(chars))


@dataclass(frozen=True, slots=True)
class TcfChoices:
    """What a user chose in a CMP, and what that CMP disclosed."""

    cmp_id: int
    cmp_version: int
    consent_screen: int
    language: str  # ISO 639-1, two letters
    vendor_list_version: int
    special_features: frozenset[int]
    purposes_consent: frozenset[int]
    purposes_li: frozenset[int]
    vendors_consent: frozenset[int]
    vendors_li: frozenset[int]
    disclosed_vendors: frozenset[int]
    publisher_cc: str  # ISO 3166-1 alpha-2


# The first characters of a TC string hold Version, Created and LastUpdated (78 bits).
TCF_TIMESTAMP_CHARS: Final = 13
# The Base64 characters holding PublisherCC (core bits 201-212) and their neighbours, which are
# always zero here (PurposesLITransparency bits of purposes 23 and 24, PurposeOneTreatment, the
# top 3 bits of MaxVendorId): characters 33 to 35, so a string's publisher country can be put
# in without re-encoding the rest (see ``tcf_publisher_cc_chars``).
TCF_PUBLISHER_CC_CHARS: Final = (33, 36)


def tcf_publisher_cc_chars(country: str) -> str:
    """The three TC string characters (``TCF_PUBLISHER_CC_CHARS``) that say PublisherCC: the
    country of the publisher's establishment, whose law is of reference (ISO 3166-1 alpha-2)."""
    bits = BitWriter().uint(0, 3)
    _letters(bits, country)
    return bits.uint(0, 3).base64url_sixes()


def tcf_timestamp_prefix(deciseconds: int) -> str:
    """The first 13 characters of a TC string: Version, Created and LastUpdated (78 bits).

    TCF 2.2 sets Created and LastUpdated to the same day-truncated time; 78 bits are exactly 13
    Base64 characters, so this prefix can be swapped without re-encoding the rest.
    """
    bits = BitWriter().uint(TCF_VERSION, 6).uint(deciseconds, 36).uint(deciseconds, 36)
    return bits.base64url_sixes()


def tcf_string(choices: TcfChoices, deciseconds: int) -> str:
    """A complete TC string (core segment + Disclosed Vendors segment)."""
    core = BitWriter().uint(TCF_VERSION, 6).uint(deciseconds, 36).uint(deciseconds, 36)
    core.uint(choices.cmp_id, 12).uint(choices.cmp_version, 12).uint(choices.consent_screen, 6)
    _letters(core, choices.language)
    core.uint(choices.vendor_list_version, 12).uint(TCF_POLICY_VERSION, 6)
    core.uint(1, 1)  # IsServiceSpecific: must be 1
    core.uint(0, 1)  # UseNonStandardTexts
    core.flags(choices.special_features, 12)
    core.flags(choices.purposes_consent, 24)
    core.flags(choices.purposes_li, 24)
    core.uint(0, 1)  # PurposeOneTreatment
    _letters(core, choices.publisher_cc)
    _vendor_section(core, choices.vendors_consent)
    _vendor_section(core, choices.vendors_li)
    core.uint(0, 12)  # NumPubRestrictions
    disclosed = BitWriter().uint(1, 3)  # SegmentType 1 = DisclosedVendors
    _vendor_section(disclosed, choices.disclosed_vendors)
    text = core.base64url_bytes()
    first, end = TCF_PUBLISHER_CC_CHARS
    if text[first:end] != tcf_publisher_cc_chars(choices.publisher_cc):
        raise ValueError("PublisherCC does not sit alone in its characters (vendor id >= 8192?)")
    return f"{text}.{disclosed.base64url_bytes()}"


def _letters(bits: BitWriter, code: str) -> None:
    for char in code.upper():
        bits.uint(ord(char) - ord("A"), 6)


def _vendor_section(bits: BitWriter, vendors: frozenset[int]) -> None:
    """MaxVendorId, then a bitfield or a range list, whichever is shorter (as the spec asks)."""
    max_id = max(vendors, default=0)
    bits.uint(max_id, 16)
    ranges = _ranges(sorted(vendors))
    range_bits = 12 + sum(17 if start == end else 33 for start, end in ranges)
    if range_bits < max_id:
        bits.uint(1, 1).uint(len(ranges), 12)
        for start, end in ranges:
            if start == end:
                bits.uint(0, 1).uint(start, 16)
            else:
                bits.uint(1, 1).uint(start, 16).uint(end, 16)
    else:
        bits.uint(0, 1).flags(vendors, max_id)


def _ranges(ids: Sequence[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for item in ids:
        if out and out[-1][1] == item - 1:
            out[-1] = (out[-1][0], item)
        else:
            out.append((item, item))
    return out


def us_privacy_string(notice: bool, opted_out: bool, lspa: bool) -> str:
    """IAB US Privacy string, version 1 (CCPA)."""
    return "1" + ("Y" if notice else "N") + ("Y" if opted_out else "N") + ("Y" if lspa else "N")


@dataclass(frozen=True, slots=True)
class UsChoices:
    """A US consumer's state as the MSPA sections record it."""

    opted_out: bool  # sale / sharing / targeted advertising
    gpc: bool  # Global Privacy Control signal seen
    mspa_covered: bool


def gpp_header(section_ids: Sequence[int]) -> str:
    """GPP header: type, version and the section ids as a Fibonacci range of single ids."""
    if list(section_ids) != sorted(set(section_ids)) or not section_ids:
        raise ValueError(f"GPP section ids must be unique and ascending, got {section_ids}")
    bits = BitWriter().uint(GPP_HEADER_TYPE, 6).uint(GPP_VERSION, 6).uint(len(section_ids), 12)
    previous = 0
    for section in section_ids:
        bits.uint(0, 1).fibonacci(section - previous)
        previous = section
    return bits.base64url_sixes()


def us_section(section_id: int, choices: UsChoices) -> str:
    """A version-1 US state or national section (core segment, plus GPC where defined)."""
    notices, opt_outs, sensitive, known_child, has_gpc = _US_LAYOUT[section_id]
    opt_out = 1 if choices.opted_out else 2  # 1 = opted out, 2 = did not opt out
    bits = BitWriter().uint(1, 6)
    for _ in range(notices):
        bits.uint(1, 2)  # notice provided
    for _ in range(opt_outs):
        bits.uint(opt_out, 2)
    for _ in range(sensitive):
        bits.uint(0, 2)  # not applicable: no sensitive data processed
    for _ in range(known_child if known_child is not None else 1):
        bits.uint(0, 2)
    if section_id in (SECTION_USNAT, SECTION_USCA):
        bits.uint(0, 2)  # PersonalDataConsents: not applicable
    covered = 1 if choices.mspa_covered else 2
    bits.uint(covered, 2)
    bits.uint(1 if choices.mspa_covered else 0, 2)  # MspaOptOutOptionMode
    bits.uint(2 if choices.mspa_covered else 0, 2)  # MspaServiceProviderMode
    core = bits.base64url_sixes()
    if not has_gpc:
        return core
    gpc = BitWriter().uint(1, 2).uint(1 if choices.gpc else 0, 1).base64url_sixes()
    return f"{core}.{gpc}"


def gpp_string(sections: Sequence[tuple[int, str]]) -> str:
    """Header plus encoded sections, in ascending section-id order, joined with ``~``."""
    ordered = sorted(sections)
    return "~".join([gpp_header([sid for sid, _ in ordered]), *(text for _, text in ordered)])
