"""``lake verify`` against a real topic (embedded cluster) and real tables (local files and S3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from confluent_kafka import Producer
from conftest import Filled, LakeRunner, S3Server, local_lakehouse
from kafka_testkit import KafkaCluster
from lakehouse import Lakehouse, Record, append, generate

from lake_tools.exit_codes import EXIT_FAILURE, EXIT_NO_TOPIC, EXIT_OK

pytestmark = pytest.mark.integration
Lake = Callable[[Lakehouse], LakeRunner]


def _produce(cluster: KafkaCluster, topic: str, records: list[Record]) -> None:
    """Each record to its partition, in order, so the topic's offsets are the records' own."""
    cluster.create_topic(topic, 3)
    producer = Producer({"bootstrap.servers": cluster.bootstrap_servers, "linger.ms": 5})
    for record in records:
        producer.produce(topic, b"{}", partition=record.partition)
    assert producer.flush(30) == 0


def _check(lakehouse: Lakehouse, lake: Lake, cluster: KafkaCluster, topic: str) -> None:
    records = generate(45, partitions=3, rate=1.0)
    _produce(cluster, topic, records)
    run = lake(lakehouse)
    env = {"KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap_servers}

    # A clean table: two commits' worth, each record once.
    clean = lakehouse.create_bid_request_table("db.clean")
    clean = append(clean, records[:20], topic=topic)
    append(clean, records[20:], topic=topic)
    passed = run("verify", "--topic", topic, ICEBERG_TABLE="db.clean", **env)
    assert passed.code == EXIT_OK, passed.out + passed.err
    assert "verdict: exactly once" in passed.out
    assert "each of the 45 records" in passed.out

    # The same table with one record written again.
    duplicated = records[7]
    append(lakehouse.table("db.clean"), [duplicated], topic=topic)
    failed = run("verify", "--topic", topic, ICEBERG_TABLE="db.clean", **env)
    assert failed.code == EXIT_FAILURE
    assert (
        f"partition {duplicated.partition}: offset {duplicated.offset} is in the table 2 times"
        in failed.out
    )
    assert "1 duplicate rows, 0 retained records missing" in failed.out

    # A table without one record.
    lost = records[10]
    holey = lakehouse.create_bid_request_table("db.holey")
    append(holey, [r for r in records if r is not lost], topic=topic)
    missing = run("verify", "--topic", topic, ICEBERG_TABLE="db.holey", **env)
    assert missing.code == EXIT_FAILURE
    assert (
        f"partition {lost.partition}: 1 retained records missing, offsets {lost.offset}"
        in missing.out
    )


def test_verify_on_a_local_table(
    tmp_path: Path, lake: Lake, kafka_cluster: KafkaCluster, kafka_topic: str
) -> None:
    _check(local_lakehouse(tmp_path), lake, kafka_cluster, f"{kafka_topic}-v")


def test_verify_on_an_s3_table(
    tmp_path: Path,
    lake: Lake,
    kafka_cluster: KafkaCluster,
    kafka_topic: str,
    s3_server: S3Server,
) -> None:
    lakehouse = Lakehouse(
        f"sqlite:///{tmp_path / 'catalog.db'}",
        f"s3://warehouse/verify-{tmp_path.name}/",
        s3_endpoint=s3_server.endpoint,
    )
    _check(lakehouse, lake, kafka_cluster, f"{kafka_topic}-v")


def test_a_missing_topic_exits_3_naming_it(
    filled_local: Filled, lake: Lake, kafka_cluster: KafkaCluster
) -> None:
    run = lake(filled_local.lakehouse)(
        "verify",
        "--topic",
        "no_such_topic",
        "--timeout",
        "5",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
    )

    assert run.code == EXIT_NO_TOPIC
    assert "topic 'no_such_topic' does not exist" in run.err
