"""The offsets a Kafka topic retains, per partition, with the platform's Kafka settings."""

from __future__ import annotations

from typing import Any

from lake_tools.coverage import Range
from lake_tools.settings import LakeSettings


class TopicUnavailable(Exception):
    """Kafka did not answer, or the topic does not exist (exit code 3)."""


def retained_offsets(settings: LakeSettings, topic: str, timeout: float) -> dict[int, Range]:
    """Partition -> [log start, log end) of ``topic``: the records it holds now."""
    from confluent_kafka import Consumer, KafkaException, TopicPartition
    from platform_common.kafka_logs import kafka_logger

    config: dict[str, Any] = {
        **settings.kafka_properties(),
        "bootstrap.servers": settings.kafka_bootstrap_servers,
        # librdkafka's own lines in the command's log format, repeats once a minute.
        "logger": kafka_logger,
        # Watermarks need a consumer handle, not a group: nothing is joined or committed.
        "group.id": "lake-verify",
        "enable.auto.commit": False,
    }
    try:
        consumer = Consumer(config)
    except KafkaException as exc:
        raise TopicUnavailable(f"KAFKA_EXTRA_CONFIG: the Kafka client refuses it: {exc}") from None
    try:
        metadata = consumer.list_topics(topic, timeout=timeout)
        found = metadata.topics.get(topic)
        if found is None or found.error is not None or not found.partitions:
            raise TopicUnavailable(
                f"topic {topic!r} does not exist on {settings.kafka_bootstrap_servers} "
                "(--topic, TOPIC_BID_REQUESTS)"
            )
        return {
            partition: consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=timeout, cached=False
            )
            for partition in sorted(found.partitions)
        }
    except KafkaException as exc:
        raise TopicUnavailable(
            f"Kafka at {settings.kafka_bootstrap_servers} did not answer for topic {topic!r} "
            f"within {timeout:g} s ({exc.args[0]}); KAFKA_BOOTSTRAP_SERVERS, KAFKA_EXTRA_CONFIG"
        ) from None
    finally:
        consumer.close()
