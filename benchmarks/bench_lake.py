"""``lake verify`` and a named aggregate query over millions of rows: time and peak memory.

A table of the bid request layout (created with the setup's own functions) is filled directly
with pyiceberg, in appends of --chunk rows as sink commits would add them, each carrying the
offsets in its summary: a pool of --pool generated requests (converted as the sink converts them:
JSON-text members as text) repeated with their own provenance columns, 6 partitions, consecutive
offsets, 1,000 requests a second of event time. A topic of the embedded Kafka cluster gets one
record per row, so that ``lake verify`` audits a real topic (the cluster keeps ~5 MB a partition:
the records it dropped count as expired, not as errors).

Each command runs as its own process (``lake verify``, ``lake query --name QUERY``) and is timed
with its peak resident memory, once for --small-rows and once for --rows; memory that does not
grow with the rows shows as a ratio of peaks near 1 while the rows grow 5 times.

    .venv/bin/python benchmarks/bench_lake.py [--rows 5000000] [--small-rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
from confluent_kafka import Producer
from mock_data_gen.embedded_broker import EmbeddedKafka
from mock_data_gen.lakehouse.setup import create_namespace, create_table
from mock_data_gen.lakehouse.table_schema import bid_request_layout
from mock_data_gen.synthesis import BidRequestGenerator
from platform_common.table_contract import parse_json_text_fields

PARTITIONS = 6
START_MS = 1_768_420_800_000  # 2026-01-14T20:00:00Z
RATE = 1000  # requests per second of event time
BIN = Path(sys.executable).parent
# The wrapper that runs one command and reports its peak resident memory (kilobytes on Linux).
_PEAK = (
    "import resource, subprocess, sys; out = open(sys.argv[1], 'w'); "
    "code = subprocess.run(sys.argv[2:], stdout=out).returncode; "
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _as_json_text(value: Any, path: list[str]) -> Any:
    if value is None:
        return None
    if not path:
        return value if isinstance(value, str) else orjson.dumps(value).decode()
    head, rest = path[0], path[1:]
    if head == "element" and isinstance(value, list):
        return [_as_json_text(item, rest) for item in value]
    if isinstance(value, dict) and head in value:
        return {**value, head: _as_json_text(value[head], rest)}
    return value


def pool_table(table: Any, size: int) -> pa.Table:
    """``size`` generated requests as rows of ``table`` (provenance columns set later)."""
    times = [START_MS + i for i in range(size)]
    records = BidRequestGenerator(seed=11).generate_batch(times)
    paths = [path.split(".") for path in parse_json_text_fields(table.properties)]
    rows = []
    for record in records:
        row = json.loads(record.payload)
        for path in paths:
            row = _as_json_text(row, path)
        rows.append({**row, "event_time": None, "kafka_partition": 0, "kafka_offset": 0})
    schema = table.schema().as_arrow()
    return pa.Table.from_pylist(rows, schema=schema)


def fill(catalog: Any, name: str, pool: pa.Table, rows: int, chunk: int, topic: str) -> float:
    """Create table ``name`` and append ``rows`` rows in chunks; returns the seconds it took."""
    started = time.monotonic()
    table, _ = create_table(catalog, ("db", name), bid_request_layout())
    schema = table.schema().as_arrow()
    next_offsets = [0] * PARTITIONS
    for first in range(0, rows, chunk):
        index = np.arange(first, min(first + chunk, rows), dtype=np.int64)
        part = pool.take(pa.array(index % pool.num_rows))
        micros = START_MS * 1000 + index * (1_000_000 // RATE)
        partitions = (index % PARTITIONS).astype(np.int32)
        offsets = index // PARTITIONS
        part = part.set_column(
            schema.get_field_index("event_time"),
            schema.field("event_time"),
            pa.array(micros, type=pa.timestamp("us", tz="UTC")),
        )
        part = part.set_column(
            schema.get_field_index("kafka_partition"),
            schema.field("kafka_partition"),
            pa.array(partitions),
        )
        part = part.set_column(
            schema.get_field_index("kafka_offset"), schema.field("kafka_offset"), pa.array(offsets)
        )
        for p in range(PARTITIONS):
            mine = offsets[partitions == p]
            if mine.size:
                next_offsets[p] = int(mine.max()) + 1
        summary = {topic: {str(p): o for p, o in enumerate(next_offsets)}}
        table.append(part, snapshot_properties={"kafka.offsets.iceberg-sink": json.dumps(summary)})
        print(f"  {name}: {min(first + chunk, rows):,} rows", file=sys.stderr, flush=True)
    return time.monotonic() - started


def produce(bootstrap: str, topic: str, rows: int) -> None:
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "linger.ms": 50,
            "batch.num.messages": 100_000,
            "compression.type": "zstd",
            "queue.buffering.max.messages": 1_000_000,
        }
    )
    for index in range(rows):
        while True:
            try:
                producer.produce(topic, b"", partition=index % PARTITIONS)
                break
            except BufferError:
                producer.poll(0.05)
        if index % 100_000 == 0:
            producer.poll(0)
    assert producer.flush(120) == 0, "records not delivered"


def measure(argv: list[str], env: dict[str, str], output: Path) -> tuple[int, float, float]:
    """(exit code, seconds, peak resident MB) of one command in a process of its own; its
    standard output goes to ``output``."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", _PEAK, str(output), *argv],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.monotonic() - started
    code, peak_kb = result.stdout.split()
    return int(code), seconds, int(peak_kb) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--small-rows", type=int, default=1_000_000)
    parser.add_argument("--pool", type=int, default=5_000, help="distinct generated requests")
    parser.add_argument("--chunk", type=int, default=250_000, help="rows per append (commit)")
    parser.add_argument("--query", default="privacy-share", help="the named query to time")
    args = parser.parse_args()

    from pyiceberg.catalog import load_catalog

    with (
        tempfile.TemporaryDirectory(prefix="bench-lake-") as directory,
        EmbeddedKafka(brokers=1) as kafka,
    ):
        root = Path(directory)
        (root / "warehouse").mkdir()
        env = {
            **os.environ,
            "PYICEBERG_CATALOG__BENCH__TYPE": "sql",
            "PYICEBERG_CATALOG__BENCH__URI": f"sqlite:///{root / 'catalog.db'}",
            "PYICEBERG_CATALOG__BENCH__WAREHOUSE": f"file://{root / 'warehouse'}",
            "ICEBERG_CATALOG": "bench",
            "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
            "LOG_LEVEL": "WARNING",
        }
        catalog = load_catalog(
            "bench", type="sql", uri=env["PYICEBERG_CATALOG__BENCH__URI"],
            warehouse=env["PYICEBERG_CATALOG__BENCH__WAREHOUSE"],
        )  # fmt: skip
        create_namespace(catalog, "db")
        probe, _ = create_table(catalog, ("db", "pool_schema"), bid_request_layout())
        print(f"generating a pool of {args.pool:,} requests", file=sys.stderr, flush=True)
        pool = pool_table(probe, args.pool)
        results = []
        for rows in (args.small_rows, args.rows):
            name, topic = f"bench_{rows}", f"bench_{rows}"
            kafka.create_topic(topic, PARTITIONS)
            filled = fill(catalog, name, pool, rows, args.chunk, topic)
            produce(kafka.bootstrap_servers, topic, rows)
            run_env = {**env, "ICEBERG_TABLE": f"db.{name}"}
            lake = str(BIN / "lake")
            output = root / "output.txt"
            verify = measure([lake, "verify", "--topic", topic], run_env, output)
            assert verify[0] == 0, f"lake verify did not pass on {name} (exit {verify[0]})"
            assert "verdict: exactly once" in output.read_text()
            query = measure(
                [lake, "query", "--name", args.query, "--format", "json"], run_env, output
            )
            assert query[0] == 0, f"lake query --name {args.query} failed (exit {query[0]})"
            answer = json.loads(output.read_text())
            if args.query == "privacy-share":
                assert answer[0]["requests"] == rows, answer
            results.append((rows, filled, verify, query))

    print(f"{'rows':>10}  {'command':<30} {'seconds':>8} {'peak MB':>8}  rows/s")
    for rows, filled, verify, query in results:
        print(f"{rows:>10,}  {'(fill the table)':<30} {filled:>8.1f}")
        for label, (_, seconds, peak) in (
            ("lake verify", verify),
            (f"lake query --name {args.query}", query),
        ):
            print(f"{rows:>10,}  {label:<30} {seconds:>8.1f} {peak:>8.0f}  {rows / seconds:,.0f}")
    (small, _, small_verify, small_query), (large, _, large_verify, large_query) = results
    print(
        f"rows x{large / small:.1f}: peak memory of lake verify x"
        f"{large_verify[2] / small_verify[2]:.2f}, of the query x"
        f"{large_query[2] / small_query[2]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
