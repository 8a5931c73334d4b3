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
# Words a company's domain takes when its name alone is taken ("gibbs.com", "gibbsmedia.com"),
# and a site's ("dailynews.com", "dailynewsonline.com").
PUBLISHER_DOMAIN_WORDS: Final = ("media", "group", "digital", "publishing", "network", "hq")
SITE_DOMAIN_WORDS: Final = ("online", "today", "now", "hub", "24", "central", "daily", "live")
# Sister companies' names once a vocabulary's company names are all taken, by channel.
COMPANY_WORDS: Final = {
    "web": ("Media", "Digital", "Publishing", "Interactive", "News Group", "Online"),
    "app": ("Games", "Studios", "Apps", "Labs", "Mobile"),
    "ctv": ("Networks", "Entertainment", "Streaming", "TV"),
    "dooh": ("Outdoor", "Screens", "Out of Home"),
}
# Digits of ad server network codes (Google Ad Manager: older networks 4-8 digits, newer 11).
NETWORK_CODE_DIGITS: Final = (4, 5, 6, 7, 8, 11, 11)
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
# | ("video", plcmt, (w, h), name). Positions: AdCOM 1.0 Placement Positions. Each layout
# has a relative weight: how often a page view offers that set of slots. The weights put the
# banner sizes of a day's traffic (web and app together, each slot counted at its primary
# size) at the shares AdPiler measured over 500 billion impressions ("Banner sizes: most
# common and popular", 2020): 300x250 35%, 320x50 30.2%, 728x90 12.6%, 300x600 4.0%,
# 160x600 3.3%, 300x50 2.2%, 336x280 1.7%, 320x100 1.6%, 970x250 1.3%, every other size under
# 1% (468x60 among them: accepted as a smaller option, rarely the slot's own size). Video
# players (sticky accompanying-content players, in-article outstream, pre-roll on video
# sections) bring web video to the shares Extreme Reach reports (see ``VIDEO_SHARE``).
DESKTOP_LAYOUTS: Final = (
    (
        8,
        (
            ("banner", ((728, 90), (970, 90)), 1, "top_lb", False),
            ("banner", ((300, 250), (336, 280)), 1, "rr_mrec", False),
        ),
    ),
    (
        4,
        (
            ("banner", ((728, 90), (970, 90)), 1, "top_lb", False),
            ("banner", ((300, 250), (336, 280)), 1, "rr_mrec", False),
            ("video", 2, (400, 225), "sticky_player"),
        ),
    ),
    (
        6,
        (
            ("banner", ((300, 600), (160, 600)), 6, "sky", True),
            ("banner", ((300, 250),), 3, "btf_mrec", False),
        ),
    ),
    (
        5,
        (
            ("banner", ((160, 600), (120, 600)), 6, "narrow_sky", True),
            ("banner", ((300, 250),), 3, "btf_mrec", False),
            ("video", 4, (640, 360), "outstream"),
        ),
    ),
    (2, (("banner", ((970, 250), (728, 90)), 1, "billboard", False),)),
    (
        4,
        (
            ("banner", ((300, 250), (336, 280)), 3, "incontent", False),
            ("banner", ((728, 90), (468, 60)), 3, "footer_lb", True),
            ("video", 4, (640, 360), "outstream"),
        ),
    ),
    (
        3,
        (
            ("banner", ((336, 280), (300, 250)), 3, "incontent_large", False),
            ("video", 2, (400, 225), "sticky_player"),
        ),
    ),
    # Lazy-loaded slots further down the page, each auctioned as it nears the viewport.
    (5, (("banner", ((300, 250), (336, 280)), 3, "incontent", False),)),
    (3, (("banner", ((728, 90), (468, 60)), 3, "footer_lb", True),)),
    (16, (("native", 4, "reco"),)),
    (2, (("native", 4, "reco"), ("video", 4, (640, 360), "outstream"))),
    (2, (("video", 2, (400, 225), "sticky_player"),)),
)
MOBILE_LAYOUTS: Final = (
    (15, (("banner", ((320, 50), (300, 50)), 5, "m_adhesion", True),)),
    (4, (("banner", ((300, 50), (320, 50)), 5, "m_adhesion_small", True),)),
    (
        2,
        (
            ("banner", ((300, 250), (320, 100)), 3, "m_mrec", False),
            ("banner", ((320, 50),), 3, "m_inline", False),
        ),
    ),
    (
        6,
        (
            ("banner", ((300, 250), (320, 100)), 3, "m_mrec", False),
            ("banner", ((320, 50),), 3, "m_inline", False),
            ("video", 2, (400, 225), "m_sticky_player"),
        ),
    ),
    (4, (("banner", ((320, 100), (320, 50)), 1, "m_top", False),)),
    (2, (("native", 1, "m_feed"),)),
    (4, (("native", 1, "m_feed"), ("video", 4, (360, 203), "m_outstream"))),
    (2, (("video", 2, (400, 225), "m_sticky_player"),)),
)
DESKTOP_PREROLL: Final = (4, (("video", 1, (640, 360), "preroll"),))
MOBILE_PREROLL: Final = (3, (("video", 1, (360, 203), "m_preroll"),))
# In-app layout weights by layout family and slot kind.
APP_LAYOUT_WEIGHTS: Final = {
    "banner": 8,
    "mrec": 4,
    "rewarded": 6,
    "interstitial": 4,  # full-screen video
    "interstitial_static": 1,  # full-screen image
    "native": 4,
    "audio": 6,
}
# Full-screen slots by device form (phone, tablet) and orientation (portrait, landscape):
# phones' 320x480 and tablets' 768x1024 (IAB interstitial sizes), turned for landscape apps.
INTERSTITIAL_SIZES: Final = {
    ("phone", "portrait"): ((320, 480), (480, 320)),
    ("phone", "landscape"): ((480, 320), (320, 480)),
    ("tablet", "portrait"): ((768, 1024), (1024, 768)),
    ("tablet", "landscape"): ((1024, 768), (768, 1024)),
}
# Share of games played in landscape (most casual games are portrait).
LANDSCAPE_GAME_SHARE: Final = 0.35

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
    "music": (0.06, "IAB1-6", "audio", False),
    "radio": (0.02, "IAB1-6", "audio", False),
    "podcast": (0.05, "IAB1", "audio", False),
}
# AdCOM 1.0 Feed Types of audio apps: on-demand music service, broadcast radio, podcast.
AUDIO_FEEDS: Final = {"music": 1, "radio": 2, "podcast": 3}
# In-app slot names (the tail of their ad unit paths).
APP_SLOT_NAMES: Final = ("banner", "mrec", "feed", "inter", "rewarded", "inter_static")
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
# Streaming channels by genre (``content.CTV_GENRES``): share of apps, and the share of a news
# or sports channel's apps that stream live (FAST and live channels next to on-demand ones).
CTV_APP_GENRES: Final = {
    "series": (0.34, 0.0),
    "movies": (0.2, 0.0),
    "news": (0.14, 0.6),
    "sports": (0.14, 0.7),
    "music": (0.06, 0.0),
    "food": (0.12, 0.0),
}
# Store pages of CTV apps: each platform's public page for the app's store id (``app.bundle``,
# as the IAB Tech Lab "OTT/CTV Store Assigned App Identification Guidelines", 2020, define it):
# Roku Channel Store, Amazon Appstore product page, Samsung Apps (Tizen), LG Content Store
# (webOS), Apple App Store, Google Play.
CTV_STORE_URL: Final = {
    "roku": "https://channelstore.roku.com/details/{bundle}",
    "firetv": "https://www.amazon.com/dp/{bundle}",
    "tizen": "https://www.samsung.com/us/appstore/app/{bundle}",
    "webos": "https://us.lgappstv.com/main/tvapp/detail?appId={bundle}",
    "tvos": "https://apps.apple.com/us/app/id{bundle}",
    "androidtv": "https://play.google.com/store/apps/details?id={bundle}",
}
# CTV ad breaks: share of breaks sold as a dynamic pod (one impression for the whole break,
# as OpenRTB 2.6 §7.6 encourages sellers to offer), and the slots of a structured pod.
DYNAMIC_POD_SHARE: Final = 0.75
STRUCTURED_POD_SLOTS: Final = (2, 3, 4)

# Auction type: every major exchange runs first-price auctions (Index Exchange, OpenX and
# AppNexus from 2017, Rubicon Project and PubMatic 2018, Google Ad Manager's unified first-price
# auction completed in 2019: Google Ad Manager Help, "Transition schedule to first-price
# auction"; AdExchanger, "Big changes coming to auctions", 2017). Second price survives only as
# a residual: a few publishers' legacy setups.
SECOND_PRICE_SHARE: Final = 0.02

# Podcasts: dynamic ad insertion on the hosting platform (stitched into the file at download,
# counted server-side) carried 84% of US podcast ad revenue in 2021 (IAB / PwC, "U.S. Podcast
# Advertising Revenue Study", 2022); the rest are players inserting ads themselves.
PODCAST_SERVER_SIDE_SHARE: Final = 0.84

# Extensions (in ``ext``, where the IAB Tech Lab community extensions and Prebid put them).
# SKAdNetwork (``imp.ext.skadn``, IAB Tech Lab SKAdNetwork extension, versions 2.0-4.0): sent
# for iOS apps whose ad SDK supports it, which every major mediation SDK has done since iOS 14.5;
# each app lists the ad networks of its Info.plist that bid on the exchange (at most 10, as the
# extension recommends). Network ids as published in SDKs' Info.plist lists (e.g. Digital
# Turbine's github.com/fyber-engineering/SKAdNetworks).
SKADN_SHARE: Final = 0.9
SKADN_VERSIONS: Final = ("2.0", "2.1", "2.2", "3.0", "4.0")
SKADNETWORK_IDS: Final = (
    "cstr6suwn9", "4fzdc2evr5", "2fnua5tdw4", "ydx93a7ass", "p78axxw29g", "v72qych5uu",
    "c6k4g5qg8m", "s39g8k73mm", "3qy4746246", "3sh42y64q3", "hs6bdukanm", "wzmmz9fp6w",
    "yclnxrl5pm", "4468km3ulz", "7ug5zh24hu", "kbd757ywx3", "9t245vhmpl", "2u9pt9hc89",
    "8s468mfl3y", "ppxm28t8ap", "uw77j35x4d", "e5fvkxwrpn", "v4nxqhlyqp", "578prtvx9j",
    "4dzt52r2t5", "8c4e2ghe7u", "3qcr597p9d", "n38lu8286q", "y5ghdn5j9k", "47vhws6wlr",
    "gta9lk7p23", "22mmun2rn5", "ludvb6z3bs", "cp8zw746q7", "mlmmfzh3r3", "v9wttpbfk9",
    "su67r6k2v3",
)  # fmt: skip
# GPID (``imp.ext.gpid``, IAB Tech Lab community extension led by The Trade Desk, 2021): the
# ad server's ad unit path, passed by header-bidding wrappers (Prebid's GPT pre-auction module,
# Index's wrapper); per-impression transaction ids (``imp.ext.tid``, IAB Tech Lab community
# extension "Per-Impression Transaction IDs", sponsored by Index Exchange) where the wrapper
# sends them: Prebid.js 8 made them opt-in ("Transaction identifiers are reliable but opt in",
# Prebid.js 8.0 release notes, 2023), so fewer than half of the sites do. Shares of
# header-bidding sites (``source.fd`` 1) that send each; in-app, Prebid Mobile apps send both.
# Header bidding runs on about 70% of the largest programmatic sites (ServerBid Header Bidding
# Index, 2017), Prebid being the most used wrapper.
HEADER_BIDDING_SHARE: Final = 0.65
GPID_SHARE: Final = 0.85
TID_SHARE: Final = 0.4
# DSA transparency (``regs.ext.dsa``, IAB Tech Lab "DSA Transparency" extension, 2024): what
# a publisher declares to buyers of its EU traffic, with weights; None: it sends nothing.
# (dsarequired, pubrender, datatopub, whether the exchange lists itself in ``transparency``)
DSA_SETTINGS: Final = (
    (None, 0.25),
    ((1, 0, 1, False), 0.3),
    ((2, 1, 1, False), 0.2),
    ((2, 0, 2, True), 0.13),
    ((3, 2, 2, True), 0.12),  # online platforms (user-generated content, marketplaces)
)
# EU member states among the markets: the Digital Services Act applies to their users (the UK,
# under GDPR too, is outside it).
DSA_COUNTRIES: Final = frozenset({"DEU", "FRA", "ITA", "ESP", "NLD", "SWE", "POL"})
# Seller-side DSA user parameters an exchange applies (DSA Transparency list: 2 = basic
# advertising, contextual and frequency capping; no profiling without consent to it).
DSA_EXCHANGE_PARAMS: Final = (2,)

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
