"""The embedded Kafka cluster of ``run-local.sh --embedded`` (``mock-data-gen broker``, in memory on
127.0.0.1) and what scripts/local_run.py reads of a cluster's topics: their partitions and each
partition's offsets, asked of the brokers with confluent-kafka.
"""

from __future__ import annotations

import os
import sys

from local_processes import Child, Failure, Supervisor, say, wait_until
from local_settings import Config

BROKER_START_SECONDS = 10.0


def topic_partitions(bootstrap: str) -> dict[str, int]:
    """Each topic of the cluster and its number of partitions."""
    from confluent_kafka.admin import AdminClient

    try:
        metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10)
    except Exception as exc:
        raise Failure(f"could not list the topics of Kafka at {bootstrap}: {exc}") from None
    return {name: len(topic.partitions) for name, topic in metadata.topics.items()}


Offsets = dict[int, tuple[int, int]]  # partition -> (first offset, next offset)


def topic_offsets(bootstrap: str, topic: str) -> Offsets:
    """Each partition of ``topic`` with its first and next offset, asked of its brokers."""
    from confluent_kafka import Consumer, TopicPartition

    # The client needs a group id; nothing joins the group or commits to it.
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "run-local", "log_level": 0})
    try:
        partitions = sorted(consumer.list_topics(topic, timeout=10).topics[topic].partitions)
        offsets: Offsets = {}
        for partition in partitions:
            tp = TopicPartition(topic, partition)
            low, high = consumer.get_watermark_offsets(tp, timeout=10)
            offsets[partition] = (int(low), int(high))
        return offsets
    except Exception as exc:
        raise Failure(f"could not read the offsets of {topic!r} at {bootstrap}: {exc}") from None
    finally:
        consumer.close()


def start_cluster(run: Supervisor, config: Config) -> Child:
    """Start the embedded cluster with the topic and its dead-letter topic (and, with FUNNEL=full,
    the funnel's), wait for its address, put it in KAFKA_BOOTSTRAP_SERVERS and check the topics."""
    config.bootstrap_file.unlink(missing_ok=True)
    # With FUNNEL=full the generator writes the funnel's topics too; the embedded cluster
    # cannot create topics once it runs, so it starts with them (as `setup` would create them).
    funnel: list[str] = []
    for event in config.funnel:
        for topic in (event.topic, event.dead_letter_topic):
            funnel += ["--topic", f"{topic}:{config.partitions}"]
    broker = run.start(
        "the embedded Kafka cluster",
        "broker",
        "--port",
        str(config.port),
        "--topic",
        f"{config.topic}:{config.partitions}",
        "--topic",
        f"{config.dead_letter_topic}:{config.partitions}",
        *funnel,
        "--bootstrap-file",
        str(config.bootstrap_file),
        log=config.broker_log,
        stop_rank=3,
    )

    def has_address() -> bool:
        return config.bootstrap_file.exists() and config.bootstrap_file.stat().st_size > 0

    started = wait_until(
        lambda: has_address() or not broker.running,
        seconds=BROKER_START_SECONDS,
        waiting_for="the embedded Kafka cluster to start",
        signals=run.signals,
    )
    if not broker.running:
        sys.stderr.write(config.broker_log.read_text(errors="replace"))
        raise Failure(
            f"the embedded Kafka cluster did not start (is port {config.port} in use, e.g. by "
            "the Docker stack? set EMBEDDED_KAFKA_PORT)"
        )
    if not started:
        raise Failure(
            f"the embedded Kafka cluster gave no address within {BROKER_START_SECONDS:g} s; "
            f"see {config.broker_log}"
        )
    bootstrap = config.bootstrap_file.read_text().split()[0]
    os.environ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
    found = topic_partitions(bootstrap)
    funnel_topics = [t for event in config.funnel for t in (event.topic, event.dead_letter_topic)]
    for topic in (config.topic, config.dead_letter_topic, *funnel_topics):
        if found.get(topic) != config.partitions:
            raise Failure(
                f"the embedded Kafka cluster at {bootstrap} has no topic {topic!r} with "
                f"{config.partitions} partitions; see {config.broker_log}"
            )
    say(
        f"embedded Kafka at {bootstrap} (in memory; address in {config.bootstrap_file}, "
        f"log in {config.broker_log})"
    )
    return broker
