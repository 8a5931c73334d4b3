"""Faults on purpose through the sink: the dead-letter topic holds exactly the injected malformed
and schema-invalid records, the Iceberg table every other record, each once.

The generator (``mock-data-gen run`` with FAULT_* set) and the sink (``iceberg-sink run``) run as
processes against the embedded Kafka cluster and an SQLite catalog with its warehouse on local
files; the table is created with the setup's own functions, as ``mock-data-gen setup`` does. The
sink knows nothing of the generator: it dead-letters what its conversion against the table
refuses, and the test matches those records, by partition and offset, to the ``fault`` headers
the generator put on the source records.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from kafka_testkit import KafkaCluster, read_topic
from mock_data_gen.faults import OVERSIZE_BYTES
from mock_data_gen.lakehouse.setup import create_namespace, create_table
from mock_data_gen.lakehouse.table_schema import bid_request_layout
from pyiceberg.catalog import load_catalog
from sink_process import sink_until_committed

pytestmark = pytest.mark.integration

EVENTS = 3000
GROUP = "iceberg-sink"
# Few invalid records: the sink isolates each by bisecting its batch, about 0.4 s apiece.
FRACTIONS = {
    "malformed-json": 0.003,
    "schema-invalid": 0.003,
    "duplicate": 0.03,
    "late": 0.03,
    "oversize": 0.002,
}


def test_the_dead_letters_are_exactly_the_injected_invalid_records(
    kafka_cluster: KafkaCluster, kafka_topic: str, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    catalog_uri = f"sqlite:///{tmp_path / 'catalog.db'}"
    catalog = load_catalog("default", uri=catalog_uri, warehouse=f"file://{warehouse}")
    create_namespace(catalog, "db")
    create_table(catalog, ("db", "bid_requests"), bid_request_layout())
    kafka_cluster.create_topic(f"{kafka_topic}.dlq", 6)
    env = {
        **os.environ,
        "PYICEBERG_CATALOG__DEFAULT__URI": catalog_uri,
        "PYICEBERG_CATALOG__DEFAULT__WAREHOUSE": f"file://{warehouse}",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_cluster.bootstrap_servers,
        "TOPIC_BID_REQUESTS": kafka_topic,
        "METRICS_PORT": "0",
    }
    faults = {f"FAULT_{kind.upper().replace('-', '_')}": str(f) for kind, f in FRACTIONS.items()}
    generator = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "run"],
        env={**env, **faults, "EVENTS_PER_SECOND": "0", "MAX_EVENTS": str(EVENTS), "SEED": "7"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert generator.returncode == 0, generator.stderr[-3000:]
    assert "faults_injected" in generator.stderr

    source = read_topic(kafka_cluster.bootstrap_servers, kafka_topic)
    kind_of = {}
    timestamp_of = {}
    for message in source:
        headers = dict(message.headers() or [])
        kind = headers.get("fault")
        where = (message.partition(), message.offset())
        kind_of[where] = None if kind is None else kind.decode()
        timestamp_of[where] = message.timestamp()[1]
    counts = Counter(kind_of.values())
    # A duplicated event is two records, both marked; the events are the records less the copies.
    events = len(source) - counts["duplicate"] // 2
    # MAX_EVENTS counts records, duplicates' copies too; the last batch may go past it.
    assert EVENTS <= len(source) < EVENTS + 2 * 500
    realised = {kind: counts[kind] / events for kind in FRACTIONS}
    realised["duplicate"] = counts["duplicate"] / 2 / events
    print("realised fault fractions:", {k: round(v, 5) for k, v in realised.items()})
    for kind, fraction in FRACTIONS.items():
        # Within 10%, or two events where that is fewer (the spread of an evenly spread draw).
        assert abs(realised[kind] - fraction) * events <= max(2, 0.1 * fraction * events), kind
    oversize = [m for m in source if kind_of[(m.partition(), m.offset())] == "oversize"]
    assert oversize and all(len(m.value()) == OVERSIZE_BYTES for m in oversize)

    sink_until_committed(env, catalog_uri, kafka_topic, len(source), GROUP, tmp_path / "sink.log")

    letters = read_topic(kafka_cluster.bootstrap_servers, f"{kafka_topic}.dlq")
    dead: dict[tuple[int, int], str] = {}
    for letter in letters:
        headers = {k: v.decode() for k, v in letter.headers() or []}
        where = (int(headers["dlq.source.partition"]), int(headers["dlq.source.offset"]))
        assert where not in dead, f"dead-lettered twice: {where}"
        dead[where] = headers["dlq.error.reason"]
    invalid = {w for w, kind in kind_of.items() if kind in ("malformed-json", "schema-invalid")}
    assert set(dead) == invalid
    # The sink's own reason agrees with the fault: unparsable JSON, or a row the table refuses.
    reasons = Counter((kind_of[where], reason) for where, reason in dead.items())
    assert set(reasons) == {
        ("malformed-json", "invalid_json"),
        ("schema-invalid", "schema_mismatch"),
    }

    table = catalog.load_table("db.bid_requests")
    rows = table.scan(selected_fields=("event_time", "kafka_partition", "kafka_offset")).to_arrow()
    landed = list(
        zip(rows["kafka_partition"].to_pylist(), rows["kafka_offset"].to_pylist(), strict=True)
    )
    assert len(landed) == len(set(landed))  # each record once
    assert set(landed) == set(kind_of) - invalid  # every other record, duplicates and all
    # A late record's row keeps the late event time it was sent with.
    for (partition, offset), moment in zip(landed, rows["event_time"].to_pylist(), strict=True):
        assert int(moment.timestamp() * 1000) == timestamp_of[(partition, offset)]
    print(
        f"{len(source)} records: {len(dead)} dead letters "
        f"({counts['malformed-json']} malformed, {counts['schema-invalid']} schema-invalid), "
        f"{len(landed)} rows ({counts['late']} late, {counts['oversize']} oversize, "
        f"{counts['duplicate']} as duplicates)"
    )
