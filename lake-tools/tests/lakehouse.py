"""Test support: small bid request tables in an SQLite catalog, on local files or a moto S3 bucket.

Tables are created with the generator's own setup functions (the table ``mock-data-gen setup``
creates) and filled with generated bid requests, written directly with pyiceberg: each call of
``append`` is one snapshot, as one sink commit is, carrying ``kafka.offsets.<group>`` like the
sink's. Only the tests import the generator; the package never does.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa
from mock_data_gen.lakehouse.setup import create_namespace, create_table
from mock_data_gen.lakehouse.table_schema import bid_request_layout
from mock_data_gen.synthesis import BidRequestGenerator
from platform_common.table_contract import parse_json_text_fields

from lake_tools.offsets_summary import lineage, summary_of

CATALOG = "default"
TABLE = "db.bid_requests"
# 2026-01-14T20:00:00Z: an evening in Europe, so the traffic has a mix of countries.
START_MS = 1_768_420_800_000


@dataclass(frozen=True)
class Lakehouse:
    catalog_uri: str
    warehouse: str
    s3_endpoint: str | None = None

    def env(self) -> dict[str, str]:
        prefix = f"PYICEBERG_CATALOG__{CATALOG.upper()}__"
        env = {
            f"{prefix}URI": self.catalog_uri,
            f"{prefix}WAREHOUSE": self.warehouse,
            "ICEBERG_CATALOG": CATALOG,
            "ICEBERG_TABLE": TABLE,
        }
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
            if key.startswith("PYICEBERG_")
        }
        return load_catalog(CATALOG, **properties)

    def create_bid_request_table(self, table: str = TABLE) -> Any:
        catalog = self.catalog()
        namespace, _, name = table.rpartition(".")
        create_namespace(catalog, namespace)
        table, _ = create_table(catalog, (namespace, name), bid_request_layout())
        return table

    def table(self, table: str = TABLE) -> Any:
        return self.catalog().load_table(table)


def _as_json_text(value: Any, path: list[str]) -> Any:
    """``value`` with the member at ``path`` (``element`` steps into lists) made JSON text."""
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


@dataclass(frozen=True)
class Record:
    partition: int
    offset: int
    timestamp_ms: int
    request: dict[str, Any]


def generate(count: int, partitions: int = 3, seed: int = 7, rate: float = 50.0) -> list[Record]:
    """``count`` generated bid requests at ``rate`` per second from START_MS, spread round-robin
    over ``partitions`` with consecutive offsets per partition."""
    times = [START_MS + int(i * 1000 / rate) for i in range(count)]
    generated = BidRequestGenerator(seed=seed).generate_batch(times)
    next_offset = [0] * partitions
    records = []
    for index, (record, ms) in enumerate(zip(generated, times, strict=True)):
        partition = index % partitions
        records.append(Record(partition, next_offset[partition], ms, json.loads(record.payload)))
        next_offset[partition] += 1
    return records


def to_arrow(table: Any, records: list[Record]) -> pa.Table:
    """``records`` as rows of ``table``: JSON-text members as text, provenance columns set."""
    schema = table.schema().as_arrow()
    paths = [path.split(".") for path in parse_json_text_fields(table.properties)]
    rows = []
    for record in records:
        row = record.request
        for path in paths:
            row = _as_json_text(row, path)
        rows.append(
            {
                **row,
                "event_time": dt.datetime.fromtimestamp(record.timestamp_ms / 1000, dt.UTC),
                "kafka_partition": record.partition,
                "kafka_offset": record.offset,
            }
        )
    return pa.Table.from_pylist(rows, schema=schema)


def append(
    table: Any, records: list[Record], topic: str = "bid_requests", group: str = "iceberg-sink"
) -> Any:
    """Append ``records`` in one snapshot whose summary carries the group's offsets, merged over
    the newest ones, as a sink commit does; returns the table reloaded."""
    offsets: dict[str, dict[str, int]] = {}
    key = f"kafka.offsets.{group}"
    for snapshot in lineage(table):
        value = summary_of(snapshot).get(key)
        if value is not None:
            offsets = json.loads(value)
            break
    parts = offsets.setdefault(topic, {})
    for record in records:
        parts[str(record.partition)] = max(parts.get(str(record.partition), 0), record.offset + 1)
    table.append(to_arrow(table, records), snapshot_properties={key: json.dumps(offsets)})
    return table.refresh()
