"""Rate accuracy of ``mock-data-gen run`` at 10, 1,000 and 20,000 events/s.

Each rate runs the real service against the embedded Kafka cluster for ``--seconds`` and reads the
topic back. From the records' Kafka timestamps (the millisecond each batch was generated, just
before produce()) it reports:
  * the achieved rate over every 10 s window (sliding by 100 ms, starting after ``--warm-up``) as
    the worst deviation from the target, in percent;
  * the busiest 100 ms window as a multiple of the target (the steadiness criterion is <= 2x);
  * scheduled events skipped because the service fell behind (should be 0).

    .venv/bin/python benchmarks/bench_rate.py [--seconds 12] [--rates 10,1000,20000]
"""

from __future__ import annotations

import argparse
import bisect
import os
import shlex
import subprocess
import sys
import uuid

from kafka_testkit import TopicReader
from mock_data_gen.embedded_broker import EmbeddedKafka


def window_counts(timestamps: list[int], width_ms: int, step_ms: int, skip_ms: int) -> list[int]:
    counts = []
    start = timestamps[0] + skip_ms
    while start + width_ms <= timestamps[-1]:
        high = bisect.bisect_left(timestamps, start + width_ms)
        counts.append(high - bisect.bisect_left(timestamps, start))
        start += step_ms
    return counts


def measure(kafka: EmbeddedKafka, rate: int, seconds: float, warm_up: float) -> str:
    topic = f"rate_{rate}_{uuid.uuid4().hex[:6]}"
    kafka.create_topic(topic, 6)
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "TOPIC_BID_REQUESTS": topic,
        "EVENTS_PER_SECOND": str(rate),
        "DURATION_SECONDS": str(seconds),
        "METRICS_PORT": "0",
        "STATS_INTERVAL_SECONDS": "0",
    }
    # Read during the run: the embedded cluster keeps only ~5 MB per partition.
    reader = TopicReader(kafka.bootstrap_servers, topic, lambda record: record.timestamp()[1])
    result = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
    )
    summary = [line for line in result.stderr.splitlines() if "event=summary" in line]
    if result.returncode != 0 or not summary:
        raise SystemExit(f"run at {rate}/s failed ({result.returncode}):\n{result.stderr[-3000:]}")
    fields = dict(token.partition("=")[::2] for token in shlex.split(summary[0]))
    timestamps = sorted(reader.finish())
    ten = window_counts(timestamps, 10_000, 100, skip_ms=int(warm_up * 1000) + 50)
    if not ten:
        return f"{rate:>7,}/s  run too short for a 10 s window"
    expected = rate * 10
    worst = max(abs(count - expected) for count in ten) / expected * 100
    mean = sum(ten) / len(ten) / 10
    # A 100 ms window holds one or two events at 10/s; bursts are judged from 1,000/s up.
    busiest = max(window_counts(timestamps, 100, 1, skip_ms=0)) / (rate * 0.1)
    burst = f"{busiest:4.2f}x" if rate >= 1000 else "  n/a"
    return (
        f"{rate:>7,}/s  10 s windows: {len(ten):>3}  mean {mean:>10,.2f}/s  "
        f"worst deviation {worst:5.2f}%  busiest 100 ms {burst}  "
        f"skipped {fields['skipped']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=13.5)
    parser.add_argument(
        "--warm-up",
        type=float,
        default=2.5,
        help="seconds after the first record that no window starts in (the generator's cache "
        "warm-up); 0 to include it",
    )
    parser.add_argument("--rates", default="10,1000,20000")
    args = parser.parse_args()
    with EmbeddedKafka(brokers=3) as kafka:
        for rate in (int(text) for text in args.rates.split(",")):
            print(measure(kafka, rate, args.seconds, args.warm_up), flush=True)


if __name__ == "__main__":
    main()
