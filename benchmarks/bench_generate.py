"""Single-process throughput and memory of the bid request generator, against a naive baseline.

Measured in one run, on the same machine state:
  * generator: ``BidRequestGenerator.generate_columns`` (default profile, the producer service's
    path), which returns each request already serialised as compact JSON with its Kafka key
    columns; events/s by wall clock and by process CPU time,
    after a warm-up that lets the lazily built user pool fill (the cold rate is printed too);
  * baseline:  the naive way of writing such a generator: Faker called for every field of every
    event, the request built as a dict of the same shape (site or app, banner or video impression
    with floor and deals, device with UA and geo, user with consent/EIDs, regs, source with a
    supply chain), validated into the pydantic models and serialised with them;
  * orjson:    serialising the same requests, already built as dicts, with orjson (the fastest
    JSON writer for Python): the generator's rate over that one says how much of the cost of
    writing a request the whole generation adds;
  * memory:    peak RSS, and RSS sampled through the run: the growth from the end of the warm-up
    to the end shows whether memory stays flat (use ``--events 5000000`` for the long check).

    .venv/bin/python benchmarks/bench_generate.py [--events 400000] [--baseline-events 2000]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson
from faker import Faker
from mock_data_gen.openrtb import BidRequest
from mock_data_gen.synthesis import BidRequestGenerator

BATCH = 8192
START_MS = 1_768_400_000_000  # 2026-01-14, simulated clock at 1,000 events/s


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # Linux reports KiB


def run_generator(
    gen: BidRequestGenerator, first: int, count: int, samples: list[float]
) -> tuple[float, float, int]:
    """Generate ``count`` events from event index ``first``; returns (wall s, CPU s, bytes)."""
    size = 0
    wall, cpu = time.perf_counter(), time.process_time()
    checkpoint = max(count // 10, BATCH)
    next_sample = checkpoint
    for offset in range(0, count, BATCH):
        n = min(BATCH, count - offset)
        start = first + offset
        batch = gen.generate_columns([START_MS + i for i in range(start, start + n)])
        size += sum(map(len, batch.payloads))
        if offset + n >= next_sample:
            samples.append(rss_mb())
            next_sample += checkpoint
    return time.perf_counter() - wall, time.process_time() - cpu, size


def naive_request(fake: Faker, rnd: random.Random) -> bytes:
    """One request the naive way: Faker per field, pydantic validation, pydantic serialisation."""
    is_app = rnd.random() < 0.5
    video = rnd.random() < 0.25
    w, h = fake.random_element([(300, 250), (728, 90), (320, 50), (160, 600), (300, 600)])
    imp: dict[str, Any] = {"id": "1", "tagid": fake.slug(), "secure": 1}
    if video:
        imp["video"] = {
            "mimes": ["video/mp4"],
            "minduration": 5,
            "maxduration": 30,
            "protocols": [2, 3, 7],
            "w": 640,
            "h": 360,
            "plcmt": fake.random_element([1, 2, 4]),
            "linearity": 1,
        }
    else:
        imp["banner"] = {
            "format": [{"w": w, "h": h}],
            "w": w,
            "h": h,
            "pos": fake.random_element([1, 3]),
        }
    imp["bidfloor"] = fake.pyfloat(min_value=0.01, max_value=20, right_digits=2)
    imp["bidfloorcur"] = "USD"
    if rnd.random() < 0.15:
        imp["pmp"] = {
            "private_auction": fake.random_int(0, 1),
            "deals": [
                {
                    "id": fake.bothify("DEAL-####-????"),
                    "bidfloor": fake.pyfloat(min_value=0.5, max_value=30, right_digits=2),
                    "at": 1,
                }
            ],
        }
    publisher = {
        "id": str(fake.random_int(100000, 999999)),
        "name": fake.company(),
        "domain": fake.domain_name(),
    }
    request: dict[str, Any] = {"id": fake.uuid4(), "imp": [imp]}
    if is_app:
        request["app"] = {
            "id": str(fake.random_int(1000, 99999)),
            "name": fake.catch_phrase(),
            "bundle": f"com.{fake.domain_word()}.{fake.word()}",
            "ver": fake.numerify("#.#.#"),
            "publisher": publisher,
        }
    else:
        domain = fake.domain_name()
        request["site"] = {
            "id": str(fake.random_int(1000, 99999)),
            "name": fake.catch_phrase(),
            "domain": domain,
            "page": f"https://{domain}/{fake.uri_path()}",
            "ref": fake.url(),
            "publisher": publisher,
            "content": {"title": fake.sentence(), "language": fake.language_code()},
        }
    request["device"] = {
        "ua": fake.user_agent(),
        "ip": fake.ipv4_public(),
        "devicetype": fake.random_element([2, 4, 5]),
        "make": fake.company(),
        "os": fake.random_element(["iOS", "Android", "Windows"]),
        "language": fake.language_code(),
        "ifa": fake.uuid4(),
        "geo": {
            "lat": float(fake.latitude()),
            "lon": float(fake.longitude()),
            "type": 2,
            "country": fake.country_code(representation="alpha-3"),
            "region": fake.state_abbr(),
            "city": fake.city(),
            "zip": fake.postcode(),
            "utcoffset": fake.random_int(-600, 600),
        },
    }
    request["user"] = {
        "id": fake.uuid4(),
        "eids": [{"source": "id5-sync.com", "uids": [{"id": fake.sha1(), "atype": 1}]}],
    }
    request["at"] = 1
    request["tmax"] = fake.random_element([120, 300, 500])
    request["cur"] = ["USD"]
    request["source"] = {
        "tid": fake.uuid4(),
        "schain": {
            "complete": 1,
            "ver": "1.0",
            "nodes": [{"asi": fake.domain_name(), "sid": str(fake.random_int(1, 99999)), "hp": 1}],
        },
    }
    request["regs"] = {"gdpr": fake.random_int(0, 1), "us_privacy": "1YNN"}
    return BidRequest.model_validate(request).to_json()


def timed(func: Callable[[], None]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events", type=int, default=400_000, help="measured events (default %(default)s)"
    )
    parser.add_argument(
        "--warmup", type=int, default=200_000, help="warm-up events (default %(default)s)"
    )
    parser.add_argument(
        "--baseline-events", type=int, default=2_000, help="baseline events (default %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if min(args.events, args.baseline_events) < 1 or args.warmup < 0:
        parser.error("--events and --baseline-events must be >= 1, --warmup >= 0")

    rss_start = rss_mb()
    holder: list[BidRequestGenerator] = []
    build_wall, build_cpu = timed(lambda: holder.append(BidRequestGenerator(seed=args.seed)))
    gen = holder[0]
    samples: list[float] = []
    cold_wall, cold_cpu, _ = (
        run_generator(gen, 0, args.warmup, []) if args.warmup else (0.0, 0.0, 0)
    )
    gc.collect()
    rss_warm = rss_mb()
    wall, cpu, size = run_generator(gen, args.warmup, args.events, samples)
    rss_end = rss_mb()

    fake = Faker("en_US")
    fake.seed_instance(args.seed)
    rnd = random.Random(args.seed)
    naive_size = 0

    def baseline() -> None:
        nonlocal naive_size
        for _ in range(args.baseline_events):
            naive_size += len(naive_request(fake, rnd))

    base_wall, base_cpu = timed(baseline)

    # Taken before the dicts below are built: they are the orjson side's, not the generator's.
    peak_rss = peak_rss_mb()
    # The same kind of requests as the measured run, as dicts built before the clock starts.
    documents = [
        orjson.loads(payload)
        for payload in gen.generate_columns(
            [START_MS + args.warmup + i for i in range(min(args.events, BATCH * 4))]
        ).payloads
    ]

    def serialise() -> None:
        for document in documents:
            orjson.dumps(document)

    json_wall, json_cpu = timed(serialise)

    rate_wall, rate_cpu = args.events / wall, args.events / cpu
    base_rate_wall, base_rate_cpu = (
        args.baseline_events / base_wall,
        args.baseline_events / base_cpu,
    )
    print(f"python {sys.version.split()[0]}, seed {args.seed}, default profile")
    print(f"generator build: {build_wall:.2f} s wall, {build_cpu:.2f} s CPU")
    if args.warmup:
        print(
            f"warm-up (users first seen): {args.warmup:,} events, "
            f"{args.warmup / cold_wall:,.0f} events/s wall, "
            f"{args.warmup / cold_cpu:,.0f} events/s CPU"
        )
    print(
        f"generator: {args.events:,} events, {rate_wall:,.0f} events/s wall, "
        f"{rate_cpu:,.0f} events/s CPU, {1e6 / rate_cpu:.1f} us/event CPU, "
        f"avg {size / args.events:,.0f} bytes"
    )
    print(
        f"baseline (Faker per field + pydantic per event): {args.baseline_events:,} events, "
        f"{base_rate_wall:,.0f} events/s wall, {base_rate_cpu:,.0f} events/s CPU, "
        f"avg {naive_size / args.baseline_events:,.0f} bytes"
    )
    print(f"speed-up: {rate_wall / base_rate_wall:.0f}x wall, {rate_cpu / base_rate_cpu:.0f}x CPU")
    json_rate_cpu = len(documents) / json_cpu
    print(
        f"orjson.dumps of the same requests (dicts built beforehand): {len(documents):,} events, "
        f"{len(documents) / json_wall:,.0f} events/s wall, {json_rate_cpu:,.0f} events/s CPU; "
        f"generator / orjson: {rate_cpu / json_rate_cpu:.2f} (CPU)"
    )
    print(
        f"memory: peak RSS {peak_rss:.0f} MB; RSS at start {rss_start:.0f} MB, after warm-up "
        f"{rss_warm:.0f} MB, at end {rss_end:.0f} MB, "
        f"growth over the measured run {rss_end - rss_warm:+.1f} MB"
    )
    print("RSS through the measured run (MB): " + " ".join(f"{s:.0f}" for s in samples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
