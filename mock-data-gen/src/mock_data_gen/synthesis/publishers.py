"""Publishers as sellers.json and ads.txt know them, and the request members each one's seller
setup decides.

A publisher is one business: one seller id (``publisher.id``, the ``sid`` of a direct supply
chain's node, SupplyChain Object 1.0), one name and one domain, none shared with another
publisher; no two sites share a domain either. Its country (for TCF's PublisherCC), currency,
exchange, auction type, block lists, DSA transparency (``regs.ext.dsa``) and ad server network
code (the head of its GPIDs) are its own too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Final

from mock_data_gen.synthesis import inventory_data as idata
from mock_data_gen.synthesis import wire
from mock_data_gen.synthesis.content import Vocabulary, pick, slug
from mock_data_gen.synthesis.floors import publisher_quality
from mock_data_gen.synthesis.fragments import dumps, members
from mock_data_gen.synthesis.geo_data import MARKETS
from mock_data_gen.synthesis.profile import TrafficProfile

_POLICIES: Final = [policy for policy, _ in idata.BATTR_POLICIES]
_POLICY_WEIGHTS: Final = [weight for _, weight in idata.BATTR_POLICIES]
_DSA: Final = [setting for setting, _ in idata.DSA_SETTINGS]
_DSA_WEIGHTS: Final = [weight for _, weight in idata.DSA_SETTINGS]
_ALPHA2: Final = {market.country: market.alpha2 for market in MARKETS}
# Words of company names that say nothing about the company: legal forms and joiners.
_NAME_FILLER: Final = frozenset({
    "and", "und", "e", "et", "y", "the", "of", "inc", "llc", "ltd", "plc", "group", "sons", "gmbh",
    "ag", "kg", "kgaa", "ohg", "mbh", "gbr", "stiftung", "co", "sa", "sas", "sarl", "spa", "srl",
    "sl", "slu", "coop", "scoop", "bv", "nv", "ab", "hb", "ltda", "me", "ei", "filhos", "tbk",
    "persero", "pt", "cv", "ud", "perum", "pd", "fils", "familia", "de", "del", "der", "di", "la",
    "le", "sp", "z", "o", "oo", "sc", "cia", "hijos", "s", "a", "r", "l", "c", "v", "g",
})  # fmt: skip


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
    dsa: int  # its DSA transparency: index into Sellers.dsa_ext, 0 for none
    network: str  # its ad server's network code, the head of its ad unit paths (GPID)

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "domain": self.domain}


class Sellers:
    """Makes publishers, their ids (and the ids of their properties) and their seller members."""

    def __init__(self, rnd: random.Random, profile: TrafficProfile) -> None:
        self.rnd = rnd
        self.profile = profile
        self._next_id = rnd.randrange(100_000, 200_000)
        # A reseller has one seller account on each exchange it sells through, and holds one
        # account for each publisher it resells.
        self._reseller_ids: dict[tuple[str, str], str] = {}
        # Names and domains taken: no two publishers, and no two sites, share one.
        self._names: set[str] = set()
        self._domains: set[str] = set()
        self._companies: dict[int, list[str]] = {}
        # The members of regs.ext with a publisher's DSA transparency; index 0: none.
        self.dsa_ext: list[bytes] = [b""]
        self._dsa_index: dict[bytes, int] = {}

    def next_id(self) -> str:
        """A new id for a publisher, site, app or screen (increasing, with gaps)."""
        self._next_id += self.rnd.randrange(1, 40)
        return str(self._next_id)

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
            domain = self.unique_domain(self._stem(name, vocab), tld, idata.PUBLISHER_DOMAIN_WORDS)
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
                    id=self.next_id(),
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

    def unique_domain(self, stem: str, tld: str, words: tuple[str, ...]) -> str:
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
        """The index of a publisher's DSA transparency in ``dsa_ext`` (0: none)."""
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
            index = self._dsa_index[piece] = len(self.dsa_ext)
            self.dsa_ext.append(piece)
        return index

    def seller(self, pub: Publisher, fd: int, channel: str) -> bytes:
        """The request members of a property of ``pub`` that its seller setup decides
        (``wire.seller_members``): auction type, ``tmax``, currency, block lists, and ``source``
        with ``fd`` and a complete supply chain, direct or through a reseller."""
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
