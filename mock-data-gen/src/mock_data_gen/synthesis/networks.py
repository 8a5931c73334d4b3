"""Where users' IP addresses come from: address blocks of large access ISPs, per country.

Source: the Regional Internet Registries' delegation files and whois records (ARIN, RIPE NCC,
APNIC, LACNIC, AFRINIC), which record each block's holder and country. The table keeps a few
well-known allocations to the biggest consumer broadband and mobile operators of each market, so
an exchange engineer's GeoIP lookup of a generated address lands in the stated country at a
plausible ISP. Blocks are whole allocations or subsets of one; IPv6 is listed only for operators
whose customer prefixes are widely seen (others leave users IPv4-only).

``scripts/check-ip-blocks.py`` checks the table against current whois-country and routing data
(last run November 2026): every block lies wholly in its country, and the addresses sampled from
it are announced by the named operator's autonomous systems (a few percent of some large blocks by
a sister network).
"""

from __future__ import annotations

import ipaddress
from typing import Final

# ISO-3166-1 alpha-3 -> ((network, operator), ...)
IPV4: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "USA": (
        ("73.0.0.0/8", "Comcast"),
        ("98.192.0.0/10", "Comcast"),
        ("68.32.0.0/11", "Comcast"),
        ("24.0.0.0/12", "Comcast"),
        ("12.0.0.0/8", "AT&T"),
        ("97.128.0.0/9", "Verizon Wireless"),
        ("174.192.0.0/10", "Verizon Wireless"),
        ("172.32.0.0/11", "T-Mobile USA"),
    ),
    "CAN": (
        ("99.224.0.0/11", "Rogers"),
        ("174.88.0.0/13", "Bell Canada"),
        ("24.64.0.0/13", "Shaw"),
    ),
    "MEX": (
        ("189.224.0.0/13", "Telmex"),
        ("201.120.0.0/14", "Telmex"),
        ("189.152.0.0/14", "Telmex"),
        ("187.232.0.0/14", "Telmex"),
    ),
    "BRA": (
        ("179.224.0.0/13", "Telefonica Brasil (Vivo)"),
        ("177.168.0.0/13", "Telefonica Brasil (Vivo)"),
        ("191.248.0.0/14", "Telefonica Brasil (Vivo)"),
        ("191.176.0.0/13", "Claro"),
        ("179.136.0.0/13", "Claro"),
    ),
    "ARG": (
        ("24.232.0.0/16", "Telecom Argentina (Fibertel)"),
        ("190.244.0.0/14", "Telecom Argentina"),
        ("186.136.0.0/14", "Telecom Argentina"),
        ("181.44.0.0/14", "Telecentro"),
    ),
    "GBR": (
        ("86.128.0.0/10", "BT"),
        ("81.128.0.0/11", "BT"),
        ("31.48.0.0/13", "BT"),
        ("81.96.0.0/12", "Virgin Media"),
        ("86.0.0.0/11", "Virgin Media"),
        ("90.192.0.0/11", "Sky UK"),
    ),
    "DEU": (
        ("79.192.0.0/10", "Deutsche Telekom"),
        ("84.128.0.0/10", "Deutsche Telekom"),
        ("87.128.0.0/10", "Deutsche Telekom"),
        ("91.0.0.0/10", "Deutsche Telekom"),
        ("93.192.0.0/10", "Deutsche Telekom"),
        ("88.64.0.0/12", "Vodafone Germany (Arcor)"),
    ),
    "FRA": (
        ("90.0.0.0/11", "Orange"),
        ("90.48.0.0/12", "Orange"),
        ("86.192.0.0/11", "Orange"),
        ("109.208.0.0/12", "Orange"),
        ("82.224.0.0/11", "Free (Proxad)"),
        ("88.160.0.0/11", "Free (Proxad)"),
    ),
    "ITA": (
        ("79.0.0.0/10", "Telecom Italia"),
        ("87.0.0.0/12", "Telecom Italia"),
        ("93.32.0.0/12", "Fastweb"),
    ),
    "ESP": (
        ("83.32.0.0/11", "Telefonica de Espana"),
        ("88.0.0.0/11", "Telefonica de Espana"),
        ("79.144.0.0/12", "Telefonica de Espana"),
    ),
    "NLD": (
        ("84.24.0.0/13", "Ziggo"),
        ("77.160.0.0/12", "KPN"),
    ),
    "SWE": (
        ("81.224.0.0/12", "Telia"),
        ("78.64.0.0/12", "Telia"),
        ("83.248.0.0/13", "Tele2 (Com Hem)"),
    ),
    "POL": (
        ("83.0.0.0/11", "Orange Polska"),
        ("79.184.0.0/13", "Orange Polska"),
    ),
    "IND": (
        ("49.32.0.0/13", "Reliance Jio"),
        ("157.32.0.0/12", "Reliance Jio"),
        ("122.160.0.0/12", "Bharti Airtel"),
        ("106.192.0.0/11", "Bharti Airtel"),
    ),
    "IDN": (
        ("36.64.0.0/11", "Telkom Indonesia"),
        ("39.192.0.0/10", "Telkomsel"),
        ("182.0.0.0/12", "Telkomsel"),
    ),
    "JPN": (
        ("60.64.0.0/10", "SoftBank"),
        ("126.64.0.0/11", "SoftBank"),
        ("153.128.0.0/10", "NTT Communications (OCN)"),
        ("180.0.0.0/10", "NTT Communications (OCN)"),
        ("106.128.0.0/11", "KDDI"),
    ),
    "AUS": (
        ("1.128.0.0/11", "Telstra"),
        ("49.176.0.0/12", "Optus"),
    ),
    "ZAF": (
        ("165.8.0.0/14", "Telkom SA"),
        ("105.224.0.0/14", "Telkom SA"),
        ("41.4.0.0/14", "Vodacom"),
        ("41.28.0.0/14", "Vodacom"),
        ("105.216.0.0/13", "MTN SA"),
    ),
}
IPV6: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "USA": (("2601::/20", "Comcast"), ("2607:fb90::/32", "T-Mobile USA")),
    "CAN": (("2607:fea8::/32", "Rogers"),),
    "GBR": (("2a00:23c0::/28", "BT"), ("2a02:c7f::/32", "Sky UK")),
    "DEU": (("2003::/23", "Deutsche Telekom"),),
    "FRA": (("2a01:cb00::/27", "Orange"), ("2a01:e20::/27", "Free (Proxad)")),
    "NLD": (("2001:1c00::/23", "Ziggo"),),
    "IND": (("2409:4000::/22", "Reliance Jio"), ("2401:4900::/32", "Bharti Airtel")),
    "AUS": (("2001:8000::/20", "Telstra"),),
}
# Home and mobile subscribers get a /56 (RIPE-690, common practice); the generator writes that
# prefix with the interface bits zeroed, as exchanges truncate IPv6 addresses.
SUBSCRIBER_PREFIX: Final = 56


def networks(country: str, version: int) -> tuple[tuple[int, int], ...]:
    """(first address as an int, number of addresses) of each block of ``country``."""
    table = IPV4 if version == 4 else IPV6
    out = []
    for cidr, _ in table.get(country, ()):
        net = ipaddress.ip_network(cidr)  # strict: a typo in the table fails at start-up
        out.append((int(net.network_address), net.num_addresses))
    return tuple(out)


def ipv4_in(block: tuple[int, int], u_subnet: float, u_host: float) -> str:
    """An address of ``block``: a /24 picked by ``u_subnet``, host 1-254 by ``u_host``."""
    first, size = block
    subnet = int(u_subnet * (size >> 8)) << 8
    return str(ipaddress.IPv4Address(first + subnet + 1 + int(u_host * 254)))


def ipv6_in(block: tuple[int, int], u_high: float, u_low: float) -> str:
    """A subscriber /56 of ``block`` (two uniforms give enough bits for a /20's 36)."""
    first, size = block
    prefixes = size >> (128 - SUBSCRIBER_PREFIX)
    pick = (int(u_high * 4096) * 16_777_216 + int(u_low * 16_777_216)) % prefixes
    return str(ipaddress.IPv6Address(first + (pick << (128 - SUBSCRIBER_PREFIX))))
