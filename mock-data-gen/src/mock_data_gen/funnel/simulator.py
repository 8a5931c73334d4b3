"""The whole funnel of one bid request: the exchange calls the DSPs, collects what comes back
before ``tmax``, runs one auction per impression, and the winners render and get clicked.

Deterministic: every draw for a request comes from a generator seeded by the funnel's seed and
the request's id, so the events of a request depend on nothing else (not on batching, not on the
requests before it), and the same seed replays the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Protocol

from mock_data_gen.funnel import calibration, engagement
from mock_data_gen.funnel.auction import run_auction
from mock_data_gen.funnel.bidding import Callout, Eligibility, respond
from mock_data_gen.funnel.demand import DemandLevels
from mock_data_gen.funnel.dsps import Dsp, population
from mock_data_gen.funnel.events import (
    BID_RESPONSE,
    CLICK,
    EVENT_TYPES,
    IMPRESSION,
    WIN,
    FunnelEvent,
    click_payload,
    impression_payload,
    response_payload,
    win_payload,
)
from mock_data_gen.funnel.opportunity import Opportunity, read_request

_FUNNEL_ORDER: Final = {event_type: rank for rank, event_type in enumerate(EVENT_TYPES)}


class RequestRecord(Protocol):
    """What the funnel needs of a generated request (``synthesis.BidRequestRecord`` has it)."""

    @property
    def payload(self) -> bytes: ...

    @property
    def event_time_ms(self) -> int: ...


class FunnelSimulator:
    """Turns bid requests into their bid responses, wins, impressions and clicks."""

    def __init__(self, seed: int = 0, dsps: Sequence[Dsp] | None = None) -> None:
        self.seed = seed
        self.dsps: tuple[Dsp, ...] = tuple(dsps) if dsps is not None else population(seed)
        self._eligibility = Eligibility()
        self._demand = DemandLevels(seed)

    def simulate(
        self, request: bytes | str | Mapping[str, Any], event_time_ms: int
    ) -> list[FunnelEvent]:
        """Every event one request leads to, in order of event time (then funnel order)."""
        opp = read_request(request)
        rnd = random.Random(f"funnel:{self.seed}:{opp.request_id}")
        demand = self._demand.of_request(opp.publisher_id, rnd)
        suspected = rnd.random() < calibration.SUSPECTED_TRAFFIC_SHARE
        callouts = [
            respond(dsp, opp, rnd, self._eligibility, demand, suspected=suspected)
            for dsp in self.dsps
            if _may_bid(dsp, opp) and rnd.random() < dsp.call_share
        ]
        events = [
            FunnelEvent(
                BID_RESPONSE,
                event_time_ms + callout.latency_ms,
                event_time_ms + callout.latency_ms,
                opp.key,
                response_payload(opp.request_id, callout),
            )
            for callout in callouts
        ]
        auction_ms = (
            event_time_ms
            + _waited_ms(opp, callouts)
            + rnd.randint(*calibration.AUCTION_PROCESSING_MS)
        )
        in_time = [placed for callout in callouts if not callout.late for placed in callout.bids]
        for slot in opp.slots:
            result = run_auction([placed for placed in in_time if placed.slot is slot])
            if result is None:
                continue
            payload = win_payload(opp.request_id, opp.cur, result)
            events.append(FunnelEvent(WIN, auction_ms, auction_ms, opp.key, payload))
            rendered = engagement.render(slot, opp.channel, rnd)
            if rendered is None:
                continue
            shown_ms = auction_ms + rendered.delay_ms
            payload = impression_payload(
                opp.request_id, opp.cur, opp.channel, result, rendered, shown_ms
            )
            events.append(FunnelEvent(IMPRESSION, shown_ms, shown_ms, opp.key, payload))
            clicked = engagement.click(slot.mtype, opp.channel, rnd)
            if clicked is None:
                continue
            click_ms = shown_ms + clicked.delay_ms
            events.append(
                FunnelEvent(
                    CLICK,
                    click_ms,
                    click_ms + clicked.report_delay_ms,
                    opp.key,
                    click_payload(opp.request_id, opp.channel, result),
                )
            )
        events.sort(key=lambda event: (event.event_time_ms, _FUNNEL_ORDER[event.type]))
        return events

    def simulate_records(self, records: Iterable[RequestRecord]) -> list[FunnelEvent]:
        """The events of several generated requests, request after request."""
        events: list[FunnelEvent] = []
        for record in records:
            events += self.simulate(record.payload, record.event_time_ms)
        return events


def _may_bid(dsp: Dsp, opp: Opportunity) -> bool:
    """Whether the request's seat allow and block lists (``wseat``, ``bseat``) admit the DSP."""
    return (opp.wseat is None or dsp.seat in opp.wseat) and dsp.seat not in opp.bseat


def _waited_ms(opp: Opportunity, callouts: list[Callout]) -> int:
    """How long the exchange waited: until the last response, or ``tmax`` if any was late."""
    if any(callout.late for callout in callouts) and opp.tmax is not None:
        return opp.tmax
    return max((callout.latency_ms for callout in callouts), default=0)
