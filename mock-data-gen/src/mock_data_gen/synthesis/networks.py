"""Where users' connections come from: each market's access operators and their address blocks.

A user's connection is drawn operator first: a broadband operator for fixed lines (Ethernet,
Wi-Fi), a mobile network for cellular ones. Its IPv4 and IPv6 addresses, and for cellular
connections the ``carrier`` and ``mccmnc`` (OpenRTB 2.6 §3.2.18), all come from that operator, so
that an exchange engineer's GeoIP/ISP lookup of either address names the carrier the request
states, in the user's country. The operators, their blocks and the IPv6 shares, with their
sources, are in ``networks_data``; users of operators with IPv6 blocks get IPv6 at the rate that
meets their country's share (``IPV6_SHARE``).
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
from collections.abc import Sequence
from typing import Final, NamedTuple

from mock_data_gen.synthesis.networks_data import IPV6_SHARE, OPERATORS, Operator

# The blocks as (network, operator) per country, for checks and lookups.
IPV4: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    country: tuple((cidr, op.name) for op in ops for cidr in op.v4)
    for country, ops in OPERATORS.items()
}
IPV6: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    country: tuple((cidr, op.name) for op in ops for cidr in op.v6)
    for country, ops in OPERATORS.items()
}
# Home and mobile subscribers get a /56 (RIPE-690, common practice); the generator writes that
# prefix with the interface bits zeroed, as exchanges truncate IPv6 addresses.
SUBSCRIBER_PREFIX: Final = 56
# Where privacy asks for it, exchanges mask the last IPv4 octet and keep an IPv6 /48: the /24 and
# /48 of Google Analytics' IP anonymisation (the last 80 IPv6 bits zeroed); Prebid Server masks
# IPv4 the same way and IPv6 to a configurable prefix.
MASKED_PREFIX: Final = 48
_MASKED_BITS: Final = 128 - MASKED_PREFIX
# Share of IPv6 users whose request also carries their IPv4 address (dual stack seen).
DUAL_STACK_SHOWN: Final = 0.7


def operator(country: str, name: str) -> Operator:
    """The operator of ``country`` called ``name``."""
    for candidate in OPERATORS[country]:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no operator {name!r} in {country}")


def networks(country: str, version: int) -> tuple[tuple[int, int], ...]:
    """(first address as an int, number of addresses) of each block of ``country``."""
    table = IPV4 if version == 4 else IPV6
    return tuple(_block(cidr) for cidr, _ in table.get(country, ()))


def _block(cidr: str) -> tuple[int, int]:
    net = ipaddress.ip_network(cidr)  # strict: a typo in the table fails at start-up
    return int(net.network_address), net.num_addresses


def ipv4_in(block: tuple[int, int], u_subnet: float, u_host: float) -> str:
    """An address of ``block``: a /24 picked by ``u_subnet``, host 1-254 by ``u_host``."""
    first, size = block
    subnet = int(u_subnet * (size >> 8)) << 8
    address = first + subnet + 1 + int(u_host * 254)
    return f"{address >> 24}.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}"


def ipv6_in(block: tuple[int, int], u_high: float, u_low: float) -> str:
    """A subscriber /56 of ``block`` (two uniforms give enough bits for a /20's 36)."""
    return ipv6_text(_ipv6_prefix(block, u_high, u_low))


def ipv6_text(address: int) -> str:
    """RFC 5952 text of an IPv6 address (as ``ipaddress`` writes it, several times faster): lower
    case, the longest run of two or more zero groups (the first of equals) as ``::``."""
    if address & 0xFFFF_FFFF_FFFF_FFFF == 0 and address:
        # A prefix of /64 or shorter (all the generator writes): the zeros end it.
        top = [
            address >> 112,
            address >> 96 & 0xFFFF,
            address >> 80 & 0xFFFF,
            address >> 64 & 0xFFFF,
        ]
        while not top[-1]:
            top.pop()
        return ":".join([f"{g:x}" for g in top]) + "::"
    groups = [address >> shift & 0xFFFF for shift in range(112, -16, -16)]
    best, best_len, start = 0, 0, -1
    for index, group in enumerate((*groups, 1)):
        if group == 0:
            if start < 0:
                start = index
        elif start >= 0:
            if index - start > best_len:
                best, best_len = start, index - start
            start = -1
    if best_len < 2:
        return ":".join(f"{g:x}" for g in groups)
    head = ":".join(f"{g:x}" for g in groups[:best])
    tail = ":".join(f"{g:x}" for g in groups[best + best_len :])
    return f"{head}::{tail}"


def _ipv6_prefix(block: tuple[int, int], u_high: float, u_low: float) -> int:
    first, size = block
    prefixes = size >> (128 - SUBSCRIBER_PREFIX)
    pick = (int(u_high * 4096) * 16_777_216 + int(u_low * 16_777_216)) % prefixes
    return first + (pick << (128 - SUBSCRIBER_PREFIX))


def mask_ipv4(address: str) -> str:
    """Zero the last octet (the /24 exchanges keep under privacy rules)."""
    return address.rsplit(".", 1)[0] + ".0"


class Access(NamedTuple):
    """One user's connection: addresses as sent in full and masked, and the carrier and MCC-MNC of
    a cellular connection (None on fixed lines)."""

    ipv4: str
    ipv4_masked: str
    ipv6: str | None
    ipv6_masked: str | None
    carrier: str | None
    mccmnc: str | None

    def addresses(self, masked: bool, ipv4_shown: bool) -> dict[str, str]:
        """``device.ip`` / ``device.ipv6``: IPv6 users show their IPv4 address too if
        ``ipv4_shown``; ``masked`` truncates both (/24, /48)."""
        out: dict[str, str] = {}
        if self.ipv6 is None or ipv4_shown:
            out["ip"] = self.ipv4_masked if masked else self.ipv4
        if self.ipv6 is not None and self.ipv6_masked is not None:
            out["ipv6"] = self.ipv6_masked if masked else self.ipv6
        return out

    def carrier_members(self) -> dict[str, str]:
        """``device.carrier`` and ``device.mccmnc`` of a cellular connection, else nothing."""
        if self.carrier is None or self.mccmnc is None:
            return {}
        return {"carrier": self.carrier, "mccmnc": self.mccmnc}


ACCESS_DRAWS: Final = 7  # uniforms consumed by CountryNetworks.access


class CountryNetworks:
    """A country's operators, ready to draw connections from (fixed lines or cellular)."""

    def __init__(self, country: str) -> None:
        operators = OPERATORS.get(country, ())
        if not any(op.v4 and op.fixed for op in operators) or not any(
            op.v4 and op.mobile for op in operators
        ):
            raise ValueError(
                f"networks_data.OPERATORS needs fixed and mobile operators with IPv4 blocks "
                f"for {country}"
            )
        target = IPV6_SHARE.get(country, 0.0)
        self._v4 = [tuple(_block(c) for c in op.v4) for op in operators]
        self._v6 = [tuple(_block(c) for c in op.v6) for op in operators]
        self._carriers = [(op.carrier, op.mccmnc) for op in operators]
        # Per kind (fixed, cellular): cumulative operator shares, the operators, and the rate of
        # IPv6 among each one's users: the same for every operator with IPv6 blocks, so that the
        # kind as a whole meets the country's share.
        self._kinds = []
        for kind in ("fixed", "mobile"):
            chosen = [(i, getattr(op, kind)) for i, op in enumerate(operators) if getattr(op, kind)]
            total = sum(share for _, share in chosen)
            with_v6 = sum(share for i, share in chosen if self._v6[i]) / total
            rate = min(1.0, target / with_v6) if with_v6 else 0.0
            cumulative, acc = [], 0.0
            for _, share in chosen:
                acc += share / total
                cumulative.append(acc)
            cumulative[-1] = 1.0
            rates = [rate if self._v6[i] else 0.0 for i, _ in chosen]
            self._kinds.append(([i for i, _ in chosen], cumulative, rates))

    def access(self, cellular: bool, u: Sequence[float]) -> Access:
        """A user's connection from ``ACCESS_DRAWS`` uniforms: the operator, then its addresses."""
        indexes, cumulative, rates = self._kinds[1 if cellular else 0]
        k = min(bisect.bisect_right(cumulative, u[0]), len(indexes) - 1)
        op = indexes[k]
        # What is left of u[0] within the operator's interval picks among its blocks.
        low = cumulative[k - 1] if k else 0.0
        rest = min(max((u[0] - low) / (cumulative[k] - low), 0.0), 0.999999)
        v4 = self._v4[op]
        ipv4 = ipv4_in(v4[int(rest * len(v4))], u[1], u[2])
        ipv6: str | None = None
        ipv6_masked: str | None = None
        if u[3] < rates[k]:
            v6 = self._v6[op]
            prefix = _ipv6_prefix(v6[min(int(u[4] * len(v6)), len(v6) - 1)], u[5], u[6])
            ipv6 = ipv6_text(prefix)
            ipv6_masked = ipv6_text(prefix >> _MASKED_BITS << _MASKED_BITS)
        carrier, mccmnc = self._carriers[op] if cellular else (None, None)
        return Access(ipv4, mask_ipv4(ipv4), ipv6, ipv6_masked, carrier, mccmnc)


@functools.cache
def country_networks(country: str) -> CountryNetworks:
    """The prepared operators of ``country`` (shared by its markets)."""
    return CountryNetworks(country)
