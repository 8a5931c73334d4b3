"""Notice URLs with OpenRTB 2.6 §4.4 substitution macros, and the exchange's substitution.

Bidders write ``nurl`` (win), ``burl`` (billing) and ``lurl`` (loss) with macros; the exchange
replaces each legal macro before calling the URL, and a macro whose value is not available is
"simply removed (i.e., replaced with a zero-length string)" (§4.4). ``${AUCTION_BID_ID}`` is the
response's ``bidid``, not the bid's ``id``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

# Every macro of §4.4 (the optional ``:X`` suffix names an encoding, never used here).
MACROS: Final = frozenset(
    {
        "AUCTION_ID",
        "AUCTION_BID_ID",
        "AUCTION_IMP_ID",
        "AUCTION_SEAT_ID",
        "AUCTION_AD_ID",
        "AUCTION_PRICE",
        "AUCTION_CURRENCY",
        "AUCTION_MBR",
        "AUCTION_LOSS",
        "AUCTION_MIN_TO_WIN",
        "AUCTION_MULTIPLIER",
        "AUCTION_IMP_TS",
        "AUCTION_DISCOUNT_PCT",
        "AUCTION_DISCOUNT_CPM",
    }
)
_MACRO: Final = re.compile(r"\$\{(AUCTION_[A-Z_]+)(?::[A-Za-z0-9]+)?\}")

_IDS: Final = "auction=${AUCTION_ID}&bidid=${AUCTION_BID_ID}&imp=${AUCTION_IMP_ID}"


def notice_urls(host: str, bid_id: str, *, multiplied: bool = False) -> dict[str, str]:
    """A bidder's win, billing and loss notice URLs for one bid, macros unreplaced; on an
    impression sold by the multiplier (DOOH), the billing notice confirms it (§4.4
    ``${AUCTION_MULTIPLIER}``, implementation guide §7.9.4)."""
    base = f"https://{host}"
    multiplier = "&mult=${AUCTION_MULTIPLIER}" if multiplied else ""
    return {
        "nurl": (
            f"{base}/win?{_IDS}&bid={bid_id}&seat=${{AUCTION_SEAT_ID}}"
            "&price=${AUCTION_PRICE}&cur=${AUCTION_CURRENCY}&mbr=${AUCTION_MBR}"
        ),
        "burl": (
            f"{base}/bill?{_IDS}&bid={bid_id}&price=${{AUCTION_PRICE}}"
            f"&cur=${{AUCTION_CURRENCY}}&ts=${{AUCTION_IMP_TS}}{multiplier}"
        ),
        "lurl": (
            f"{base}/loss?{_IDS}&bid={bid_id}&reason=${{AUCTION_LOSS}}"
            "&min=${AUCTION_MIN_TO_WIN}&price=${AUCTION_PRICE}"
        ),
    }


def substitute(template: str, values: Mapping[str, str]) -> str:
    """``template`` with every §4.4 macro replaced by its value, or removed where it has none."""
    fired = template
    # Plain ``${NAME}`` macros first, by string replacement: the regular expression's callback
    # per macro was most of the cost. Values free of "$", "{" and "}" can neither form nor break
    # a macro, so the single pass below then sees exactly what it would have seen.
    if not any("$" in text or "{" in text or "}" in text for text in values.values()):
        for name, text in values.items():
            if name in MACROS:
                fired = fired.replace(f"${{{name}}}", text)
        if "${" not in fired:
            return fired

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return values.get(name, "") if name in MACROS else match.group(0)

    return _MACRO.sub(value, fired)


def price_text(amount: float) -> str:
    """A CPM as the exchange writes it into a URL: plain decimal, cents precision."""
    return f"{amount:.2f}"
