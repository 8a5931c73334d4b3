"""End-to-end produce throughput of ``mock-data-gen run`` at EVENTS_PER_SECOND=0.

Compares, against the same embedded Kafka cluster in the same run:
  * bare loop: the same pre-serialised payloads and keys pushed through a plain confluent-kafka
    produce() loop with the service's producer configuration (no generation, no callbacks);
  * service:   ``python -m mock_data_gen run`` with EVENTS_PER_SECOND=0 and MAX_EVENTS=N, i.e.
    generation + pacing loop + delivery reports + metrics, timed by its own summary line;
  * generator: ``BidRequestGenerator.generate_batch`` alone, for reference.
Rounds alternate so that machine noise hits both sides; the best round of each is reported.

    .venv/bin/python benchmarks/bench_produce.py [--events 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
import uuid

from confluent_kafka import Producer

from mock_data_gen.delivery import producer_config
from mock_data_gen.embedded_broker import EmbeddedKafka
from mock_data_gen.service import UNPACED_BATCH
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
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    generator = BidRequestGenerator(seed=1)
    now_ms = int(time.time() * 1000)
    records = []
    started = time.perf_counter()
    # Batches of the service's unpaced size, so the figure is the one the service sees.
    for first in range(0, args.events, UNPACED_BATCH):
        count = min(UNPACED_BATCH, args.events - first)
        records.extend(generator.generate_batch([now_ms] * count))
    generator_rate = args.events / (time.perf_counter() - started)
    payloads = [(record.payload, record.user_id) for record in records]
    mean_size = sum(len(value) for value, _ in payloads) / len(payloads)

    bare_rates: list[float] = []
    service_rates: list[float] = []
    with EmbeddedKafka(brokers=3) as kafka:
        for _ in range(args.rounds):
            for measure in ("bare", "service"):
                topic = f"bench_{uuid.uuid4().hex[:8]}"
                kafka.create_topic(topic, 6)
                if measure == "bare":
                    bare_rates.append(
                        args.events / bare_loop(kafka.bootstrap_servers, topic, payloads)
                    )
                else:
                    service_rates.append(service_run(kafka.bootstrap_servers, topic, args.events))
    bare, service = max(bare_rates), max(service_rates)
    print(f"events per run          {args.events:,}  (mean payload {mean_size:,.0f} B, lz4)")
    print(f"generator alone         {generator_rate:>10,.0f} events/s")
    print(
        f"bare confluent-kafka    {bare:>10,.0f} events/s  rounds: "
        + ", ".join(f"{r:,.0f}" for r in bare_rates)
    )
    print(
        f"mock-data-gen run       {service:>10,.0f} events/s  rounds: "
        + ", ".join(f"{r:,.0f}" for r in service_rates)
    )
    print(f"ratio service / bare    {service / bare:>10.2f}  (target >= 0.60)")


if __name__ == "__main__":
    main()
