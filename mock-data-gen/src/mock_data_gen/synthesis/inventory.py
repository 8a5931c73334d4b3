"""Supply: publishers and their sites, apps, CTV apps and DOOH screens, built once per generator.

Every property is serialised once: its ``site``/``app``/``dooh`` members (with the publisher), its
pages or content, its layouts of ad slots, and the request members that depend on the seller
(auction type, ``tmax``, currency, block lists, ``source`` with a complete ``schain``), each put
in its place by ``wire``.
Popularity is Zipf-like: pools are ordered by rank and drawn with a power law.

Publishers, one business each, and their seller members come from ``publishers``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Final

from mock_data_gen.synthesis import inventory_data as idata
from mock_data_gen.synthesis import media, wire
from mock_data_gen.synthesis.content import (
    CTV_GENRES,
    SECTION_CATEGORIES,
    Vocabulary,
    audio_content,
    ctv_content,
    pick,
    site_pages,
)
from mock_data_gen.synthesis.fragments import members
from mock_data_gen.synthesis.geo_data import Market
from mock_data_gen.synthesis.layouts import Layouts
from mock_data_gen.synthesis.placements import MAX_SLOTS, MediaCatalog
from mock_data_gen.synthesis.profile import TrafficProfile
from mock_data_gen.synthesis.publishers import Publisher, Sellers

KIND_SITE: Final = 0
KIND_APP: Final = 1
KIND_DOOH: Final = 2
_SDKS: Final = [sdk for sdk, _ in idata.SDKS]
_SDK_WEIGHTS: Final = [weight for _, weight in idata.SDKS]
_GENRES: Final = list(idata.CTV_APP_GENRES)
_GENRE_WEIGHTS: Final = [share for share, _ in idata.CTV_APP_GENRES.values()]
# Properties without pages or content share this one empty piece.
_NO_CONTENT: Final[list[bytes]] = [b""]


@dataclass(slots=True)
class Inventory:
    """Properties as parallel lists (index = property), pools of property ids by popularity."""

    catalog: MediaCatalog = field(default_factory=MediaCatalog)
    kind: list[int] = field(default_factory=list)
    publisher_id: list[str] = field(default_factory=list)
    # wire.property_opening: the site/app/dooh object; its pages' or content's members (or one
    # empty piece); wire.seller_members: the seller-dependent request members and source.
    opening: list[bytes] = field(default_factory=list)
    contents: list[list[bytes]] = field(default_factory=list)
    seller: list[bytes] = field(default_factory=list)
    exchange: list[bytes] = field(default_factory=list)  # the selling exchange's domain
    # Layout ids per property for form 0 (desktop / phone app / CTV / DOOH), form 1 (mobile web)
    # and form 2 (tablet app: full-screen slots the size of a tablet); empty for a form the
    # property is never seen in.
    layouts: list[tuple[list[int], list[int], list[int]]] = field(default_factory=list)
    coppa: list[bool] = field(default_factory=list)
    market: list[int] = field(default_factory=list)  # DOOH screens only, else -1
    country: list[str] = field(default_factory=list)  # the publisher's, ISO 3166-1 alpha-2
    dsa: list[int] = field(default_factory=list)  # the publisher's index into dsa_ext
    # The members of regs.ext with a publisher's DSA transparency; index 0: none (Sellers.dsa_ext).
    dsa_ext: list[bytes] = field(default_factory=lambda: [b""])
    pools: dict[str, list[int]] = field(default_factory=dict)


class InventoryBuilder:
    def __init__(self, rnd: random.Random, profile: TrafficProfile) -> None:
        self.rnd = rnd
        self.profile = profile
        self.inv = Inventory()
        self.sellers = Sellers(rnd, profile)
        self.inv.dsa_ext = self.sellers.dsa_ext
        self._id = self.sellers.next_id
        self.publishers = self.sellers.publishers
        self.layouts = Layouts(rnd, self.inv.catalog, profile)

    def _add(
        self,
        kind: int,
        pub: Publisher,
        opening: bytes,
        contents: list[bytes],
        layouts: tuple[list[int], list[int], list[int]],
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
        inv.seller.append(self.sellers.seller(pub, fd, channel))
        # Who adds the user's EIDs (OpenRTB 2.6 §3.2.27 ``inserter``): the selling exchange, or
        # the site's header-bidding wrapper (``inserter``, the site's domain) where it decides.
        inv.exchange.append((inserter or pub.exchange).encode())
        inv.layouts.append(layouts)
        inv.coppa.append(coppa)
        inv.market.append(market)
        inv.country.append(pub.country)
        inv.dsa.append(pub.dsa)
        return len(inv.kind) - 1

    def _zipf_pick(self, items: list[Publisher]) -> Publisher:
        weights = [(rank + 1) ** -0.9 for rank in range(len(items))]
        return self.rnd.choices(items, weights=weights)[0]

    def sites(self, count: int, vocab: Vocabulary, country: str, pool: str) -> None:
        rnd = self.rnd
        pubs = self.publishers(max(2, count // 3), vocab, country, "web")
        sections = list(idata.SITE_SUFFIX)
        tld = idata.TLD.get(country, "com")
        ids = []
        for _ in range(count):
            pub = self._zipf_pick(pubs)
            section = pick(rnd, sections)
            word = pick(rnd, vocab.domain_words)
            suffix = pick(rnd, idata.SITE_SUFFIX[section])
            domain = self.sellers.unique_domain(f"{word}{suffix}", tld, idata.SITE_DOMAIN_WORDS)
            name = domain.split(".")[0]
            site: dict[str, Any] = {"id": self._id(), "name": f"{word.title()} {suffix.title()}"}
            site["domain"] = domain
            # Most sites are responsive; the rest were built for desktop screens only.
            optimised = 0 if rnd.random() < idata.DESKTOP_ONLY_SITE_SHARE else 1
            site.update(cat=SECTION_CATEGORIES[section][:2], mobile=optimised, privacypolicy=1)
            site["publisher"] = pub.as_json()
            pages = site_pages(rnd, vocab, domain, section, rnd.randrange(4, 14))
            slug_ = word[:12]
            # Auto-refreshing slots exist on about a third of sites.
            refreshing = rnd.random() < 0.35
            # Header bidding: the page's wrapper makes the final decision (source.fd 1) and
            # passes the ad unit path (GPID) and, where enabled, per-impression transaction ids.
            header_bidding = rnd.random() < idata.HEADER_BIDDING_SHARE
            gpid_root = None
            tid = False
            if header_bidding:
                if rnd.random() < idata.GPID_SHARE:
                    gpid_root = f"/{pub.network}/{name}"
                tid = rnd.random() < idata.TID_SHARE
            desktop_specs = list(idata.DESKTOP_LAYOUTS)
            mobile_specs = list(idata.MOBILE_LAYOUTS)
            if section in idata.VIDEO_SECTIONS and rnd.random() < 0.6:
                desktop_specs.append(idata.DESKTOP_PREROLL)
                mobile_specs.append(idata.MOBILE_PREROLL)
            desktop = self.layouts.web(pub, desktop_specs, slug_, refreshing, gpid_root, tid)
            # A desktop-only site shows phones its desktop page, slots and all.
            mobile = (
                self.layouts.web(pub, mobile_specs, slug_, refreshing, gpid_root, tid)
                if optimised
                else desktop
            )
            opening = wire.property_opening("site", members(site))
            fd = 1 if header_bidding else 0
            # The wrapper adds the EIDs: "for header bidders, the inserter is the Publisher"
            # (OpenRTB 2.6 implementation guide, EIDs), by the domain of its site.
            inserter = domain if fd else ""
            ids.append(
                self._add(
                    KIND_SITE,
                    pub,
                    opening,
                    pages,
                    (desktop, mobile, []),
                    fd=fd,
                    inserter=inserter,
                )
            )
        self.inv.pools.setdefault(pool, []).extend(ids)

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
            feed = idata.AUDIO_FEEDS.get(kind, 0)
            server_side = feed == 3 and rnd.random() < idata.PODCAST_SERVER_SIDE_SHARE
            contents = audio_content(rnd, vocab, feed, 12) if family == "audio" else []
            version = f"{rnd.randrange(1, 12)}.{rnd.randrange(0, 30)}.{rnd.randrange(0, 9)}"
            sdk = rnd.choices(_SDKS, weights=_SDK_WEIGHTS)[0]  # one ad SDK per app title
            landscape = family == "game" and rnd.random() < idata.LANDSCAPE_GAME_SHARE
            # Prebid Mobile passes the ad unit path (GPID) and per-impression transaction ids.
            prebid = sdk[0] == "PrebidMobile"
            skadn = not coppa and rnd.random() < idata.SKADN_SHARE
            skadnetids = sorted(rnd.sample(idata.SKADNETWORK_IDS, rnd.randrange(4, 11)))
            stem = pub.domain.split(".")[0].replace("-", "")
            for store in stores:
                if store == "ios":
                    bundle = str(rnd.randrange(300_000_000, 6_700_000_000))
                    url = f"https://apps.apple.com/us/app/id{bundle}"
                else:
                    bundle = f"com.{stem}.{tag.replace('_', '')}"
                    url = f"https://play.google.com/store/apps/details?id={bundle}"
                ext: dict[str, dict[str, Any] | None] = {}
                for slot_name in idata.APP_SLOT_NAMES:
                    slot_ext: dict[str, Any] = {}
                    if prebid:
                        slot_ext["gpid"] = f"/{pub.network}/{tag}_{store}/{slot_name}"
                    if skadn and store == "ios":
                        slot_ext["skadn"] = {
                            "versions": list(idata.SKADN_VERSIONS),
                            "sourceapp": bundle,
                            "skadnetids": [f"{i}.skadnetwork" for i in skadnetids],
                        }
                    ext[slot_name] = slot_ext or None
                phone, tablet = self.layouts.app(
                    pub, family, tag, (feed, server_side), sdk, landscape, ext, prebid
                )
                app: dict[str, Any] = {"id": self._id(), "name": name, "bundle": bundle}
                app.update(storeurl=url, cat=[cat], ver=version, privacypolicy=1, paid=0)
                app["publisher"] = pub.as_json()
                opening = wire.property_opening("app", members(app))
                prop = self._add(
                    KIND_APP, pub, opening, contents, (phone, [], tablet), coppa, channel="app"
                )
                self.inv.pools.setdefault(f"app:{store}", []).append(prop)

    def ctv_apps(self, count: int, vocab: Vocabulary) -> None:
        rnd = self.rnd
        pubs = self.publishers(max(2, count // 2), vocab, "USA", "ctv")
        for index in range(count):
            pub = self._zipf_pick(pubs)
            word = pick(rnd, vocab.domain_words).title()
            name = f"{word} {pick(rnd, idata.CTV_SUFFIX)}"
            genre = rnd.choices(_GENRES, weights=_GENRE_WEIGHTS)[0]
            # Live news and sports channels need exact ad durations.
            live = rnd.random() < idata.CTV_APP_GENRES[genre][1]
            network = {"id": f"net-{index + 1}", "name": f"{word} Networks", "domain": pub.domain}
            contents = ctv_content(rnd, vocab, network, genre, live, 16)
            tag = slug_of(name)
            layouts = []
            for podseq in (1, 0, 0, -1):  # pre-roll, two mid-rolls, post-roll
                dynamic = rnd.random() < idata.DYNAMIC_POD_SHARE
                if dynamic:
                    size = rnd.randrange(2, MAX_SLOTS + 1)  # at most this many ads
                else:
                    size = rnd.choice(idata.STRUCTURED_POD_SLOTS)
                pod = media.ctv_pod(f"{tag}_pod{podseq}", podseq, size, live, dynamic)
                layouts.append(self.layouts.layout(pub, pod))
            platforms = [p for p in idata.CTV_PLATFORMS if rnd.random() < 0.7] or ["roku"]
            for platform in platforms:
                bundle = _ctv_bundle(rnd, platform, name)
                app: dict[str, Any] = {"id": self._id(), "name": name, "bundle": bundle}
                app["storeurl"] = idata.CTV_STORE_URL[platform].format(bundle=bundle)
                # Each platform's build of the app has its own release number.
                version = f"{rnd.randrange(1, 9)}.{rnd.randrange(0, 40)}.{rnd.randrange(0, 20)}"
                app.update(cat=CTV_GENRES[genre][0], ver=version)
                app.update(privacypolicy=1, paid=0, publisher=pub.as_json())
                app["inventorypartnerdomain"] = pub.domain
                opening = wire.property_opening("app", members(app))
                prop = self._add(KIND_APP, pub, opening, contents, (layouts, [], []), channel="ctv")
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
                self.layouts.layout(pub, [media.dooh_slot(f"scr{screen}", portrait, False, 3600)]),
                self.layouts.layout(pub, [media.dooh_slot(f"scr{screen}", portrait, True, 3600)]),
            ]
            opening = wire.property_opening("dooh", members(dooh))
            ids.append(
                self._add(
                    KIND_DOOH,
                    pub,
                    opening,
                    [],
                    (layouts, [], []),
                    market=index,
                    channel="dooh",
                )
            )
        return ids


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
