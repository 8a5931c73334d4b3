"""``lake verify`` against a real topic (embedded cluster) and real tables (local files and S3),
the funnel's topics too, each against its own table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from confluent_kafka import Producer
from conftest import Filled, LakeRunner, S3Server, local_lakehouse
from funnel_lakehouse import TOPICS, Funnel, fill_funnel_tables, simulate
from kafka_testkit import KafkaCluster
from lakehouse import Lakehouse, Record, append, generate

from lake_tools.exit_codes import EXIT_FAILURE, EXIT_NO_TOPIC, EXIT_OK, EXIT_USAGE

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


def test_verify_audits_each_funnel_topic_against_the_table_named_like_it(
    tmp_path: Path, lake: Lake, kafka_cluster: KafkaCluster, kafka_topic: str
) -> None:
    lakehouse = local_lakehouse(tmp_path)
    requests = generate(30, partitions=3, rate=1.0)
    funnel = simulate(requests)
    request_topic = f"{kafka_topic}-requests"
    topics = {kind: f"{kafka_topic}-{topic}" for kind, topic in TOPICS.items()}
    _produce(kafka_cluster, request_topic, requests)
    append(lakehouse.create_bid_request_table(), requests, topic=request_topic)
    for kind, records in funnel.events.items():
        _produce(kafka_cluster, topics[kind], records)
    fill_funnel_tables(lakehouse, funnel, topics)
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_cluster.bootstrap_servers,
        "TOPIC_BID_REQUESTS": request_topic,
        "TOPIC_BID_RESPONSES": topics["bid_response"],
        "TOPIC_WINS": topics["win"],
        "TOPIC_IMPRESSIONS": topics["impression"],
        "TOPIC_CLICKS": topics["click"],
    }
    run = lake(lakehouse)
    every = [request_topic, *topics.values()]

    passed = run("verify", *(arg for topic in every for arg in ("--topic", topic)), **env)

    assert passed.code == EXIT_OK, passed.out + passed.err
    verdicts = [line for line in passed.out.splitlines() if line.startswith("verdict:")]
    assert len(verdicts) == 5 and all("exactly once" in line for line in verdicts)
    assert f"table db.bid_requests holds each of the {len(requests)} records" in verdicts[0]
    wins = funnel.events["win"]
    assert f"table db.{topics['win']} holds each of the {len(wins)} records" in passed.out
    # Each funnel table's offsets were committed by a group of its own (iceberg-sink-<table>, as
    # in the Docker stack), not ICEBERG_SINK_GROUP's: shown all the same.
    rows = [line.split() for line in passed.out.splitlines() if line.strip()[:1].isdigit()]
    landed = [row for row in rows if row[3] != "0"]  # partition, log start, log end, rows, ...
    assert len(rows) == 5 * 3 and len(landed) >= 4 * 3, passed.out
    assert all(row[-1] == row[2] for row in landed), passed.out

    # A wins table without one win, beside the whole request table: one verdict fails, and so
    # does the command.
    holey = f"{kafka_topic}-wins-holey"
    _produce(kafka_cluster, holey, wins)
    fill_funnel_tables(lakehouse, Funnel({"win": wins[1:]}), {"win": holey})
    failed = run(
        "verify", "--topic", request_topic, "--topic", holey, **{**env, "TOPIC_WINS": holey}
    )

    assert failed.code == EXIT_FAILURE
    first, second = [line for line in failed.out.splitlines() if line.startswith("verdict:")]
    assert "exactly once" in first and "NOT exactly once" not in first
    assert f"NOT exactly once: table db.{holey} against topic {holey}" in second
    assert f"partition {wins[0].partition}: 1 retained records missing" in failed.out

    # One dead-letter topic cannot be the dead-letter topic of two.
    refused = run(
        "verify", "--topic", request_topic, "--topic", holey, "--dlq-topic", "x.dlq", **env
    )
    assert refused.code == EXIT_USAGE
