"""Configuration of the ``lake`` command: one settings class, read from the environment.

The catalog is configured the pyiceberg way (``PYICEBERG_CATALOG__<NAME>__URI`` and friends, or
``~/.pyiceberg.yaml``); ``ICEBERG_CATALOG``, ``ICEBERG_NAMESPACE`` and ``ICEBERG_TABLE`` name the
table as they do for the sink, with the platform's own types, so each means the same everywhere.
"""

from __future__ import annotations

import re
from typing import Any

from platform_common.kafka_config import parse_extra_config
from platform_common.settings import (
    DEFAULT_BOOTSTRAP_SERVERS,
    DEFAULT_TOPIC,
    BootstrapServers,
    IcebergTableSettings,
    LogFormat,
    LogLevel,
    TopicName,
    topic_table_name,
)
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import SettingsConfigDict

# Properties the audit's consumer sets itself: it only asks for watermarks, never joins a group.
_RESERVED_PROPERTIES = dict.fromkeys(
    ("bootstrap.servers", "group.id", "enable.auto.commit"), "is set by lake itself"
)
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
_RATE = re.compile(r"^[A-Z]{3}=\d+(\.\d+)?$")


class ConfigError(ValueError):
    """The environment holds a setting ``lake`` cannot use; the message names it."""


def _env(*names: str) -> Any:
    return AliasChoices(*names)


class LakeSettings(IcebergTableSettings):
    """Settings of every ``lake`` command; each field documents its environment variable."""

    model_config = SettingsConfigDict(
        case_sensitive=False, env_ignore_empty=True, extra="ignore", frozen=True
    )

    kafka_bootstrap_servers: BootstrapServers = Field(
        DEFAULT_BOOTSTRAP_SERVERS, validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS")
    )
    # The topic `lake verify` compares the table with (its --topic wins).
    topic: TopicName = Field(DEFAULT_TOPIC, validation_alias=_env("TOPIC_BID_REQUESTS"))
    # The auction funnel's topics (FUNNEL=full), named as the generator names them: `setup` names
    # each funnel table like its topic (topic_table_name: dots made underscores), in the request
    # table's namespace, so these name the tables `lake query` reads as funnel_* and the table
    # `lake verify --topic` audits for each topic.
    topic_bid_responses: TopicName = Field(
        "bid_responses", validation_alias=_env("TOPIC_BID_RESPONSES")
    )
    topic_wins: TopicName = Field("wins", validation_alias=_env("TOPIC_WINS"))
    topic_impressions: TopicName = Field("impressions", validation_alias=_env("TOPIC_IMPRESSIONS"))
    topic_clicks: TopicName = Field("clicks", validation_alias=_env("TOPIC_CLICKS"))
    # The sink's dead-letter topic `lake verify` reads (its --dlq-topic wins); empty: <topic>.dlq,
    # as for the sink.
    dlq_topic: TopicName | None = Field(None, validation_alias=_env("ICEBERG_SINK_DLQ_TOPIC"))
    # The sink's consumer group: names the offsets committed in the table (kafka.offsets.<group>).
    group_id: str = Field("iceberg-sink", min_length=1, validation_alias=_env("ICEBERG_SINK_GROUP"))
    kafka_extra_config: SecretStr = Field(
        SecretStr(""), validation_alias=_env("KAFKA_EXTRA_CONFIG")
    )
    # DuckDB spills to disk beyond this; it bounds the memory of queries over any number of rows.
    duckdb_memory_limit: str = Field("1GB", validation_alias=_env("LAKE_DUCKDB_MEMORY_LIMIT"))
    # US dollars per unit of other currencies, for floors in USD: CUR=rate,CUR=rate, merged over
    # the built-in reference rates (lake_tools.views).
    usd_rates: str = Field("", validation_alias=_env("LAKE_USD_RATES"))
    log_level: LogLevel = Field("INFO", validation_alias=_env("LOG_LEVEL"))
    log_format: LogFormat = Field("text", validation_alias=_env("LOG_FORMAT"))

    @field_validator("kafka_extra_config")
    @classmethod
    def _extra_config(cls, value: SecretStr) -> SecretStr:
        parse_extra_config(value.get_secret_value(), _RESERVED_PROPERTIES)
        return value

    @field_validator("duckdb_memory_limit")
    @classmethod
    def _memory(cls, value: str) -> str:
        if not _MEMORY.match(value.strip()):
            raise ValueError(f"{value!r} is not a size such as 512MB or 2GB")
        return value.strip()

    @field_validator("usd_rates")
    @classmethod
    def _rates(cls, value: str) -> str:
        for entry in filter(None, (part.strip() for part in value.split(","))):
            if not _RATE.match(entry):
                raise ValueError(f"entry {entry!r} is not CUR=rate (e.g. EUR=1.09)")
        return value

    def funnel_topics(self) -> dict[str, str]:
        """The topic of each funnel event type (``bid_response``, ``win``, ``impression``,
        ``click``), as ``mock-data-gen run`` writes them."""
        return {
            "bid_response": self.topic_bid_responses,
            "win": self.topic_wins,
            "impression": self.topic_impressions,
            "click": self.topic_clicks,
        }

    def table_for_topic(self, topic: str) -> tuple[str, str]:
        """The table that lands ``topic``: a funnel topic's own table (named like it by
        ``topic_table_name``, in the request table's namespace, as ``setup`` creates it), else
        ``ICEBERG_TABLE``."""
        if topic != self.topic and topic in self.funnel_topics().values():
            return (self.table_identifier[0], topic_table_name(topic))
        return self.table_identifier

    def kafka_properties(self) -> dict[str, str]:
        """Additional librdkafka properties from ``KAFKA_EXTRA_CONFIG`` (e.g. SASL, TLS)."""
        return parse_extra_config(self.kafka_extra_config.get_secret_value(), _RESERVED_PROPERTIES)

    def rate_overrides(self) -> dict[str, float]:
        """``LAKE_USD_RATES`` as currency -> US dollars per unit."""
        pairs = (entry.split("=") for entry in self.usd_rates.split(",") if entry.strip())
        return {currency.strip(): float(rate) for currency, rate in pairs}


def load_settings() -> LakeSettings:
    """Read the settings from the environment; raises ``ConfigError`` naming each bad variable."""
    try:
        return LakeSettings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            if not error["loc"]:
                # A check across settings, whose message names each of them.
                problems.append(str(error.get("ctx", {}).get("error", error["msg"])))
                continue
            field = LakeSettings.model_fields.get(str(error["loc"][0]))
            choices = getattr(field.validation_alias, "choices", None) if field else None
            variable = str(choices[0]) if choices else str(error["loc"][0]).upper()
            # KAFKA_EXTRA_CONFIG may hold secrets: its value is never repeated.
            shown = "" if variable == "KAFKA_EXTRA_CONFIG" else f"={error.get('input')!r}"
            problems.append(f"{variable}{shown}: {error['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
