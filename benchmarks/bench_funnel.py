"""The cost of ``FUNNEL=full``: requests/s of ``mock-data-gen run`` with the whole auction funnel
against the requests alone, in one run, and the funnel's pending heap over the run.

Each round runs the real service twice against the embedded Kafka cluster, a backfill of the same
simulated range (``SPEED=max``, ``--requests`` requests, same seed): with ``FUNNEL=requests`` and
with ``FUNNEL=full``. It reports the summary's ``avg_rate`` (requests produced per second of the
run, from the first connection to the end of the flush) of each, their ratio (the issue's goal:
the full funnel costs at most 2x), the funnel events delivered per request, and the heap of
waiting events from the stats lines: its size at each quarter of the run and its peak (events and
accounted MiB), which should level off rather than grow with the run.

Then, in this process, where the cost goes, per request, on one thread: generating a request,
producing it, simulating its funnel, serialising the funnel's events and producing them (a
producer with the service's configuration, to the embedded cluster, every delivery awaited). The
requests alone cost the first two; the funnel adds the other three. Without any simulation at
all, the funnel's events alone would still cost ``floor`` = (generate + produce + serialise +
produce events) / (generate + produce): the least the full funnel can cost in one Python process
with this many events a request, whatever the simulation's speed.

    .venv/bin/python benchmarks/bench_funnel.py [--requests 30000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import gc
import os
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from confluent_kafka import Producer
from mock_data_gen.embedded_broker import EmbeddedKafka
from mock_data_gen.funnel import FunnelSimulator
from mock_data_gen.kafka_clients import producer_config
from mock_data_gen.settings import Settings
from mock_data_gen.synthesis import BidRequestGenerator

START = datetime(2026, 2, 9, 18, 0, tzinfo=UTC)
RATE = 50  # requests per simulated second: a backfill of --requests / 50 simulated seconds


def _fields(line: str) -> dict[str, str]:
    return dict(token.partition("=")[::2] for token in shlex.split(line))


def run(kafka: EmbeddedKafka, funnel: str, requests: int) -> tuple[dict[str, str], list[int]]:
    prefix = f"bench_{funnel}_{uuid.uuid4().hex[:6]}"
    topics = {
        name: f"{prefix}_{name}" for name in ("requests", "responses", "wins", "imps", "clicks")
    }
    for topic in topics.values():
        kafka.create_topic(topic, 6)
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "TOPIC_BID_REQUESTS": topics["requests"],
        "TOPIC_BID_RESPONSES": topics["responses"],
        "TOPIC_WINS": topics["wins"],
        "TOPIC_IMPRESSIONS": topics["imps"],
        "TOPIC_CLICKS": topics["clicks"],
        "FUNNEL": funnel,
        "SIMULATED_START": START.isoformat(),
        "SIMULATED_END": (START + timedelta(seconds=requests / RATE)).isoformat(),
        "SPEED": "max",
        "EVENTS_PER_SECOND": str(RATE),
        "SEED": "5",
        "METRICS_PORT": "0",
        "STATS_INTERVAL_SECONDS": "1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    lines = [_fields(line) for line in result.stderr.splitlines() if "event=" in line]
    summaries = [line for line in lines if line.get("event") == "summary"]
    if result.returncode != 0 or len(summaries) != 1:
        raise SystemExit(f"FUNNEL={funnel}: exit {result.returncode}\n{result.stderr[-3000:]}")
    pending = [int(line["funnel_pending"]) for line in lines if "funnel_pending" in line]
    return summaries[0], pending


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _produce_all(producer: Producer, topic: str, records: list[tuple[bytes, str, int]]) -> None:
    """Produce every record and wait for every delivery; delivery reports are served every
    1,000 records, as the service's loop serves them once a batch."""
    produce, poll = producer.produce, producer.poll
    for index, (value, key, timestamp) in enumerate(records):
        while True:
            try:
                produce(topic, value, key, timestamp=timestamp)
                break
            except BufferError:
                poll(0.05)
        if index % 1000 == 999:
            poll(0)
    producer.flush()


def breakdown(kafka: EmbeddedKafka, requests: int) -> None:
    """Microseconds per request of each step, on this thread, and the floor they imply."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)  # as the service runs
    start_ms = int(START.timestamp() * 1000)
    times = [start_ms + index * 1000 // RATE for index in range(requests)]
    generator = BidRequestGenerator(seed=5)
    generator.build_all_users()
    batches = []
    seconds = {"generate": 0.0}
    for first in range(0, requests, 1000):
        chunk = times[first : first + 1000]
        seconds["generate"] += _timed(lambda c=chunk: batches.append(generator.generate_columns(c)))
    request_records = [
        (payload, user, time_ms)
        for batch in batches
        for payload, user, time_ms in zip(
            batch.payloads, batch.user_ids, batch.event_times_ms, strict=True
        )
    ]
    simulator = FunnelSimulator(5)
    events: list = []
    seconds["simulate"] = _timed(
        lambda: [events.extend(simulator.simulate(value, ms)) for value, _, ms in request_records]
    )
    funnel_records: list[tuple[bytes, str, int]] = []
    seconds["serialise events"] = _timed(
        lambda: funnel_records.extend(
            (bytes(memoryview(event.to_json())), event.key, event.event_time_ms) for event in events
        )
    )
    settings = Settings(kafka_bootstrap_servers=kafka.bootstrap_servers)
    topic = f"bench_breakdown_{uuid.uuid4().hex[:6]}"
    kafka.create_topic(topic, 6)
    delivered = [0]

    def count(err: object, _msg: object) -> None:
        delivered[0] += err is None

    config = producer_config(settings) | {"on_delivery": count}
    seconds["produce"] = _timed(lambda: _produce_all(Producer(config), topic, request_records))
    seconds["produce events"] = _timed(
        lambda: _produce_all(Producer(config), topic, funnel_records)
    )
    if delivered[0] != len(request_records) + len(funnel_records):
        raise SystemExit(f"breakdown: {delivered[0]} deliveries")
    micros = {step: value / requests * 1e6 for step, value in seconds.items()}
    alone = micros["generate"] + micros["produce"]
    full = sum(micros.values())
    floor = (full - micros["simulate"]) / alone
    print(
        "per request, one thread: "
        + ", ".join(f"{step} {value:.1f} us" for step, value in micros.items())
        + f" ({len(events) / requests:.1f} events a request); requests alone {alone:.1f} us, "
        f"with the funnel {full:.1f} us (x{full / alone:.1f}); floor without any simulation "
        f"x{floor:.1f}"
    )
    gc.unfreeze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with EmbeddedKafka(brokers=1) as kafka:
        for round_number in range(1, args.rounds + 1):
            alone, _ = run(kafka, "requests", args.requests)
            full, pending = run(kafka, "full", args.requests)
            rate_alone, rate_full = float(alone["avg_rate"]), float(full["avg_rate"])
            events = int(full["funnel_delivered"])
            quarters = [pending[len(pending) * q // 4] for q in range(1, 4)] if pending else []
            print(
                f"round {round_number}: {args.requests} requests; FUNNEL=requests "
                f"{rate_alone:,.0f} requests/s, FUNNEL=full {rate_full:,.0f} requests/s "
                f"(cost x{rate_alone / rate_full:.1f}; {events / args.requests:.1f} funnel events "
                f"a request, {events:,} in all); pending at 1/4, 1/2, 3/4 of the run {quarters}, "
                f"peak {full['funnel_peak_pending']} events "
                f"({full['funnel_peak_pending_mb']} MiB); produced at the end "
                f"{full['funnel_flushed_at_stop']}, early {full['funnel_early']}"
            )
            breakdown(kafka, min(args.requests, 20_000))


if __name__ == "__main__":
    main()
