"""Placements: the templated ad slots of all properties, and the layouts that group them.

A placement is one ad slot of one property, serialised once into the pieces ``wire`` joins (its
head, its tag, the opening of an ext it carries a transaction id in); per request only its floor,
deals and refresh count are added. A layout is the set of slots a page view, app screen or ad
break offers (imp ids "1", "2", ..., at most ``MAX_SLOTS``). Slots offered in several layouts of
a property are one placement; deals are negotiated per publisher and media kind (OpenRTB 2.6
§3.2.11 Pmp, §3.2.12 Deal).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from mock_data_gen.synthesis import wire
from mock_data_gen.synthesis.floors import deal_pmps
from mock_data_gen.synthesis.fragments import dumps, members

MAX_SLOTS: Final = 5
# Chance that a placement's impressions carry deals, by placement kind (video and CTV are sold
# through PMPs far more than display).
DEAL_PROBABILITY: Final = {
    "banner": 0.08,
    "native": 0.06,
    "video": 0.22,
    "ctv": 0.45,
    "audio": 0.25,
    "dooh": 0.35,
}
# Auto-refreshing display slots: refresh after at least 30 s in view (AdCOM 1.0 Auto Refresh
# Triggers: 3 = time-based); the count is added per request.
_REFRESH: Final = wire.refresh_opening(dumps([{"reftype": 3, "minint": 30}]))


# How a slot's video states its duration floors, written per request from the slot's floor
# (``floors.pod_floor_member``): not at all, as ``durfloors`` tiers, or as ``mincpmpersec``
# (which part of ``wire.ImpressionPieces.floor`` holds its floor pieces: assembly.FLOOR_STRIDE).
POD_FLOOR_NONE: Final = 0
POD_FLOOR_DURFLOORS: Final = 1
POD_FLOOR_PER_SECOND: Final = 2


class Slot(NamedTuple):
    """One ad slot of a layout: its kind, the impression's members (without ``id``), the base
    floor in USD, how its video states duration floors (``POD_FLOOR_*``) and whether it belongs
    to a CTV ad pod (whose slots share one floor and one deal draw per request)."""

    kind: str
    imp: dict[str, Any]
    floor_usd: float
    pod_floor: int = POD_FLOOR_NONE
    pod: bool = False


@dataclass(slots=True)
class Placement:
    """What the generator needs about one templated slot."""

    head: bytes  # wire.imp_opening: the impression's members up to its tagid
    tag: bytes  # wire.imp_tag
    currency: str  # of its floor and deals (bidfloorcur)
    base_floor: float
    deal_probability: float
    pmp: list[bytes]  # wire.pmp_member, one per deal variant
    pmp_cap: list[int]  # per pmp variant: its lowest deal floor in cents
    refresh: bytes  # wire.refresh_opening, or b"" for a slot that does not refresh
    dooh: bool
    pod: bool  # a CTV pod's slot: one floor per pod
    # How its video states duration floors, in its floor's piece (POD_FLOOR_*, wire.pod_floor);
    # the opening of an ext the request closes with a transaction id (wire.imp_ext_tid_opening),
    # or b"".
    pod_floor: int
    late: bytes


@dataclass(slots=True)
class MediaCatalog:
    placements: list[Placement] = field(default_factory=list)
    layouts: list[tuple[int, ...]] = field(default_factory=list)
    _deals: dict[tuple[str, str], tuple[list[bytes], list[int]]] = field(default_factory=dict)
    _heads: dict[bytes, bytes] = field(default_factory=dict)
    # Placements by what they are: a slot offered in several layouts of a page is one placement.
    _index: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def add_layout(
        self,
        rnd: random.Random,
        slots: Sequence[Slot],
        publisher_id: str,
        currency: str,
        fx: float,
        quality: float,
        deal_rate: float,
        refresh: Sequence[bool] | None = None,
        tid: bool = False,
    ) -> int:
        """Register one layout; ``tid``: its impressions carry per-request transaction ids
        (``imp.ext.tid``, next to whatever else their ``ext`` holds)."""
        ids = []
        for position, slot in enumerate(slots[:MAX_SLOTS]):
            kind = slot.kind
            base = slot.floor_usd * quality * fx
            timed = kind in ("video", "ctv", "audio")
            probability = min(1.0, DEAL_PROBABILITY[kind] * deal_rate)
            # Deals are negotiated per publisher and media kind, not per slot.
            deal_key = (publisher_id, kind)
            found = self._deals.get(deal_key)
            if found is None:
                pmps, caps = deal_pmps(rnd, publisher_id, base, currency, timed, 3)
                found = [wire.pmp_member(pmp) for pmp in pmps], caps
                self._deals[deal_key] = found
            pmp, pmp_cap = found
            refresh_piece = _REFRESH if refresh is not None and refresh[position] else b""
            body = {"id": str(position + 1), **slot.imp}
            tag = body.pop("tagid")
            # Members written per request leave the head: a pod slot's video for the end of its
            # tag, where the floor's piece writes its duration floors, or the ext for the end of
            # the impression, where the request writes its transaction id.
            opening = b""
            if slot.pod_floor != POD_FLOOR_NONE:
                tag_piece = wire.pod_slot_tag(tag, members(body.pop("video")))
            else:
                if tid:
                    ext = body.pop("ext", None)
                    opening = wire.imp_ext_tid_opening(members(ext) if ext else b"")
                # Extensions particular to the slot (its GPID, its app's SKAdNetwork ids) go with
                # its tag, so that slots of the same kind still share their head.
                ext = body.pop("ext", None)
                tag_piece = wire.imp_tag(tag, members(ext) if ext else b"")
            head = wire.imp_opening(position, members(body))
            # Slots of the same kind share their head: only the tag differs from site to site.
            head = self._heads.setdefault(head, head)
            placement = Placement(
                head=head,
                tag=tag_piece,
                currency=currency,
                base_floor=base,
                deal_probability=probability,
                pmp=pmp,
                pmp_cap=pmp_cap,
                refresh=refresh_piece,
                dooh=kind == "dooh",
                pod=slot.pod,
                pod_floor=slot.pod_floor,
                late=opening,
            )
            key = (
                head, placement.tag, currency, base, probability, id(pmp), refresh_piece,
                kind, slot.pod, slot.pod_floor, opening,
            )  # fmt: skip
            index = self._index.get(key)
            if index is None:
                index = self._index[key] = len(self.placements)
                self.placements.append(placement)
            ids.append(index)
        self.layouts.append(tuple(ids))
        return len(self.layouts) - 1

    def finish(self) -> None:
        """Drop what only building needed: the placements (their pieces and figures are in the
        generator's tables by then), the layouts, deals and heads, and the index of placements by
        content."""
        self.placements.clear()
        self.layouts.clear()
        self._deals.clear()
        self._heads.clear()
        self._index.clear()
