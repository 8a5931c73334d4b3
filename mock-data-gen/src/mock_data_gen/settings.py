"""Configuration of the ``run`` service: one settings class, read from the environment and the CLI.

Every field is read from the environment variable of the same name in upper case (e.g.
``events_per_second`` from ``EVENTS_PER_SECOND``); an empty variable counts as unset. Values given
on the command line override the environment. A bad value raises ``ConfigError`` with one message
naming the variable and what it accepts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from platform_common.kafka_config import parse_extra_config
from platform_common.settings import (
    DEFAULT_BOOTSTRAP_SERVERS,
    DEFAULT_METRICS_HOST,
    DEFAULT_TOPIC,
    BootstrapServers,
    LogFormat,
    LogLevel,
    MetricsHost,
    MetricsPort,
    TopicName,
    describe_settings,
)
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mock_data_gen.prebid_target import DEFAULT_BIDDERS, parse_bidders
from mock_data_gen.setting_docs import SettingDoc, document_settings

Compression = Literal["none", "gzip", "snappy", "lz4", "zstd"]
KeyStrategy = Literal["user", "request", "publisher", "none"]
RateProfile = Literal["flat", "diurnal"]
Target = Literal["dsp", "prebid-server"]
# requests: the bid requests alone; full: the auction funnel after them as well (design §3.6).
Funnel = Literal["requests", "full"]
# SPEED=max: simulated time runs as fast as events can be generated (a backfill).
MAX_SPEED = "max"
# Properties that carry the delivery guarantees or have a setting of their own, and why.
_RESERVED_PROPERTIES = {
    **{
        key: f"is set by {env}"
        for key, env in (
            ("bootstrap.servers", "KAFKA_BOOTSTRAP_SERVERS"),
            ("compression.type", "KAFKA_COMPRESSION"),
            ("compression.codec", "KAFKA_COMPRESSION"),
            ("queue.buffering.max.messages", "KAFKA_QUEUE_MAX_MESSAGES"),
        )
    },
    **dict.fromkeys(
        (
            "acks",
            "request.required.acks",
            "enable.idempotence",
            "message.timeout.ms",
            "delivery.timeout.ms",
        ),
        "is fixed to keep delivery lossless",
    ),
}


class ConfigError(ValueError):
    """A setting has a value that is not accepted; the message names it and what is accepted."""


class Settings(BaseSettings):
    """Settings of ``mock-data-gen run`` (see ``SETTING_DOCS`` for the user-facing description)."""

    model_config = SettingsConfigDict(
        case_sensitive=False, env_ignore_empty=True, extra="forbid", frozen=True
    )

    kafka_bootstrap_servers: BootstrapServers = DEFAULT_BOOTSTRAP_SERVERS
    events_per_second: float = Field(10, ge=0, allow_inf_nan=False)
    topic_bid_requests: TopicName = DEFAULT_TOPIC
    funnel: Funnel = "requests"
    topic_bid_responses: TopicName = "bid_responses"
    topic_wins: TopicName = "wins"
    topic_impressions: TopicName = "impressions"
    topic_clicks: TopicName = "clicks"
    seed: int | None = Field(None, ge=0)
    max_events: int | None = Field(None, ge=1)
    duration_seconds: float | None = Field(None, gt=0, allow_inf_nan=False)
    simulated_start: datetime | None = None
    simulated_end: datetime | None = None
    speed: float | Literal["max"] = 1.0
    rate_profile: RateProfile = "flat"
    scenario_file: Path | None = None
    # zstd: measured on generated bid requests (~2.4 KB of JSON each) it shrinks batches 6.9x
    # against lz4's 2.7x at the same producer throughput and CPU; brokers since Kafka 2.1 and every
    # mainstream client read it.
    kafka_compression: Compression = "zstd"
    key_strategy: KeyStrategy = "user"
    kafka_queue_max_messages: int = Field(100_000, ge=1, le=2_147_483_647)
    kafka_extra_config: SecretStr = SecretStr("")
    flush_timeout_seconds: float = Field(8.0, gt=0, allow_inf_nan=False)
    metrics_port: MetricsPort = 8000
    metrics_host: MetricsHost = DEFAULT_METRICS_HOST
    # Long enough for a leader election or a broker restart; docker's healthcheck then needs three
    # failed probes, 10 s apart, before it calls the container unhealthy.
    unhealthy_after_seconds: float = Field(30.0, gt=0, allow_inf_nan=False)
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "text"
    stats_interval_seconds: float = Field(10.0, ge=0, allow_inf_nan=False)
    # Faults on purpose (mock_data_gen.faults): fractions of the events.
    fault_malformed_json: float = Field(0.0, ge=0, le=1)
    fault_schema_invalid: float = Field(0.0, ge=0, le=1)
    fault_duplicate: float = Field(0.0, ge=0, le=1)
    fault_late: float = Field(0.0, ge=0, le=1)
    fault_oversize: float = Field(0.0, ge=0, le=1)
    target: Target = "dsp"
    prebid_bidders: str = DEFAULT_BIDDERS

    @field_validator(
        "kafka_compression", "key_strategy", "rate_profile", "funnel", "target", mode="before"
    )
    @classmethod
    def _lower_choice(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("simulated_start", "simulated_end")
    @classmethod
    def _utc_unless_said(cls, value: datetime | None) -> datetime | None:
        # As `sample --start-time` does: a time without an offset is UTC, not the host's zone.
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @field_validator("speed", mode="before")
    @classmethod
    def _speed(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() == MAX_SPEED:
            return MAX_SPEED
        try:
            speed = float(value)
        except (TypeError, ValueError):
            raise ValueError("not a number") from None
        if not (speed > 0 and math.isfinite(speed)):
            raise ValueError("not a finite number > 0")
        return speed

    @model_validator(mode="after")
    def _simulated_time_is_consistent(self) -> Settings:
        if self.scenario_file is not None and self.rate_profile != "flat":
            raise ValueError(
                f"RATE_PROFILE={self.rate_profile} and SCENARIO_FILE both set the rate; expected "
                "one of them (RATE_PROFILE=flat with a scenario)"
            )
        if self.events_per_second == 0 and self.simulated and self.scenario_file is None:
            raise ValueError(
                "EVENTS_PER_SECOND=0 (as fast as possible) gives simulated time no rate; expected "
                "EVENTS_PER_SECOND > 0 with SIMULATED_START, SIMULATED_END or SPEED set: the rate "
                "per simulated second (SPEED=max generates as fast as possible)"
            )
        if self.events_per_second == 0 and self.rate_profile != "flat":
            raise ValueError(
                f"RATE_PROFILE={self.rate_profile} with EVENTS_PER_SECOND=0 is not accepted; "
                "expected EVENTS_PER_SECOND > 0, the daily mean"
            )
        faults = self.fault_fractions()
        if sum(faults.values()) > 1 + 1e-9:
            raise ValueError(
                f"FAULT_* fractions add up to {sum(faults.values()):g}; expected at most 1 (an "
                "event gets at most one fault)"
            )
        end = self.simulated_end
        if end is not None:
            start = self.simulated_start
            if start is None and end <= datetime.now(UTC):
                raise ValueError(
                    f"SIMULATED_END={end.isoformat()} is not in the future; expected a later "
                    "time, or SIMULATED_START set before it"
                )
            if start is not None and end <= start:
                raise ValueError(
                    f"SIMULATED_END={end.isoformat()} is not after "
                    f"SIMULATED_START={start.isoformat()}; expected an end after the start"
                )
        return self

    @property
    def simulated(self) -> bool:
        """Whether event times come from a simulated clock rather than the wall clock."""
        return (
            self.simulated_start is not None or self.simulated_end is not None or self.speed != 1.0
        )

    def fault_fractions(self) -> dict[str, float]:
        """The FAULT_* fractions by fault name (``malformed_json``, ...)."""
        return {
            name.removeprefix("fault_"): getattr(self, name)
            for name in type(self).model_fields
            if name.startswith("fault_")
        }

    @field_validator("prebid_bidders")
    @classmethod
    def _bidders(cls, value: str) -> str:
        parse_bidders(value)  # its BiddersError says what is wrong
        return value

    @field_validator("kafka_extra_config")
    @classmethod
    def _extra_config(cls, value: SecretStr) -> SecretStr:
        parse_extra_config(value.get_secret_value(), _RESERVED_PROPERTIES)
        return value

    def producer_properties(self) -> dict[str, str]:
        """Additional librdkafka properties from ``KAFKA_EXTRA_CONFIG``."""
        return parse_extra_config(self.kafka_extra_config.get_secret_value(), _RESERVED_PROPERTIES)

    def describe(self) -> dict[str, str]:
        """Every setting by environment name, secrets masked, for the start-up log line."""
        return describe_settings(self, self.producer_properties())


# The user-facing documentation of each setting, by field name (``mock_data_gen.setting_docs``).
SETTING_DOCS: dict[str, SettingDoc] = document_settings(
    {name: field.default for name, field in Settings.model_fields.items()}
)


def load_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read the environment, apply ``overrides`` (CLI values by field name), validate.

    Raises ``ConfigError`` naming each bad variable (and option, if given on the command line).
    """
    given = dict(overrides or {})
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            doc = SETTING_DOCS.get(field)
            if doc is None:
                # A check across settings: its own message names them.
                problems.append(str(error.get("ctx", {}).get("error", error["msg"])))
                continue
            where = f"{doc.option} / {doc.env}" if field in given else doc.env
            shown = error["input"]
            if field == "kafka_extra_config":
                # Never echo what may be a password; name only the keys.
                shown = ",".join(part.split("=")[0] for part in str(shown).split(","))
            # Our own validators say what exactly is wrong; pydantic's wording adds nothing to
            # the list of accepted values.
            reason = str(error.get("ctx", {}).get("error", ""))
            detail = f" ({reason})" if reason else ""
            problems.append(f"{where}={shown!r} is not accepted{detail}; expected {doc.accepted}")
        raise ConfigError("; ".join(problems)) from None
