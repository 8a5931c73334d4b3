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
from faker.providers.lorem.la import Provider as LatinLorem

from mock_data_gen.synthesis import content_data
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
# Streaming (CTV) channels by genre: the IAB Content Category Taxonomy 1.0 codes of the app and
# its content, the content genres, and programme lengths in seconds (episodes of half an hour
# or an hour with ads, feature films, news and sports programmes).
CTV_GENRES: Final[dict[str, tuple[list[str], tuple[str, ...], tuple[int, ...]]]] = {
    "series": (["IAB1-7"], ("Drama", "Comedy", "Reality", "Crime"), (1320, 1380, 2640, 2700)),
    "movies": (["IAB1-5"], ("Action", "Drama", "Comedy", "Thriller"), (5400, 6600, 7200)),
    "news": (["IAB12"], ("News",), (1800, 3600)),
    "sports": (["IAB17"], ("Sports",), (3600, 7200, 10800)),
    "music": (["IAB1-6"], ("Music",), (240, 1800, 3600)),
    "food": (["IAB8"], ("Cooking", "Lifestyle"), (1320, 2640)),
}
# Radio programmes: (name, genre).
_RADIO_SHOWS: Final = (
    ("Morning Show", "Talk"), ("Drive Time", "Music"), ("News Hour", "News"),
    ("Sports Talk", "Sports"), ("Top 40", "Music"), ("Late Night", "Music"),
)  # fmt: skip
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
_LATIN: Final = frozenset(LatinLorem.word_list)
# Languages written without spaces between words.
_UNSPACED: Final = frozenset({"ja", "zh", "th"})
_UNDECOMPOSABLE: Final = str.maketrans(
    {"ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "đ": "d", "Đ": "D"}
)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Words of one language for names, domains, titles and keywords."""

    language: str
    # Words of running text (titles, keywords), joined with ``separator`` ("" in Japanese).
    words: tuple[str, ...]
    separator: str
    domain_words: tuple[str, ...]
    companies: tuple[str, ...]  # distinct company names
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


@functools.cache
def text_words(locale: str, language: str) -> tuple[str, ...]:
    """The words pages of ``language`` are written with: Faker's own word list where it has one
    for the language, ``content_data.TEXT_WORDS`` where Faker would fall back to Latin lorem
    ipsum (Portuguese, Swedish, Indonesian), and English for English locales without a list of
    their own (en_GB, en_IN...). Never Latin."""
    own = content_data.TEXT_WORDS.get(language)
    if own is not None:
        return own
    words = tuple(_faker(locale).get_words_list())
    if set(words) <= _LATIN:
        words = tuple(_faker("en_US").get_words_list())
    return words


def build_vocabulary(locale: str, language: str, seed: int, companies: int = 60) -> Vocabulary:
    """The vocabulary of one locale; ``companies`` is how many company names to draw (fewer
    come back where Faker repeats itself)."""
    fake = _faker(locale)
    fake.seed_instance(seed)
    words = text_words(locale, language)
    # Domains from the locale's surnames (Faker's domain words) and words of its language.
    domain = {slug(fake.domain_word()) for _ in range(48)}
    domain |= {slug(w) for w in words if 4 <= len(w) <= 10}
    names = dict.fromkeys(fake.company() for _ in range(companies))
    return Vocabulary(
        language=language,
        words=words,
        separator="" if language in _UNSPACED else " ",
        domain_words=tuple(sorted(w for w in domain if w != "item" and 3 <= len(w) <= 14)),
        companies=tuple(names),
        people=tuple(fake.name() for _ in range(16)),
    )


def headline(rnd: random.Random, vocab: Vocabulary, low: int, high: int) -> tuple[str, list[str]]:
    """A title of ``low``..``high`` words of the vocabulary's language, and its words."""
    words = vocab.words
    chosen = [words[int(rnd.random() * len(words))] for _ in range(rnd.randint(low, high))]
    text = vocab.separator.join(chosen)
    return text[:1].upper() + text[1:], chosen


def keywords(chosen: list[str], count: int) -> list[str]:
    """Up to ``count`` distinct keywords from a title's words (the longer, telling ones)."""
    out: list[str] = []
    for word in sorted(chosen, key=len, reverse=True):
        keyword = word.lower()
        if keyword not in out and (len(keyword) >= 4 or not keyword.isascii()):
            out.append(keyword)
    return sorted(out[:count])


def pick(rnd: random.Random, items: tuple[str, ...] | list[str]) -> str:
    return items[int(rnd.random() * len(items))]


# Contextual classification vendors whose IAB Content Taxonomy segments exchanges pass on.
_CONTEXT_VENDORS: Final = ("peer39.com", "integralads.com", "doubleverify.com")


def site_pages(
    rnd: random.Random, vocab: Vocabulary, domain: str, section: str, count: int
) -> list[bytes]:
    """``"page":...,"ref":...,"content":{...}`` members (OpenRTB 2.6 §3.2.13 Site, §3.2.16
    Content) for the pages of one site: each article has its own title, keywords from it."""
    cats = SECTION_CATEGORIES[section]
    pages = []
    for index in range(count):
        title, words = headline(rnd, vocab, 5, 10)
        url = f"https://www.{domain}/{section}/{slug(title)}-{rnd.randrange(10_000, 99_999)}"
        content: dict[str, Any] = {"id": f"{index + 1:x}{rnd.randrange(1 << 20):05x}"}
        # content.url would repeat page; the page is the content's URL for articles.
        content.update(title=title, cat=[cats[rnd.randrange(len(cats))]])
        content["kwarray"] = keywords(words, 3)
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


def _title_case(rnd: random.Random, vocab: Vocabulary, low: int, high: int) -> str:
    """A show, album or series name: a few words, each capitalised where the script has case."""
    _, words = headline(rnd, vocab, low, high)
    return vocab.separator.join(word[:1].upper() + word[1:] for word in words)


def ctv_content(
    rnd: random.Random,
    vocab: Vocabulary,
    network: dict[str, str],
    genre: str,
    live: bool,
    count: int,
) -> list[bytes]:
    """``"content":{...}`` (OpenRTB 2.6 §3.2.16) for the episodes, films or live events of one
    streaming app of a ``CTV_GENRES`` genre."""
    cats, genres, lengths = CTV_GENRES[genre]
    pieces = []
    series_names = [_title_case(rnd, vocab, 1, 3) for _ in range(4)]
    producer = {"id": f"prd-{rnd.randrange(1000, 9999)}", "name": pick(rnd, vocab.companies)}
    for _ in range(count):
        series = series_names[rnd.randrange(len(series_names))]
        content: dict[str, Any] = {"id": f"ep-{rnd.randrange(1 << 30):08x}"}
        if live:
            content.update(title=f"{series} Live", genre=genres[0], cat=cats)
            content.update(livestream=1, realtime=1, len=7200, context=1, prodq=1)
        else:
            title, _ = headline(rnd, vocab, 2, 6)
            if genre == "movies":
                content.update(title=title)
            else:
                content.update(episode=rnd.randrange(1, 24), title=title, series=series)
                content["season"] = f"Season {rnd.randrange(1, 8)}"
            content.update(genre=genres[rnd.randrange(len(genres))], cat=cats)
            content.update(prodq=1, context=1, livestream=0)
            content.update(contentrating=_TV_RATINGS[rnd.randrange(len(_TV_RATINGS))])
            content["len"] = lengths[rnd.randrange(len(lengths))]
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
    """``"content":{...}`` (OpenRTB 2.6 §3.2.16) for on-demand music tracks (AdCOM 1.0 Feed
    Types: 1 music service), the live programme of a broadcast station (2) or podcast
    episodes (3)."""
    pieces = []
    station = {
        "id": f"st-{rnd.randrange(100, 999)}",
        "name": f"{_title_case(rnd, vocab, 1, 1)} {rnd.randrange(875, 1080) / 10:.1f} FM",
    }
    for _ in range(count):
        content: dict[str, Any]
        if feed == 1:
            artist = pick(rnd, vocab.people)
            title, _ = headline(rnd, vocab, 1, 4)  # song titles are short
            content = {"title": title, "artist": artist}
            content.update(
                album=_title_case(rnd, vocab, 1, 2),
                genre=_MUSIC_GENRES[rnd.randrange(len(_MUSIC_GENRES))],
            )
            # ISRC (ISO 3901): country, 3-character registrant, 2-digit year, 5-digit designation.
            registrant = "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
            content["isrc"] = f"US{registrant}{rnd.randrange(10, 25)}{rnd.randrange(0, 99999):05d}"
            content.update(len=rnd.randrange(150, 300), context=3, livestream=0)
        elif feed == 3:
            title, _ = headline(rnd, vocab, 3, 8)
            content = {"title": title, "series": _title_case(rnd, vocab, 1, 2) + " Podcast"}
            content.update(
                episode=rnd.randrange(1, 400),
                genre=_PODCAST_GENRES[rnd.randrange(len(_PODCAST_GENRES))],
            )
            content.update(len=rnd.randrange(900, 5400), context=3, livestream=0)
            content["producer"] = {"name": pick(rnd, vocab.companies)}
        else:
            # A broadcast station's live programme: shows, not tracks, on the air right now.
            show = _RADIO_SHOWS[rnd.randrange(len(_RADIO_SHOWS))]
            content = {"title": f"{_title_case(rnd, vocab, 1, 2)} {show[0]}", "genre": show[1]}
            content.update(context=3, livestream=1, realtime=1, channel=station)
        content["language"] = vocab.language
        pieces.append(b'"content":' + dumps(content))
    return pieces
