#!/usr/bin/env python3
"""Checks the generator's ISP address blocks against public whois-country and routing data.

For every block in ``mock_data_gen.synthesis.networks`` it reports whether the whole block is
registered to the block's country (whois) and which autonomous systems announce addresses
sampled from it, so that a reviewer can see they are the named operator's. Exits 1 if any block
strays outside its country.

The data are the ip-location-db packages on npm (``geo-whois-asn-country`` and ``asn``, built
daily from the RIRs' whois data and RouteViews); ``npm`` must be installed and the registry
reachable. Run from the repository root with the project's virtual environment:

    .venv/bin/python scripts/check-ip-blocks.py
"""

from __future__ import annotations

import bisect
import csv
import ipaddress
import random
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

from mock_data_gen.synthesis.networks import IPV4, IPV6

PACKAGES = ("@ip-location-db/geo-whois-asn-country", "@ip-location-db/asn")
SAMPLES_PER_BLOCK = 400
ALPHA2 = {
    "USA": "US", "CAN": "CA", "MEX": "MX", "BRA": "BR", "ARG": "AR", "GBR": "GB", "DEU": "DE",
    "FRA": "FR", "ITA": "IT", "ESP": "ES", "NLD": "NL", "SWE": "SE", "POL": "PL", "IND": "IN",
    "IDN": "ID", "JPN": "JP", "AUS": "AU", "ZAF": "ZA",
}  # fmt: skip

Ranges = tuple[list[int], list[tuple[int, int, list[str]]]]


def download(directory: Path) -> None:
    for package in PACKAGES:
        packed = subprocess.run(
            ["npm", "pack", "--silent", package],
            cwd=directory,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
        with tarfile.open(directory / packed) as archive:
            archive.extractall(directory / package.split("/")[1], filter="data")


def load(path: Path) -> Ranges:
    """Rows ``first,last,values...`` (addresses as integers), sorted by first address."""
    with path.open(newline="") as handle:
        rows = sorted((int(r[0]), int(r[1]), r[2:]) for r in csv.reader(handle))
    return [row[0] for row in rows], rows


def lookup(ranges: Ranges, address: int) -> list[str] | None:
    starts, rows = ranges
    index = bisect.bisect_right(starts, address) - 1
    if index >= 0 and rows[index][0] <= address <= rows[index][1]:
        return rows[index][2]
    return None


def countries(ranges: Ranges, first: int, last: int) -> set[str | None]:
    """Every whois country registered anywhere in ``first..last`` (None: unregistered space)."""
    starts, rows = ranges
    found: set[str | None] = set()
    covered = first  # addresses below this are accounted for
    index = max(bisect.bisect_right(starts, first) - 1, 0)
    while index < len(rows) and rows[index][0] <= last:
        low, high, values = rows[index]
        if high >= covered:
            if low > covered:
                found.add(None)
            found.add(values[0])
            covered = high + 1
        index += 1
    if covered <= last:
        found.add(None)
    return found


def main() -> int:
    rng = random.Random(1)
    strays = 0
    with tempfile.TemporaryDirectory() as temp:
        directory = Path(temp)
        download(directory)
        for version, table in ((4, IPV4), (6, IPV6)):
            geo = load(
                directory
                / f"geo-whois-asn-country/package/geo-whois-asn-country-ipv{version}-num.csv"
            )
            asn = load(directory / f"asn/package/asn-ipv{version}-num.csv")
            for country, blocks in table.items():
                for cidr, operator in blocks:
                    network = ipaddress.ip_network(cidr)
                    first = int(network.network_address)
                    last = int(network.broadcast_address)
                    registered = countries(geo, first, last)
                    announcers: Counter[str] = Counter()
                    for _ in range(SAMPLES_PER_BLOCK):
                        found = lookup(asn, rng.randint(first, last))
                        announcers[f"AS{found[0]} {found[1]}" if found else "not announced"] += 1
                    ok = registered == {ALPHA2[country]}
                    strays += not ok
                    seen = ", ".join(
                        f"{name} {count / SAMPLES_PER_BLOCK:.0%}"
                        for name, count in announcers.most_common(3)
                    )
                    verdict = "ok" if ok else f"STRAYS: {sorted(map(str, registered))}"
                    print(f"{country} {cidr:<18} {operator:<30} {verdict:<6} {seen}")
    print(f"{strays} block(s) outside their country" if strays else "every block in its country")
    return 1 if strays else 0


if __name__ == "__main__":
    sys.exit(main())
