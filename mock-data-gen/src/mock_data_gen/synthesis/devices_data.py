"""Device reference data: models with real screen specs, OS versions and browser builds (2024-25).

Sources and realism notes:
- Screens are the manufacturers' published physical resolutions and pixel densities; ``pxratio``
  is the browser's devicePixelRatio at default zoom (e.g. 1179 px / 393 CSS px = 3 on iPhone 15).
- Model weights follow StatCounter/IDC installed-base shares (Samsung and Apple dominate, Xiaomi
  strong in India/Indonesia); OS-version weights follow StatCounter version shares.
- User-agent strings follow each browser's current format, including Chrome's UA reduction
  (``Android 10; K`` and ``.0.0.0`` minor versions) and Safari's frozen ``Mac OS X 10_15_7``.
- ``os`` names follow AdCOM 1.0 List: Operating Systems where listed; Roku and Apple TV use their
  vendor names, as exchanges send them.
"""

from __future__ import annotations

from typing import Final, NamedTuple


class Model(NamedTuple):
    make: str
    model: str
    hwv: str | None
    os: str
    # (OS version, weight)
    versions: tuple[tuple[str, float], ...]
    w: int
    h: int
    ppi: int
    pxratio: float
    ua_token: str  # model token in Android UAs, "iPhone"/"iPad" on iOS, product code on TVs
    weight: float
    devicetype: int  # AdCOM 1.0 List: Device Types


_IOS = (
    ("18.5", 0.3),
    ("18.4.1", 0.2),
    ("18.3.2", 0.12),
    ("18.1.1", 0.08),
    ("17.6.1", 0.18),
    ("16.7.10", 0.12),
)
_IOS_NEW = (("18.5", 0.42), ("18.4.1", 0.28), ("18.3.2", 0.15), ("18.1.1", 0.15))
_A15 = (("15", 0.25), ("14", 0.5), ("13", 0.25))
_A14 = (("14", 0.55), ("13", 0.3), ("12", 0.15))
_A13 = (("13", 0.45), ("12", 0.35), ("11", 0.2))

# fmt: off
PHONES: Final[tuple[Model, ...]] = (
    Model("Apple", "iPhone", "16 Pro", "iOS", _IOS_NEW, 1206, 2622, 460, 3.0, "iPhone", 5.0, 4),
    Model("Apple", "iPhone", "16", "iOS", _IOS_NEW, 1179, 2556, 460, 3.0, "iPhone", 4.0, 4),
    Model("Apple", "iPhone", "15 Pro Max", "iOS", _IOS, 1290, 2796, 460, 3.0, "iPhone", 5.0, 4),
    Model("Apple", "iPhone", "15", "iOS", _IOS, 1179, 2556, 460, 3.0, "iPhone", 6.0, 4),
    Model("Apple", "iPhone", "14", "iOS", _IOS, 1170, 2532, 460, 3.0, "iPhone", 6.0, 4),
    Model("Apple", "iPhone", "13", "iOS", _IOS, 1170, 2532, 460, 3.0, "iPhone", 7.0, 4),
    Model("Apple", "iPhone", "12", "iOS", _IOS, 1170, 2532, 460, 3.0, "iPhone", 4.0, 4),
    Model("Apple", "iPhone", "11", "iOS", _IOS, 828, 1792, 326, 2.0, "iPhone", 4.0, 4),
    Model("Apple", "iPhone", "SE (3rd generation)", "iOS", _IOS, 750, 1334, 326, 2.0, "iPhone", 2.0, 4),
    Model("Samsung", "Galaxy S24 Ultra", None, "Android", _A15, 1440, 3120, 505, 3.5, "SM-S928B", 3.0, 4),
    Model("Samsung", "Galaxy S24", None, "Android", _A15, 1080, 2340, 416, 3.0, "SM-S921B", 3.0, 4),
    Model("Samsung", "Galaxy S23", None, "Android", _A14, 1080, 2340, 425, 3.0, "SM-S911B", 3.0, 4),
    Model("Samsung", "Galaxy A54 5G", None, "Android", _A14, 1080, 2340, 403, 2.625, "SM-A546B", 4.0, 4),
    Model("Samsung", "Galaxy A15", None, "Android", _A14, 1080, 2340, 396, 2.625, "SM-A155F", 4.0, 4),
    Model("Samsung", "Galaxy A14", None, "Android", _A13, 1080, 2408, 400, 2.625, "SM-A145F", 3.0, 4),
    Model("Google", "Pixel 9", None, "Android", (("15", 0.8), ("14", 0.2)), 1080, 2424, 422, 2.625, "Pixel 9", 1.5, 4),
    Model("Google", "Pixel 8", None, "Android", _A15, 1080, 2400, 428, 2.625, "Pixel 8", 1.5, 4),
    Model("Google", "Pixel 7a", None, "Android", _A15, 1080, 2400, 429, 2.625, "Pixel 7a", 1.2, 4),
    Model("Xiaomi", "Redmi Note 13", None, "Android", _A14, 1080, 2400, 395, 2.75, "23129RAA4G", 3.0, 4),
    Model("Xiaomi", "Redmi 13C", None, "Android", _A13, 720, 1600, 260, 2.0, "23100RN82L", 2.5, 4),
    Model("Xiaomi", "Xiaomi 14", None, "Android", _A14, 1200, 2670, 460, 3.0, "23127PN0CG", 1.0, 4),
    Model("Motorola", "moto g54 5G", None, "Android", _A14, 1080, 2400, 405, 2.625, "moto g54 5G", 1.5, 4),
    Model("OnePlus", "OnePlus 12", None, "Android", _A14, 1440, 3168, 510, 3.5, "CPH2581", 0.8, 4),
    Model("OPPO", "A78", None, "Android", _A13, 1080, 2400, 409, 2.625, "CPH2565", 1.2, 4),
)

TABLETS: Final[tuple[Model, ...]] = (
    Model("Apple", "iPad", "10th generation", "iOS", _IOS, 1640, 2360, 264, 2.0, "iPad", 5.0, 5),
    Model("Apple", "iPad", "Air (5th generation)", "iOS", _IOS, 1640, 2360, 264, 2.0, "iPad", 3.0, 5),
    Model("Apple", "iPad", "Pro 11-inch (4th generation)", "iOS", _IOS, 1668, 2388, 264, 2.0, "iPad", 2.0, 5),
    Model("Samsung", "Galaxy Tab S9", None, "Android", _A14, 1600, 2560, 274, 2.0, "SM-X710", 1.5, 5),
    Model("Samsung", "Galaxy Tab A9+", None, "Android", _A14, 1200, 1920, 189, 1.5, "SM-X210", 2.0, 5),
    Model("Lenovo", "Tab M10 (3rd Gen)", None, "Android", _A13, 1200, 1920, 224, 1.5, "TB328FU", 1.0, 5),
)

# Connected TVs (devicetype 3) and streaming players / set-top boxes (devicetype 7).
CTV_MODELS: Final[tuple[Model, ...]] = (
    Model("Roku", "Roku Ultra", "4850X", "Roku OS", (("14.0", 0.6), ("13.1", 0.4)), 3840, 2160, 80, 1.0, "4850X", 6.0, 7),
    Model("Roku", "Roku Streaming Stick 4K", "3820X", "Roku OS", (("14.0", 0.6), ("13.1", 0.4)), 3840, 2160, 80, 1.0, "3820X", 7.0, 7),
    Model("Roku", "Roku TV", "7000X", "Roku OS", (("14.0", 0.5), ("13.1", 0.5)), 1920, 1080, 40, 1.0, "7000X", 8.0, 3),
    Model("Amazon", "Fire TV Stick 4K", "AFTKA", "FireOS", (("7.7.0.2", 0.6), ("8.1.2.1", 0.4)), 3840, 2160, 80, 1.0, "AFTKA", 8.0, 7),
    Model("Amazon", "Fire TV Stick", "AFTSSS", "FireOS", (("7.7.0.2", 1.0),), 1920, 1080, 40, 1.0, "AFTSSS", 5.0, 7),
    Model("Samsung", "QN65Q80C", None, "Tizen", (("7.0", 0.5), ("6.5", 0.3), ("8.0", 0.2)), 3840, 2160, 68, 1.0, "QN65Q80C", 6.0, 3),
    Model("Samsung", "UN55TU7000", None, "Tizen", (("5.5", 0.5), ("6.0", 0.5)), 3840, 2160, 80, 1.0, "UN55TU7000", 6.0, 3),
    Model("LG", "OLED55C3PUA", None, "WebOS", (("23", 0.7), ("22", 0.3)), 3840, 2160, 80, 1.0, "OLED55C3PUA", 4.0, 3),
    Model("LG", "65UQ7590PUB", None, "WebOS", (("22", 0.6), ("6.0", 0.4)), 3840, 2160, 68, 1.0, "65UQ7590PUB", 3.0, 3),
    Model("Apple", "Apple TV", "4K (3rd generation)", "tvOS", (("18.5", 0.6), ("17.6", 0.4)), 3840, 2160, 80, 1.0, "AppleTV14,1", 5.0, 7),
    Model("Google", "Chromecast", "with Google TV (4K)", "Android", (("14", 0.4), ("12", 0.6)), 3840, 2160, 80, 1.0, "Chromecast", 4.0, 7),
)

# Desktop platforms: (os, osv, sua platform brand, sua platform version, UA platform token, weight)
DESKTOPS: Final = (
    ("Windows", "11", "Windows", ("15", "0", "0"), "Windows NT 10.0; Win64; x64", 42.0),
    ("Windows", "10", "Windows", ("10", "0", "0"), "Windows NT 10.0; Win64; x64", 30.0),
    ("MacOS", "15.4", "macOS", ("15", "4", "1"), "Macintosh; Intel Mac OS X 10_15_7", 11.0),
    ("MacOS", "14.7", "macOS", ("14", "7", "5"), "Macintosh; Intel Mac OS X 10_15_7", 8.0),
    ("ChromeOS", "16181.61.0", "Chrome OS", ("16181", "61", "0"), "X11; CrOS x86_64 14541.0.0", 5.0),
    ("Linux", "6.8", "Linux", ("6", "8", "0"), "X11; Linux x86_64", 4.0),
)
# Desktop screens: (w, h, ppi, pxratio, weight) - physical pixels, StatCounter resolution shares.
DESKTOP_SCREENS: Final = (
    (1920, 1080, 96, 1.0, 34.0),
    (1920, 1080, 141, 1.25, 14.0),
    (1366, 768, 112, 1.0, 10.0),
    (2560, 1440, 109, 1.0, 9.0),
    (2560, 1600, 227, 2.0, 9.0),
    (2880, 1800, 220, 2.0, 8.0),
    (1440, 900, 128, 1.0, 6.0),
    (3840, 2160, 163, 1.5, 5.0),
    (1536, 864, 96, 1.0, 5.0),
)
# fmt: on

# Browsers per platform with weights (StatCounter browser shares per OS).
DESKTOP_BROWSERS: Final = {
    "Windows": (("chrome", 70.0), ("edge", 21.0), ("firefox", 9.0)),
    "MacOS": (("safari", 52.0), ("chrome", 41.0), ("firefox", 5.0), ("edge", 2.0)),
    "ChromeOS": (("chrome", 1.0),),
    "Linux": (("chrome", 62.0), ("firefox", 38.0)),
}
MOBILE_BROWSERS: Final = {
    "iOS": (("safari", 88.0), ("chrome", 12.0)),
    "Android": (("chrome", 78.0), ("samsung", 19.0), ("firefox", 3.0)),
}

# Chromium builds: major -> (build, patch). Chrome and Edge share majors.
CHROME_BUILDS: Final = {134: (6998, 165), 135: (7049, 114), 136: (7103, 114), 137: (7151, 68)}
CHROME_WEIGHTS: Final = {134: 0.1, 135: 0.2, 136: 0.45, 137: 0.25}
EDGE_BUILDS: Final = {134: (3124, 93), 135: (3179, 85), 136: (3240, 76), 137: (3296, 62)}
FIREFOX_VERSIONS: Final = ((138, 0.55), (137, 0.3), (128, 0.15))  # 128 = ESR
SAMSUNG_BROWSER: Final = (("27.0", "125.0.0.0", 0.7), ("26.0", "122.0.0.0", 0.3))
# UA-CH "GREASE" brand sent by Chromium next to the real brands, per major version.
GREASE: Final = {134: ("Not:A-Brand", "24"), 135: ("Not-A.Brand", "8"),
                 136: ("Not.A/Brand", "99"), 137: ("Not/A)Brand", "24")}  # fmt: skip

# Android build ids per Android version, as they appear in WebView / Dalvik user agents.
ANDROID_BUILDS: Final = {
    "15": "AP3A.240905.015",
    "14": "UP1A.231005.007",
    "13": "TP1A.220624.014",
    "12": "SP1A.210812.016",
    "11": "RP1A.200720.012",
}

# tvOS build of each tvOS version, as AppleCoreMedia user agents carry it (Apple's tvOS release
# notes; a tvOS N build is numbered N + 4: 21x for tvOS 17, 22x for tvOS 18).
TVOS_BUILDS: Final = {"18.5": "22L572", "17.6": "21M71"}

# Share of iPhones among phones per market country (StatCounter mobile vendor share, 2024).
IOS_SHARE: Final = {
    "USA": 0.57, "CAN": 0.58, "MEX": 0.22, "BRA": 0.17, "ARG": 0.12, "GBR": 0.51,
    "DEU": 0.36, "FRA": 0.33, "ITA": 0.3, "ESP": 0.25, "NLD": 0.4, "SWE": 0.55,
    "POL": 0.3, "IND": 0.05, "IDN": 0.11, "JPN": 0.67, "AUS": 0.56, "ZAF": 0.2,
}  # fmt: skip
# Markets where Roku is a major CTV platform; elsewhere its weight is cut.
ROKU_MARKETS: Final = frozenset({"USA", "CAN", "MEX", "GBR"})

# Platform keys: which app store / TV platform a user's apps come from.
CTV_PLATFORM: Final = {
    "Roku OS": "roku",
    "FireOS": "firetv",
    "Tizen": "tizen",
    "WebOS": "webos",
    "tvOS": "tvos",
    "Android": "androidtv",
}
# TV platforms whose apps are web apps on the TV's browser engine (device.js 1).
WEB_APP_TV_OS: Final = frozenset({"Tizen", "WebOS"})

# Rendering-engine tokens of user agents: Blink (Chromium) and WebKit (Safari).
BLINK: Final = "AppleWebKit/537.36 (KHTML, like Gecko)"
WEBKIT: Final = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
# The OS version desktop user agents show (frozen, see ``devices``' module docstring); None: no
# version.
UA_OSV: Final[dict[str, str | None]] = {
    "Windows": "10",
    "MacOS": "10.15.7",
    "ChromeOS": "14541.0.0",
    "Linux": None,
}
