"""Supply: publishers and their sites, apps, CTV apps and DOOH screens, built once per generator.

Every property is serialised once: its ``site``/``app``/``dooh`` members (with the publisher), its
pages or content, its layouts of ad slots, and the request members that depend on the seller
(auction type, ``tmax``, currency, block lists, ``source`` with a complete ``schain``), each put
in its place by ``wire``.
Popularity is Zipf-like: pools are ordered by rank and drawn with a power law.

A publisher is one business, as sellers.json and ads.txt know it: one seller id (``publisher.id``,
the ``sid`` of a direct supply chain's node), one name and one domain, none shared with another
publisher; no two sites share a domain either. Its country (for TCF's PublisherCC), auction type,
DSA transparency and ad server network code (the head of its GPIDs) are its own too.
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
    slug,
)
from mock_data_gen.synthesis.floors import EUR_PER_USD, publisher_quality
from mock_data_gen.synthesis.fragments import dumps, members
from mock_data_gen.synthesis.geo_data import MARKETS, Market
from mock_data_gen.synthesis.media import Slot
from mock_data_gen.synthesis.profile import TrafficProfile

KIND_SITE: Final = 0
KIND_APP: Final = 1
KIND_DOOH: Final = 2
_POLICIES: Final = [policy for policy, _ in idata.BATTR_POLICIES]
_POLICY_WEIGHTS: Final = [weight for _, weight in idata.BATTR_POLICIES]
_SDKS: Final = [sdk for sdk, _ in idata.SDKS]
_SDK_WEIGHTS: Final = [weight for _, weight in idata.SDKS]
_DSA: Final = [setting for setting, _ in idata.DSA_SETTINGS]
_DSA_WEIGHTS: Final = [weight for _, weight in idata.DSA_SETTINGS]
_GENRES: Final = list(idata.CTV_APP_GENRES)
_GENRE_WEIGHTS: Final = [share for share, _ in idata.CTV_APP_GENRES.values()]
_ALPHA2: Final = {market.country: market.alpha2 for market in MARKETS}
# Words of company names that say nothing about the company: legal forms and joiners.
_NAME_FILLER: Final = frozenset({
    "and", "und", "e", "et", "y", "the", "of", "inc", "llc", "ltd", "plc", "group", "sons", "gmbh",
    "ag", "kg", "kgaa", "ohg", "mbh", "gbr", "stiftung", "co", "sa", "sas", "sarl", "spa", "srl",
    "sl", "slu", "coop", "scoop", "bv", "nv", "ab", "hb", "ltda", "me", "ei", "filhos", "tbk",
    "persero", "pt", "cv", "ud", "perum", "pd", "fils", "familia", "de", "del", "der", "di", "la",
    "le", "sp", "z", "o", "oo", "sc", "cia", "hijos", "s", "a", "r", "l", "c", "v", "g",
})  # fmt: skip
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
    country: str  # ISO 3166-1 alpha-2 of its establishment (TCF PublisherCC)
    at: int  # the auction type its exchange runs for it
    dsa: int  # its DSA transparency: index into Inventory.dsa_ext, 0 for none
    network: str  # its ad server's network code, the head of its ad unit paths (GPID)

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
    # Layout ids per property for form 0 (desktop / phone app / CTV / DOOH), form 1 (mobile web)
    # and form 2 (tablet app: full-screen slots the size of a tablet); empty for a form the
    # property is never seen in.
    layouts: list[tuple[list[int], list[int], list[int]]] = field(default_factory=list)
    coppa: list[bool] = field(default_factory=list)
    market: list[int] = field(default_factory=list)  # DOOH screens only, else -1
    country: list[str] = field(default_factory=list)  # the publisher's, ISO 3166-1 alpha-2
    dsa: list[int] = field(default_factory=list)  # the publisher's index into dsa_ext
    # The members of regs.ext with a publisher's DSA transparency; index 0: none.
    dsa_ext: list[bytes] = field(default_factory=lambda: [b""])
    pools: dict[str, list[int]] = field(default_factory=dict)


class InventoryBuilder:
    def __init__(self, rnd: random.Random, profile: TrafficProfile) -> None:
        self.rnd = rnd
        self.profile = profile
        self.inv = Inventory()
        self._next_id = rnd.randrange(100_000, 200_000)
        # A reseller has one seller account on each exchange it sells through, and holds one
        # account for each publisher it resells.
        self._reseller_ids: dict[tuple[str, str], str] = {}
        # Names and domains taken: no two publishers, and no two sites, share one.
        self._names: set[str] = set()
        self._domains: set[str] = set()
        self._companies: dict[int, list[str]] = {}
        self._dsa_index: dict[bytes, int] = {}

    def _id(self) -> str:
        self._next_id += self.rnd.randrange(1, 40)
        return str(self._next_id)

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
        inv.seller.append(self._seller(pub, fd, channel))
        # Who adds the user's EIDs (OpenRTB 2.6 §3.2.27 ``inserter``): the selling exchange, or
        # the site's header-bidding wrapper (``inserter``, the site's domain) where it decides.
        inv.exchange.append((inserter or pub.exchange).encode())
        inv.layouts.append(layouts)
        inv.coppa.append(coppa)
        inv.market.append(market)
        inv.country.append(pub.country)
        inv.dsa.append(pub.dsa)
        return len(inv.kind) - 1

    def publishers(
        self, count: int, vocab: Vocabulary, country: str, channel: str
    ) -> list[Publisher]:
        rnd = self.rnd
        exchanges = idata.EXCHANGES[channel]
        names, weights = [e for e, _ in exchanges], [w for _, w in exchanges]
        quality = publisher_quality(rnd, count)
        eur = country in idata.EUR_COUNTRIES
        tld = idata.TLD.get(country, "com")
        pubs = []
        for i in range(count):
            name = self._company(vocab, channel)
            domain = self._unique_domain(self._stem(name, vocab), tld, idata.PUBLISHER_DOMAIN_WORDS)
            currency = "EUR" if eur and rnd.random() < self.profile.eur_share else "USD"
            exchange = rnd.choices(names, weights=weights)[0]
            battr = rnd.choices(_POLICIES, weights=_POLICY_WEIGHTS)[0]
            badv = sorted(rnd.sample(idata.BADV_POOL, rnd.choice((0, 0, 2, 3, 4, 6, 8, 12))))
            at = 2 if rnd.random() < idata.SECOND_PRICE_SHARE else 1
            dsa = self._dsa(rnd.choices(_DSA, weights=_DSA_WEIGHTS)[0], exchange)
            digits = rnd.choice(idata.NETWORK_CODE_DIGITS)
            network = str(rnd.randrange(10 ** (digits - 1), 10**digits))
            pubs.append(
                Publisher(
                    id=self._id(),
                    name=name,
                    domain=domain,
                    quality=quality[i],
                    currency=currency,
                    exchange=exchange,
                    battr=battr,
                    badv=badv,
                    country=_ALPHA2.get(country, "US"),
                    at=at,
                    dsa=dsa,
                    network=network,
                )
            )
        return pubs

    def _company(self, vocab: Vocabulary, channel: str) -> str:
        """A company name no other publisher has: the vocabulary's names in a random order,
        then, once they are all taken, sister companies ("<name> Media")."""
        queue = self._companies.get(id(vocab))
        if queue is None:
            queue = list(vocab.companies)
            self.rnd.shuffle(queue)
            self._companies[id(vocab)] = queue
        while queue:
            name = queue.pop()
            if name not in self._names:
                self._names.add(name)
                return name
        base = pick(self.rnd, vocab.companies)
        for word in (*idata.COMPANY_WORDS[channel], *idata.COMPANY_WORDS["web"]):
            name = f"{base} {word}"
            if name not in self._names:
                self._names.add(name)
                return name
        number = 2
        while f"{base} {number}" in self._names:
            number += 1
        self._names.add(f"{base} {number}")
        return f"{base} {number}"

    def _stem(self, name: str, vocab: Vocabulary) -> str:
        """The domain stem of a company: the first telling words of its name ("Gibbs, Johnston
        and Wilson" -> "gibbsjohnston"); a word of the language for names in other scripts."""
        words = [w for w in slug(name).split("-") if w not in _NAME_FILLER and w != "item"]
        return "".join(words[:2])[:20] or pick(self.rnd, vocab.domain_words).replace("-", "")

    def _unique_domain(self, stem: str, tld: str, words: tuple[str, ...]) -> str:
        """``stem.tld``, or the first free of ``stem`` + word, or ``stem`` + a number."""
        for word in ("", *words):
            domain = f"{stem}{word}.{tld}"
            if domain not in self._domains:
                self._domains.add(domain)
                return domain
        number = 2
        while f"{stem}{number}.{tld}" in self._domains:
            number += 1
        domain = f"{stem}{number}.{tld}"
        self._domains.add(domain)
        return domain

    def _dsa(self, setting: tuple[int, int, int, bool] | None, exchange: str) -> int:
        """The index of a publisher's DSA transparency in ``Inventory.dsa_ext`` (0: none)."""
        if setting is None:
            return 0
        required, pubrender, datatopub, listed = setting
        dsa: dict[str, Any] = {"dsarequired": required, "pubrender": pubrender}
        dsa["datatopub"] = datatopub
        if listed:
            dsa["transparency"] = [
                {"domain": exchange, "dsaparams": list(idata.DSA_EXCHANGE_PARAMS)}
            ]
        piece = b'"dsa":' + dumps(dsa)
        index = self._dsa_index.get(piece)
        if index is None:
            index = self._dsa_index[piece] = len(self.inv.dsa_ext)
            self.inv.dsa_ext.append(piece)
        return index

    def _zipf_pick(self, items: list[Publisher]) -> Publisher:
        weights = [(rank + 1) ** -0.9 for rank in range(len(items))]
        return self.rnd.choices(items, weights=weights)[0]

    def _seller(self, pub: Publisher, fd: int, channel: str) -> bytes:
        rnd = self.rnd
        nodes = []
        if rnd.random() < 0.3:
            # Resold: the reseller holds the publisher's account, the exchange the reseller's.
            ssp = pick(rnd, [s for s in idata.UPSTREAM_SSPS if s != pub.exchange])
            seller = self._reseller_ids.setdefault(
                (ssp, pub.id), str(rnd.randrange(10_000, 999_999))
            )
            nodes.append({"asi": ssp, "sid": seller, "hp": 1})
            account = self._reseller_ids.setdefault(
                (ssp, pub.exchange), str(rnd.randrange(1_000, 99_999))
            )
            nodes.append({"asi": pub.exchange, "sid": account, "hp": 1})
        else:
            nodes.append({"asi": pub.exchange, "sid": pub.id, "hp": 1})
        request: dict[str, Any] = {"at": pub.at, "tmax": rnd.choice(idata.TMAX[channel])}
        request["cur"] = [pub.currency]
        bcat = rnd.choice(idata.BCAT)
        badv = pub.badv
        if bcat:
            request["bcat"] = bcat
        if badv:
            request["badv"] = badv
        source = {"fd": fd, "schain": {"complete": 1, "nodes": nodes, "ver": "1.0"}}
        return wire.seller_members(members(request), members(source))

    def _layout(
        self,
        pub: Publisher,
        slots: list[Slot],
        refresh: list[bool] | None = None,
        tid: bool = False,
    ) -> int:
        fx = EUR_PER_USD if pub.currency == "EUR" else 1.0
        return self.inv.catalog.add_layout(
            self.rnd,
            slots,
            pub.id,
            pub.currency,
            fx,
            pub.quality,
            self.profile.deal_rate,
            refresh,
            tid,
        )

    def _web_layout(
        self,
        pub: Publisher,
        spec: tuple[tuple[Any, ...], ...],
        slug_: str,
        gpid_root: str | None,
        tid: bool,
        site_slots: dict[tuple[Any, ...], Slot],
    ) -> int:
        """A layout of a page; ``site_slots``: the site's slots made so far, so that a slot
        offered in several layouts is the same slot (and placement) in each."""
        slots: list[Slot] = []
        refresh: list[bool] = []
        for item in spec:
            kind, *rest = item
            name = rest[-2] if kind == "banner" else rest[-1]
            ext = {"gpid": f"{gpid_root}/{name}"} if gpid_root else None
            slot = site_slots.get(item)
            if kind == "banner":
                sizes, pos, _, refreshes = rest
                if slot is None:
                    slot = media.banner(
                        self.rnd, sizes, pos, f"{slug_}_{name}", app=False, battr=pub.battr, ext=ext
                    )
                refresh.append(refreshes)
            elif kind == "native":
                plcmttype, _ = rest
                if slot is None:
                    slot = media.native(f"{slug_}_{name}", plcmttype, app=False, ext=ext)
                refresh.append(False)
            else:
                plcmt, size, _ = rest
                if slot is None:
                    slot = media.web_video(f"{slug_}_{name}", plcmt, size, pub.battr, ext)
                refresh.append(False)
            site_slots[item] = slot
            slots.append(slot)
        return self._layout(pub, slots, refresh, tid)

    def _weighted_layouts(
        self,
        pub: Publisher,
        specs: list[tuple[int, tuple[tuple[Any, ...], ...]]],
        slug_: str,
        refreshing: bool,
        gpid_root: str | None,
        tid: bool,
    ) -> list[int]:
        """Layout ids repeated by weight, so a uniform pick follows the weights."""
        out: list[int] = []
        site_slots: dict[tuple[Any, ...], Slot] = {}
        for weight, spec in specs:
            layout = self._web_layout(
                pub, spec if refreshing else _no_refresh(spec), slug_, gpid_root, tid, site_slots
            )
            out += [layout] * weight
        return out

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
            domain = self._unique_domain(f"{word}{suffix}", tld, idata.SITE_DOMAIN_WORDS)
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
            desktop = self._weighted_layouts(pub, desktop_specs, slug_, refreshing, gpid_root, tid)
            # A desktop-only site shows phones its desktop page, slots and all.
            mobile = (
                self._weighted_layouts(pub, mobile_specs, slug_, refreshing, gpid_root, tid)
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

    def _app_layouts(
        self,
        pub: Publisher,
        family: str,
        tag: str,
        audio: tuple[int, bool],
        sdk: tuple[str, str],
        landscape: bool,
        ext: dict[str, dict[str, Any] | None],
        tid: bool,
    ) -> tuple[list[int], list[int]]:
        """Layout ids of an app on phones and on tablets (their full-screen slots differ);
        ``ext`` holds each slot's impression extensions by slot name."""
        rnd, battr = self.rnd, pub.battr
        weights = idata.APP_LAYOUT_WEIGHTS
        banner = media.banner(
            rnd, [(320, 50)], 5, f"{tag}_banner", app=True, battr=battr, sdk=sdk,
            ext=ext["banner"],
        )  # fmt: skip
        mrec = media.banner(
            rnd, [(300, 250)], 3, f"{tag}_mrec", app=True, battr=battr, sdk=sdk, ext=ext["mrec"]
        )
        common = [self._layout(pub, [banner], tid=tid)] * weights["banner"]
        common += [self._layout(pub, [mrec], tid=tid)] * weights["mrec"]
        if family == "audio":
            # Streaming, radio and podcast apps earn mostly from audio breaks.
            feed, server_side = audio
            slot = media.audio(f"{tag}_audio_break", feed, server_side, sdk)
            common += [self._layout(pub, [slot])] * weights["audio"]
        elif family == "content":
            native = media.native(f"{tag}_feed", 1, app=True, sdk=sdk, ext=ext["feed"])
            common += [self._layout(pub, [native], tid=tid)] * weights["native"]
        forms = []
        orientation = "landscape" if landscape else "portrait"
        for form in ("phone", "tablet"):
            layouts = list(common)
            sizes = idata.INTERSTITIAL_SIZES[(form, orientation)]
            if family != "audio":
                video = media.app_video(f"{tag}_inter", False, sdk, sizes[0], ext["inter"])
                layouts += [self._layout(pub, [video], tid=tid)] * weights["interstitial"]
            if family == "game":
                rewarded = media.app_video(f"{tag}_rewarded", True, sdk, sizes[0], ext["rewarded"])
                static = media.banner(
                    rnd, sizes, 7, f"{tag}_inter_static", app=True, battr=battr, sdk=sdk,
                    instl=True, ext=ext["inter_static"],
                )  # fmt: skip
                layouts += [self._layout(pub, [rewarded], tid=tid)] * weights["rewarded"]
                layouts += [self._layout(pub, [static], tid=tid)] * weights["interstitial_static"]
            forms.append(layouts)
        return forms[0], forms[1]

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
                phone, tablet = self._app_layouts(
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
                    size = rnd.randrange(2, media.MAX_SLOTS + 1)  # at most this many ads
                else:
                    size = rnd.choice(idata.STRUCTURED_POD_SLOTS)
                pod = media.ctv_pod(f"{tag}_pod{podseq}", podseq, size, live, dynamic)
                layouts.append(self._layout(pub, pod))
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
                self._layout(pub, [media.dooh_slot(f"scr{screen}", portrait, False, 3600)]),
                self._layout(pub, [media.dooh_slot(f"scr{screen}", portrait, True, 3600)]),
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
