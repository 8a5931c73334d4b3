"""The configurations of every Kafka client the generator's commands create, built in one place.

The producer of ``run``, the admin client of ``setup`` and the reader of ``consume`` connect the
same way: ``KAFKA_BOOTSTRAP_SERVERS`` plus the properties of ``KAFKA_EXTRA_CONFIG`` (SASL, TLS,
...), so a cluster that asks for credentials is reachable by each of them. Each adds what its role
needs; the extra properties come last, and the settings refuse the keys a guarantee depends on.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from platform_common.kafka_config import mask_extra_config

from mock_data_gen import __version__
from mock_data_gen.settings import ConfigError

if TYPE_CHECKING:
    from mock_data_gen.settings import Settings

QUEUE_MAX_KBYTES = 64 * 1024
STATISTICS_INTERVAL_MS = 1000
# What KAFKA_EXTRA_CONFIG may not set for the commands that only connect (setup, consume).
CONNECTION_RESERVED = {"bootstrap.servers": "is set by KAFKA_BOOTSTRAP_SERVERS"}
# Required by librdkafka's consumer; ``consume`` assigns partitions itself and commits nothing, so
# the group is never joined.
_READER_GROUP = "mock-data-gen-consume"


def producer_config(settings: Settings) -> dict[str, Any]:
    """librdkafka properties of the service's producer; ``KAFKA_EXTRA_CONFIG`` comes last."""
    return {
        "bootstrap.servers": settings.kafka_bootstrap_servers,
        "client.id": f"mock-data-gen/{__version__}",
        "enable.idempotence": True,
        "acks": "all",
        "message.timeout.ms": 0,
        "compression.type": settings.kafka_compression,
        "queue.buffering.max.messages": settings.kafka_queue_max_messages,
        "queue.buffering.max.kbytes": QUEUE_MAX_KBYTES,
        "linger.ms": 5,
        # A single generator reconnects sooner than librdkafka's 10 s default after an outage.
        "reconnect.backoff.max.ms": 2000,
        # Brokers close idle connections; librdkafka reconnects when needed, so that is no news.
        "log.connection.close": False,
        "statistics.interval.ms": STATISTICS_INTERVAL_MS,
        **settings.producer_properties(),
    }


def admin_config(bootstrap_servers: str, extra: dict[str, str]) -> dict[str, Any]:
    """The admin client of ``setup``: it lists and creates topics."""
    return {
        "bootstrap.servers": bootstrap_servers,
        "client.id": f"mock-data-gen-setup/{__version__}",
        # Connection errors surface through the calls made; librdkafka's log would repeat them.
        "log_level": 0,
        **extra,
    }


def reader_config(bootstrap_servers: str, extra: dict[str, str]) -> dict[str, Any]:
    """The consumer of ``consume``: it reads partitions from their start and commits nothing."""
    return {
        "bootstrap.servers": bootstrap_servers,
        "client.id": f"mock-data-gen-consume/{__version__}",
        "group.id": _READER_GROUP,
        "enable.auto.commit": False,
        "log_level": 0,
        **extra,
    }


def check_producer_config(settings: Settings) -> None:
    """Build a producer from the settings without connecting; raises ``ConfigError`` if the
    Kafka client refuses them (unknown property, bad value, a SASL mechanism it lacks)."""
    from confluent_kafka import Producer

    config = producer_config(settings)
    # Without bootstrap servers the client has nothing to connect to; its warning about that
    # goes nowhere.
    del config["bootstrap.servers"]
    silent = logging.getLogger("mock_data_gen.kafka_clients.config_check")
    silent.propagate = False
    silent.addHandler(logging.NullHandler())
    build_client(Producer, {**config, "logger": silent}, settings.producer_properties())


def build_client(client_class: type[Any], config: dict[str, Any], extra: dict[str, str]) -> Any:
    """``client_class(config)``; a property the Kafka client refuses raises ``ConfigError`` with
    librdkafka's reason, the values of secret-looking extra properties masked."""
    from confluent_kafka import KafkaException

    try:
        return client_class(config)
    except KafkaException as exc:
        reason = exc.args[0].str() if exc.args else str(exc)
        for key, value in extra.items():
            if value and mask_extra_config({key: value}) != f"{key}={value}":
                reason = reason.replace(value, "***")
        raise ConfigError(reason) from None


def refused_extra_config(
    exc: ConfigError, extra: dict[str, str], where: str = "KAFKA_EXTRA_CONFIG"
) -> str:
    """The message for properties the Kafka client refused: where they were set, their keys
    (values may be passwords) and librdkafka's reason."""
    from confluent_kafka import libversion

    if not extra:
        return f"the Kafka client refuses its settings: {exc}"
    return (
        f"{where}={','.join(extra)!r} is not accepted by the Kafka client "
        f"(librdkafka {libversion()[0]}): {exc}"
    )
