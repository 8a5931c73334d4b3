"""Access operators per country: their address blocks, carriers and shares, and IPv6 adoption.

Sources and realism notes:
- Address blocks: the Regional Internet Registries' delegation files and whois records (ARIN,
  RIPE NCC, APNIC, LACNIC, AFRINIC) and RouteViews routing data. Blocks are whole allocations or
  subsets of one, chosen among those the operator's autonomous systems announce.
  ``scripts/check-ip-blocks.py`` checks the table against current whois-country and routing data
  (ip-location-db packages of 17 June 2026): every block lies wholly in its country and is
  announced by the named operator (a few percent of some large blocks by a sister network). Where
  one operator runs fixed and mobile networks from the same blocks, which of them serve mobile
  subscribers is not public; such an operator's fixed and cellular users share its blocks.
- Carriers: the exchange-curated name of each mobile network (as in the OpenRTB examples:
  "VERIZON") and its MCC-MNC (ITU-T E.212 assignments, as national regulators list them).
- ``fixed`` / ``mobile``: rough shares of the country's broadband and mobile subscribers (operators'
  and regulators' published subscriber counts, rounded); Claro Argentina and Iliad Italy are left
  out for want of a block clearly theirs.
- ``IPV6_SHARE``: the share of users with IPv6 per country, from public measurements (see there).
"""

from __future__ import annotations

from typing import Final, NamedTuple


class Operator(NamedTuple):
    name: str  # the holder as whois and routing data show it (unique within its country)
    fixed: float  # share of the country's fixed-broadband subscribers (0: no fixed lines)
    mobile: float  # share of the country's mobile subscribers (0: no mobile network)
    carrier: str | None  # device.carrier of its cellular connections
    mccmnc: str | None  # device.mccmnc of its cellular connections
    v4: tuple[str, ...]
    v6: tuple[str, ...] = ()  # none: its users are IPv4-only


def _op(
    name: str,
    fixed: float,
    mobile: float,
    carrier: str | None,
    mccmnc: str | None,
    v4: tuple[str, ...],
    v6: tuple[str, ...] = (),
) -> Operator:
    return Operator(name, fixed, mobile, carrier, mccmnc, v4, v6)


# ISO-3166-1 alpha-3 -> operators
# fmt: off
OPERATORS: Final[dict[str, tuple[Operator, ...]]] = {
    "USA": (
        _op("Comcast", 0.36, 0, None, None,
            ("73.0.0.0/8", "98.192.0.0/10", "68.32.0.0/11", "24.0.0.0/12"), ("2601::/20",)),
        _op("Charter Spectrum", 0.34, 0, None, None,
            ("76.168.0.0/13", "72.176.0.0/13", "70.112.0.0/13"), ("2603:8080::/27", "2603:8000::/28")),
        _op("AT&T", 0.30, 0, None, None,
            ("99.32.0.0/11", "108.192.0.0/11", "107.192.0.0/11"), ("2602:300::/24",)),
        _op("Verizon Wireless", 0, 0.36, "VERIZON", "311-480",
            ("97.128.0.0/9", "174.192.0.0/10"), ("2600:1010::/29", "2600:1008::/29")),
        _op("T-Mobile USA", 0, 0.34, "T-MOBILE", "310-260", ("172.32.0.0/11",), ("2607:fb90::/32",)),
        _op("AT&T Mobility", 0, 0.30, "AT&T", "310-410",
            ("166.212.0.0/14", "166.200.0.0/14"), ("2600:380:4000::/35",)),
    ),
    "CAN": (
        _op("Rogers", 0.35, 0.35, "ROGERS", "302-720",
            ("99.224.0.0/11", "174.112.0.0/13"), ("2607:fea8::/32",)),
        _op("Bell Canada", 0.35, 0, None, None, ("174.88.0.0/13", "70.48.0.0/13"), ("2604:d40::/32",)),
        _op("Bell Mobility", 0, 0.33, "BELL", "302-610", ("184.151.128.0/19",), ("2605:b100:f500::/40",)),
        _op("Shaw", 0.30, 0, None, None, ("24.64.0.0/13", "70.64.0.0/12"), ("2604:3d00::/28",)),
        _op("TELUS", 0, 0.32, "TELUS", "302-220", ("23.16.0.0/15", "172.218.0.0/15"), ("2001:569::/32",)),
    ),
    "MEX": (
        _op("Telmex", 1.0, 0, None, None,
            ("189.224.0.0/13", "201.120.0.0/14", "189.152.0.0/14", "187.232.0.0/14"),
            ("2806:10a8::/29", "2806:1078::/29")),
        _op("Telcel (Radiomovil Dipsa)", 0, 0.62, "TELCEL", "334-020",
            ("200.68.160.0/20", "200.68.128.0/21"), ("2806:370::/32",)),
        _op("AT&T Mexico", 0, 0.20, "AT&T", "334-090",
            ("201.149.128.0/17", "189.201.0.0/18"), ("2806:288::/38",)),
        _op("Movistar (Pegaso PCS)", 0, 0.18, "MOVISTAR", "334-030",
            ("201.162.128.0/17", "201.166.128.0/18"), ("2806:200::/32",)),
    ),
    "BRA": (
        _op("Telefonica Brasil (Vivo)", 0.5, 0.38, "VIVO", "724-06",
            ("179.224.0.0/13", "177.168.0.0/13", "191.248.0.0/14"),
            ("2804:1b3:8000::/34", "2804:7f5:c000::/35")),
        _op("Claro", 0.5, 0.33, "CLARO", "724-05",
            ("191.176.0.0/13", "179.136.0.0/13"), ("2804:388::/30", "2804:1388::/30")),
        _op("TIM", 0, 0.29, "TIM", "724-02", ("191.168.0.0/13", "191.136.0.0/13"), ("2804:214::/32",)),
    ),
    "ARG": (
        _op("Telecom Argentina", 0.6, 0.55, "PERSONAL", "722-34",
            ("24.232.0.0/16", "190.244.0.0/14", "186.136.0.0/14"), ("2800:2000::/20",)),
        _op("Telecentro", 0.4, 0, None, None, ("181.44.0.0/14",), ("2800:810::/28",)),
        _op("Telefonica de Argentina (Movistar)", 0, 0.45, "MOVISTAR", "722-07",
            ("186.128.0.0/13", "201.176.0.0/14"), ("2802:8000::/25",)),
    ),
    "GBR": (
        _op("BT", 0.4, 0, None, None,
            ("86.128.0.0/10", "81.128.0.0/11", "31.48.0.0/13"), ("2a00:23c0::/28",)),
        _op("Virgin Media", 0.3, 0, None, None, ("81.96.0.0/12", "86.0.0.0/11"), ("2a02:8880::/25",)),
        _op("Sky UK", 0.3, 0, None, None, ("90.192.0.0/11",), ("2a02:c7f::/32",)),
        _op("EE (BT)", 0, 0.35, "EE", "234-30", ("31.94.0.0/16",), ("2a01:4c8::/29",)),
        _op("Vodafone UK", 0, 0.25, "VODAFONE", "234-15", ("90.240.0.0/12",), ("2a01:840::/32",)),
        _op("Telefonica UK (O2)", 0, 0.25, "O2", "234-10", ("82.132.192.0/18",), ("2a03:dd00::/32",)),
        _op("Hutchison 3G UK", 0, 0.15, "THREE", "234-20",
            ("188.28.0.0/14", "92.40.0.0/16"), ("2a04:4a45::/32",)),
    ),
    "DEU": (
        _op("Deutsche Telekom", 0.55, 0, None, None,
            ("79.192.0.0/10", "84.128.0.0/10", "87.128.0.0/10", "91.0.0.0/10", "93.192.0.0/10"),
            ("2003::/23",)),
        _op("Vodafone Germany (Arcor)", 0.45, 0, None, None,
            ("88.64.0.0/12", "188.96.0.0/12"), ("2a02:8070::/31",)),
        _op("Deutsche Telekom Mobile", 0, 0.36, "TELEKOM", "262-01", ("80.187.0.0/16",), ("2a01:598::/32",)),
        _op("Vodafone Germany Mobile", 0, 0.30, "VODAFONE", "262-02", ("109.40.0.0/13",), ("2a00:20::/32",)),
        _op("Telefonica Germany (O2)", 0, 0.34, "O2", "262-03", ("82.113.96.0/19",), ("2a02:3030::/31",)),
    ),
    "FRA": (
        _op("Orange", 0.4, 0.38, "ORANGE", "208-01",
            ("90.0.0.0/11", "90.48.0.0/12", "86.192.0.0/11", "109.208.0.0/12"), ("2a01:cb00::/27",)),
        _op("Free (Proxad)", 0.25, 0, None, None, ("82.224.0.0/11", "88.160.0.0/11"), ("2a01:e20::/27",)),
        _op("Free Mobile", 0, 0.17, "FREE", "208-15", ("37.168.0.0/13",), ("2a0d:e480::/29",)),
        _op("SFR", 0.2, 0.25, "SFR", "208-10", ("93.0.0.0/11", "109.0.0.0/11"), ("2a02:8400::/25",)),
        _op("Bouygues Telecom", 0.15, 0.2, "BOUYGUES", "208-20",
            ("89.80.0.0/12", "176.176.0.0/12"), ("2001:860::/29",)),
    ),
    "ITA": (
        _op("Telecom Italia", 0.45, 0.3, "TIM", "222-01", ("79.0.0.0/10", "87.0.0.0/12"), ("2a01:2000::/20",)),
        _op("Fastweb", 0.2, 0, None, None, ("93.32.0.0/12",), ("2001:b00::/29",)),
        _op("Vodafone Italia", 0.15, 0.3, "VODAFONE", "222-10",
            ("93.64.0.0/13", "5.88.0.0/13"), ("2a01:8d0::/32",)),
        _op("Wind Tre", 0.2, 0.25, "WINDTRE", "222-88", ("151.32.0.0/11",), ("2a02:b000::/23",)),
    ),
    "ESP": (
        _op("Telefonica de Espana", 0.4, 0.3, "MOVISTAR", "214-07",
            ("83.32.0.0/11", "88.0.0.0/11", "79.144.0.0/12"), ("2a02:9100::/24",)),
        _op("Vodafone Espana", 0.25, 0.3, "VODAFONE", "214-01",
            ("95.60.0.0/14", "77.208.0.0/14"), ("2a01:806::/31",)),
        _op("Orange Espagne", 0.35, 0.4, "ORANGE", "214-03",
            ("90.160.0.0/12", "85.48.0.0/12"), ("2a02:2e02::/31",)),
    ),
    "NLD": (
        _op("VodafoneZiggo", 0.45, 0.25, "VODAFONE", "204-04", ("84.24.0.0/13",), ("2001:1c00::/23",)),
        _op("KPN", 0.45, 0.35, "KPN", "204-08", ("77.160.0.0/12",), ("2a02:a440::/26",)),
        _op("Odido", 0.1, 0.4, "ODIDO", "204-16",
            ("188.88.0.0/14", "178.228.0.0/14"), ("2a02:498::/29", "2a02:4240::/32")),
    ),
    "SWE": (
        _op("Telia", 0.4, 0.35, "TELIA", "240-01", ("81.224.0.0/12", "78.64.0.0/12"), ("2001:2090::/31",)),
        _op("Tele2 (Com Hem)", 0.35, 0.3, "TELE2", "240-07", ("83.248.0.0/13",), ("2a04:ae00::/26",)),
        _op("Telenor Sverige", 0.25, 0.35, "TELENOR", "240-08", ("85.224.0.0/13",), ("2a02:1400::/26",)),
    ),
    "POL": (
        _op("Orange Polska", 0.5, 0.28, "ORANGE", "260-03",
            ("83.0.0.0/11", "79.184.0.0/13"), ("2a01:1400::/22",)),
        _op("P4 (Play)", 0.3, 0.3, "PLAY", "260-06", ("89.64.0.0/12",), ("2a02:a300::/27",)),
        _op("Polkomtel (Plus)", 0.1, 0.22, "PLUS", "260-01",
            ("46.76.0.0/15", "37.248.0.0/16"), ("2a01:2e0::/28",)),
        _op("T-Mobile Polska", 0.1, 0.2, "T-MOBILE", "260-02",
            ("46.204.0.0/15", "37.30.0.0/15"), ("2001:1b80::/29",)),
    ),
    "IND": (
        _op("Reliance Jio", 0.4, 0.45, "JIO", "405-857", ("49.32.0.0/13", "157.32.0.0/12"), ("2409:4000::/22",)),
        _op("Bharti Airtel", 0.6, 0.37, "AIRTEL", "404-10",
            ("122.160.0.0/12", "106.192.0.0/11"), ("2401:4900::/32",)),
        _op("Vodafone Idea", 0, 0.18, "VI", "404-20",
            ("42.110.0.0/15", "42.106.0.0/15"), ("2402:8100:8000::/33",)),
    ),
    "IDN": (
        # Telkom Indonesia's IPv6 blocks are registered to Australia in whois: left out.
        _op("Telkom Indonesia", 0.8, 0, None, None, ("36.64.0.0/11",)),
        _op("Link Net (First Media)", 0.2, 0, None, None,
            ("139.192.0.0/15", "118.136.0.0/15"), ("2404:5600::/32",)),
        _op("Telkomsel", 0, 0.5, "TELKOMSEL", "510-10", ("39.192.0.0/10", "182.0.0.0/12"), ("2400:82e0::/32",)),
        _op("Indosat", 0, 0.3, "INDOSAT", "510-01", ("120.160.0.0/11", "114.12.0.0/14"), ("2407::/32",)),
        _op("XL Axiata", 0, 0.2, "XL", "510-11",
            ("140.213.128.0/19", "203.78.112.0/20"), ("2400:9800:8000::/33",)),
    ),
    "JPN": (
        _op("NTT Communications (OCN)", 0.4, 0, None, None,
            ("153.128.0.0/10", "180.0.0.0/10"), ("2400:4000::/22",)),
        _op("SoftBank", 0.25, 0.3, "SOFTBANK", "440-20",
            ("60.64.0.0/10", "126.64.0.0/11"), ("2400:2000::/20",)),
        _op("KDDI", 0.35, 0.3, "KDDI", "440-50", ("106.128.0.0/11",), ("240b::/26",)),
        _op("NTT DOCOMO", 0, 0.4, "DOCOMO", "440-10", ("27.228.0.0/15",), ("240a:6b::/32",)),
    ),
    "AUS": (
        _op("Telstra", 0.4, 0.45, "TELSTRA", "505-01", ("1.128.0.0/11",), ("2001:8000::/20",)),
        _op("Optus", 0.2, 0.3, "OPTUS", "505-02", ("49.176.0.0/12",), ("2405:dc00:8000::/33",)),
        _op("TPG", 0.4, 0, None, None, ("14.200.0.0/14", "115.128.0.0/14"), ("2407:9000::/32",)),
        _op("Vodafone Australia", 0, 0.25, "VODAFONE", "505-03",
            ("120.16.0.0/13", "101.116.0.0/14"), ("2405:6e00:1000::/38",)),
    ),
    "ZAF": (
        _op("Telkom SA", 1.0, 0, None, None, ("165.8.0.0/14", "105.224.0.0/14"), ("2c0e:2800::/21",)),
        _op("Vodacom", 0, 0.45, "VODACOM", "655-01", ("41.4.0.0/14", "41.28.0.0/14")),
        _op("MTN SA", 0, 0.35, "MTN", "655-10", ("105.216.0.0/13",), ("2001:4260::/32",)),
        _op("Cell C", 0, 0.2, "CELL C", "655-07", ("105.0.0.0/12", "41.48.0.0/13")),
    ),
}
# fmt: on

# Share of users with IPv6, per country. Sources, newest first where several:
# - APNIC Labs "IPv6 preferred" per economy, May 2023 (APNIC blog, "IPv6: A retrospective look",
#   7 June 2023): IND 78.8%, FRA 65.0%, DEU 61.0%, USA 53.2%, JPN 49.4%, MEX 49.3%, NLD 45.0%;
#   BRA listed above 40% and below the Netherlands.
# - Google, UK users over IPv6 in November 2024: 48% (Mythic Beasts, "IPv6 Networking in the UK",
#   26 November 2024).
# - Australia slightly above or well below the 40% world average by Akamai, APNIC, Cloudflare and
#   Google (APNIC blog, "Just how widely adopted is IPv6 in Australia?", 21 November 2024).
# - Italy 10%, Spain below 5% before Telefonica's 2023 roll-out to all Movistar mobile customers
#   (Internet Society Pulse, 2023); APNIC measures Telefonica de Espana at 26% and Poland at 13.5%
#   (Akamai; "Deployment by carriers", book6, the community IPv6 book, 2023).
# - Indonesia below 15% (APNIC Foundation, "IPv6 Anywhere" technical report, March 2024).
# - CAN, ARG, SWE, ZAF: no measurement found in the sources above; conservative estimates.
IPV6_SHARE: Final[dict[str, float]] = {
    "USA": 0.53, "CAN": 0.40, "MEX": 0.49, "BRA": 0.42, "ARG": 0.15, "GBR": 0.48, "DEU": 0.61,
    "FRA": 0.65, "ITA": 0.10, "ESP": 0.15, "NLD": 0.45, "SWE": 0.15, "POL": 0.135, "IND": 0.79,
    "IDN": 0.14, "JPN": 0.49, "AUS": 0.35, "ZAF": 0.05,
}  # fmt: skip
