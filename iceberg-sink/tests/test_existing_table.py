"""The sink writes to a table that exists, of whatever shape: schema and JSON-text columns come from
the catalog, never from the generator; a missing table is one clear error, exit code 4."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from kafka_testkit import KafkaCluster
from platform_common.table_contract import JSON_TEXT_FIELDS_PROPERTY
from pyiceberg.schema import Schema
from pyiceberg.types import (
    IntegerType,
    ListType,
    LongType,
    NestedField,
    StringType,
    StructType,
    TimestamptzType,
)
from sink_runner import Lakehouse, SinkRunner, produce, sink_env, wait_for_rows

from iceberg_sink.cli import EXIT_NO_TABLE


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def test_a_sink_started_before_its_table_exits_4_naming_the_table_and_how_to_create_it(
    empty_lakehouse: Lakehouse, sink_runner: SinkRunner
) -> None:
    sink = sink_runner.start(
        sink_env(_closed_port(), "bid_requests", empty_lakehouse, ICEBERG_TABLE="lake.requests")
    )
    assert sink.process.wait(60) == EXIT_NO_TABLE
    lines = sink.log.read_text().splitlines()
    (error,) = [line for line in lines if "level=error" in line]
    assert "event=table_missing" in error
    for named in ("lake.requests", "catalog 'default'", "mock-data-gen setup", "scripts/setup.sh"):
        assert named in error, named
    # Nothing is created on the sink's behalf.
    assert list(empty_lakehouse.catalog().list_namespaces()) == []

    offsets = subprocess.run(
        [sys.executable, "-m", "iceberg_sink", "offsets"],
        env={**os.environ, **empty_lakehouse.env(), "ICEBERG_TABLE": "lake.requests"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert offsets.returncode == EXIT_NO_TABLE
    assert "lake.requests does not exist" in offsets.stderr
    assert "mock-data-gen setup" in offsets.stderr


def _events_table(lakehouse: Lakehouse) -> None:
    """A table that has nothing to do with bid requests, stating its own JSON-text column."""
    catalog = lakehouse.catalog()
    catalog.create_namespace("shop")
    schema = Schema(
        NestedField(1, "event_time", TimestamptzType(), required=True),
        NestedField(2, "kafka_partition", IntegerType(), required=True),
        NestedField(3, "kafka_offset", LongType(), required=True),
        NestedField(4, "order_id", StringType(), required=True),
        NestedField(5, "quantity", LongType(), required=False),
        NestedField(
            6,
            "customer",
            StructType(
                NestedField(7, "name", StringType(), required=False),
                NestedField(8, "attributes", StringType(), required=False),
            ),
            required=False,
        ),
        NestedField(9, "tags", ListType(10, StringType(), element_required=False), required=False),
    )
    catalog.create_table(
        ("shop", "orders"),
        schema=schema,
        properties={JSON_TEXT_FIELDS_PROPERTY: "customer.attributes"},
    )


@pytest.mark.integration
def test_any_topic_of_json_records_lands_in_a_table_of_its_own_shape(
    kafka_cluster: KafkaCluster,
    kafka_topic: str,
    empty_lakehouse: Lakehouse,
    sink_runner: SinkRunner,
) -> None:
    _events_table(empty_lakehouse)
    records = [
        {
            "order_id": f"o-{n}",
            "quantity": n,
            "customer": {"name": f"c{n}", "attributes": {"tier": n % 3, "vip": n == 7}},
            "tags": ["a", "b"][: n % 3],
            "not_a_column": {"ignored": True},
        }
        for n in range(50)
    ]
    produce(kafka_cluster.bootstrap_servers, kafka_topic, [json.dumps(r).encode() for r in records])
    sink = sink_runner.start(
        sink_env(
            kafka_cluster.bootstrap_servers,
            kafka_topic,
            empty_lakehouse,
            ICEBERG_TABLE="shop.orders",
        )
    )
    wait_for_rows(empty_lakehouse, len(records), table="shop.orders")
    assert sink.stop() == 0
    (stopped,) = sink.lines("stopped")
    assert "dead_letters=0" in stopped

    rows = empty_lakehouse.table("shop.orders").scan().to_arrow().to_pylist()
    by_id = {row["order_id"]: row for row in rows}
    assert len(by_id) == len(records)
    seven = by_id["o-7"]
    assert seven["quantity"] == 7 and seven["tags"] == ["a"]
    assert seven["customer"]["name"] == "c7"
    # The member the table lists as JSON text is stored as its compact JSON.
    assert json.loads(seven["customer"]["attributes"]) == {"tier": 1, "vip": True}
    assert "not_a_column" not in seven
    assert seven["event_time"] is not None and seven["kafka_offset"] >= 0
