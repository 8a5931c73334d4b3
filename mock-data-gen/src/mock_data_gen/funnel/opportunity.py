"""What a bid request offers a bidder, read once from its JSON: the impressions, their media,
sizes, floors, deals and blocks, and the request-wide terms (auction type, ``tmax``, currency).

Read straight from the parsed JSON rather than through the pydantic models: the funnel reads
every generated request, and the models' validation would cost more than the whole simulation.
Field meanings and defaults are those of OpenRTB 2.6 §3.2 (cited where used).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson

from mock_data_gen.openrtb.adcom import APIFramework, DeviceType
from mock_data_gen.openrtb.reasons import MarkupType

# The request side's object of each markup type (OpenRTB 2.6 §4.2.3 ``mtype``: 1 = Banner ...).
MEDIA_OF: Final = {
    "banner": MarkupType.BANNER,
    "video": MarkupType.VIDEO,
    "audio": MarkupType.AUDIO,
    "native": MarkupType.NATIVE,
}
# Durations (s) a buyer's video and audio spots come in, when the request only bounds them.
SPOT_DURATIONS: Final = (6, 10, 15, 20, 30, 45, 60)
# US dollars per unit of the currencies the generator prices in, to compare amounts given in
# different currencies; the euro as the generator's own floors convert it (0.92 EUR per USD).
USD_PER_UNIT: Final = {"USD": 1.0, "EUR": 1 / 0.92, "GBP": 1.27}
_CTV_DEVICES: Final = frozenset({DeviceType.CONNECTED_TV, DeviceType.SET_TOP_BOX})


@dataclass(slots=True)
class DurFloor:
    """One DurFloors range (OpenRTB 2.6 §3.2.35), unbounded where ``mindur``/``maxdur`` is unset."""

    mindur: int | None
    maxdur: int | None
    bidfloor: float

    def covers(self, dur: int) -> bool:
        return (self.mindur is None or dur >= self.mindur) and (
            self.maxdur is None or dur <= self.maxdur
        )


@dataclass(slots=True)
class FloorGuidance:
    """One place's floor guidance (OpenRTB 2.6 implementation guide §7.11.2): a plain floor, a
    floor per second of the spot, or floors by duration; ``None`` where the place gives none."""

    bidfloor: float | None
    mincpmpersec: float | None
    durfloors: tuple[DurFloor, ...]
    cur: str

    @property
    def given(self) -> bool:
        return self.bidfloor is not None or self.mincpmpersec is not None or bool(self.durfloors)


@dataclass(slots=True)
class DealTerms:
    """A deal of ``imp.pmp`` (OpenRTB 2.6 §3.2.12); ``at`` overrides the request's auction type."""

    id: str
    guidance: FloorGuidance
    at: int | None
    wseat: frozenset[str] | None
    wadomain: frozenset[str] | None
    guaranteed: bool = False  # ``guar`` 1: "the bidder must bid on the deal"

    def open_to(self, seat: str) -> bool:
        return self.wseat is None or seat in self.wseat


@dataclass(slots=True)
class Slot:
    """One impression on offer (OpenRTB 2.6 §3.2.4) with what a bid for it must respect."""

    imp_id: str
    mtype: MarkupType
    sizes: tuple[tuple[int, int], ...]  # banner formats and size, or the video player's size
    battr: frozenset[int]
    imp_floor: float  # imp.bidfloor, default 0
    imp_cur: str  # imp.bidfloorcur, default "USD"
    media_guidance: FloorGuidance | None  # Video/Audio mincpmpersec or durfloors
    durations: tuple[int, ...]  # spot lengths a video or audio bid may have; () otherwise
    deals: tuple[DealTerms, ...]
    private_auction: bool
    exp: int | None  # advisory seconds between auction and billing (§3.2.4 ``exp``)
    viewability: float | None  # the exchange's predicted viewability (``imp.metric``)
    omid: bool  # the placement is measurable through the Open Measurement SDK (API 7)
    # Impressions one play counts as (``imp.qty.multiplier``, §3.2.31: DOOH), None without.
    multiplier: float | None = None


@dataclass(slots=True)
class Opportunity:
    """The request as the bidders and the exchange's auction see it."""

    request_id: str
    publisher_id: str  # site.publisher.id, app.publisher.id or dooh.publisher.id; "" without one
    key: str  # the request's Kafka key under the default strategy: user.id, "" without one
    channel: str  # "web", "app", "ctv" or "dooh"
    at: int  # BidRequest.at, default 2 (second price plus)
    tmax: int | None
    cur: str  # the currency bids are made in: the first of BidRequest.cur, default "USD"
    badv: frozenset[str]
    bcat: frozenset[str]
    wseat: frozenset[str] | None
    bseat: frozenset[str]
    matched_user: bool  # the request carries an id a bidder can recognise
    slots: tuple[Slot, ...]
    guaranteed: bool = False  # some impression carries a guaranteed deal


def read_request(request: bytes | str | Mapping[str, Any]) -> Opportunity:
    """The opportunity of one bid request, given as its JSON or the parsed object."""
    doc: Mapping[str, Any] = request if isinstance(request, Mapping) else orjson.loads(request)
    user = doc.get("user") or {}
    device = doc.get("device") or {}
    if "dooh" in doc:
        channel = "dooh"
    elif device.get("devicetype") in _CTV_DEVICES:
        channel = "ctv"
    else:
        channel = "app" if "app" in doc else "web"
    wseat = doc.get("wseat")
    slots = tuple(_slot(imp) for imp in doc["imp"])
    inventory = doc.get("site") or doc.get("app") or doc.get("dooh") or {}
    return Opportunity(
        request_id=doc["id"],
        publisher_id=(inventory.get("publisher") or {}).get("id", ""),
        key=user.get("id", ""),
        channel=channel,
        at=doc.get("at", 2),
        tmax=doc.get("tmax"),
        cur=(doc.get("cur") or ["USD"])[0],
        badv=frozenset(doc.get("badv", ())),
        bcat=frozenset(doc.get("bcat", ())),
        wseat=frozenset(wseat) if wseat else None,
        bseat=frozenset(doc.get("bseat", ())),
        matched_user=bool(user.get("buyeruid") or user.get("eids") or device.get("ifa")),
        slots=slots,
        guaranteed=any(deal.guaranteed for slot in slots for deal in slot.deals),
    )


def _slot(imp: Mapping[str, Any]) -> Slot:
    name = next((name for name in MEDIA_OF if name in imp), None)
    if name is None:
        # OpenRTB 2.6 §3.2.4: an Imp must offer at least one of banner, video, audio or native.
        raise ValueError(f"imp {imp.get('id')!r} offers no banner, video, audio or native")
    media = imp[name]
    imp_cur = imp.get("bidfloorcur", "USD")
    sizes: list[tuple[int, int]] = [(f["w"], f["h"]) for f in media.get("format", ()) if "w" in f]
    if "w" in media and "h" in media and name in ("banner", "video"):
        sizes.append((media["w"], media["h"]))
    pmp = imp.get("pmp") or {}
    metric = next(
        (m["value"] for m in imp.get("metric", ()) if m.get("type") == "viewability"), None
    )
    media_guidance = None
    if name in ("video", "audio"):
        media_guidance = _guidance(media, imp_cur, plain=False)
    return Slot(
        imp_id=imp["id"],
        mtype=MEDIA_OF[name],
        sizes=tuple(dict.fromkeys(sizes)),
        battr=frozenset(media.get("battr", ())),
        imp_floor=imp.get("bidfloor", 0.0),
        imp_cur=imp_cur,
        media_guidance=media_guidance if media_guidance and media_guidance.given else None,
        durations=_durations(media) if name in ("video", "audio") else (),
        deals=tuple(_deal(deal) for deal in pmp.get("deals", ())),
        private_auction=pmp.get("private_auction") == 1,
        exp=imp.get("exp"),
        viewability=metric,
        omid=APIFramework.OMID_1_0 in media.get("api", ()),
        multiplier=(imp.get("qty") or {}).get("multiplier"),
    )


def _guidance(obj: Mapping[str, Any], cur: str, *, plain: bool) -> FloorGuidance:
    return FloorGuidance(
        bidfloor=obj.get("bidfloor") if plain else None,
        mincpmpersec=obj.get("mincpmpersec"),
        durfloors=tuple(
            DurFloor(d.get("mindur"), d.get("maxdur"), d.get("bidfloor", 0.0))
            for d in obj.get("durfloors", ())
        ),
        cur=cur,
    )


def _deal(deal: Mapping[str, Any]) -> DealTerms:
    wseat, wadomain = deal.get("wseat"), deal.get("wadomain")
    return DealTerms(
        id=deal["id"],
        # Deal.bidfloorcur defaults to "USD" and is not inherited from the Imp (§3.2.12).
        guidance=_guidance(deal, deal.get("bidfloorcur", "USD"), plain=True),
        at=deal.get("at"),
        wseat=frozenset(wseat) if wseat else None,
        wadomain=frozenset(wadomain) if wadomain else None,
        guaranteed=deal.get("guar") == 1,
    )


def _durations(media: Mapping[str, Any]) -> tuple[int, ...]:
    """Spot lengths allowed: ``rqddurs`` exactly, else those within min/max duration."""
    if media.get("rqddurs"):
        return tuple(media["rqddurs"])
    low, high = media.get("minduration", 0), media.get("maxduration", 30)
    return tuple(d for d in SPOT_DURATIONS if low <= d <= high) or (high,)


def convert(amount: float, from_cur: str, to_cur: str) -> float | None:
    """``amount`` in another currency; None where either currency has no reference rate."""
    if from_cur == to_cur:
        return amount
    if from_cur not in USD_PER_UNIT or to_cur not in USD_PER_UNIT:
        return None
    return amount * USD_PER_UNIT[from_cur] / USD_PER_UNIT[to_cur]


def applicable_floor(slot: Slot, deal: DealTerms | None, dur: int | None, cur: str) -> float | None:
    """The floor a bid must meet, in ``cur`` (None where it cannot be converted).

    OpenRTB 2.6 implementation guide §7.11.2: a bid on a deal follows the deal's guidance; without
    any there, or in the open market, the Video/Audio guidance; else ``imp.bidfloor``. Duration
    floors that do not cover the spot fall back to ``imp.bidfloor`` (§3.2.35).
    """
    for guidance in (deal.guidance if deal else None, slot.media_guidance):
        if guidance is None or not guidance.given:
            continue
        if guidance.bidfloor is not None:
            return _in(guidance.bidfloor, guidance.cur, cur)
        if guidance.mincpmpersec is not None and dur is not None:
            return _in(guidance.mincpmpersec * dur, guidance.cur, cur)
        if dur is not None:
            covering = next((d for d in guidance.durfloors if d.covers(dur)), None)
            if covering is not None:
                return _in(covering.bidfloor, guidance.cur, cur)
        break
    return _in(slot.imp_floor, slot.imp_cur, cur)


def _in(amount: float, from_cur: str, to_cur: str) -> float | None:
    converted = convert(amount, from_cur, to_cur)
    # Six decimals: 0.5 * 30 is 15.000000000000002 in binary floating point, and a price must be
    # able to equal it.
    return None if converted is None else round(converted, 6)


def category_blocked(category: str, bcat: frozenset[str]) -> bool:
    """Whether ``bcat`` blocks ``category``, itself or by its tier-1 parent ("IAB7": "IAB7-39");
    IAB Content Taxonomy 1.0 codes have two tiers."""
    return category in bcat or category.split("-", 1)[0] in bcat
