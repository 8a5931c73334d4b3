"""The auction funnel after a bid request, as pure logic: no network, no Kafka.

``FunnelSimulator(seed).simulate(request_json, event_time_ms)`` returns the request's
``FunnelEvent``s: each simulated DSP's bid response (in time, late past ``tmax``, a no-bid with
``nbr`` or an empty 204), the exchange's auction per impression (``win``, with the losses), the
billable impressions and the clicks, each naming the ids of its cause and timed after it.
Calibration and sources: ``calibration``; the DSPs: ``dsps``; how their demand gathers on some
inventory: ``demand``; the events' shape: ``events``.

The objects made per request and per event (opportunities, callouts, bids, auctions, events) are
plain slotted dataclasses, read-only by convention: about fifty are made for each request, and a
frozen dataclass's ``__init__`` costs four times as much (1.2 against 0.3 us).
"""

from mock_data_gen.funnel.dsps import Dsp, population
from mock_data_gen.funnel.events import (
    BID_RESPONSE,
    CLICK,
    EVENT_TYPES,
    IMPRESSION,
    WIN,
    FunnelEvent,
)
from mock_data_gen.funnel.simulator import FunnelSimulator, RequestRecord

__all__ = [
    "BID_RESPONSE",
    "CLICK",
    "EVENT_TYPES",
    "IMPRESSION",
    "WIN",
    "Dsp",
    "FunnelEvent",
    "FunnelSimulator",
    "RequestRecord",
    "population",
]
