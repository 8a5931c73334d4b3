"""The cost of ``FUNNEL=full``: requests/s of ``mock-data-gen run`` with the whole auction funnel
against the requests alone, in one run, and the funnel's pending heap over the run.

Each round runs the real service twice against the embedded Kafka cluster, a backfill of the same
simulated range (``SPEED=max``, ``--requests`` requests, same seed): with ``FUNNEL=requests`` and
with ``FUNNEL=full``. It reports the summary's ``avg_rate`` (requests produced per second of the
run, from the first connection to the end of the flush) of each, their ratio (the issue's goal:
the full funnel costs at most 2x), the funnel events delivered per request, and the heap of
waiting events from the stats lines: its size at each quarter of the run and its peak (events and
accounted MiB), which should level off rather than grow with the run.

    .venv/bin/python benchmarks/bench_funnel.py [--requests 60000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

from mock_data_gen.embedded_broker import EmbeddedKafka

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60_000)
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


if __name__ == "__main__":
    main()
