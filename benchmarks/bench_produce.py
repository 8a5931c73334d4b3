"""End-to-end produce throughput of ``mock-data-gen run`` at EVENTS_PER_SECOND=0.

Compares, against the same embedded Kafka cluster in the same run:
  * bare loop: the same pre-serialised payloads and keys pushed through a plain confluent-kafka
    produce() loop with the service's producer configuration (no generation, no callbacks);
  * service:   ``python -m mock_data_gen run`` with EVENTS_PER_SECOND=0 and MAX_EVENTS=N, i.e.
    generation + pacing loop + delivery reports + metrics, timed by its own summary line;
  * pipeline:  the same service loop in-process with the pre-generated records replayed instead of
    generated, i.e. what pacing + delivery cost on their own;
  * generator: ``BidRequestGenerator.generate_batch`` alone, for reference.
Rounds alternate so that machine noise hits every side alike. Reported: the best round of each and
the median of the per-round ratios (each round's service or pipeline figure over the same round's
bare loop), which is the steadier figure on a shared machine.

    .venv/bin/python benchmarks/bench_produce.py [--events 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import shlex
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from confluent_kafka import Producer
from mock_data_gen.delivery import producer_config
from mock_data_gen.embedded_broker import EmbeddedKafka
from mock_data_gen.logs import configure_logging
from mock_data_gen.service import UNPACED_BATCH, Service
from mock_data_gen.settings import load_settings
from mock_data_gen.synthesis import BidRequestGenerator


def bare_loop(bootstrap: str, topic: str, payloads: list[tuple[bytes, str]]) -> float:
    """Seconds to produce and flush every payload with a plain loop."""
    settings = load_settings({"kafka_bootstrap_servers": bootstrap, "topic_bid_requests": topic})
    config = producer_config(settings)
    del config["statistics.interval.ms"]
    producer = Producer(config)
    produce = producer.produce
    started = time.perf_counter()
    for value, key in payloads:
        while True:
            try:
                produce(topic, value, key)
                break
            except BufferError:
                producer.poll(0.01)
    left = producer.flush(120)
    elapsed = time.perf_counter() - started
    if left:
        raise SystemExit(f"bare loop: {left} events not delivered")
    return elapsed


@dataclass(frozen=True, slots=True)
class Replayed:
    request_id: str
    user_id: str
    publisher_id: str
    event_time_ms: int
    payload: bytes


class ReplaySource:
    """Hands out pre-generated records in order (stamped when they were generated)."""

    def __init__(self, records: list[Replayed]) -> None:
        self._records = records
        self._next = 0

    def generate_batch(self, event_times_ms: Sequence[int]) -> list[Replayed]:
        first = self._next
        self._next += len(event_times_ms)
        return self._records[first : self._next]


def pipeline_run(bootstrap: str, topic: str, records: list[Replayed]) -> float:
    """Events per second of the service loop in-process, replaying instead of generating."""
    settings = load_settings(
        {
            "kafka_bootstrap_servers": bootstrap,
            "topic_bid_requests": topic,
            "events_per_second": "0",
            "max_events": str(len(records)),
            "metrics_port": "0",
            "stats_interval_seconds": "0",
        }
    )
    service = Service(settings, ReplaySource(records))
    started = time.perf_counter()
    if service.run() != 0:
        raise SystemExit("pipeline run did not deliver everything")
    return len(records) / (time.perf_counter() - started)


def service_run(bootstrap: str, topic: str, events: int) -> float:
    """Events per second of the service, from its summary line."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "TOPIC_BID_REQUESTS": topic,
        "EVENTS_PER_SECOND": "0",
        "MAX_EVENTS": str(events),
        "SEED": "1",
        "METRICS_PORT": "0",
        "STATS_INTERVAL_SECONDS": "0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = [line for line in result.stderr.splitlines() if "event=summary" in line]
    if result.returncode != 0 or not summary:
        raise SystemExit(f"service run failed ({result.returncode}):\n{result.stderr[-3000:]}")
    fields = dict(token.partition("=")[::2] for token in shlex.split(summary[0]))
    if int(fields["delivered"]) != events:
        raise SystemExit(f"service delivered {fields['delivered']} of {events}")
    return float(fields["avg_rate"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    generator = BidRequestGenerator(seed=1)
    # As the service does: keep the generator's tables out of the collector's full passes.
    gc.collect()
    gc.freeze()
    now_ms = int(time.time() * 1000)
    payloads: list[tuple[bytes, str]] = []
    replayed: list[Replayed] = []
    generating = 0.0
    # Batches of the service's unpaced size. Only the payloads and keys are kept for the bare loop:
    # holding every record object would make the garbage collector, not the generator, dominate.
    for first in range(0, args.events, UNPACED_BATCH):
        count = min(UNPACED_BATCH, args.events - first)
        started = time.perf_counter()
        batch = generator.generate_batch([now_ms] * count)
        generating += time.perf_counter() - started
        payloads.extend((record.payload, record.user_id) for record in batch)
        replayed.extend(
            Replayed(r.request_id, r.user_id, r.publisher_id, now_ms, r.payload) for r in batch
        )
    generator_rate = args.events / generating
    mean_size = sum(len(value) for value, _ in payloads) / len(payloads)

    configure_logging("ERROR", "text")
    rates: dict[str, list[float]] = {"bare": [], "service": [], "pipeline": []}
    with EmbeddedKafka(brokers=3) as kafka:
        for _ in range(args.rounds):
            for measure, found in rates.items():
                topic = f"bench_{uuid.uuid4().hex[:8]}"
                kafka.create_topic(topic, 6)
                if measure == "bare":
                    elapsed = bare_loop(kafka.bootstrap_servers, topic, payloads)
                    found.append(args.events / elapsed)
                elif measure == "service":
                    found.append(service_run(kafka.bootstrap_servers, topic, args.events))
                else:
                    found.append(pipeline_run(kafka.bootstrap_servers, topic, replayed))

    def line(label: str, measure: str) -> str:
        found = rates[measure]
        rounds = ", ".join(f"{rate:,.0f}" for rate in found)
        return f"{label:<24}{max(found):>10,.0f} events/s  rounds: {rounds}"

    bare, service, pipeline = (max(rates[m]) for m in ("bare", "service", "pipeline"))
    paired_service = statistics.median(
        s / b for s, b in zip(rates["service"], rates["bare"], strict=True)
    )
    paired_pipeline = statistics.median(
        p / b for p, b in zip(rates["pipeline"], rates["bare"], strict=True)
    )
    codec = load_settings().kafka_compression
    print(f"events per run          {args.events:,}  (mean payload {mean_size:,.0f} B, {codec})")
    print(f"generator alone         {generator_rate:>10,.0f} events/s")
    print(line("bare confluent-kafka", "bare"))
    print(line("mock-data-gen run", "service"))
    print(line("pipeline (replayed)", "pipeline"))
    print(
        f"ratio service / bare    {service / bare:>10.2f} best-of, "
        f"{paired_service:.2f} median per round  (target >= 0.60)"
    )
    print(
        f"ratio pipeline / bare   {pipeline / bare:>10.2f} best-of, "
        f"{paired_pipeline:.2f} median per round  (pacing + delivery, no generation)"
    )


if __name__ == "__main__":
    main()
