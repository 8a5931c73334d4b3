"""The whole funnel through the sink: a simulated range with ``FUNNEL=full``, then one sink per
topic, each killed (SIGKILL) after its first commit, its consumer group rewound to the start, and
started again; every table holds each record of its topic exactly once, and the joins hold: each bid
response names a request, each win a bid of a response in time, each impression a win, each click
an impression, each event timed after its cause.

As in ``test_backfill_to_iceberg``: the generator and the sinks run as processes against the
embedded Kafka cluster and an SQLite catalog with its warehouse on local files; the tables are
created with the setup's own functions.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from confluent_kafka import Consumer, TopicPartition
from kafka_testkit import KafkaCluster, rewind_group
from mock_data_gen.funnel import EVENT_TYPES
from mock_data_gen.lakehouse.funnel_tables import funnel_layouts
from mock_data_gen.lakehouse.setup import create_namespace, create_table
from mock_data_gen.lakehouse.table_schema import bid_request_layout
from pyiceberg.catalog import Catalog, load_catalog

pytestmark = [pytest.mark.integration, pytest.mark.slow]

README = Path(__file__).resolve().parents[1] / "README.md"

START = datetime(2026, 2, 9, 20, 0, tzinfo=UTC)
REQUESTS = 1500  # at 2 a simulated second: 12.5 simulated minutes
RATE = 2
PARTITIONS = 6


def _end_offsets(bootstrap: str, topic: str) -> int:
    """How many records the topic holds (every log starts at offset 0 here)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "funnel-test-offsets"})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return sum(
            consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in partitions
        )
    finally:
        consumer.close()


def _committed(catalog: Catalog, table: str, group: str, topic: str) -> int:
    snapshot = catalog.load_table(("db", table)).current_snapshot()
    if snapshot is None:
        return 0
    offsets = json.loads(snapshot.summary.additional_properties.get(f"kafka.offsets.{group}", "{}"))
    return int(sum(offsets.get(topic, {}).values()))


def _rows(catalog: Catalog, table: str, *columns: str) -> list[dict[str, Any]]:
    scan = catalog.load_table(("db", table)).scan(
        selected_fields=("kafka_partition", "kafka_offset", "event_time", *columns)
    )
    rows: list[dict[str, Any]] = scan.to_arrow().to_pylist()
    return rows


def test_a_funnel_backfill_lands_every_topic_once_and_its_joins_hold(
    kafka_cluster: KafkaCluster, kafka_topic: str, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    catalog_env = {
        "PYICEBERG_CATALOG__DEFAULT__URI": f"sqlite:///{tmp_path / 'catalog.db'}",
        "PYICEBERG_CATALOG__DEFAULT__WAREHOUSE": warehouse.as_uri(),
    }
    catalog = load_catalog(
        "default",
        uri=catalog_env["PYICEBERG_CATALOG__DEFAULT__URI"],
        warehouse=catalog_env["PYICEBERG_CATALOG__DEFAULT__WAREHOUSE"],
    )
    create_namespace(catalog, "db")
    # Topic and table of each stream, as `setup` with FUNNEL=full names them.
    streams = {"bid_request": (kafka_topic, "bid_requests")}
    create_table(catalog, ("db", "bid_requests"), bid_request_layout())
    for kind, layout in funnel_layouts().items():
        topic = f"{kafka_topic}_{kind}"
        streams[kind] = (topic, f"{kind}s")
        kafka_cluster.create_topic(topic, PARTITIONS)
        create_table(catalog, ("db", f"{kind}s"), layout)
    for topic, _ in streams.values():
        kafka_cluster.create_topic(f"{topic}.dlq", PARTITIONS)
    env = {
        **os.environ,
        **catalog_env,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_cluster.bootstrap_servers,
        "METRICS_PORT": "0",
    }

    generator = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "run"],
        env={
            **env,
            "FUNNEL": "full",
            "TOPIC_BID_REQUESTS": kafka_topic,
            "TOPIC_BID_RESPONSES": streams["bid_response"][0],
            "TOPIC_WINS": streams["win"][0],
            "TOPIC_IMPRESSIONS": streams["impression"][0],
            "TOPIC_CLICKS": streams["click"][0],
            "SIMULATED_START": START.isoformat(),
            "SIMULATED_END": (START + timedelta(seconds=REQUESTS / RATE)).isoformat(),
            "SPEED": "max",
            "EVENTS_PER_SECOND": str(RATE),
            "SEED": "21",
        },
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert generator.returncode == 0, generator.stderr[-3000:]
    assert f"delivered={REQUESTS} " in generator.stderr
    held = {
        kind: _end_offsets(env["KAFKA_BOOTSTRAP_SERVERS"], t) for kind, (t, _) in streams.items()
    }
    assert held["bid_request"] == REQUESTS
    assert f"funnel_delivered={sum(held.values()) - REQUESTS} " in generator.stderr

    sinks: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}

    def start_sink(kind: str, attempt: int) -> None:
        topic, table = streams[kind]
        log = tmp_path / f"sink-{kind}-{attempt}.log"
        with log.open("wb") as sink_log:
            sinks[kind] = (
                subprocess.Popen(
                    [sys.executable, "-m", "iceberg_sink", "run"],
                    env={
                        **env,
                        "TOPIC_BID_REQUESTS": topic,
                        "ICEBERG_TABLE": table,
                        "ICEBERG_SINK_GROUP": f"sink-{kind}",
                        "COMMIT_INTERVAL_SECONDS": "1",
                        # Several commits per topic, so that a kill lands between two of them.
                        "ICEBERG_SINK_BATCH_MAX_RECORDS": "2000",
                        "ICEBERG_SINK_SESSION_TIMEOUT_MS": "6000",
                    },
                    stdout=subprocess.DEVNULL,
                    stderr=sink_log,
                ),
                log,
            )

    try:
        for kind in streams:
            start_sink(kind, 0)
        # Each sink is killed (SIGKILL) after its first commit, and started again: it resumes
        # from the offsets in its table, so nothing is lost or written twice.
        deadline = time.monotonic() + 60
        at_kill: dict[str, int] = {}
        while len(at_kill) < len(streams):
            for kind, (sink, log) in sinks.items():
                if kind in at_kill:
                    continue
                if "event=committed" not in log.read_text():
                    assert sink.poll() is None, log.read_text()[-3000:]
                    continue
                sink.kill()
                sink.wait(10)
                topic, table = streams[kind]
                at_kill[kind] = _committed(catalog, table, f"sink-{kind}", topic)
            assert time.monotonic() < deadline, at_kill
            time.sleep(0.02)
        # The largest topic was killed part way through.
        assert 0 < at_kill["bid_response"] < held["bid_response"], at_kill
        # Kafka's offsets are a hint only: each group rewound to the start while its sink is down
        # (once the killed member's session has timed out) changes nothing, as the sink resumes
        # from its table's offsets.
        time.sleep(7)
        with ThreadPoolExecutor(len(streams)) as pool:
            rewinds = [
                pool.submit(
                    rewind_group, env["KAFKA_BOOTSTRAP_SERVERS"], topic, f"sink-{kind}", PARTITIONS
                )
                for kind, (topic, _) in streams.items()
            ]
            for rewind in rewinds:
                rewind.result(90)
        for kind in streams:
            start_sink(kind, 1)
        deadline = time.monotonic() + 120
        for kind, (topic, table) in streams.items():
            sink, log = sinks[kind]
            while _committed(catalog, table, f"sink-{kind}", topic) < held[kind]:
                assert sink.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.5)
        for sink, _ in sinks.values():
            sink.terminate()
        for sink, log in sinks.values():
            assert sink.wait(60) == 0, log.read_text()[-3000:]
    finally:
        for sink, _ in sinks.values():
            if sink.poll() is None:
                sink.kill()
                sink.wait(10)

    # The exactly-once audit of the lake tools agrees, topic by topic.
    for kind, (topic, table) in streams.items():
        audit = subprocess.run(
            [sys.executable, "-m", "lake_tools", "verify", "--topic", topic],
            env={**env, "ICEBERG_TABLE": table, "ICEBERG_SINK_GROUP": f"sink-{kind}"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert audit.returncode == 0, (kind, audit.stdout[-2000:], audit.stderr[-2000:])

    requests = _rows(catalog, "bid_requests", "id")
    responses = _rows(catalog, "bid_responses", "request_id", "seat", "late", "response")
    wins = _rows(catalog, "wins", "request_id", "imp_id", "seat", "bid_id", "bidid")
    impressions = _rows(catalog, "impressions", "request_id", "imp_id", "bid_id", "bidid")
    clicks = _rows(catalog, "clicks", "request_id", "imp_id", "bid_id")
    tables = {
        "bid_request": requests,
        "bid_response": responses,
        "win": wins,
        "impression": impressions,
        "click": clicks,
    }
    # Exactly once: every record of each topic is one row of its table.
    for kind, rows in tables.items():
        pairs = {(row["kafka_partition"], row["kafka_offset"]) for row in rows}
        assert len(pairs) == len(rows) == held[kind], kind
    counts = {kind: len(rows) for kind, rows in tables.items()}
    print(f"rows: {counts}; committed when killed: {at_kill}")
    assert all(counts[kind] > 0 for kind in EVENT_TYPES), counts

    # The joins, each to a cause with an earlier event time.
    request_time = {row["id"]: row["event_time"] for row in requests}
    bid_time: dict[tuple[str, str, str, str, str], datetime] = {}
    for row in responses:
        assert row["event_time"] > request_time[row["request_id"]]
        response = row["response"]
        if row["late"] or response is None:
            continue  # a late response is not in the auction; a no-bid has no bids
        assert response["id"] == row["request_id"]
        for seatbid in response["seatbid"] or []:
            for bid in seatbid["bid"]:
                key = (row["request_id"], bid["impid"], row["seat"], bid["id"], response["bidid"])
                bid_time[key] = row["event_time"]
    win_time: dict[tuple[str, str], tuple[str, str, datetime]] = {}
    for row in wins:
        key = (row["request_id"], row["imp_id"], row["seat"], row["bid_id"], row["bidid"])
        assert row["event_time"] > bid_time[key]
        win_time[row["request_id"], row["imp_id"]] = (
            row["bid_id"],
            row["bidid"],
            row["event_time"],
        )
    assert len(win_time) == len(wins)  # one win per impression auctioned
    shown_time: dict[tuple[str, str], tuple[str, datetime]] = {}
    for row in impressions:
        bid_id, bidid, won_at = win_time[row["request_id"], row["imp_id"]]
        assert (row["bid_id"], row["bidid"]) == (bid_id, bidid)
        assert row["event_time"] > won_at
        shown_time[row["request_id"], row["imp_id"]] = (bid_id, row["event_time"])
    for row in clicks:
        bid_id, shown_at = shown_time[row["request_id"], row["imp_id"]]
        assert row["bid_id"] == bid_id
        assert row["event_time"] > shown_at

    # The README's query joining the funnel, on the tables as landed: its totals are the tables'.
    section = README.read_text().split("### The auction funnel on Kafka")[1].split("\n### ")[0]
    (query,) = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    connection = duckdb.connect()
    for _, table in streams.values():
        connection.register(table, catalog.load_table(("db", table)).scan().to_arrow())
    per_seat = connection.sql(query).fetchall()
    assert [sum(row[i] for row in per_seat) for i in (1, 3, 4, 5)] == [
        counts["bid_response"],
        counts["win"],
        counts["impression"],
        counts["click"],
    ]
    responses = (
        catalog.load_table(("db", "bid_responses"))
        .scan(selected_fields=("late", "response"))
        .to_arrow()
        .to_pylist()
    )
    # A no-bid with a reason lands with seatbid [] rather than NULL (README): not a bid.
    with_bids = sum(
        1 for row in responses if not row["late"] and (row["response"] or {}).get("seatbid")
    )
    assert 0 < sum(row[2] for row in per_seat) == with_bids < counts["bid_response"]
