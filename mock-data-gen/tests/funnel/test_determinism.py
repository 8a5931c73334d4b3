"""The funnel is a function of the seed and the request: same seed, same bytes."""

from __future__ import annotations

from funnel_samples import Funnel, generated_records

from mock_data_gen.funnel import EVENT_TYPES, FunnelEvent, FunnelSimulator


def serialised(events: list[FunnelEvent]) -> list[tuple[str, int, int, str, bytes]]:
    return [(e.type, e.event_time_ms, e.emit_time_ms, e.key, e.to_json()) for e in events]


def test_the_same_seed_replays_the_same_bytes() -> None:
    records = generated_records(5, 200)
    first = serialised(FunnelSimulator(5).simulate_records(records))
    second = serialised(FunnelSimulator(5).simulate_records(records))
    assert first == second
    assert {event[0] for event in first} >= set(EVENT_TYPES) - {"click"}
    other = serialised(FunnelSimulator(6).simulate_records(records))
    assert other != first


def test_a_requests_events_do_not_depend_on_the_others(funnels: dict[int, Funnel]) -> None:
    sample = funnels[2]
    simulator = FunnelSimulator(2)
    for record in sample.records[::97]:
        alone = simulator.simulate(record.payload, record.event_time_ms)
        in_batch = [e for e in sample.events if e.payload["request_id"] == record.request_id]
        assert serialised(alone) == serialised(in_batch)
        # The parsed request gives the same events as its bytes.
        parsed = simulator.simulate(sample.requests[record.request_id], record.event_time_ms)
        assert serialised(parsed) == serialised(alone)
