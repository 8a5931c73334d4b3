"""The simulated demand: DSP seats, each with its bid rate, bid shading, response times, the
channels and media it buys, and its advertisers with their domains, categories and creatives.

A population is drawn from a seed (``population(seed)``): the same seed gives the same DSPs, so a
funnel replays exactly. Seat ids are those the generator's deals name in ``wseat`` (so deals get
the bids they are set up for) plus smaller seats that only buy in the open market.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from typing import Final

from mock_data_gen.funnel import calibration
from mock_data_gen.openrtb.adcom import CreativeAttribute as A
from mock_data_gen.openrtb.reasons import MarkupType

# Seats and advertisers named in the generated requests' deals (``wseat``, ``wadomain``),
# then open-market seats.
DEAL_SEATS: Final = ("ttd-48721", "dv360-22113", "xandr-9915", "amzn-5521", "yahoo-3340", "mm-1187")
OPEN_SEATS: Final = tuple(f"dsp{n:02d}-{4000 + 37 * n}" for n in range(7, 19))
CHANNELS: Final = ("web", "app", "ctv", "dooh")

# Advertisers: domain and IAB Content Taxonomy 1.0 categories (cattax 1, the OpenRTB 2.6 default).
# Several are on the generated publishers' block lists (``badv``: gambling, crypto, dating, retail
# rivals) or in blocked categories (``bcat``: IAB7-39 sexuality, IAB8-18 wine, IAB11-4 politics),
# so the blocks the requests carry actually bite.
ADVERTISERS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("ford.com", ("IAB2",)),
    ("toyota.com", ("IAB2",)),
    ("nike.com", ("IAB17", "IAB18")),
    ("adidas.com", ("IAB17", "IAB18")),
    ("apple.com", ("IAB19",)),
    ("samsung.com", ("IAB19",)),
    ("amazon.com", ("IAB22",)),
    ("walmart.com", ("IAB22",)),
    ("target.com", ("IAB22",)),
    ("temu.com", ("IAB22",)),
    ("shein.com", ("IAB18", "IAB22")),
    ("booking.com", ("IAB20",)),
    ("expedia.com", ("IAB20",)),
    ("netflix.com", ("IAB1",)),
    ("disneyplus.com", ("IAB1",)),
    ("spotify.com", ("IAB1",)),
    ("geico.com", ("IAB13",)),
    ("statefarm.com", ("IAB13",)),
    ("coinbase.com", ("IAB13",)),
    ("draftkings.com", ("IAB9-7", "IAB17")),
    ("bet365.com", ("IAB9-7",)),
    ("tinder.com", ("IAB14-1",)),
    ("verizon.com", ("IAB19",)),
    ("t-mobile.com", ("IAB19",)),
    ("mcdonalds.com", ("IAB8",)),
    ("cocacola.com", ("IAB8",)),
    ("vinoteca-online.com", ("IAB8-18",)),
    ("adultshop.example", ("IAB7-39",)),
    ("campaign2026.example", ("IAB11-4",)),
    ("pfizer.com", ("IAB7",)),
    ("loreal.com", ("IAB18",)),
    ("ikea.com", ("IAB10",)),
    ("pg.com", ("IAB10",)),
    ("unilever.com", ("IAB18",)),
)  # fmt: skip

# Beyond the named brands, the long tail of smaller advertisers every exchange sees (an hour of
# traffic shows thousands): a word and a line of business, categorised by the business.
LONG_TAIL_WORDS: Final = (
    "blue", "bright", "north", "urban", "prime", "true", "smart", "green", "nova", "peak",
    "silver", "harbor", "maple", "summit", "river", "golden", "alpine", "coastal", "metro",
    "swift", "clear", "bold", "pure", "happy", "little", "grand", "wild", "sunny", "oak", "open",
)  # fmt: skip
LONG_TAIL_BUSINESSES: Final[dict[str, tuple[str, ...]]] = {
    "mart": ("IAB22",),
    "wear": ("IAB18",),
    "foods": ("IAB8",),
    "bank": ("IAB13",),
    "travel": ("IAB20",),
    "games": ("IAB9-30",),
    "clinic": ("IAB7",),
    "motors": ("IAB2",),
    "living": ("IAB10",),
    "tech": ("IAB19",),
    "learning": ("IAB5",),
    "pets": ("IAB16",),
    "fitness": ("IAB7", "IAB17"),
    "beauty": ("IAB18",),
    "realty": ("IAB21",),
    "media": ("IAB1",),
}
LONG_TAIL: Final = tuple(
    (f"{word}{business}.com", cat)
    for word in LONG_TAIL_WORDS
    for business, cat in LONG_TAIL_BUSINESSES.items()
)

# The advertiser domains under each IAB category code and under its tier-1 parent ("IAB7" holds
# those of "IAB7-39"): a request's ``bcat`` blocks the union of its codes' (the rule of
# ``opportunity.category_blocked``).
CATEGORY_INDEX: Final[dict[str, frozenset[str]]] = {
    code: frozenset(
        domain
        for domain, cats in ADVERTISERS + LONG_TAIL
        if any(cat == code or cat.split("-", 1)[0] == code for cat in cats)
    )
    for code in {
        part for _, cats in ADVERTISERS + LONG_TAIL for cat in cats
        for part in (cat, cat.split("-", 1)[0])
    }
}  # fmt: skip

# The bids a named brand makes for each of a long-tail advertiser's (an assumption): about half of
# a large DSP's bids are for the named brands.
NAMED_BRAND_WEIGHT: Final = 4

# Creative attribute sets (AdCOM 1.0 List: Creative Attributes) a creative of each markup type
# may carry, with weights: most are plain, some expand, animate or autoplay, which publishers'
# ``battr`` lists block.
CREATIVE_ATTRS: Final[dict[MarkupType, tuple[tuple[tuple[int, ...], float], ...]]] = {
    MarkupType.BANNER: (
        ((A.STATIC_VISUAL,), 0.45),
        ((A.LIMITED_MOTION,), 0.2),
        ((A.EXPANDABLE_CLICK, A.USER_INTERACTIVE), 0.1),
        ((A.EXPANDABLE_AUTOMATIC,), 0.06),
        ((A.IN_BANNER_VIDEO_AUTOPLAY, A.AUDIO_ON_OFF_BUTTON), 0.08),
        ((A.EXTREME_ANIMATION,), 0.05),
        ((A.PROVOCATIVE_OR_SUGGESTIVE,), 0.03),
        ((A.POP,), 0.03),
    ),
    MarkupType.VIDEO: (
        ((A.FULL_MOTION_VIDEO,), 0.6),
        ((A.FULL_MOTION_VIDEO, A.SKIP_BUTTON), 0.3),
        ((A.FULL_MOTION_VIDEO, A.AUDIO_AUTOPLAY), 0.1),
    ),
    MarkupType.AUDIO: (((A.AUDIO_AUTOPLAY,), 1.0),),
    MarkupType.NATIVE: (((A.STATIC_VISUAL,), 0.8), ((A.LIMITED_MOTION,), 0.2)),
}


@dataclass(frozen=True, slots=True)
class Creative:
    crid: str
    mtype: MarkupType
    attr: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Advertiser:
    adomain: str
    cat: tuple[str, ...]
    cid: str  # the campaign id (``Bid.cid``)
    creatives: dict[MarkupType, Creative]
    # How many of a DSP's bids it makes for each of a long-tail advertiser's: the named brands'
    # budgets are larger (NAMED_BRAND_WEIGHT).
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Dsp:
    """One simulated bidder seat."""

    seat: str
    host: str  # host of its notice URLs (the reserved .example domain: nothing is ever called)
    call_share: float  # share of requests the exchange sends it (traffic shaping)
    # Share of the requests it can buy on which it has demand, at the median demand level (a
    # request's level moves it up or down for every DSP alike: ``funnel.demand``); it still bids
    # only on impressions it values at or above the floor, so its measured bid rate is lower.
    bid_rate: float
    # Share of its valuation it shades off in first-price auctions (none in second price, where
    # bidding the value is optimal).
    shading: float
    value_mu: float  # log of its median valuation relative to the floor
    latency_median_ms: float
    latency_sigma: float
    channels: frozenset[str]
    media: frozenset[MarkupType]
    advertisers: tuple[Advertiser, ...]
    block_salt: str = ""  # with a publisher id, decides whether it blocks that publisher
    # Its advertisers, each ``weight`` times: a uniform choice among them picks each as often as
    # it bids. Derived from ``advertisers``, so that no DSP can carry a stale or empty copy.
    weighted_advertisers: tuple[Advertiser, ...] = field(init=False)

    def __post_init__(self) -> None:
        weighted = tuple(
            advertiser for advertiser in self.advertisers for _ in range(advertiser.weight)
        )
        object.__setattr__(self, "weighted_advertisers", weighted)

    def blocks(self, publisher_id: str) -> bool:
        """Whether it blocks the publisher: the same answer for every request of it (a hash,
        not a draw, so that nothing needs remembering)."""
        digest = zlib.crc32(f"{self.block_salt}:{publisher_id}".encode())
        return digest < calibration.BLOCKED_PUBLISHER_SHARE * 2**32


def population(seed: int) -> tuple[Dsp, ...]:
    """The DSP seats of one seed, in a fixed order."""
    rnd = random.Random(f"funnel-dsps:{seed}")
    dsps = []
    for index, seat in enumerate(DEAL_SEATS + OPEN_SEATS):
        large = index < len(DEAL_SEATS)
        channels = set(CHANNELS)
        media = set(MarkupType)
        if not large:
            # Smaller DSPs specialise: few buy screens or audio, some no CTV.
            if rnd.random() < 0.7:
                channels.discard("dooh")
            if rnd.random() < 0.4:
                channels.discard("ctv")
            if rnd.random() < 0.6:
                media.discard(MarkupType.AUDIO)
        elif rnd.random() < 0.3:
            channels.discard("dooh")
        low, high = calibration.LATENCY_MEDIAN_MS_RANGE
        advertisers = _advertisers(rnd, seat, 14 if large else 8, 60 if large else 25)
        dsps.append(
            Dsp(
                seat=seat,
                host=f"{seat}.bidder.example",
                call_share=rnd.uniform(0.85, 1.0) if large else rnd.uniform(0.5, 0.8),
                # Above calibration.BID_RATE_RANGE: filters, unmatched users, timeouts and
                # valuations below the floor bring the measured rate (bids in time / calls) into
                # it, 22-46% by seat (design §3.6).
                bid_rate=rnd.uniform(0.38, 0.72),
                shading=rnd.uniform(0.10, 0.35),
                value_mu=rnd.uniform(0.15, 0.55),
                latency_median_ms=rnd.uniform(low, high),
                latency_sigma=calibration.LATENCY_SIGMA,
                channels=frozenset(channels),
                media=frozenset(media),
                advertisers=advertisers,
                block_salt=f"{seat}:{rnd.getrandbits(64):016x}",
            )
        )
    return tuple(dsps)


def _advertisers(
    rnd: random.Random, seat: str, named: int, long_tail: int
) -> tuple[Advertiser, ...]:
    """``named`` of the named brands and ``long_tail`` smaller advertisers, with a creative for
    each markup type."""
    pool = ADVERTISERS + LONG_TAIL
    chosen = rnd.sample(range(len(ADVERTISERS)), named) + [
        len(ADVERTISERS) + index for index in rnd.sample(range(len(LONG_TAIL)), long_tail)
    ]
    prefix = seat.split("-")[0]
    advertisers = []
    for index in sorted(chosen):
        domain, cat = pool[index]
        creatives = {}
        for mtype, options in CREATIVE_ATTRS.items():
            sets = [attrs for attrs, _ in options]
            attr = rnd.choices(sets, weights=[weight for _, weight in options])[0]
            crid = f"{prefix}-cr-{index:03d}{int(mtype)}"
            creatives[mtype] = Creative(crid=crid, mtype=mtype, attr=tuple(sorted(attr)))
        weight = NAMED_BRAND_WEIGHT if index < len(ADVERTISERS) else 1
        advertisers.append(Advertiser(domain, cat, f"{prefix}-c{index:03d}", creatives, weight))
    return tuple(advertisers)
