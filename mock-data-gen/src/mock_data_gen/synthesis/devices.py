"""Users' devices: model, OS, screen, and a ``ua``/``sua`` pair that tell the same story.

Each distinct combination (model, OS version, browser build, web or in-app, client-hints mode) is
serialised once as a *template* and shared by every user on it. ``sua`` is only sent where a
real client would produce it: User-Agent Client Hints come from Chromium browsers (source 1 or 2,
AdCOM 1.0 List: User-Agent Source); for Safari and Firefox some exchanges parse the UA (source 3).

On the web ``osv`` is what the request itself reveals: the platform version of high-entropy client
hints where sent, else the user agent's. Browsers freeze that: Safari and Chromium on macOS say
"Mac OS X 10_15_7" and Firefox "Mac OS X 10.15" whatever the macOS (WebKit and Mozilla froze it at
Catalina), every Windows is "Windows NT 10.0", ChromeOS is "CrOS x86_64 14541.0.0" and Chrome on
Android "Android 10; K" (Chromium's User-Agent Reduction), and desktop Linux names no version.
In apps the SDK reads the OS version from the platform, so ``osv`` is the real one.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from typing import Any, Final

from mock_data_gen.synthesis import devices_data as dd
from mock_data_gen.synthesis import wire
from mock_data_gen.synthesis.fragments import members

# AdCOM 1.0 List: Device Types.
PERSONAL_COMPUTER: Final = 2
PHONE: Final = 4

_DESKTOP_OPTIONS: Final = tuple((d, d[5]) for d in dd.DESKTOPS)
_SCREEN_OPTIONS: Final = tuple((s, s[4]) for s in dd.DESKTOP_SCREENS)


@dataclass(slots=True)
class TemplateCatalog:
    """Device templates: the shared members of ``device`` (OpenRTB 2.6 §3.2.18) without per-user
    ids and geo, as ``wire.device_template`` pieces."""

    pieces: list[bytes] = field(default_factory=list)
    _index: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def get(self, key: tuple[Any, ...]) -> int | None:
        return self._index.get(key)

    def add(self, key: tuple[Any, ...], device: dict[str, Any]) -> int:
        found = self._index.get(key)
        if found is None:
            found = len(self.pieces)
            self.pieces.append(wire.device_template(members(device)))
            self._index[key] = found
        return found


DEVICE_DRAWS: Final = 8  # uniforms per user consumed by pick_device / device_templates


def pick_device(device_class: str, country: str, u: list[float]) -> tuple[dd.Model | None, str]:
    """The user's device model (None for desktops) and platform key: "ios", "android",
    "desktop" or a CTV platform. Cheap, so it runs for every user at start-up."""
    if device_class == "desktop":
        return None, "desktop"
    if device_class == "ctv":
        model = _pick_ctv(country, u[0])
        return model, dd.CTV_PLATFORM[model.os]
    models = dd.PHONES if device_class == "phone" else dd.TABLETS
    model = _pick_mobile(models, country, u[0], u[1])
    return model, "ios" if model.os == "iOS" else "android"


def device_templates(
    catalog: TemplateCatalog, model: dd.Model | None, device_class: str, u: list[float]
) -> tuple[int, int]:
    """Template ids of the user's web and in-app requests (equal where only one is used)."""
    if model is None:
        web, _ = _desktop(catalog, u)
        return web, web
    osv = _weighted(model.versions, u[2] if device_class != "ctv" else u[1])
    if device_class == "ctv":
        template = _ctv_template(catalog, model, osv)
        return template, template
    browser = _weighted(dd.MOBILE_BROWSERS[model.os], u[3])
    if browser == "samsung" and model.make != "Samsung":
        browser = "chrome"
    web = _mobile_template(catalog, model, osv, browser, u[4], u[5], in_app=False)
    app = _mobile_template(catalog, model, osv, "webview", u[4], u[5], in_app=True)
    return web, app


def _weighted(options: tuple[tuple[Any, float], ...], u: float) -> Any:
    values, cumulative = _cumulative(options)
    return values[min(bisect.bisect_right(cumulative, u), len(values) - 1)]


@functools.cache
def _cumulative(
    options: tuple[tuple[Any, float], ...],
) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    total = sum(weight for _, weight in options)
    acc = 0.0
    cumulative = []
    for _, weight in options:
        acc += weight / total
        cumulative.append(acc)
    return tuple(value for value, _ in options), tuple(cumulative)


def _pick_mobile(models: tuple[dd.Model, ...], country: str, u_os: float, u: float) -> dd.Model:
    ios = u_os < dd.IOS_SHARE.get(country, 0.3)
    # Xiaomi outsells Samsung in India and Indonesia.
    return _weighted(_mobile_pool(models, ios, country in ("IND", "IDN")), u)  # type: ignore[no-any-return]


@functools.cache
def _mobile_pool(
    models: tuple[dd.Model, ...], ios: bool, xiaomi_boost: bool
) -> tuple[tuple[dd.Model, float], ...]:
    boost = 4.0 if xiaomi_boost else 1.0
    return tuple(
        (m, m.weight * (boost if m.make == "Xiaomi" else 1.0))
        for m in models
        if (m.os == "iOS") == ios
    )


def _pick_ctv(country: str, u: float) -> dd.Model:
    return _weighted(_ctv_pool(country in dd.ROKU_MARKETS), u)  # type: ignore[no-any-return]


@functools.cache
def _ctv_pool(roku_market: bool) -> tuple[tuple[dd.Model, float], ...]:
    cut = 1.0 if roku_market else 0.15
    return tuple((m, m.weight * (cut if m.make == "Roku" else 1.0)) for m in dd.CTV_MODELS)


def _chrome(u: float) -> tuple[int, str]:
    major = _weighted(tuple(dd.CHROME_WEIGHTS.items()), u)
    build, patch = dd.CHROME_BUILDS[major]
    return major, f"{major}.0.{build}.{patch}"


def _brands(name: str, major: int, full: str, high_entropy: bool) -> list[dict[str, Any]]:
    grease, grease_major = dd.GREASE[major]
    real = [("Chromium", full), (name, full)] if name != "Chromium" else [("Chromium", full)]
    if name == "Microsoft Edge":
        build, patch = dd.EDGE_BUILDS[major]
        real = [("Chromium", full), (name, f"{major}.0.{build}.{patch}")]
    brands = [*real, (grease, f"{grease_major}.0.0.0")]
    return [
        {"brand": brand, "version": version.split(".") if high_entropy else [version.split(".")[0]]}
        for brand, version in brands
    ]


def _sua(
    browsers: list[dict[str, Any]],
    platform: str,
    platform_version: tuple[str, ...] | None,
    mobile: int,
    source: int,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    plat: dict[str, Any] = {"brand": platform}
    if platform_version is not None:
        plat["version"] = list(platform_version)
    return {
        "browsers": browsers,
        "platform": plat,
        "mobile": mobile,
        **(extra or {}),
        "source": source,
    }


def _desktop(catalog: TemplateCatalog, u: list[float]) -> tuple[int, str]:
    platform = _weighted(_DESKTOP_OPTIONS, u[0])
    screen = _weighted(_SCREEN_OPTIONS, u[1])
    os_name = platform[0]
    if os_name == "MacOS":
        screen = (2880, 1800, 220, 2.0, 0.0) if u[2] < 0.6 else (2560, 1600, 227, 2.0, 0.0)
    browser = _weighted(dd.DESKTOP_BROWSERS[os_name], u[3])
    if browser == "firefox":
        version: Any = _weighted(dd.FIREFOX_VERSIONS, u[4])
        hints = 2
    elif browser == "safari":
        version = "18.4" if platform[1].startswith("15") else "17.6"
        hints = 3 if u[5] < 0.25 else 2  # 3: parsed from the UA
    else:
        version = _chrome(u[4])
        hints = 0 if u[5] < 0.5 else (1 if u[5] < 0.85 else 2)
    arch = "arm" if os_name == "MacOS" and u[6] < 0.7 else "x86"
    key = ("desktop", platform, screen, browser, version, hints, arch)
    found = catalog.get(key)
    if found is None:
        found = catalog.add(key, _desktop_device(platform, screen, browser, version, hints, arch))
    return found, os_name


def _desktop_device(
    platform: tuple[Any, ...],
    screen: tuple[Any, ...],
    browser: str,
    version: Any,
    hints: int,
    arch: str,
) -> dict[str, Any]:
    os_name, osv, ch_platform, ch_version, token, _ = platform
    w, h, ppi, pxratio, _ = screen
    sua: dict[str, Any] | None = None
    if browser in ("chrome", "edge"):
        major, full = version
        ua = f"Mozilla/5.0 ({token}) {dd.BLINK} Chrome/{major}.0.0.0 Safari/537.36"
        brand = "Google Chrome"
        if browser == "edge":
            ua += f" Edg/{major}.0.0.0"
            brand = "Microsoft Edge"
        if hints == 0:
            extra = {"architecture": arch, "bitness": "64", "model": ""}
            sua = _sua(_brands(brand, major, full, True), ch_platform, ch_version, 0, 2, extra)
        elif hints == 1:
            sua = _sua(_brands(brand, major, full, False), ch_platform, None, 0, 1)
    elif browser == "firefox":
        ff_token = token.replace("10_15_7", "10.15") + f"; rv:{version}.0"
        ua = f"Mozilla/5.0 ({ff_token}) Gecko/20100101 Firefox/{version}.0"
    else:  # Safari on macOS
        ua = f"Mozilla/5.0 ({token}) {dd.WEBKIT} Version/{version} Safari/605.1.15"
        if hints == 3:
            browsers = [{"brand": "Safari", "version": version.split(".")}]
            sua = _sua(browsers, "macOS", ("10", "15", "7"), 0, 3)
    shown: str | None = osv
    if hints != 0:
        # Without high-entropy client hints the version is the user agent's (module docstring):
        # Windows 11 shows only in the platform version (13 and up) of Chromium's hints.
        shown = "10.15" if browser == "firefox" and os_name == "MacOS" else dd.UA_OSV[os_name]
    device: dict[str, Any] = {"ua": ua}
    if sua is not None:
        device["sua"] = sua
    device["devicetype"] = PERSONAL_COMPUTER
    if os_name == "MacOS":
        device.update(make="Apple", model="Mac")
    device["os"] = os_name
    if shown is not None:
        device["osv"] = shown
    device.update(h=h, w=w, ppi=ppi, pxratio=pxratio, js=1)
    return device


def _mobile_template(
    catalog: TemplateCatalog,
    model: dd.Model,
    osv: str,
    browser: str,
    u_version: float,
    u_hints: float,
    in_app: bool,
) -> int:
    version: Any = None
    hints = 2  # 0 high-entropy client hints, 1 low-entropy, 2 none, 3 parsed from the UA
    if browser in ("webview", "chrome"):
        version = _chrome(u_version)
        if browser == "chrome" and model.os == "Android":
            hints = 0 if u_hints < 0.5 else (1 if u_hints < 0.85 else 2)
    elif browser == "samsung":
        version = dd.SAMSUNG_BROWSER[0 if u_version < 0.7 else 1]
    elif browser == "firefox":
        version = _weighted(dd.FIREFOX_VERSIONS, u_version)
    elif model.os == "iOS" and u_hints < 0.25:
        hints = 3
    key = ("mobile", model, osv, browser, version, hints, in_app)
    found = catalog.get(key)
    if found is None:
        found = catalog.add(key, _mobile_device(model, osv, browser, version, hints))
    return found


def _mobile_device(
    model: dd.Model, osv: str, browser: str, version: Any, hints: int
) -> dict[str, Any]:
    sua: dict[str, Any] | None = None
    mobile = 1 if model.devicetype == PHONE else 0
    if model.os == "iOS":
        device_token = "iPhone; CPU iPhone OS" if model.ua_token == "iPhone" else "iPad; CPU OS"
        head = f"Mozilla/5.0 ({device_token} {osv.replace('.', '_')} like Mac OS X) {dd.WEBKIT}"
        safari = ".".join(osv.split(".")[:2])
        if browser == "webview":
            ua = f"{head} Mobile/15E148"
        elif browser == "chrome":
            ua = f"{head} CriOS/{version[1]} Mobile/15E148 Safari/604.1"
        else:
            ua = f"{head} Version/{safari} Mobile/15E148 Safari/604.1"
            if hints == 3:
                browsers = [{"brand": "Safari", "version": safari.split(".")}]
                sua = _sua(browsers, "iOS", tuple(osv.split(".")), mobile, 3)
    else:
        mobile_word = " Mobile" if model.devicetype == PHONE else ""
        if browser == "webview":
            build = dd.ANDROID_BUILDS.get(osv, "UP1A.231005.007")
            ua = (
                f"Mozilla/5.0 (Linux; Android {osv}; {model.ua_token} Build/{build}; wv) "
                f"{dd.BLINK} Version/4.0 Chrome/{version[1]}{mobile_word} Safari/537.36"
            )
        elif browser == "samsung":
            samsung, chrome_version, _ = version
            ua = (
                f"Mozilla/5.0 (Linux; Android {osv}; SAMSUNG {model.ua_token}) {dd.BLINK} "
                f"SamsungBrowser/{samsung} Chrome/{chrome_version}{mobile_word} Safari/537.36"
            )
        elif browser == "firefox":
            form = "Mobile" if model.devicetype == PHONE else "Tablet"
            ua = f"Mozilla/5.0 (Android {osv}; {form}; rv:{version}.0) Gecko/{version}.0 "
            ua += f"Firefox/{version}.0"
        else:
            major, full = version
            # Chrome's reduced UA hides the Android version and model; client hints carry them.
            ua = f"Mozilla/5.0 (Linux; Android 10; K) {dd.BLINK} "
            ua += f"Chrome/{major}.0.0.0{mobile_word} Safari/537.36"
            if hints == 0:
                brands = _brands("Google Chrome", major, full, True)
                extra = {"model": model.ua_token}
                sua = _sua(brands, "Android", (osv, "0", "0"), mobile, 2, extra)
            elif hints == 1:
                sua = _sua(_brands("Google Chrome", major, full, False), "Android", None, mobile, 1)
    device: dict[str, Any] = {"ua": ua}
    if sua is not None:
        device["sua"] = sua
    device["devicetype"] = model.devicetype
    # Chrome's reduced UA ("Android 10; K") and Firefox's name no model: without high-entropy
    # client hints the exchange knows neither make nor model, and only the reduced version.
    hidden = model.os == "Android" and (
        browser == "firefox" or (browser == "chrome" and hints != 0)
    )
    if not hidden:
        device.update(make=model.make, model=model.model)
        if model.hwv:
            device["hwv"] = model.hwv
    if hidden and browser == "chrome":
        osv = "10"
    device.update(os=model.os, osv=osv, h=model.h, w=model.w, ppi=model.ppi, pxratio=model.pxratio)
    device["js"] = 1
    return device


def _ctv_template(catalog: TemplateCatalog, model: dd.Model, osv: str) -> int:
    if model.os == "Roku OS":
        ua = f"Roku/DVP-{osv} ({osv}.4.5151-46)"
    elif model.os == "FireOS":
        android = "11" if osv.startswith("8") else "9"
        ua = f"Dalvik/2.1.0 (Linux; U; Android {android}; {model.ua_token} Build/PS7633.3445N)"
    elif model.os == "Tizen":
        ua = (
            f"Mozilla/5.0 (SMART-TV; LINUX; Tizen {osv}) AppleWebKit/537.36 "
            f"(KHTML, like Gecko) 94.0.4606.31/{osv} TV Safari/537.36"
        )
    elif model.os == "WebOS":
        ua = (
            "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/94.0.4606.128 Safari/537.36 WebAppManager"
        )
    elif model.os == "tvOS":
        version = osv.replace(".", "_")
        build = dd.TVOS_BUILDS[osv]
        ua = f"AppleCoreMedia/1.0.0.{build} (Apple TV; U; CPU OS {version} like Mac OS X; en_us)"
    else:
        build = dd.ANDROID_BUILDS.get(osv, "SP1A.210812.016")
        ua = f"Dalvik/2.1.0 (Linux; U; Android {osv}; {model.ua_token} Build/{build})"
    device: dict[str, Any] = {
        "ua": ua,
        "devicetype": model.devicetype,
        "make": model.make,
        "model": model.model,
    }
    if model.hwv:
        device["hwv"] = model.hwv
    device.update(os=model.os, osv=osv, h=model.h, w=model.w, ppi=model.ppi, pxratio=model.pxratio)
    # Tizen and webOS apps are web apps on the TV's browser engine; Roku (BrightScript), tvOS,
    # Fire OS and Android TV apps play VAST in the platform's player, with no JavaScript.
    device["js"] = 1 if model.os in dd.WEB_APP_TV_OS else 0
    return catalog.add(("ctv", model.model, osv), device)
