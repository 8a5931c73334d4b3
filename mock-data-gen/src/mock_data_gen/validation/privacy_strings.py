"""The privacy strings a request carries, read as their IAB specifications define them.

- TCF v2 consent (``user.consent``): only its shape (base64url segments, version 2, long enough
  for the core segment's fixed fields); the fields are not decoded.
- US Privacy (``regs.us_privacy``, "US Privacy String" v1, the CCPA string): version ``1``, then
  notice given, opted out of sale and covered by the LSPA, each ``Y``, ``N`` or ``-``.
- GPP (``regs.gpp``, "Consent String Specification" v1): sections separated by ``~``, the first
  one the header. The header is base64url, 6 bits per character: Type Int(6) = 3 (the header's
  section id), Version Int(6) = 1, then SectionIds as a Range(Fibonacci): Int(12) entries, each
  a Bool(1) "is a range" and a Fibonacci-coded offset from the previous id (and for a range a
  second offset to its end). One section follows the header per listed id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mock_data_gen.validation.findings import shown

_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_SIXES = {char: index for index, char in enumerate(_B64URL)}
# IAB TCF v2 consent string: base64url segments separated by "."; the core segment opens with the
# 6-bit version (2 encodes as "C") and its fixed fields alone take 213 bits (36 characters).
_TCF_SEGMENTS = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
_TCF_CORE_MIN_CHARS = 36
_US_PRIVACY = re.compile(r"1[YN-]{3}")
# A GPP section after the header: base64url segments separated by "." (a section's
# sub-sections); the US Privacy section (6) holds its string verbatim, which fits too.
_GPP_SECTION = _TCF_SEGMENTS
GPP_HEADER_ID = 3
GPP_VERSION = 1


def tcf_problem(consent: str) -> str | None:
    core = consent.split(".", 1)[0]
    if (
        _TCF_SEGMENTS.fullmatch(consent)
        and core.startswith("C")
        and len(core) >= _TCF_CORE_MIN_CHARS
    ):
        return None
    return (
        "not an IAB TCF v2 consent string (base64url segments separated by '.', the core one "
        f'starting with "C" for version 2), got {shown(consent)}'
    )


def us_privacy_problem(value: str) -> str | None:
    if _US_PRIVACY.fullmatch(value):
        return None
    return (
        'not a US Privacy string: version "1", then notice given, opted out of sale and '
        f'covered by the LSPA, each Y, N or - (e.g. "1YNN"), got {shown(value)}'
    )


@dataclass(frozen=True, slots=True)
class GppString:
    """A GPP string whose header decodes: the section ids it lists."""

    section_ids: tuple[int, ...]


class GppError(ValueError):
    """A GPP string that does not follow the GPP specification (the message says where)."""


def decode_gpp(value: str) -> GppString:
    """Decode a GPP string's header and check the sections that follow it (raises GppError)."""
    header, *sections = value.split("~")
    ids = _header_section_ids(header)
    if len(sections) != len(ids):
        raise GppError(
            f"the header lists {len(ids)} section(s) {list(ids)} but {len(sections)} follow it"
        )
    for section_id, section in zip(ids, sections, strict=True):
        if not _GPP_SECTION.fullmatch(section):
            raise GppError(f"section {section_id} is not base64url: {shown(section)}")
    return GppString(ids)


class _Bits:
    """The bits of a base64url string, 6 per character, read from the left."""

    def __init__(self, text: str) -> None:
        try:
            self.bits = "".join(f"{_SIXES[char]:06b}" for char in text)
        except KeyError as error:
            raise GppError(f"header is not base64url: {shown(error.args[0])} in it") from None
        self.pos = 0

    def read(self, width: int) -> int:
        if self.pos + width > len(self.bits):
            raise GppError("header ends before its section ids do")
        value = int(self.bits[self.pos : self.pos + width], 2)
        self.pos += width
        return value

    def fibonacci(self) -> int:
        """A Fibonacci (Zeckendorf) code: value bits for 1, 2, 3, 5, ..., ended by ``11``."""
        value, weight, next_weight, previous = 0, 1, 2, 0
        while True:
            bit = self.read(1)
            if bit and previous:
                return value
            if bit:
                value += weight
            weight, next_weight = next_weight, weight + next_weight
            previous = bit


def _header_section_ids(header: str) -> tuple[int, ...]:
    if not header:
        raise GppError("empty header")
    bits = _Bits(header)
    kind = bits.read(6)
    if kind != GPP_HEADER_ID:
        raise GppError(f"header section id is {kind}, not {GPP_HEADER_ID}")
    version = bits.read(6)
    if version != GPP_VERSION:
        raise GppError(f"header version is {version}, not {GPP_VERSION}")
    ids: list[int] = []
    last = 0
    for _ in range(bits.read(12)):
        is_range = bits.read(1)
        start = last + bits.fibonacci()
        end = start + bits.fibonacci() if is_range else start
        ids.extend(range(start, end + 1))
        last = end
    if not ids:
        raise GppError("header lists no sections")
    return tuple(ids)
