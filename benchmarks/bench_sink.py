"""Throughput and freshness of ``iceberg-sink run`` against the embedded Kafka cluster.

Same run, same generated bid requests:
  * floor: the records converted to Arrow in the sink's chunks (``RecordConverter``) and written
    as the table's Parquet data files (the sink's writer), nothing else: no Kafka, no commits.
    Timed twice: serially (each chunk's Parquet encoded after its conversion) and pipelined the
    way the sink runs it (Parquet of one chunk encoded on the writer thread while the next chunk
    is converted); the faster is the floor. In both, Arrow's JSON reader parses a chunk on every
    core with its own threads, as in the sink;
  * sink:  the service in this process, draining the pre-produced topic into an SQLite-catalog
    table on the local disk in batches of --batch-records, timed from its first commit to its last
    commit of a full batch (steady state: no group join, no wait for the commit interval). It uses
    every core: librdkafka fetches and decompresses in its threads, Arrow parses JSON in its
    threads, Parquet is encoded on the writer thread and snapshots commit on the commit thread;
  * freshness: records produced at a steady rate while the sink runs; for each, the time from
    produce() to the snapshot that makes it visible to a table scan (p50/p95/max).

    .venv/bin/python benchmarks/bench_sink.py [--records 250000] [--freshness-seconds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from typing import Any

from confluent_kafka import Producer
from iceberg_sink.arrow_convert import RawRecords, RecordConverter
from iceberg_sink.catalog import connect_catalog, json_text_fields
from iceberg_sink.offsets import latest_offsets
from iceberg_sink.service import SinkService
from iceberg_sink.settings import load_settings
from mock_data_gen.embedded_broker import EmbeddedKafka
from mock_data_gen.lakehouse.setup import create_namespace, create_table
from mock_data_gen.lakehouse.table_schema import bid_request_layout
from mock_data_gen.synthesis import BidRequestGenerator
from platform_common.logs import configure_logging

# The embedded cluster keeps ~5 MB per partition: enough partitions to hold the whole run.
PARTITIONS = 64
# The sink's conversion chunk (records; its byte limit cuts generated requests at ~14,000).
CHUNK = 14_000


def _produce(bootstrap: str, topic: str, payloads: list[bytes]) -> None:
    # zstd as the generator sends by default; it also keeps the run within the cluster's retention.
    producer = Producer(
        {"bootstrap.servers": bootstrap, "linger.ms": 20, "compression.type": "zstd"}
    )
    for index, payload in enumerate(payloads):
        while True:
            try:
                producer.produce(topic, payload, partition=index % PARTITIONS)
                break
            except BufferError:
                producer.poll(0.05)
    assert producer.flush(60) == 0


def _floor(payloads: list[bytes], directory: str) -> float:
    """Records/s of conversion + Parquet data files alone: the sink's own converter and writer.

    Measured both ways the sink could do it, serially and with the writer thread the sink uses,
    and the faster counts, so the ratio is not flattered by the pipeline. The converter is warmed
    up first (it learns which columns the records fill), as the sink's is before its timed part.
    """
    from concurrent.futures import ThreadPoolExecutor

    from iceberg_sink.data_files import DataFileWriter
    from pyiceberg.catalog import load_catalog

    catalog = load_catalog(
        "floor", uri=f"sqlite:///{directory}/floor.db", warehouse=f"file://{directory}/floor"
    )
    create_namespace(catalog, "floor")
    table, _ = create_table(catalog, ("floor", "bid_requests"), bid_request_layout())
    converter = RecordConverter(table.schema().as_arrow(), json_text_fields(table))
    now = int(time.time() * 1000)

    def records(start: int) -> RawRecords:
        chunk = payloads[start : start + CHUNK]
        n = len(chunk)
        return RawRecords(
            chunk, [i % PARTITIONS for i in range(n)], list(range(n)), [now] * n, [None] * n
        )

    def run(executor: ThreadPoolExecutor | None) -> float:
        writer = DataFileWriter(table, executor)
        started = time.perf_counter()
        for start in range(0, len(payloads), CHUNK):
            writer.add(converter.convert(records(start)).table)
        writer.finish()
        return len(payloads) / (time.perf_counter() - started)

    converter.convert(records(0))
    with ThreadPoolExecutor(max_workers=1) as executor:
        serial, pipelined = run(None), run(executor)
    print(
        f"floor: {serial:,.0f} records/s serially, {pipelined:,.0f} with Parquet on the writer "
        "thread (the sink's way); the faster is the floor"
    )
    return max(serial, pipelined)


def _configure(bootstrap: str, topic: str, directory: str, interval: float) -> None:
    os.environ.update(
        {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "TOPIC_BID_REQUESTS": topic,
            "ICEBERG_TABLE": f"db.{topic}",
            "ICEBERG_SINK_GROUP": f"bench-{topic}",
            "COMMIT_INTERVAL_SECONDS": str(interval),
            "METRICS_PORT": "0",
            "LOG_LEVEL": "WARNING",
            "PYICEBERG_CATALOG__DEFAULT__URI": f"sqlite:///{directory}/catalog.db",
            "PYICEBERG_CATALOG__DEFAULT__WAREHOUSE": f"file://{directory}/warehouse",
        }
    )
    # The sink writes to a table that exists: created here as `mock-data-gen setup` creates it.
    catalog = connect_catalog("default")
    create_namespace(catalog, "db")
    create_table(catalog, ("db", topic), bid_request_layout())


def _throughput(
    kafka: EmbeddedKafka, payloads: list[bytes], directory: str, batch_records: int
) -> float:
    """Steady records/s of the sink draining a backlog, with batches cut at ``batch_records``.

    Timed from its first commit (the group join is behind it) to its last commit
    of a full batch (the remainder waits for the commit interval, which is not work).
    """
    topic = f"throughput_{uuid.uuid4().hex[:8]}"
    kafka.create_topic(topic, PARTITIONS)
    _produce(kafka.bootstrap_servers, topic, payloads)
    _configure(kafka.bootstrap_servers, topic, directory, interval=10)
    os.environ["ICEBERG_SINK_BATCH_MAX_RECORDS"] = str(batch_records)
    service = SinkService(load_settings())
    stop = threading.Event()
    runner = threading.Thread(target=service.run, args=(stop,))
    runner.start()
    metrics = service.metrics
    commits: list[tuple[float, int]] = []  # (when, records committed by then)
    while metrics.records_committed < len(payloads) and runner.is_alive():
        if metrics.batches_committed > len(commits):
            commits.append((time.perf_counter(), metrics.records_committed))
        time.sleep(0.002)
    stop.set()
    runner.join()
    del os.environ["ICEBERG_SINK_BATCH_MAX_RECORDS"]
    full = [i for i in range(1, len(commits)) if commits[i][1] - commits[i - 1][1] >= batch_records]
    if not full:
        raise SystemExit("too few records for two full batches: raise --records")
    (start, first), (end, last) = commits[0], commits[full[-1]]
    print(
        f"sink: {metrics.batches_committed} snapshots, {metrics.data_files_written} data files; "
        f"timed {last - first} records over {len(full)} full batches"
    )
    return (last - first) / (end - start)


class _Visibility(threading.Thread):
    """Polls the table's committed offsets and notes when each record first became visible."""

    def __init__(self, table: Any, group: str, topic: str) -> None:
        super().__init__(daemon=True)
        self._table, self._group, self._topic = table, group, topic
        self.visible: dict[tuple[int, int], float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        seen: dict[int, int] = {}
        while not self.done.is_set():
            self._table = self._table.refresh()
            offsets = latest_offsets(self._table.metadata, self._group).get(self._topic, {})
            now = time.monotonic()
            for partition, end in offsets.items():
                for offset in range(seen.get(partition, 0), end):
                    self.visible[(partition, offset)] = now
                seen[partition] = end
            time.sleep(0.05)


def _freshness(
    kafka: EmbeddedKafka, directory: str, seconds: float, rate: float, interval: float
) -> list[float]:
    """Seconds from produce() to visible in the table, for records produced at ``rate``."""
    topic = f"freshness_{uuid.uuid4().hex[:8]}"
    kafka.create_topic(topic, PARTITIONS)
    _configure(kafka.bootstrap_servers, topic, directory, interval=interval)
    settings = load_settings()
    service = SinkService(settings)
    stop = threading.Event()
    runner = threading.Thread(target=service.run, args=(stop,))
    runner.start()
    while service.metrics.assigned_partitions == 0:  # the group has formed
        time.sleep(0.05)
    table = connect_catalog("default").load_table(f"db.{topic}")
    visibility = _Visibility(table, settings.group_id, topic)
    visibility.start()
    generator = BidRequestGenerator(seed=3)
    producer = Producer({"bootstrap.servers": kafka.bootstrap_servers, "linger.ms": 5})
    produced_at: dict[tuple[int, int], float] = {}
    started = time.monotonic()
    total = int(seconds * rate)
    for index in range(total):
        payload = generator.generate(int(time.time() * 1000)).payload
        produced = time.monotonic()

        def delivered(_error: object, message: Any, produced: float = produced) -> None:
            produced_at[(message.partition(), message.offset())] = produced

        producer.produce(topic, payload, partition=index % PARTITIONS, on_delivery=delivered)
        producer.poll(0)
        time.sleep(max(0.0, started + (index + 1) / rate - time.monotonic()))
    producer.flush(30)
    deadline = time.monotonic() + interval + 30
    while len(visibility.visible) < total and time.monotonic() < deadline:
        time.sleep(0.1)
    visibility.done.set()
    visibility.join()
    stop.set()
    runner.join()
    visible = visibility.visible
    if len(visible) < total:
        print(f"freshness: only {len(visible)} of {total} records became visible")
    return [visible[key] - produced_at[key] for key in visible if key in produced_at]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=250_000)
    parser.add_argument("--batch-records", type=int, default=50_000)
    parser.add_argument("--freshness-seconds", type=float, default=20.0)
    parser.add_argument("--freshness-rate", type=float, default=1000.0)
    parser.add_argument("--commit-interval", type=float, default=10.0)
    args = parser.parse_args()
    configure_logging("WARNING", "text")
    print(f"generating {args.records} bid requests ...", file=sys.stderr)
    payloads = [
        r.payload
        for r in BidRequestGenerator(seed=1).generate_batch(
            [1_767_225_600_000 + i for i in range(args.records)]
        )
    ]
    mb = sum(map(len, payloads)) / 1e6
    print(f"records: {args.records}, {mb / args.records * 1e6:.0f} bytes each on average")
    with tempfile.TemporaryDirectory() as directory, EmbeddedKafka(brokers=1) as kafka:
        floor = _floor(payloads, directory)
        sink = _throughput(kafka, payloads, directory, args.batch_records)
        print(f"floor (Arrow conversion + Parquet data files): {floor:,.0f} records/s")
        print(
            f"sink (Kafka -> Iceberg, committed):           {sink:,.0f} records/s "
            f"({sink * mb / args.records:,.1f} MB/s of JSON)"
        )
        print(f"sink / floor: {sink / floor:.0%}")
        if args.freshness_seconds > 0:
            ages = sorted(
                _freshness(
                    kafka,
                    directory,
                    args.freshness_seconds,
                    args.freshness_rate,
                    args.commit_interval,
                )
            )
            p95 = ages[int(0.95 * (len(ages) - 1))]
            print(
                f"freshness at {args.freshness_rate:.0f} records/s, COMMIT_INTERVAL_SECONDS="
                f"{args.commit_interval:g}: p50 {statistics.median(ages):.2f} s, p95 {p95:.2f} s, "
                f"max {ages[-1]:.2f} s over {len(ages)} records (bound: interval + 5 s)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
