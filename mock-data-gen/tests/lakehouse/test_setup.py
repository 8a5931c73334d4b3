"""``mock-data-gen setup`` against real parts without Docker.

Kafka is the embedded cluster (or ``KAFKA_BOOTSTRAP_SERVERS``), S3 is moto's server on loopback,
the Iceberg catalog is pyiceberg's SQL catalog (SQLite) with its warehouse on that S3 or on local
files, configured through the same ``PYICEBERG_CATALOG__*`` variables as in the Docker stack.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from kafka_testkit import KafkaCluster
from moto.server import ThreadedMotoServer
from platform_common.settings import dead_letter_topic
from platform_common.table_contract import JSON_TEXT_FIELDS_PROPERTY, parse_json_text_fields
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.schema import Schema

from mock_data_gen.lakehouse.setup import (
    SetupError,
    SetupSettings,
    StepResult,
    catalog_properties,
    ensure_bucket,
    ensure_dead_letter_topic,
    ensure_namespace_and_table,
    ensure_topic,
    run_setup,
)
from mock_data_gen.lakehouse.table_schema import bid_request_layout

ACCESS_KEY = "admin"
SECRET_KEY = "password"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket() -> str:
    # moto keeps one store per process: a bucket of its own keeps each test independent.
    return f"warehouse-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def lakehouse_env(
    tmp_path: Path, s3_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Environment of a setup run: S3 on moto, a SQLite catalog with its warehouse in the bucket."""
    env = {
        "PYICEBERG_HOME": str(tmp_path),  # no ~/.pyiceberg.yaml from the machine
        "S3_ENDPOINT": s3_endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_REGION": "us-east-1",
        "WAREHOUSE_BUCKET": bucket,
        "ICEBERG_CATALOG": "lake",
        "PYICEBERG_CATALOG__LAKE__TYPE": "sql",
        "PYICEBERG_CATALOG__LAKE__URI": f"sqlite:///{tmp_path / 'catalog.db'}",
        "PYICEBERG_CATALOG__LAKE__WAREHOUSE": f"s3://{bucket}/",
        "PYICEBERG_CATALOG__LAKE__S3__ENDPOINT": s3_endpoint,
        "PYICEBERG_CATALOG__LAKE__S3__ACCESS_KEY_ID": ACCESS_KEY,
        "PYICEBERG_CATALOG__LAKE__S3__SECRET_ACCESS_KEY": SECRET_KEY,
        "PYICEBERG_CATALOG__LAKE__S3__REGION": "us-east-1",
        "SETUP_TIMEOUT_SECONDS": "20",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def _s3(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )


def _catalog() -> Catalog:
    # pyiceberg's own load_catalog() reads the environment once, at import.
    return load_catalog("lake", **catalog_properties(SetupSettings()))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _outcomes(results: list[StepResult]) -> list[tuple[str, str]]:
    return [(r.resource, r.outcome) for r in results]


@pytest.mark.integration
def test_first_run_creates_bucket_namespace_and_table_second_run_changes_nothing(
    kafka_cluster: KafkaCluster,
    kafka_topic: str,
    lakehouse_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    s3_endpoint: str,
    bucket: str,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_cluster.bootstrap_servers)
    monkeypatch.setenv("TOPIC_BID_REQUESTS", kafka_topic)
    kafka_cluster.create_topic(f"{kafka_topic}.dlq", 6)

    first = run_setup(SetupSettings())
    second = run_setup(SetupSettings())

    assert _outcomes(first) == [
        ("topic", "exists"),
        ("topic", "exists"),
        ("bucket", "created"),
        ("namespace", "created"),
        ("table", "created"),
    ]
    assert [r.name for r in first[:2]] == [kafka_topic, f"{kafka_topic}.dlq"]
    assert first[0].details == first[1].details == {"partitions": 6}
    assert _outcomes(second) == [
        ("topic", "exists"),
        ("topic", "exists"),
        ("bucket", "exists"),
        ("namespace", "exists"),
        ("table", "exists"),
    ]
    catalog = _catalog()
    table = catalog.load_table(("db", "bid_requests"))
    assert table.schema().as_struct() == bid_request_layout().schema.as_struct()
    assert table.spec() == bid_request_layout().partition_spec
    assert table.metadata_location.startswith(f"s3://{bucket}/db/bid_requests/metadata/")
    keys = [o["Key"] for o in _s3(s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]]
    assert len(keys) == 1 and keys[0].startswith("db/bid_requests/metadata/")


@pytest.mark.integration
def test_topic_is_created_where_the_cluster_allows_it(
    kafka_cluster: KafkaCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"setup_test_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_cluster.bootstrap_servers)
    monkeypatch.setenv("TOPIC_BID_REQUESTS", name)
    monkeypatch.setenv("TOPIC_PARTITIONS", "3")
    monkeypatch.setenv("SETUP_TIMEOUT_SECONDS", "20")
    settings = SetupSettings()

    if kafka_cluster.embedded:
        # librdkafka's mock cluster has no controller and no CreateTopics API.
        with pytest.raises(SetupError, match=r"cannot create one; an embedded broker creates"):
            ensure_topic(settings)
        return
    (created,) = ensure_topic(settings)
    (again,) = ensure_topic(settings)
    assert (created.outcome, created.details["partitions"]) == ("created", 3)
    assert (again.outcome, again.details) == ("exists", {"partitions": 3})


@pytest.mark.integration
def test_dead_letter_topic_is_the_sinks_default_and_created_like_the_topic(
    kafka_cluster: KafkaCluster, kafka_topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iceberg_sink.settings import SinkSettings

    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_cluster.bootstrap_servers)
    monkeypatch.setenv("TOPIC_BID_REQUESTS", kafka_topic)
    monkeypatch.setenv("TOPIC_PARTITIONS", "3")
    monkeypatch.setenv("SETUP_TIMEOUT_SECONDS", "20")
    monkeypatch.delenv("ICEBERG_SINK_DLQ_TOPIC", raising=False)
    settings = SetupSettings()
    name = dead_letter_topic(settings.topic_bid_requests)
    # The topic iceberg-sink writes its dead letters to when ICEBERG_SINK_DLQ_TOPIC is unset.
    assert name == SinkSettings().dead_letter_topic == f"{kafka_topic}.dlq"

    if kafka_cluster.embedded:
        # Auto-creation is off in the stack; without the topic the setup must fail, naming it.
        expected = rf"no topic '{re.escape(name)}'.*--topic {re.escape(name)}:3\)"
        with pytest.raises(SetupError, match=expected):
            ensure_dead_letter_topic(settings)
        kafka_cluster.create_topic(name, 3)
        (found,) = ensure_dead_letter_topic(settings)
        assert (found.resource, found.name, found.outcome) == ("topic", name, "exists")
        assert found.details == {"partitions": 3}
        return
    (created,) = ensure_dead_letter_topic(settings)
    (again,) = ensure_dead_letter_topic(settings)
    assert (created.name, created.outcome, created.details["partitions"]) == (name, "created", 3)
    assert (again.outcome, again.details) == ("exists", {"partitions": 3})


@pytest.mark.integration
def test_an_existing_topic_with_other_partitions_is_reported_and_left_alone(
    kafka_cluster: KafkaCluster, kafka_topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_cluster.bootstrap_servers)
    monkeypatch.setenv("TOPIC_BID_REQUESTS", kafka_topic)
    monkeypatch.setenv("TOPIC_PARTITIONS", "12")

    (result,) = ensure_topic(SetupSettings())

    assert result.outcome == "exists"
    assert result.details["partitions"] == 6
    assert result.details["wanted_partitions"] == 12


def test_a_warehouse_on_local_files_needs_no_bucket(
    tmp_path: Path, lakehouse_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    monkeypatch.setenv("WAREHOUSE_BUCKET", "")
    monkeypatch.setenv("PYICEBERG_CATALOG__LAKE__WAREHOUSE", warehouse.as_uri())
    settings = SetupSettings()

    (bucket_step,) = ensure_bucket(settings)
    results = ensure_namespace_and_table(settings)

    assert bucket_step.outcome == "skipped"
    assert _outcomes(results) == [("namespace", "created"), ("table", "created")]
    assert list((warehouse / "db" / "bid_requests" / "metadata").glob("*.metadata.json"))


def test_a_table_gains_the_columns_the_models_added(lakehouse_env: dict[str, str]) -> None:
    layout = bid_request_layout()
    older = Schema(*[f for f in layout.schema.fields if f.name not in ("regs", "ext")])
    catalog = _catalog()
    ensure_bucket(SetupSettings())
    catalog.create_namespace("db")
    catalog.create_table(("db", "bid_requests"), schema=older)

    updated = ensure_namespace_and_table(SetupSettings())
    again = ensure_namespace_and_table(SetupSettings())

    assert _outcomes(updated) == [("namespace", "exists"), ("table", "updated")]
    added = str(updated[1].details["added"]).split(",")
    assert {"regs", "regs.gpp_sid", "ext"} <= set(added)
    assert _outcomes(again) == [("namespace", "exists"), ("table", "exists")]
    table = catalog.load_table(("db", "bid_requests"))
    assert set(table.schema().column_names) == set(layout.schema.column_names)
    # The new columns' JSON text is listed too, in the same commit.
    assert updated[1].details["set"] == JSON_TEXT_FIELDS_PROPERTY
    assert parse_json_text_fields(table.properties) == layout.json_column_paths
    assert len(table.metadata.metadata_log) == 1


def test_the_table_states_which_columns_hold_json_text(lakehouse_env: dict[str, str]) -> None:
    ensure_bucket(SetupSettings())
    ensure_namespace_and_table(SetupSettings())

    table = _catalog().load_table(("db", "bid_requests"))
    listed = parse_json_text_fields(table.properties)
    assert listed == bid_request_layout().json_column_paths
    assert {"ext", "imp.element.ext", "user.eids.element.uids.element.ext"} <= set(listed)
    assert all(str(table.schema().find_type(path)) == "string" for path in listed)
    assert table.metadata.format_version == 2


def test_a_table_without_the_property_gets_it_and_keeps_what_it_listed(
    lakehouse_env: dict[str, str],
) -> None:
    layout = bid_request_layout()
    catalog = _catalog()
    ensure_bucket(SetupSettings())
    catalog.create_namespace("db")
    catalog.create_table(("db", "bid_requests"), schema=layout.schema)

    (_, updated) = ensure_namespace_and_table(SetupSettings())

    assert (updated.outcome, updated.details) == ("updated", {"set": JSON_TEXT_FIELDS_PROPERTY})
    table = catalog.load_table(("db", "bid_requests"))
    assert parse_json_text_fields(table.properties) == layout.json_column_paths
    # A column listed earlier that the models do not list keeps its place (the setup never drops
    # columns, so old data stays readable); a path the table has no column for does not.
    with table.transaction() as transaction:
        transaction.set_properties({JSON_TEXT_FIELDS_PROPERTY: "site.name,gone.ext,ext"})
    (_, again) = ensure_namespace_and_table(SetupSettings())
    assert again.outcome == "updated"
    listed = parse_json_text_fields(catalog.load_table(("db", "bid_requests")).properties)
    assert listed == (*layout.json_column_paths, "site.name")


@pytest.mark.parametrize("service", ["kafka", "s3", "catalog"])
def test_a_service_that_does_not_answer_fails_within_the_timeout_naming_it(
    service: str, lakehouse_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    address = f"127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("SETUP_TIMEOUT_SECONDS", "1.5")
    step = {"kafka": ensure_topic, "s3": ensure_bucket, "catalog": ensure_namespace_and_table}
    expected = {
        "kafka": f"Kafka at {address} did not answer within 1.5s",
        "s3": f"S3 at http://{address} did not answer within 1.5s",
        "catalog": f"Iceberg catalog 'lake' at http://{address} did not answer within 1.5s",
    }
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", address)
    monkeypatch.setenv("S3_ENDPOINT", f"http://{address}")
    monkeypatch.setenv("PYICEBERG_CATALOG__LAKE__TYPE", "rest")
    monkeypatch.setenv("PYICEBERG_CATALOG__LAKE__URI", f"http://{address}")

    started = time.monotonic()
    with pytest.raises(SetupError) as raised:
        step[service](SetupSettings())

    assert str(raised.value).startswith(expected[service])
    assert time.monotonic() - started < 10


# --- the command ---------------------------------------------------------------------------


def _setup_command(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "setup"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.integration
def test_command_creates_then_reports_existing_resources(
    kafka_cluster: KafkaCluster, kafka_topic: str, lakehouse_env: dict[str, str]
) -> None:
    env = {
        **lakehouse_env,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_cluster.bootstrap_servers,
        "TOPIC_BID_REQUESTS": kafka_topic,
    }
    kafka_cluster.create_topic(f"{kafka_topic}.dlq", 6)

    first = _setup_command(env)
    second = _setup_command(env)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    for resource in ("bucket", "namespace", "table"):
        assert f"event=setup_step resource={resource}" in first.stderr
    assert f"resource=topic name={kafka_topic}.dlq result=exists" in first.stderr
    assert first.stderr.count("result=created") == 3
    assert second.stderr.count("result=exists") == 5
    assert "result=created" not in second.stderr
    assert "event=setup_done" in second.stderr


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"TOPIC_PARTITIONS": "0"}, 2, "TOPIC_PARTITIONS='0'"),
        ({"ICEBERG_CATALOG": "missing"}, 2, "no Iceberg catalog named 'missing' is configured"),
        ({"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:{closed}"}, 1, "did not answer within 1s"),
    ],
)
def test_command_exit_codes(
    change: dict[str, str], code: int, message: str, lakehouse_env: dict[str, str]
) -> None:
    env = {**lakehouse_env, "SETUP_TIMEOUT_SECONDS": "1"}
    env.update({k: v.format(closed=_closed_port()) for k, v in change.items()})
    if "KAFKA_BOOTSTRAP_SERVERS" not in change:
        env["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{_closed_port()}"

    result = _setup_command(env)

    assert result.returncode == code, result.stderr
    assert "event=setup_failed" in result.stderr
    assert message in result.stderr


# --- KAFKA_EXTRA_CONFIG -------------------------------------------------------------------------

SASL = "security.protocol=SASL_PLAINTEXT,sasl.mechanism=PLAIN,sasl.username=ops,sasl.password="


@pytest.mark.integration
def test_the_admin_client_uses_the_extra_kafka_properties(
    kafka_cluster: KafkaCluster, kafka_topic: str, lakehouse_env: dict[str, str]
) -> None:
    # The embedded cluster speaks plaintext only: a client that asks for SASL never gets through,
    # which shows the properties reach the admin client (without them, setup would succeed).
    env = {
        **lakehouse_env,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_cluster.bootstrap_servers,
        "TOPIC_BID_REQUESTS": kafka_topic,
        "KAFKA_EXTRA_CONFIG": SASL + "hunter2-secret",
        "SETUP_TIMEOUT_SECONDS": "2",
    }

    result = _setup_command(env)

    assert result.returncode == 1, result.stderr
    assert f"Kafka at {kafka_cluster.bootstrap_servers} did not answer within 2s" in result.stderr
    assert "hunter2-secret" not in result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("sasl.password", "KAFKA_EXTRA_CONFIG='sasl.password'"),
        ("bootstrap.servers=elsewhere:9092", "bootstrap.servers is set by KAFKA_BOOTSTRAP_SERVERS"),
        (
            "security.protocol=carrier-pigeon,sasl.password=hunter2-secret",
            "KAFKA_EXTRA_CONFIG='security.protocol,sasl.password' is not accepted by the Kafka "
            "client",
        ),
    ],
)
def test_extra_kafka_properties_that_cannot_work_are_a_configuration_error(
    extra: str, message: str, lakehouse_env: dict[str, str]
) -> None:
    env = {
        **lakehouse_env,
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{_closed_port()}",
        "KAFKA_EXTRA_CONFIG": extra,
        "SETUP_TIMEOUT_SECONDS": "1",
    }

    result = _setup_command(env)

    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "hunter2-secret" not in result.stderr
