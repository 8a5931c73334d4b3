"""Test helpers: the lakehouse a sink writes to, sink processes, and reading the table back."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confluent_kafka import Producer
from mock_data_gen.lakehouse.setup import create_namespace, create_table
from mock_data_gen.lakehouse.table_schema import bid_request_layout
from mock_data_gen.synthesis import BidRequestGenerator

CATALOG = "default"


@dataclass(frozen=True)
class Lakehouse:
    catalog_uri: str
    warehouse: str
    s3_endpoint: str | None = None

    def env(self) -> dict[str, str]:
        prefix = f"PYICEBERG_CATALOG__{CATALOG.upper()}__"
        env = {f"{prefix}URI": self.catalog_uri, f"{prefix}WAREHOUSE": self.warehouse}
        if self.s3_endpoint:
            env |= {
                f"{prefix}S3__ENDPOINT": self.s3_endpoint,
                f"{prefix}S3__ACCESS_KEY_ID": "test",
                f"{prefix}S3__SECRET_ACCESS_KEY": "test",
                f"{prefix}S3__REGION": "us-east-1",
            }
        return env

    def catalog(self) -> Any:
        from pyiceberg.catalog import load_catalog

        properties = {
            key.split("__", 2)[2].lower().replace("__", ".").replace("_", "-"): value
            for key, value in self.env().items()
        }
        return load_catalog(CATALOG, **properties)

    def create_bid_request_table(self, name: str = "db.bid_requests") -> Any:
        """Create the bid request table with the setup's own functions, as `mock-data-gen setup`
        does: the sink only writes to a table that exists."""
        catalog = self.catalog()
        namespace, _, table_name = name.rpartition(".")
        create_namespace(catalog, namespace)
        table, _ = create_table(catalog, (namespace, table_name), bid_request_layout())
        return table

    def table(self, name: str = "db.bid_requests") -> Any:
        return self.catalog().load_table(name)

    def keys(self, name: str = "db.bid_requests") -> Counter[tuple[int, int]]:
        """How often each (kafka_partition, kafka_offset) is in the table."""
        rows = self.table(name).scan(selected_fields=("kafka_partition", "kafka_offset")).to_arrow()
        return Counter(
            zip(rows["kafka_partition"].to_pylist(), rows["kafka_offset"].to_pylist(), strict=True)
        )


class SinkProcess:
    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    def lines(self, event: str) -> list[str]:
        return [
            line for line in self.log.read_text().splitlines() if f"event={event} " in line + " "
        ]

    def wait_for(self, event: str, count: int = 1, timeout: float = 60.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.lines(event)
            if len(found) >= count:
                return found
            if self.process.poll() is not None:
                raise AssertionError(
                    f"sink exited ({self.process.returncode}):\n{self.log.read_text()[-3000:]}"
                )
            time.sleep(0.05)
        raise TimeoutError(
            f"no {count}x event={event} within {timeout}s:\n{self.log.read_text()[-3000:]}"
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 60.0) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


class SinkRunner:
    def __init__(self, directory: Path) -> None:
        self._directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._processes: list[SinkProcess] = []

    def start(self, env: dict[str, str]) -> SinkProcess:
        log = self._directory / f"sink-{len(self._processes)}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "iceberg_sink", "run"],
            env={**os.environ, "METRICS_PORT": "0", **env},
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        sink = SinkProcess(process, log)
        self._processes.append(sink)
        return sink

    def kill_all(self) -> None:
        for sink in self._processes:
            if sink.process.poll() is None:
                sink.process.kill()
                sink.process.wait(10)


def produce(bootstrap: str, topic: str, payloads: list[bytes]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for index, value in enumerate(payloads):
        producer.produce(topic, value, key=str(index).encode())
        if index % 1000 == 0:
            producer.poll(0)
    assert producer.flush(30) == 0


def bid_requests(count: int, seed: int = 7) -> list[bytes]:
    """``count`` realistic bid requests from the generator (a new list each call)."""
    return list(_bid_requests(count, seed))


@functools.cache
def _bid_requests(count: int, seed: int) -> tuple[bytes, ...]:
    # Building a generator takes a second or more (its pools); the same arguments always give the
    # same requests, so each (count, seed) is generated once per test session.
    start = 1_767_225_600_000
    records = BidRequestGenerator(seed=seed).generate_batch([start + i for i in range(count)])
    return tuple(record.payload for record in records)


def sink_env(bootstrap: str, topic: str, lakehouse: Lakehouse, **extra: str) -> dict[str, str]:
    """Environment of a sink on ``topic`` with short commit intervals and sessions for tests."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "TOPIC_BID_REQUESTS": topic,
        "COMMIT_INTERVAL_SECONDS": "1",
        "ICEBERG_SINK_SESSION_TIMEOUT_MS": "6000",
        **lakehouse.env(),
        **extra,
    }


def wait_for_rows(
    lakehouse: Lakehouse, count: int, timeout: float = 60.0, table: str = "db.bid_requests"
) -> None:
    """Wait until ``table`` holds at least ``count`` rows."""
    deadline = time.monotonic() + timeout
    rows = 0
    while time.monotonic() < deadline:
        try:
            rows = sum(lakehouse.keys(table).values())
        except Exception:  # the table may not exist yet
            rows = 0
        if rows >= count:
            return
        time.sleep(0.5)
    raise TimeoutError(f"table has {rows} rows, not {count}, after {timeout}s")
