"""Supply-side reference data: how sellers are set up and what ad slots their pages offer.

Sources and realism notes:
- Layouts follow common publisher ad stacks (IAB New Ad Portfolio / standard sizes): desktop
  leaderboard + MREC, half-page/skyscraper, billboard, recommendation widget, outstream video;
  mobile web adhesion 320x50, inline MREC, in-feed native, accompanying-content video.
- Apps: the app-store category mix of ad-supported apps (games ~40%), with the mediation SDKs
  that carry most in-app programmatic demand as ``displaymanager``.
- ``EXCHANGES`` and ``UPSTREAM_SSPS`` are real SSP ads.txt domains: the exchange selling a
  publisher's inventory and the resellers that appear before it in ``schain``.
"""

from __future__ import annotations

from typing import Final

# The exchange that sells each publisher's inventory (ads.txt / sellers.json domains), by
# channel, with rough shares; each publisher stays with one. Seller ids are numeric, as these
# exchanges assign them, so the direct seller's ``sid`` is the request's ``publisher.id``.
EXCHANGES: Final = {
    "web": (("pubmatic.com", 0.22), ("rubiconproject.com", 0.24), ("indexexchange.com", 0.2),
            ("openx.com", 0.14), ("appnexus.com", 0.2)),
    "app": (("pubmatic.com", 0.3), ("rubiconproject.com", 0.2), ("openx.com", 0.15),
            ("appnexus.com", 0.2), ("indexexchange.com", 0.15)),
    "ctv": (("magnite.com", 0.45), ("freewheel.tv", 0.3), ("pubmatic.com", 0.25)),
    "dooh": (("vistarmedia.com", 0.5), ("placeexchange.com", 0.5)),
}  # fmt: skip
# Resellers that sell a publisher's inventory on to its exchange (first ``schain`` node).
UPSTREAM_SSPS: Final = (
    "pubmatic.com",
    "rubiconproject.com",
    "openx.com",
    "indexexchange.com",
    "appnexus.com",
    "sovrn.com",
    "triplelift.com",
)
# Euro-area markets where some publishers price in EUR.
EUR_COUNTRIES: Final = frozenset({"DEU", "FRA", "ITA", "ESP", "NLD"})
TLD: Final = {
    "USA": "com", "CAN": "ca", "MEX": "com.mx", "BRA": "com.br", "ARG": "com.ar", "GBR": "co.uk",
    "DEU": "de", "FRA": "fr", "ITA": "it", "ESP": "es", "NLD": "nl", "SWE": "se", "POL": "pl",
    "IND": "in", "IDN": "co.id", "JPN": "jp", "AUS": "com.au", "ZAF": "co.za",
}  # fmt: skip
SITE_SUFFIX: Final = {
    "news": ("news", "times", "post", "daily"), "sports": ("sports", "score", "arena"),
    "tech": ("tech", "gadgets", "digital"), "entertainment": ("buzz", "stars", "tv"),
    "food": ("recipes", "kitchen"), "travel": ("travel", "trips"), "business": ("money", "markets"),
    "health": ("health", "fit"), "style": ("style", "mag"), "autos": ("cars", "motor"),
}  # fmt: skip
VIDEO_SECTIONS: Final = frozenset({"news", "sports", "entertainment"})

# Slot specs: ("banner", sizes, position, name, refreshes) | ("native", plcmttype, name)
# | ("video", plcmt, (w, h), name). Positions: AdCOM 1.0 List: Placement Positions. Each layout
# has a relative weight: how often a page view offers that set of slots.
DESKTOP_LAYOUTS: Final = (
    (
        4,
        (
            ("banner", ((728, 90), (970, 90)), 1, "top_lb", False),
            ("banner", ((300, 250), (336, 280)), 1, "rr_mrec", False),
        ),
    ),
    (
        2,
        (
            ("banner", ((300, 600), (160, 600)), 6, "sky", True),
            ("banner", ((300, 250),), 3, "btf_mrec", False),
        ),
    ),
    (
        1,
        (
            ("banner", ((160, 600), (120, 600)), 6, "narrow_sky", True),
            ("banner", ((300, 250),), 3, "btf_mrec", False),
        ),
    ),
    (1, (("banner", ((970, 250), (728, 90)), 1, "billboard", False),)),
    (
        1,
        (
            ("banner", ((300, 250), (336, 280)), 3, "incontent", False),
            ("banner", ((728, 90),), 3, "footer_lb", True),
        ),
    ),
    (
        1,
        (
            ("banner", ((336, 280), (300, 250)), 3, "incontent_large", False),
            ("banner", ((468, 60),), 3, "text_link", False),
        ),
    ),
    (2, (("native", 4, "reco"),)),
    (1, (("video", 4, (640, 360), "outstream"),)),
)
MOBILE_LAYOUTS: Final = (
    (4, (("banner", ((320, 50), (300, 50)), 5, "m_adhesion", True),)),
    (
        3,
        (
            ("banner", ((300, 250), (320, 100)), 3, "m_mrec", False),
            ("banner", ((320, 50),), 3, "m_inline", False),
        ),
    ),
    (2, (("banner", ((320, 100), (320, 50)), 1, "m_top", False),)),
    (2, (("native", 1, "m_feed"),)),
    (1, (("video", 2, (400, 225), "m_outstream"),)),
)
DESKTOP_PREROLL: Final = (1, (("video", 1, (640, 360), "preroll"),))
MOBILE_PREROLL: Final = (1, (("video", 1, (360, 203), "m_preroll"),))
# In-app layout weights by layout family and slot kind.
APP_LAYOUT_WEIGHTS: Final = {
    "banner": 4,
    "mrec": 2,
    "rewarded": 2,
    "interstitial": 1,
    "native": 2,
    "audio": 3,
}

# App kinds: (weight, IAB category, layout family, child-directed under COPPA)
APP_KINDS: Final = {
    "game": (0.42, "IAB9-30", "game", False),
    "kids_game": (0.03, "IAB9-30", "game", True),
    "news": (0.08, "IAB12", "content", False),
    "social": (0.08, "IAB14", "content", False),
    "weather": (0.06, "IAB15-10", "content", False),
    "utility": (0.10, "IAB19", "content", False),
    "shopping": (0.05, "IAB22", "content", False),
    "sports": (0.05, "IAB17", "content", False),
    "music": (0.08, "IAB1-6", "audio", False),
    "podcast": (0.05, "IAB1", "audio", False),
}
APP_WORDS: Final = (
    "Bubble",
    "Puzzle",
    "Quest",
    "Solitaire",
    "Word",
    "Block",
    "Merge",
    "Farm",
    "City",
    "Radio",
    "Daily",
    "Pocket",
    "Smart",
    "Pro",
    "Live",
    "Go",
    "Hero",
    "Tiles",
    "Run",
)
# Ad SDKs that send in-app requests (``displaymanager``/``displaymanagerver``), with rough shares
# of programmatic in-app supply (mediation platforms and Prebid Mobile).
SDKS: Final[tuple[tuple[tuple[str, str], float], ...]] = (
    (("GoogleMobileAds", "11.13.0"), 0.3),
    (("AppLovin", "13.1.0"), 0.25),
    (("ironSource", "8.6.0"), 0.12),
    (("UnityAds", "4.13.1"), 0.1),
    (("Mintegral", "7.7.5"), 0.08),
    (("PrebidMobile", "2.4.0"), 0.15),
)
CTV_SUFFIX: Final = ("TV", "Plus", "Play", "Now", "Live")
CTV_PLATFORMS: Final = ("roku", "firetv", "tizen", "webos", "tvos", "androidtv")

# Auction timeouts (ms) sellers set per channel: header-bidding web pages wait 200-500 ms (300
# and 500 most common), apps keep ad loads snappy, CTV ad decisioning for a break allows up to a
# second, DOOH plays are scheduled ahead so the screen can wait longest.
TMAX: Final = {
    "web": (200, 250, 300, 300, 300, 300, 400, 500, 500, 500),
    "app": (200, 250, 250, 300, 300, 300),
    "ctv": (500, 600, 800, 800, 1000, 1000),
    "dooh": (1000, 1500, 2000, 3000),
}
BCAT: Final[tuple[list[str], ...]] = (
    ["IAB25", "IAB26"],
    ["IAB25", "IAB26", "IAB7-39", "IAB8-18"],
    ["IAB26", "IAB11-4"],
    [],
)
# Publishers' creative policies as blocked creative attributes (AdCOM 1.0 List: Creative
# Attributes: 1 audio auto-play, 2 audio user-initiated, 3/5 expandable, 6 in-banner video
# auto-play, 8 pop, 9 provocative, 10 shaky/flashing, 14 alert/dialog, 17 Flash), with weights.
BATTR_POLICIES: Final[tuple[tuple[list[int], float], ...]] = (
    ([1, 2, 3, 5, 6, 8, 9, 10, 14, 17], 0.15),
    ([1, 3, 5, 6, 8, 9, 10, 14], 0.3),
    ([1, 6, 8, 9, 10], 0.2),
    ([8, 9, 10], 0.15),
    ([9], 0.08),
    ([], 0.12),
)
# Advertiser domains publishers commonly block (competitors, gambling, crypto, dating, cheap
# marketplaces, rival media); each publisher's list is a handful of them.
BADV_POOL: Final = (
    "draftkings.com", "fanduel.com", "betmgm.com", "bet365.com", "williamhill.com",
    "pokerstars.com", "coinbase.com", "binance.com", "crypto.com", "kraken.com", "tinder.com",
    "match.com", "bumble.com", "temu.com", "shein.com", "wish.com", "aliexpress.com",
    "amazon.com", "walmart.com", "target.com", "ebay.com", "netflix.com", "hulu.com",
    "disneyplus.com", "spotify.com", "nytimes.com", "wsj.com", "cnn.com", "foxnews.com",
    "expedia.com", "booking.com", "kayak.com", "geico.com", "progressive.com", "statefarm.com",
    "verizon.com", "t-mobile.com", "att.com", "grammarly.com", "raidshadowlegends.com",
)  # fmt: skip
# Share of sites built for desktop only (not mobile-optimised: ``site.mobile`` 0).
DESKTOP_ONLY_SITE_SHARE: Final = 0.25
# OpenOOH Venue Taxonomy 1.0 (venuetypetax 1) names.
VENUES: Final = (
    "transit.airports",
    "transit.subway",
    "retail.malls",
    "retail.grocery",
    "outdoor.billboards",
    "health_and_beauty.gyms",
    "point_of_care.doctor_offices",
    "office_buildings.lobbies",
)
