"""Test support: the auction funnel's tables, filled with the funnels of generated requests.

The requests come from ``lakehouse.generate``; each one's funnel from the generator's own
``FunnelSimulator``, as ``mock-data-gen run`` with ``FUNNEL=full`` produces it. Each event type's
table is created as ``mock-data-gen setup`` creates it (``funnel_layouts``, named like its topic)
and filled as the sink fills it (``lakehouse.append``: JSON-text members as text, provenance
columns): every event in its request's partition (the topics are co-partitioned), with
consecutive offsets per partition in the order the events are reported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from lakehouse import Lakehouse, Record, append
from mock_data_gen.funnel import EVENT_TYPES, FunnelSimulator
from mock_data_gen.lakehouse.funnel_tables import funnel_layouts
from mock_data_gen.lakehouse.setup import create_table

# The topic (and so the table) of each event type, as the generator names them by default.
TOPICS = {
    "bid_response": "bid_responses",
    "win": "wins",
    "impression": "impressions",
    "click": "clicks",
}


@dataclass(frozen=True)
class Funnel:
    """The funnel events of some requests as records of their topics, by event type."""

    events: dict[str, list[Record]]

    def payloads(self, kind: str) -> list[dict[str, Any]]:
        return [record.request for record in self.events[kind]]


def simulate(requests: list[Record], seed: int = 5) -> Funnel:
    """The funnels of ``requests``, each event a record in its request's partition."""
    simulator = FunnelSimulator(seed)
    timed = []
    for request in requests:
        for event in simulator.simulate(request.request, request.timestamp_ms):
            timed.append((event.emit_time_ms, request.partition, event))
    # Reported in time order, as the generator's heap produces them.
    timed.sort(key=lambda item: (item[0], EVENT_TYPES.index(item[2].type)))
    next_offset: dict[tuple[str, int], int] = defaultdict(int)
    events: dict[str, list[Record]] = {kind: [] for kind in EVENT_TYPES}
    for _, partition, event in timed:
        offset = next_offset[event.type, partition]
        next_offset[event.type, partition] += 1
        events[event.type].append(Record(partition, offset, event.event_time_ms, event.payload))
    return Funnel(events)


def create_funnel_table(lakehouse: Lakehouse, kind: str, name: str | None = None) -> Any:
    """The table of event type ``kind`` in namespace ``db``, as setup creates it; ``name``
    defaults to the event type's topic."""
    table, _ = create_table(
        lakehouse.catalog(), ("db", name or TOPICS[kind]), funnel_layouts()[kind]
    )
    return table


def fill_funnel_tables(
    lakehouse: Lakehouse, funnel: Funnel, names: dict[str, str] | None = None
) -> None:
    """Each event type's table (named like its topic, or as ``names`` says) with its events,
    in two commits as a sink would make them."""
    for kind, records in funnel.events.items():
        name = (names or {}).get(kind, TOPICS[kind])
        table = create_funnel_table(lakehouse, kind, name)
        half = len(records) // 2
        for chunk in (records[:half], records[half:]):
            if chunk:
                table = append(table, chunk, topic=name, group=f"iceberg-sink-{name}")
