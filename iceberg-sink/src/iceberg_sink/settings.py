"""Configuration of ``iceberg-sink run``: one settings class, read from the environment.

The catalog itself is configured the pyiceberg way (``PYICEBERG_CATALOG__<NAME>__URI`` and friends,
or ``~/.pyiceberg.yaml``); ``ICEBERG_CATALOG`` only names which catalog to load. The settings it
shares with the generator and the setup (Kafka, topic, catalog, namespace and table, metrics port,
logging) are the platform's own types, so each means the same wherever it is read.
"""

from __future__ import annotations

from typing import Any, Literal

from platform_common.kafka_config import parse_extra_config
from platform_common.settings import (
    DEFAULT_BOOTSTRAP_SERVERS,
    DEFAULT_METRICS_HOST,
    DEFAULT_TOPIC,
    BootstrapServers,
    IcebergTableSettings,
    LogFormat,
    LogLevel,
    MetricsHost,
    MetricsPort,
    TopicName,
    dead_letter_topic,
    describe_settings,
)
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import SettingsConfigDict

# Properties the sink sets itself because exactly-once depends on them.
_RESERVED_PROPERTIES = dict.fromkeys(
    (
        "bootstrap.servers",
        "group.id",
        "group.instance.id",
        "enable.auto.commit",
        "enable.auto.offset.store",
        "auto.offset.reset",
        "isolation.level",
        "session.timeout.ms",
    ),
    "is set by the sink itself",
)


# What to do with a partition whose offset in the table is past the end of its log.
OnOffsetGap = Literal["fail", "from-log-start"]


class ConfigError(ValueError):
    """The environment holds a setting the sink cannot use; the message names it."""


def _env(*names: str) -> Any:
    return AliasChoices(*names)


class SinkSettings(IcebergTableSettings):
    """Settings of ``iceberg-sink run``; each field documents its environment variable.

    ``ICEBERG_CATALOG``, ``ICEBERG_NAMESPACE`` and ``ICEBERG_TABLE`` come first, from the table
    settings that ``mock-data-gen setup`` reads too: the table they name must exist.
    """

    model_config = SettingsConfigDict(
        case_sensitive=False, env_ignore_empty=True, extra="ignore", frozen=True
    )

    kafka_bootstrap_servers: BootstrapServers = Field(
        DEFAULT_BOOTSTRAP_SERVERS, validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS")
    )
    topic: TopicName = Field(DEFAULT_TOPIC, validation_alias=_env("TOPIC_BID_REQUESTS"))
    group_id: str = Field("iceberg-sink", min_length=1, validation_alias=_env("ICEBERG_SINK_GROUP"))
    # A dead-letter topic name; empty means "<topic>.dlq".
    dlq_topic: TopicName | None = Field(None, validation_alias=_env("ICEBERG_SINK_DLQ_TOPIC"))
    commit_interval_seconds: float = Field(
        10.0,
        gt=0,
        allow_inf_nan=False,
        validation_alias=_env("COMMIT_INTERVAL_SECONDS", "ICEBERG_SINK_COMMIT_INTERVAL_SECONDS"),
    )
    batch_max_records: int = Field(
        500_000, ge=1, validation_alias=_env("ICEBERG_SINK_BATCH_MAX_RECORDS")
    )
    batch_max_bytes: int = Field(
        256 * 1024 * 1024, ge=1024, validation_alias=_env("ICEBERG_SINK_BATCH_MAX_BYTES")
    )
    session_timeout_ms: int = Field(
        45_000, ge=1_000, le=3_600_000, validation_alias=_env("ICEBERG_SINK_SESSION_TIMEOUT_MS")
    )
    instance_id: str | None = Field(None, validation_alias=_env("ICEBERG_SINK_INSTANCE_ID"))
    kafka_extra_config: SecretStr = Field(
        SecretStr(""), validation_alias=_env("KAFKA_EXTRA_CONFIG")
    )
    retry_backoff_max_seconds: float = Field(
        30.0, gt=0, allow_inf_nan=False, validation_alias=_env("ICEBERG_SINK_RETRY_BACKOFF_MAX")
    )
    shutdown_timeout_seconds: float = Field(
        30.0, gt=0, allow_inf_nan=False, validation_alias=_env("ICEBERG_SINK_SHUTDOWN_TIMEOUT")
    )
    # A partition's offset in the table past the end of its log (topic recreated or truncated):
    # stop (exit 3), or start that partition from its log start.
    on_offset_gap: OnOffsetGap = Field("fail", validation_alias=_env("ICEBERG_SINK_ON_OFFSET_GAP"))
    # /healthz answers 503 once a sealed batch has waited this long for its commit.
    unhealthy_after_seconds: float = Field(
        120.0,
        gt=0,
        allow_inf_nan=False,
        validation_alias=_env("ICEBERG_SINK_UNHEALTHY_AFTER_SECONDS"),
    )
    metrics_port: MetricsPort = Field(8001, validation_alias=_env("METRICS_PORT"))
    metrics_host: MetricsHost = Field(DEFAULT_METRICS_HOST, validation_alias=_env("METRICS_HOST"))
    log_level: LogLevel = Field("INFO", validation_alias=_env("LOG_LEVEL"))
    log_format: LogFormat = Field("text", validation_alias=_env("LOG_FORMAT"))
    # Fault-injection hook for tests: sleep this long between writing a batch's data files and
    # committing them, so a test can kill the sink exactly in that window. Keep 0 in production.
    pause_before_commit_seconds: float = Field(
        0.0,
        ge=0,
        allow_inf_nan=False,
        validation_alias=_env("ICEBERG_SINK_TEST_PAUSE_BEFORE_COMMIT"),
    )

    @field_validator("on_offset_gap", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("kafka_extra_config")
    @classmethod
    def _extra_config(cls, value: SecretStr) -> SecretStr:
        parse_extra_config(value.get_secret_value(), _RESERVED_PROPERTIES)
        return value

    @property
    def dead_letter_topic(self) -> str:
        return self.dlq_topic or dead_letter_topic(self.topic)

    def kafka_properties(self) -> dict[str, str]:
        """Additional librdkafka properties from ``KAFKA_EXTRA_CONFIG`` (e.g. SASL, TLS)."""
        return parse_extra_config(self.kafka_extra_config.get_secret_value(), _RESERVED_PROPERTIES)

    def describe(self) -> dict[str, str]:
        """Every setting by environment name, secrets masked, for the start-up log line."""
        return describe_settings(self, self.kafka_properties())


def load_settings() -> SinkSettings:
    """Read the settings from the environment; raises ``ConfigError`` naming each bad variable."""
    try:
        return SinkSettings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            if not error["loc"]:
                # A check across settings, whose message names each of them.
                problems.append(str(error.get("ctx", {}).get("error", error["msg"])))
                continue
            problems.append(f"{str(error['loc'][0]).upper()}: {error['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
