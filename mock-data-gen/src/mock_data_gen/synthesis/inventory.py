"""Supply: publishers and their sites, apps, CTV apps and DOOH screens, built once per generator.

Every property is serialised once: its ``site``/``app``/``dooh`` members (with the publisher), its
pages or content, its layouts of ad slots, and the request members that depend on the seller
(auction type, ``tmax``, currency, block lists, ``source`` with a complete ``schain``), each put
in its place by ``wire``.
Popularity is Zipf-like: pools are ordered by rank and drawn with a power law.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Final

from mock_data_gen.synthesis import inventory_data as idata
from mock_data_gen.synthesis import media, wire
from mock_data_gen.synthesis.content import (
    SECTION_CATEGORIES,
    Vocabulary,
    audio_content,
    ctv_content,
    pick,
    site_pages,
)
from mock_data_gen.synthesis.floors import EUR_PER_USD, publisher_quality
from mock_data_gen.synthesis.fragments import members
from mock_data_gen.synthesis.geo_data import Market
from mock_data_gen.synthesis.profile import TrafficProfile

KIND_SITE: Final = 0
KIND_APP: Final = 1
KIND_DOOH: Final = 2
Slot = tuple[str, dict[str, Any], float]
_POLICIES: Final = [policy for policy, _ in idata.BATTR_POLICIES]
_POLICY_WEIGHTS: Final = [weight for _, weight in idata.BATTR_POLICIES]
_SDKS: Final = [sdk for sdk, _ in idata.SDKS]
_SDK_WEIGHTS: Final = [weight for _, weight in idata.SDKS]
# Properties without pages or content share this one empty piece.
_NO_CONTENT: Final[list[bytes]] = [b""]


@dataclass(slots=True)
class Publisher:
    id: str
    name: str
    domain: str
    quality: float
    currency: str
    exchange: str  # the ads.txt domain of the exchange selling its inventory
    battr: list[int]  # creative attributes its ad policy blocks
    badv: list[str]  # advertiser domains it blocks

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "domain": self.domain}


@dataclass(slots=True)
class Inventory:
    """Properties as parallel lists (index = property), pools of property ids by popularity."""

    catalog: media.MediaCatalog = field(default_factory=media.MediaCatalog)
    kind: list[int] = field(default_factory=list)
    publisher_id: list[str] = field(default_factory=list)
    # wire.property_opening: the site/app/dooh object; its pages' or content's members (or one
    # empty piece); wire.seller_members: the seller-dependent request members and source.
    opening: list[bytes] = field(default_factory=list)
    contents: list[list[bytes]] = field(default_factory=list)
    seller: list[bytes] = field(default_factory=list)
    exchange: list[bytes] = field(default_factory=list)  # the selling exchange's domain
    # Layout ids per property for form 0 (desktop / app / CTV / DOOH) and form 1 (mobile web).
    layouts: list[tuple[list[int], list[int]]] = field(default_factory=list)
    coppa: list[bool] = field(default_factory=list)
    market: list[int] = field(default_factory=list)  # DOOH screens only, else -1
    pools: dict[str, list[int]] = field(default_factory=dict)


class InventoryBuilder:
    def __init__(self, rnd: random.Random, profile: TrafficProfile) -> None:
        self.rnd = rnd
        self.profile = profile
        self.inv = Inventory()
        self._next_id = rnd.randrange(100_000, 200_000)
        # A reseller has one seller account on each exchange it sells through.
        self._reseller_ids: dict[tuple[str, str], str] = {}

    def _id(self) -> str:
        self._next_id += self.rnd.randrange(1, 40)
        return str(self._next_id)

    def _add(
        self,
        kind: int,
        pub: Publisher,
        opening: bytes,
        contents: list[bytes],
        layouts: tuple[list[int], list[int]],
        coppa: bool = False,
        market: int = -1,
        fd: int = 0,
        channel: str = "web",
        inserter: str = "",
    ) -> int:
        inv = self.inv
        inv.kind.append(kind)
        inv.publisher_id.append(pub.id)
        inv.opening.append(opening)
        inv.contents.append(contents or _NO_CONTENT)
        inv.seller.append(self._seller(pub, fd, channel))
        # Who adds the user's EIDs (OpenRTB 2.6 §3.2.27 ``inserter``): the selling exchange, or
        # the site's header-bidding wrapper (``inserter``, the site's domain) where it decides.
        inv.exchange.append((inserter or pub.exchange).encode())
        inv.layouts.append(layouts)
        inv.coppa.append(coppa)
        inv.market.append(market)
        return len(inv.kind) - 1

    def publishers(
        self, count: int, vocab: Vocabulary, country: str, channel: str
    ) -> list[Publisher]:
        rnd = self.rnd
        exchanges = idata.EXCHANGES[channel]
        names, weights = [e for e, _ in exchanges], [w for _, w in exchanges]
        quality = publisher_quality(rnd, count)
        eur = country in idata.EUR_COUNTRIES
        pubs = []
        for i in range(count):
            word = pick(rnd, vocab.domain_words)
            domain = f"{word}{'-media' if i % 3 else 'group'}.{idata.TLD.get(country, 'com')}"
            currency = "EUR" if eur and rnd.random() < self.profile.eur_share else "USD"
            exchange = rnd.choices(names, weights=weights)[0]
            name = pick(rnd, vocab.companies)
            battr = rnd.choices(_POLICIES, weights=_POLICY_WEIGHTS)[0]
            badv = sorted(rnd.sample(idata.BADV_POOL, rnd.choice((0, 0, 2, 3, 4, 6, 8, 12))))
            pubs.append(
                Publisher(self._id(), name, domain, quality[i], currency, exchange, battr, badv)
            )
        return pubs

    def _zipf_pick(self, items: list[Publisher]) -> Publisher:
        weights = [(rank + 1) ** -0.9 for rank in range(len(items))]
        return self.rnd.choices(items, weights=weights)[0]

    def _seller(self, pub: Publisher, fd: int, channel: str) -> bytes:
        rnd = self.rnd
        nodes = []
        if rnd.random() < 0.3:
            # Resold: the reseller holds the publisher's account, the exchange the reseller's.
            ssp = pick(rnd, [s for s in idata.UPSTREAM_SSPS if s != pub.exchange])
            nodes.append({"asi": ssp, "sid": str(rnd.randrange(10_000, 999_999)), "hp": 1})
            account = self._reseller_ids.setdefault(
                (ssp, pub.exchange), str(rnd.randrange(1_000, 99_999))
            )
            nodes.append({"asi": pub.exchange, "sid": account, "hp": 1})
        else:
            nodes.append({"asi": pub.exchange, "sid": pub.id, "hp": 1})
        request: dict[str, Any] = {
            "at": 1 if rnd.random() < 0.9 else 2,
            "tmax": rnd.choice(idata.TMAX[channel]),
        }
        request["cur"] = [pub.currency]
        bcat = rnd.choice(idata.BCAT)
        badv = pub.badv
        if bcat:
            request["bcat"] = bcat
        if badv:
            request["badv"] = badv
        source = {"fd": fd, "schain": {"complete": 1, "nodes": nodes, "ver": "1.0"}}
        return wire.seller_members(members(request), members(source))

    def _layout(self, pub: Publisher, slots: list[Slot], refresh: list[bool] | None = None) -> int:
        fx = EUR_PER_USD if pub.currency == "EUR" else 1.0
        return self.inv.catalog.add_layout(
            self.rnd, slots, pub.id, pub.currency, fx, pub.quality, self.profile.deal_rate, refresh
        )

    def _web_layout(self, pub: Publisher, spec: tuple[tuple[Any, ...], ...], slug: str) -> int:
        slots: list[Slot] = []
        refresh: list[bool] = []
        for kind, *rest in spec:
            if kind == "banner":
                sizes, pos, name, refreshes = rest
                tagid = f"{slug}_{name}"
                slots.append(media.banner(self.rnd, sizes, pos, tagid, app=False, battr=pub.battr))
                refresh.append(refreshes)
            elif kind == "native":
                plcmttype, name = rest
                slots.append(media.native(f"{slug}_{name}", plcmttype, app=False))
                refresh.append(False)
            else:
                plcmt, size, name = rest
                slots.append(media.web_video(f"{slug}_{name}", plcmt, size, pub.battr))
                refresh.append(False)
        return self._layout(pub, slots, refresh)

    def _weighted_layouts(
        self,
        pub: Publisher,
        specs: list[tuple[int, tuple[tuple[Any, ...], ...]]],
        slug: str,
        refreshing: bool,
    ) -> list[int]:
        """Layout ids repeated by weight, so a uniform pick follows the weights."""
        out: list[int] = []
        for weight, spec in specs:
            layout = self._web_layout(pub, spec if refreshing else _no_refresh(spec), slug)
            out += [layout] * weight
        return out

    def sites(self, count: int, vocab: Vocabulary, country: str, pool: str) -> None:
        rnd = self.rnd
        pubs = self.publishers(max(2, count // 3), vocab, country, "web")
        sections = list(idata.SITE_SUFFIX)
        ids = []
        for _ in range(count):
            pub = self._zipf_pick(pubs)
            section = pick(rnd, sections)
            word = pick(rnd, vocab.domain_words)
            suffix = pick(rnd, idata.SITE_SUFFIX[section])
            domain = f"{word}{suffix}.{idata.TLD.get(country, 'com')}"
            site: dict[str, Any] = {"id": self._id(), "name": f"{word.title()} {suffix.title()}"}
            site["domain"] = domain
            # Most sites are responsive; the rest were built for desktop screens only.
            optimised = 0 if rnd.random() < idata.DESKTOP_ONLY_SITE_SHARE else 1
            site.update(cat=SECTION_CATEGORIES[section][:2], mobile=optimised, privacypolicy=1)
            site["publisher"] = pub.as_json()
            pages = site_pages(rnd, vocab, domain, section, rnd.randrange(4, 14))
            slug = word[:12]
            # Auto-refreshing slots exist on about a third of sites.
            refreshing = rnd.random() < 0.35
            desktop_specs = list(idata.DESKTOP_LAYOUTS)
            mobile_specs = list(idata.MOBILE_LAYOUTS)
            if section in idata.VIDEO_SECTIONS and rnd.random() < 0.6:
                desktop_specs.append(idata.DESKTOP_PREROLL)
                mobile_specs.append(idata.MOBILE_PREROLL)
            desktop = self._weighted_layouts(pub, desktop_specs, slug, refreshing)
            # A desktop-only site shows phones its desktop page, slots and all.
            mobile = (
                self._weighted_layouts(pub, mobile_specs, slug, refreshing)
                if optimised
                else desktop
            )
            opening = wire.property_opening("site", members(site))
            fd = 1 if rnd.random() < 0.6 else 0  # header bidding: the page's wrapper decides
            # The wrapper adds the EIDs: "for header bidders, the inserter is the Publisher"
            # (OpenRTB 2.6 implementation guide, EIDs), by the domain of its site.
            inserter = domain if fd else ""
            ids.append(
                self._add(
                    KIND_SITE, pub, opening, pages, (desktop, mobile), fd=fd, inserter=inserter
                )
            )
        self.inv.pools.setdefault(pool, []).extend(ids)

    def _app_layouts(
        self, pub: Publisher, family: str, tag: str, feed: int, sdk: tuple[str, str]
    ) -> list[int]:
        rnd, battr = self.rnd, pub.battr
        weights = idata.APP_LAYOUT_WEIGHTS
        banner = media.banner(rnd, [(320, 50)], 5, f"{tag}_banner", app=True, battr=battr, sdk=sdk)
        mrec = media.banner(rnd, [(300, 250)], 3, f"{tag}_mrec", app=True, battr=battr, sdk=sdk)
        layouts = [self._layout(pub, [banner])] * weights["banner"]
        layouts += [self._layout(pub, [mrec])] * weights["mrec"]
        if family == "game":
            rewarded = self._layout(pub, [media.app_video(f"{tag}_rewarded", True, sdk, True)])
            video = self._layout(pub, [media.app_video(f"{tag}_inter", False, sdk, True)])
            sizes = [(320, 480), (480, 320)]
            static = media.banner(
                rnd, sizes, 7, f"{tag}_inter_static", app=True, battr=battr, sdk=sdk, instl=True
            )
            layouts += [rewarded] * weights["rewarded"] + [video] * weights["interstitial"]
            layouts += [self._layout(pub, [static])] * weights["interstitial"]
        elif family == "audio":
            # Streaming and podcast apps earn mostly from audio breaks.
            live = feed == 1 and rnd.random() < 0.3  # internet radio next to on-demand
            audio = self._layout(pub, [media.audio(f"{tag}_audio_break", feed, live, sdk)])
            layouts += [audio] * weights["audio"]
        else:
            native = self._layout(pub, [media.native(f"{tag}_feed", 1, app=True, sdk=sdk)])
            layouts += [native] * weights["native"]
        return layouts

    def apps(self, count: int, vocab: Vocabulary) -> None:
        rnd = self.rnd
        pubs = self.publishers(max(2, count // 3), vocab, "USA", "app")
        kinds = list(idata.APP_KINDS)
        weights = [idata.APP_KINDS[k][0] for k in kinds]
        for _ in range(count):
            kind = rnd.choices(kinds, weights=weights)[0]
            _, cat, family, coppa = idata.APP_KINDS[kind]
            pub = self._zipf_pick(pubs)
            name = f"{pick(rnd, idata.APP_WORDS)} {pick(rnd, vocab.domain_words).title()}"
            tag = slug_of(name)
            r = rnd.random()
            stores = ("ios", "android") if r < 0.55 else (("ios",) if r < 0.7 else ("android",))
            feed = 1 if kind == "music" else 3
            contents = audio_content(rnd, vocab, feed, 12) if family == "audio" else []
            version = f"{rnd.randrange(1, 12)}.{rnd.randrange(0, 30)}.{rnd.randrange(0, 9)}"
            sdk = rnd.choices(_SDKS, weights=_SDK_WEIGHTS)[0]  # one ad SDK per app title
            for store in stores:
                layouts = self._app_layouts(pub, family, tag, feed, sdk)
                if store == "ios":
                    bundle = str(rnd.randrange(300_000_000, 6_700_000_000))
                    url = f"https://apps.apple.com/us/app/id{bundle}"
                else:
                    developer = pick(rnd, vocab.domain_words).replace("-", "")
                    bundle = f"com.{developer}.{tag.replace('_', '')}"
                    url = f"https://play.google.com/store/apps/details?id={bundle}"
                app: dict[str, Any] = {"id": self._id(), "name": name, "bundle": bundle}
                app.update(storeurl=url, cat=[cat], ver=version, privacypolicy=1, paid=0)
                app["publisher"] = pub.as_json()
                opening = wire.property_opening("app", members(app))
                prop = self._add(
                    KIND_APP, pub, opening, contents, (layouts, layouts), coppa, channel="app"
                )
                self.inv.pools.setdefault(f"app:{store}", []).append(prop)

    def ctv_apps(self, count: int, vocab: Vocabulary) -> None:
        rnd = self.rnd
        pubs = self.publishers(max(2, count // 2), vocab, "USA", "ctv")
        for index in range(count):
            pub = self._zipf_pick(pubs)
            word = pick(rnd, vocab.domain_words).title()
            name = f"{word} {pick(rnd, idata.CTV_SUFFIX)}"
            live = rnd.random() < 0.2  # live news/sports channels need exact ad durations
            network = {"id": f"net-{index + 1}", "name": f"{word} Networks", "domain": pub.domain}
            contents = ctv_content(rnd, vocab, network, live, 16)
            tag = slug_of(name)
            layouts = []
            for podseq in (1, 0, 0, -1):  # pre-roll, two mid-rolls, post-roll
                dynamic = podseq == 0 and rnd.random() < 0.5
                size = rnd.randrange(2, media.MAX_SLOTS + 1)
                pod = media.ctv_pod(f"{tag}_pod{podseq}", podseq, size, live, dynamic, 0.8, 20.0)
                layouts.append(self._layout(pub, pod))
            platforms = [p for p in idata.CTV_PLATFORMS if rnd.random() < 0.7] or ["roku"]
            for platform in platforms:
                app: dict[str, Any] = {"id": self._id(), "name": name}
                app.update(bundle=_ctv_bundle(rnd, platform, name), cat=["IAB1-7"], ver="3.4.1")
                app.update(privacypolicy=1, paid=0, publisher=pub.as_json())
                app["inventorypartnerdomain"] = pub.domain
                opening = wire.property_opening("app", members(app))
                prop = self._add(
                    KIND_APP, pub, opening, contents, (layouts, layouts), channel="ctv"
                )
                self.inv.pools.setdefault(f"app:{platform}", []).append(prop)

    def dooh_screens(self, count: int, vocab: Vocabulary, market: Market, index: int) -> list[int]:
        rnd = self.rnd
        owners = self.publishers(3, vocab, market.country, "dooh")
        ids = []
        for _ in range(count):
            pub = self._zipf_pick(owners)
            venue = pick(rnd, idata.VENUES)
            screen = self._id()
            label = venue.split(".")[1].replace("_", " ").title()
            dooh: dict[str, Any] = {"id": screen, "name": f"{label} Screen {screen[-4:]}"}
            dooh.update(
                venuetype=[venue], venuetypetax=1, publisher=pub.as_json(), domain=pub.domain
            )
            portrait = rnd.random() < 0.4
            layouts = [
                self._layout(pub, [media.dooh_slot(f"scr{screen}", portrait, False, 3600)]),
                self._layout(pub, [media.dooh_slot(f"scr{screen}", portrait, True, 3600)]),
            ]
            opening = wire.property_opening("dooh", members(dooh))
            ids.append(
                self._add(
                    KIND_DOOH, pub, opening, [], (layouts, layouts), market=index, channel="dooh"
                )
            )
        return ids


def _no_refresh(spec: tuple[tuple[Any, ...], ...]) -> tuple[tuple[Any, ...], ...]:
    return tuple((*slot[:4], False) if slot[0] == "banner" else slot for slot in spec)


def slug_of(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower())[:24]


def _ctv_bundle(rnd: random.Random, platform: str, name: str) -> str:
    """Store ids per the IAB Tech Lab OTT/CTV store-assigned app identification guidelines."""
    if platform == "roku":
        return str(rnd.randrange(10_000, 700_000))
    if platform == "firetv":
        return "B0" + "".join(rnd.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8))
    if platform == "tizen":
        return "G" + str(rnd.randrange(10**10, 10**11))
    if platform == "webos":
        return str(rnd.randrange(10**11, 10**12))
    if platform == "tvos":
        return str(rnd.randrange(300_000_000, 6_700_000_000))
    return f"com.{slug_of(name).replace('_', '')}.tv"
