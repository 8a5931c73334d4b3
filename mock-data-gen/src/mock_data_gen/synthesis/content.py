"""Names and content: per-language vocabularies made with Faker at start-up, and the pages,
shows, tracks and podcast episodes that requests point at.

Faker runs only here, a few dozen calls per language, seeded from the generator seed; the pools
are combined with numpy draws so start-up stays fast and nothing is called per event.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

from faker import Faker

from mock_data_gen.synthesis.fragments import dumps, members

# IAB Content Category Taxonomy 1.0 codes (the default taxonomy, cattax 1) by section.
SECTION_CATEGORIES: Final = {
    "news": ["IAB12", "IAB12-2", "IAB12-3"],
    "sports": ["IAB17", "IAB17-12", "IAB17-44"],
    "tech": ["IAB19", "IAB19-18", "IAB19-6"],
    "entertainment": ["IAB1", "IAB1-5", "IAB1-7"],
    "food": ["IAB8", "IAB8-9"],
    "travel": ["IAB20", "IAB20-18"],
    "business": ["IAB3", "IAB13"],
    "health": ["IAB7", "IAB7-30"],
    "style": ["IAB18", "IAB18-6"],
    "autos": ["IAB2", "IAB2-10"],
    "games": ["IAB9-30"],
    "weather": ["IAB15-10"],
}
_TV_GENRES: Final = ("Drama", "Comedy", "Reality", "Documentary", "Crime", "Action", "Kids")
_TV_RATINGS: Final = ("TV-G", "TV-PG", "TV-14", "TV-MA")
_MUSIC_GENRES: Final = ("Pop", "Hip-Hop", "Rock", "Latin", "Electronic", "Country", "R&B")
_PODCAST_GENRES: Final = ("Comedy", "News", "True Crime", "Business", "Sports", "Society")
_REFERRERS: Final = (
    "https://www.google.com/",
    "https://www.bing.com/",
    "https://www.facebook.com/",
    "https://t.co/",
    "https://news.google.com/",
)
_SLUG: Final = re.compile(r"[^a-z0-9]+")
# Latin letters that Unicode does not decompose into a base letter plus accent.
_UNDECOMPOSABLE: Final = str.maketrans(
    {"ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "đ": "d", "Đ": "D"}
)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Words of one language for names, domains, titles and keywords."""

    language: str
    domain_words: tuple[str, ...]
    companies: tuple[str, ...]
    titles: tuple[str, ...]
    keywords: tuple[str, ...]
    people: tuple[str, ...]


def slug(text: str) -> str:
    """ASCII URL slug, accents dropped as CMSs do ("López" -> "lopez"); falls back to "item" for
    scripts without Latin letters."""
    spelled = text.translate(_UNDECOMPOSABLE)
    latin = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    return _SLUG.sub("-", latin.lower()).strip("-")[:60] or "item"


@functools.cache
def _faker(locale: str) -> Faker:
    # Creating a Faker is the slow part (provider discovery); seeding makes reuse deterministic.
    return Faker(locale)


def build_vocabulary(locale: str, language: str, seed: int) -> Vocabulary:
    fake = _faker(locale)
    fake.seed_instance(seed)
    words = {slug(fake.domain_word()) for _ in range(48)}
    return Vocabulary(
        language=language,
        domain_words=tuple(sorted(w for w in words if w != "item" and len(w) > 2)),
        companies=tuple(fake.company() for _ in range(24)),
        titles=tuple(fake.sentence(nb_words=7).rstrip(".") for _ in range(40)),
        keywords=tuple(fake.word() for _ in range(30)),
        people=tuple(fake.name() for _ in range(16)),
    )


def pick(rnd: random.Random, items: tuple[str, ...] | list[str]) -> str:
    return items[int(rnd.random() * len(items))]


# Contextual classification vendors whose IAB Content Taxonomy segments exchanges pass on.
_CONTEXT_VENDORS: Final = ("peer39.com", "integralads.com", "doubleverify.com")


def site_pages(
    rnd: random.Random, vocab: Vocabulary, domain: str, section: str, count: int
) -> list[bytes]:
    """``"page":...,"ref":...,"content":{...}`` members (OpenRTB 2.6 §3.2.13 Site, §3.2.16
    Content) for the pages of one site."""
    cats = SECTION_CATEGORIES[section]
    pages = []
    for index in range(count):
        title = pick(rnd, vocab.titles)
        url = f"https://www.{domain}/{section}/{slug(title)}-{rnd.randrange(10_000, 99_999)}"
        content: dict[str, Any] = {"id": f"{index + 1:x}{rnd.randrange(1 << 20):05x}"}
        # content.url would repeat page; the page is the content's URL for articles.
        content.update(title=title, cat=[cats[rnd.randrange(len(cats))]])
        content["kwarray"] = sorted({pick(rnd, vocab.keywords) for _ in range(3)})
        content.update(context=5, language=vocab.language)
        if rnd.random() < 0.3:
            content["data"] = [
                {
                    "id": "ctx-1",
                    "name": _CONTEXT_VENDORS[rnd.randrange(len(_CONTEXT_VENDORS))],
                    "segment": [{"id": c} for c in cats[:2]],
                    "ext": {"segtax": 1},
                }
            ]
        page: dict[str, Any] = {"page": url}
        r = rnd.random()
        if r < 0.55:
            page["ref"] = _REFERRERS[rnd.randrange(len(_REFERRERS))]
        elif r < 0.85:
            page["ref"] = f"https://www.{domain}/"
        page["content"] = content
        pages.append(members(page))
    return pages


def ctv_content(
    rnd: random.Random, vocab: Vocabulary, network: dict[str, str], live: bool, count: int
) -> list[bytes]:
    """``"content":{...}`` (OpenRTB 2.6 §3.2.16) for the episodes / live events of one streaming
    app."""
    pieces = []
    series_names = [
        pick(rnd, vocab.titles).split(" ")[0] + " " + pick(rnd, vocab.keywords).title()
        for _ in range(4)
    ]
    producer = {"id": f"prd-{rnd.randrange(1000, 9999)}", "name": pick(rnd, vocab.companies)}
    for _ in range(count):
        series = series_names[rnd.randrange(len(series_names))]
        genre = _TV_GENRES[rnd.randrange(len(_TV_GENRES))]
        content: dict[str, Any] = {"id": f"ep-{rnd.randrange(1 << 30):08x}"}
        if live:
            content.update(title=f"{series} Live", genre="Sports" if rnd.random() < 0.6 else "News")
            content.update(cat=["IAB17"] if content["genre"] == "Sports" else ["IAB12"])
            content.update(livestream=1, realtime=1, len=7200, context=1, prodq=1)
        else:
            content.update(episode=rnd.randrange(1, 24), title=pick(rnd, vocab.titles))
            content.update(series=series, season=f"Season {rnd.randrange(1, 8)}", genre=genre)
            content.update(cat=["IAB1-7"], prodq=1, context=1, livestream=0)
            content.update(contentrating=_TV_RATINGS[rnd.randrange(len(_TV_RATINGS))])
            content["len"] = rnd.choice([1320, 1380, 2640, 2700, 5400, 6600])
        content.update(language=vocab.language, embeddable=0, producer=producer)
        content.update(
            network=network,
            channel={
                "id": network["id"] + "-1",
                "name": network["name"] + " One",
                "domain": network["domain"],
            },
        )
        pieces.append(b'"content":' + dumps(content))
    return pieces


def audio_content(rnd: random.Random, vocab: Vocabulary, feed: int, count: int) -> list[bytes]:
    """``"content":{...}`` (OpenRTB 2.6 §3.2.16) for music tracks (feed 1), podcast episodes (3)
    or live radio (2)."""
    pieces = []
    for _ in range(count):
        content: dict[str, Any]
        if feed == 1:
            artist = pick(rnd, vocab.people)
            title = " ".join(pick(rnd, vocab.titles).split()[:4])  # song titles are short
            content = {"title": title, "artist": artist}
            content.update(
                album=pick(rnd, vocab.keywords).title(),
                genre=_MUSIC_GENRES[rnd.randrange(len(_MUSIC_GENRES))],
            )
            # ISRC (ISO 3901): country, 3-character registrant, 2-digit year, 5-digit designation.
            registrant = "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
            content["isrc"] = f"US{registrant}{rnd.randrange(10, 25)}{rnd.randrange(0, 99999):05d}"
            content.update(len=rnd.randrange(150, 300), context=3, livestream=0)
        elif feed == 3:
            content = {
                "title": pick(rnd, vocab.titles),
                "series": pick(rnd, vocab.keywords).title() + " Podcast",
            }
            content.update(
                episode=rnd.randrange(1, 400),
                genre=_PODCAST_GENRES[rnd.randrange(len(_PODCAST_GENRES))],
            )
            content.update(len=rnd.randrange(900, 5400), context=3, livestream=0)
            content["producer"] = {"name": pick(rnd, vocab.companies)}
        else:
            content = {
                "title": "Morning Show",
                "genre": "Talk",
                "context": 3,
                "livestream": 1,
                "realtime": 1,
            }
            content["channel"] = {
                "id": f"st-{rnd.randrange(100, 999)}",
                "name": pick(rnd, vocab.keywords).upper() + " FM",
            }
        content["language"] = vocab.language
        pieces.append(b'"content":' + dumps(content))
    return pieces
