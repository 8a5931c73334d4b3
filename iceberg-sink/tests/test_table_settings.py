"""`ICEBERG_CATALOG`, `ICEBERG_NAMESPACE` and `ICEBERG_TABLE` mean the same to setup and sink.

A user exports one set of variables for the whole platform; `mock-data-gen setup` creates the
table and the sink appends to that same table, whichever accepted form names it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from kafka_testkit import KafkaCluster
from sink_runner import Lakehouse, SinkRunner, bid_requests, produce, sink_env, wait_for_rows

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FORMS = {
    "bare name and namespace": {"ICEBERG_NAMESPACE": "lake", "ICEBERG_TABLE": "requests"},
    "dotted name": {"ICEBERG_TABLE": "lake.requests"},
    "dotted name and the same namespace": {
        "ICEBERG_NAMESPACE": "lake",
        "ICEBERG_TABLE": "lake.requests",
    },
}


def _setup(bootstrap: str, topic: str, lakehouse: Lakehouse, table: dict[str, str]) -> str:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ICEBERG_", "PYICEBERG_"))
    }
    result = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "setup"],
        env={
            **environment,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "TOPIC_BID_REQUESTS": topic,
            "WAREHOUSE_BUCKET": "",
            "SETUP_TIMEOUT_SECONDS": "20",
            **lakehouse.env(),
            **table,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.mark.parametrize("form", sorted(FORMS))
def test_the_sink_appends_to_the_table_setup_created(
    form: str,
    kafka_cluster: KafkaCluster,
    kafka_topic: str,
    empty_lakehouse: Lakehouse,
    sink_runner: SinkRunner,
) -> None:
    table = FORMS[form]
    kafka_cluster.create_topic(f"{kafka_topic}.dlq", 6)
    log = _setup(kafka_cluster.bootstrap_servers, kafka_topic, empty_lakehouse, table)
    assert "resource=table name=lake.requests result=created" in log

    # The sink creates no table: it has to find the one setup made.
    env = sink_env(kafka_cluster.bootstrap_servers, kafka_topic, empty_lakehouse, **table)
    sink = sink_runner.start(env)
    produce(kafka_cluster.bootstrap_servers, kafka_topic, bid_requests(300))
    wait_for_rows(empty_lakehouse, 300, table="lake.requests")
    assert sink.stop() == 0

    catalog = empty_lakehouse.catalog()
    assert [tuple(n) for n in catalog.list_namespaces()] == [("lake",)]
    assert [tuple(t) for t in catalog.list_tables("lake")] == [("lake", "requests")]
    assert sum(empty_lakehouse.keys("lake.requests").values()) == 300


def test_a_dotted_table_that_contradicts_the_namespace_is_refused_by_both(
    kafka_cluster: KafkaCluster,
    kafka_topic: str,
    empty_lakehouse: Lakehouse,
    sink_runner: SinkRunner,
) -> None:
    table = {"ICEBERG_NAMESPACE": "other", "ICEBERG_TABLE": "lake.requests"}
    setup = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "setup"],
        env={**os.environ, **empty_lakehouse.env(), **table, "WAREHOUSE_BUCKET": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    sink = sink_runner.start(
        sink_env(kafka_cluster.bootstrap_servers, kafka_topic, empty_lakehouse, **table)
    )
    assert sink.process.wait(60) == 2
    for code, output in ((setup.returncode, setup.stderr), (2, sink.log.read_text())):
        assert code == 2, output
        assert "ICEBERG_TABLE='lake.requests'" in output, output
        assert "ICEBERG_NAMESPACE='other'" in output, output
    assert list(empty_lakehouse.catalog().list_namespaces()) == []
