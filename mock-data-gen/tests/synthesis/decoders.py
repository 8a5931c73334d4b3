"""Independent decoders for the privacy strings the generator writes, following the IAB specs
(not the generator's encoder): TCF v2 TC strings, GPP headers and US sections."""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass

_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class Bits:
    def __init__(self, text: str, sixes: bool) -> None:
        if sixes:
            self.bits = "".join(f"{_B64URL.index(c):06b}" for c in text)
        else:
            padded = text + "=" * (-len(text) % 4)
            self.bits = "".join(f"{byte:08b}" for byte in base64.urlsafe_b64decode(padded))
        self.pos = 0

    def read(self, width: int) -> int:
        if self.pos + width > len(self.bits):
            raise ValueError(f"read past the end ({self.pos} + {width} > {len(self.bits)})")
        value = int(self.bits[self.pos : self.pos + width], 2)
        self.pos += width
        return value

    def letters(self, count: int) -> str:
        return "".join(chr(ord("A") + self.read(6)) for _ in range(count))

    def flags(self, width: int) -> frozenset[int]:
        return frozenset(i + 1 for i in range(width) if self.read(1))

    def fibonacci(self) -> int:
        fibs = [1, 2]
        value, index, previous = 0, 0, 0
        while True:
            bit = self.read(1)
            if bit and previous:
                return value
            while index >= len(fibs):
                fibs.append(fibs[-1] + fibs[-2])
            if bit:
                value += fibs[index]
            previous = bit
            index += 1

    def rest_is_padding(self) -> bool:
        return set(self.bits[self.pos :]) <= {"0"}


@dataclass
class TcString:
    version: int
    created: int
    last_updated: int
    cmp_id: int
    cmp_version: int
    consent_screen: int
    consent_language: str
    vendor_list_version: int
    policy_version: int
    service_specific: int
    special_features: frozenset[int]
    purposes_consent: frozenset[int]
    purposes_li: frozenset[int]
    publisher_cc: str
    vendors_consent: frozenset[int]
    vendors_li: frozenset[int]
    disclosed_vendors: frozenset[int] | None


def _vendors(bits: Bits) -> frozenset[int]:
    max_id = bits.read(16)
    if bits.read(1) == 0:
        return bits.flags(max_id)
    out: set[int] = set()
    for _ in range(bits.read(12)):
        if bits.read(1):
            start, end = bits.read(16), bits.read(16)
            out.update(range(start, end + 1))
        else:
            out.add(bits.read(16))
    if out and max(out) != max_id:
        raise ValueError("range section does not end at MaxVendorId")
    return frozenset(out)


@functools.cache
def decode_tc_string(text: str) -> TcString:
    """Decode a TC string (core segment plus optional Disclosed Vendors segment)."""
    segments = text.split(".")
    core = Bits(segments[0], sixes=False)
    fields = [core.read(6), core.read(36), core.read(36), core.read(12), core.read(12)]
    fields += [core.read(6), core.letters(2), core.read(12), core.read(6), core.read(1)]
    core.read(1)  # UseNonStandardTexts
    special, consent, li = core.flags(12), core.flags(24), core.flags(24)
    core.read(1)  # PurposeOneTreatment
    publisher_cc = core.letters(2)
    vendors_consent = _vendors(core)
    vendors_li = _vendors(core)
    for _ in range(core.read(12)):  # publisher restrictions
        core.read(6 + 2)
        _vendors_range(core)
    if not core.rest_is_padding():
        raise ValueError("trailing data after the core segment")
    disclosed = None
    for segment in segments[1:]:
        bits = Bits(segment, sixes=False)
        if bits.read(3) == 1:
            disclosed = _vendors(bits)
    return TcString(
        *fields, special, consent, li, publisher_cc, vendors_consent, vendors_li, disclosed
    )


def _vendors_range(bits: Bits) -> None:
    for _ in range(bits.read(12)):
        if bits.read(1):
            bits.read(32)
        else:
            bits.read(16)


@functools.cache
def decode_gpp_header(header: str) -> list[int]:
    """Section ids listed in a GPP header (type 3, version 1, Fibonacci range)."""
    bits = Bits(header, sixes=True)
    if bits.read(6) != 3:
        raise ValueError("not a GPP header (type != 3)")
    if bits.read(6) != 1:
        raise ValueError("unsupported GPP version")
    ids: list[int] = []
    last = 0
    for _ in range(bits.read(12)):
        is_range = bits.read(1)
        start = last + bits.fibonacci()
        if is_range:
            end = start + bits.fibonacci()
            ids.extend(range(start, end + 1))
            last = end
        else:
            ids.append(start)
            last = start
    if not bits.rest_is_padding():
        raise ValueError("trailing data after the header")
    return ids


# Version-1 US sections: (number of Int(2) fields before the sensitive-data list, sensitive data
# count, known-child count, trailing Int(2) fields, GPC sub-section allowed).
US_SECTION_LAYOUT = {
    7: (9, 12, 2, 4, True),
    8: (5, 9, 2, 4, True),
    9: (5, 8, 1, 3, False),
    10: (5, 7, 1, 3, True),
    12: (5, 8, 3, 3, True),
}
# Position of the opt-out fields among the leading Int(2) fields, per section.
US_OPT_OUTS = {7: (6, 7, 8), 8: (3, 4), 9: (3, 4), 10: (3, 4), 12: (3, 4)}


@functools.cache
def decode_us_section(section_id: int, text: str) -> dict[str, object]:
    """Decode a version-1 US national or state section into its main fields."""
    core, *subsections = text.split(".")
    leading, sensitive, child, trailing, gpc_allowed = US_SECTION_LAYOUT[section_id]
    bits = Bits(core, sixes=True)
    version = bits.read(6)
    head = [bits.read(2) for _ in range(leading)]
    sensitive_values = [bits.read(2) for _ in range(sensitive)]
    child_values = [bits.read(2) for _ in range(child)]
    tail = [bits.read(2) for _ in range(trailing)]
    if not bits.rest_is_padding():
        raise ValueError("trailing data after the core segment")
    gpc = None
    for sub in subsections:
        if not gpc_allowed:
            raise ValueError("this section has no GPC sub-section")
        sub_bits = Bits(sub, sixes=True)
        if sub_bits.read(2) != 1:
            raise ValueError("unknown sub-section type")
        gpc = bool(sub_bits.read(1))
    opt_outs = [head[i] for i in US_OPT_OUTS[section_id]]
    return {
        "version": version,
        "head": head,
        "opt_outs": opt_outs,
        "sensitive": sensitive_values,
        "child": child_values,
        "mspa": tail[-3:],
        "gpc": gpc,
    }
