"""End-to-end produce throughput of ``mock-data-gen run`` at EVENTS_PER_SECOND=0.

Measured against the same embedded Kafka cluster in the same run, rounds alternating so that machine
noise hits every side alike:
  * same records: the service's records exactly (same value, key, Kafka timestamp and the three
    record headers) pushed through a plain confluent-kafka produce() loop with the service's
    producer configuration, then flushed. No generation, no delivery reports;
  * minimal:      the same values and keys through ``produce(topic, value, key)`` only (no headers,
    no timestamp), for reference: headers and timestamp cost the producer itself ~1 µs an event;
  * service:      ``python -m mock_data_gen run`` with EVENTS_PER_SECOND=0 and MAX_EVENTS=N, i.e.
    generation + pacing loop + delivery reports + metrics + a stats line every second;
  * pipeline:     the same service loop in-process with the pre-generated records replayed instead
    of generated, i.e. what pacing + delivery reports cost on their own;
  * generator:    ``BidRequestGenerator.generate_columns`` alone, for reference.

The headline is ``service / same records``, whole run: the service must attach key, timestamp and
headers to every record, so a loop producing the same records is the like-for-like baseline; the
minimal loop's ratio is printed too. Whole run means from the service's start (after the generator
is built) to the end of its final flush, from its summary line, against the baseline's first
produce() to the end of its flush.

Start-up is printed, not hidden: the service builds its generator and every simulated user before
its first event (``generator_ready`` in its log, about 2 s), and the whole-run clock starts after
that. The steady state is its delivered rate (events acknowledged by Kafka) over its per-second
stats lines after ``--warmup`` events were delivered; every per-second rate of the best round is
printed, and the steady-state ratio uses the same baseline. Reported: the best round of each and
the median of the per-round ratios (each round's figure over the same round's baseline), the
steadier figure on a shared machine.

The bare loops replay payloads held in memory: about 2.5 GB for the default million events.

    .venv/bin/python benchmarks/bench_produce.py [--events 1000000] [--rounds 3] [--warmup 50000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from confluent_kafka import Producer
from mock_data_gen.delivery import KEY_STRATEGIES, RECORD_HEADERS
from mock_data_gen.embedded_broker import EmbeddedKafka
from mock_data_gen.kafka_clients import producer_config
from mock_data_gen.service import UNPACED_BATCH, Service
from mock_data_gen.settings import load_settings
from mock_data_gen.synthesis import BidRequestGenerator, RecordBatch
from platform_common.logs import configure_logging


def bare_loop(
    bootstrap: str,
    topic: str,
    payloads: list[tuple[bytes, str | None]],
    timestamp_ms: int | None,
) -> float:
    """Seconds to produce and flush every payload with a plain loop.

    With ``timestamp_ms`` the records are the service's own: key, that timestamp and its headers;
    without, only value and key.
    """
    settings = load_settings({"kafka_bootstrap_servers": bootstrap, "topic_bid_requests": topic})
    config = producer_config(settings)
    del config["statistics.interval.ms"]
    producer = Producer(config)
    produce = producer.produce
    headers = RECORD_HEADERS
    started = time.perf_counter()
    if timestamp_ms is None:
        for value, key in payloads:
            while True:
                try:
                    produce(topic, value, key)
                    break
                except BufferError:
                    producer.poll(0.01)
    else:
        for value, key in payloads:
            while True:
                try:
                    produce(topic, value, key, timestamp=timestamp_ms, headers=headers)
                    break
                except BufferError:
                    producer.poll(0.01)
    left = producer.flush(120)
    elapsed = time.perf_counter() - started
    if left:
        raise SystemExit(f"bare loop: {left} events not delivered")
    return elapsed


class ReplaySource:
    """Hands out pre-generated batches in order (stamped when they were generated)."""

    def __init__(self, batches: list[RecordBatch]) -> None:
        self._batches = iter(batches)

    def generate_columns(self, event_times_ms: Sequence[int]) -> RecordBatch:
        batch = next(self._batches)
        if len(batch) != len(event_times_ms):
            raise SystemExit("pipeline run asked for batches of another size than generated")
        return batch


def pipeline_run(bootstrap: str, topic: str, batches: list[RecordBatch]) -> float:
    """Events per second of the service loop in-process, replaying instead of generating."""
    settings = load_settings(
        {
            "kafka_bootstrap_servers": bootstrap,
            "topic_bid_requests": topic,
            "events_per_second": "0",
            "max_events": str(sum(len(batch) for batch in batches)),
            "metrics_port": "0",
            "stats_interval_seconds": "0",
        }
    )
    service = Service(settings, ReplaySource(batches))
    started = time.perf_counter()
    if service.run() != 0:
        raise SystemExit("pipeline run did not deliver everything")
    return service.status().delivered / (time.perf_counter() - started)


@dataclass(frozen=True, slots=True)
class ServiceRun:
    whole_run: float  # events/s from the summary line: start to end of the final flush
    steady: float | None  # delivered events/s over the stats lines after the warm-up
    per_second: list[float]  # delivered_rate of every stats line
    start_up: float  # seconds to build the generator and its users, before the whole-run clock


def service_run(bootstrap: str, topic: str, events: int, warmup: int) -> ServiceRun:
    """The service's rates, from its summary and per-second stats lines."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "TOPIC_BID_REQUESTS": topic,
        "EVENTS_PER_SECOND": "0",
        "MAX_EVENTS": str(events),
        "SEED": "1",
        "METRICS_PORT": "0",
        "STATS_INTERVAL_SECONDS": "1",
        "LOG_FORMAT": "json",
    }
    result = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    summary = [line for line in lines if line.get("event") == "summary"]
    if result.returncode != 0 or not summary:
        raise SystemExit(f"service run failed ({result.returncode}):\n{result.stderr[-3000:]}")
    if int(summary[0]["delivered"]) != events:
        raise SystemExit(f"service delivered {summary[0]['delivered']} of {events}")
    stats = [line for line in lines if line.get("event") == "stats"]
    ready = [line for line in lines if line.get("event") == "generator_ready"]
    # Steady state: from the first stats line at which the warm-up events were delivered.
    after = [line for line in stats if int(line["delivered"]) >= warmup]
    steady = None
    if len(after) >= 2:
        seconds = _seconds(after[-1]["ts"]) - _seconds(after[0]["ts"])
        steady = (int(after[-1]["delivered"]) - int(after[0]["delivered"])) / seconds
    return ServiceRun(
        whole_run=float(summary[0]["avg_rate"]),
        steady=steady,
        per_second=[float(line["delivered_rate"]) for line in stats],
        start_up=float(ready[0]["seconds"]),
    )


def _seconds(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=50_000, help="events before steady state")
    args = parser.parse_args()

    generator = BidRequestGenerator(seed=1)
    generator.build_all_users()
    # As the service does: keep the generator's tables out of the collector's full passes.
    gc.collect()
    gc.freeze()
    now_ms = int(time.time() * 1000)
    payloads: list[tuple[bytes, str | None]] = []
    batches: list[RecordBatch] = []
    generating = 0.0
    # Batches of the service's unpaced size, keyed as the service keys them by default.
    for first in range(0, args.events, UNPACED_BATCH):
        count = min(UNPACED_BATCH, args.events - first)
        started = time.perf_counter()
        batch = generator.generate_columns([now_ms] * count)
        generating += time.perf_counter() - started
        batches.append(batch)
        payloads.extend(zip(batch.payloads, KEY_STRATEGIES["user"](batch), strict=True))
    generator_rate = args.events / generating
    mean_size = sum(len(value) for value, _ in payloads) / len(payloads)

    configure_logging("ERROR", "text")
    rates: dict[str, list[float]] = {
        "same": [],
        "minimal": [],
        "service": [],
        "pipeline": [],
    }
    services: list[ServiceRun] = []
    with EmbeddedKafka(brokers=3) as kafka:
        for _ in range(args.rounds):
            for measure, found in rates.items():
                topic = f"bench_{uuid.uuid4().hex[:8]}"
                kafka.create_topic(topic, 6)
                if measure in ("same", "minimal"):
                    stamp = now_ms if measure == "same" else None
                    elapsed = bare_loop(kafka.bootstrap_servers, topic, payloads, stamp)
                    found.append(args.events / elapsed)
                elif measure == "service":
                    services.append(
                        service_run(kafka.bootstrap_servers, topic, args.events, args.warmup)
                    )
                    found.append(services[-1].whole_run)
                else:
                    found.append(pipeline_run(kafka.bootstrap_servers, topic, batches))

    def rounds(found: Sequence[float | None]) -> str:
        return ", ".join("n/a" if rate is None else f"{rate:,.0f}" for rate in found)

    def line(label: str, found: Sequence[float | None]) -> str:
        known = [rate for rate in found if rate is not None]
        best = f"{max(known):>10,.0f}" if known else f"{'n/a':>10}"
        return f"{label:<30}{best} events/s  rounds: {rounds(found)}"

    def ratio(label: str, found: Sequence[float | None], base: str, note: str) -> str:
        pairs = [(r, b) for r, b in zip(found, rates[base], strict=True) if r is not None]
        if not pairs:
            return (
                f"{label:<30}{'n/a':>10}  "
                "(fewer than two stats lines after the warm-up: use more --events)"
            )
        best = max(r for r, _ in pairs) / max(rates[base])
        median = statistics.median(r / b for r, b in pairs)
        return f"{label:<30}{best:>10.2f} best-of, {median:.2f} median per round  {note}"

    steady = [run.steady for run in services]
    best_round = max(services, key=lambda run: run.whole_run)
    codec = load_settings().kafka_compression
    print(
        f"events per run                {args.events:,}  (mean payload {mean_size:,.0f} B, {codec})"
    )
    print(f"generator alone               {generator_rate:>10,.0f} events/s")
    print(line("bare loop, same records", rates["same"]))
    print(line("bare loop, minimal", rates["minimal"]))
    print(line("mock-data-gen run, whole run", rates["service"]))
    print(line(f"  steady (after {args.warmup:,})", steady))
    print(
        "  start-up before the first event: "
        f"{', '.join(f'{run.start_up:.2f}' for run in services)} s"
        "  (generator and every user built; not in the whole-run time)"
    )
    print(
        f"  per-second delivered, best round: {rounds(best_round.per_second)}"
        "  (first and last seconds are partial)"
    )
    print(line("pipeline (replayed)", rates["pipeline"]))
    print(
        ratio(
            "RATIO service / same records",
            rates["service"],
            "same",
            "(headline, target >= 0.60)",
        )
    )
    print(ratio("ratio steady / same records", steady, "same", "(after the warm-up)"))
    print(
        ratio(
            "ratio service / minimal",
            rates["service"],
            "minimal",
            "(no headers, no timestamp)",
        )
    )
    print(
        ratio(
            "ratio pipeline / same records",
            rates["pipeline"],
            "same",
            "(pacing + delivery)",
        )
    )


if __name__ == "__main__":
    main()
