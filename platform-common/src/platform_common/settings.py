"""Settings that more than one command or service reads, defined once.

``mock-data-gen run``, ``mock-data-gen setup`` and ``iceberg-sink run`` read several of the same
environment variables (the Kafka bootstrap servers, the topic and its dead-letter topic, the Iceberg
catalog, namespace and table, the metrics port and host, the log level and format). Each is declared
here as an ``Annotated`` type or a settings mixin, so that it has the same name, form, default and
validation wherever it is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AliasChoices,
    BeforeValidator,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from platform_common.kafka_config import mask_extra_config

DEFAULT_BOOTSTRAP_SERVERS = "localhost:29092"
DEFAULT_TOPIC = "bid_requests"
DEAD_LETTER_SUFFIX = ".dlq"
DEFAULT_CATALOG = "default"
DEFAULT_NAMESPACE = "db"
DEFAULT_TABLE = "bid_requests"

_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def check_bootstrap_servers(value: str) -> str:
    """``value`` if it is a comma-separated ``host:port`` list; raises ``ValueError`` otherwise."""
    for address in value.split(","):
        host, sep, port = address.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{address.strip()!r} is not host:port")
    return value


def check_topic_name(value: str) -> str:
    """``value`` if Kafka accepts it as a topic name; raises ``ValueError`` otherwise."""
    if not _TOPIC_NAME.match(value) or value in (".", ".."):
        raise ValueError("not a Kafka topic name (1-249 of letters, digits, '.', '_', '-')")
    return value


def check_metrics_host(value: str) -> str:
    """``value`` if it can be an address to listen on (an IPv4 address or a host name)."""
    if not _HOST.match(value):
        raise ValueError(f"{value!r} is not an IPv4 address or host name")
    return value


def dead_letter_topic(topic: str) -> str:
    """Where the sink sets aside the records of ``topic`` it cannot land; `setup` creates it."""
    return f"{topic}{DEAD_LETTER_SUFFIX}"


def topic_table_name(topic: str) -> str:
    """The table a funnel topic is landed in, in the request table's namespace (``setup`` creates
    it, a sink per topic fills it, ``lake`` reads it): named like the topic, with each ``.`` an
    ``_``, since a dot in ``ICEBERG_TABLE`` or in a query's ``namespace.table`` ends the namespace.
    Kafka refuses a topic whose name differs from another's only by ``.`` and ``_``, so no two
    topics share a table."""
    return topic.replace(".", "_")


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


BootstrapServers = Annotated[str, Field(min_length=1), AfterValidator(check_bootstrap_servers)]
TopicName = Annotated[str, AfterValidator(check_topic_name)]
MetricsPort = Annotated[int, Field(ge=0, le=65535)]
# Loopback unless told otherwise: on a host the endpoints are nobody else's business; the images
# listen on every interface (0.0.0.0) so that other containers can scrape them.
DEFAULT_METRICS_HOST = "127.0.0.1"
MetricsHost = Annotated[str, AfterValidator(check_metrics_host)]
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)]
LogFormat = Annotated[Literal["text", "json"], BeforeValidator(_lower)]


class IcebergTableSettings(BaseSettings):
    """Which table of which catalog: ``ICEBERG_CATALOG``, ``ICEBERG_NAMESPACE``, ``ICEBERG_TABLE``.

    ``ICEBERG_TABLE`` is either a bare table name, qualified by ``ICEBERG_NAMESPACE``, or
    ``namespace.table``. A dotted name whose namespace differs from an explicitly set
    ``ICEBERG_NAMESPACE`` is refused: one of the two would be silently ignored.
    """

    iceberg_catalog: str = Field(
        DEFAULT_CATALOG, min_length=1, validation_alias=AliasChoices("ICEBERG_CATALOG")
    )
    iceberg_namespace: str = Field(
        DEFAULT_NAMESPACE, min_length=1, validation_alias=AliasChoices("ICEBERG_NAMESPACE")
    )
    iceberg_table: str = Field(
        DEFAULT_TABLE, min_length=1, validation_alias=AliasChoices("ICEBERG_TABLE")
    )

    @model_validator(mode="after")
    def _namespace_agrees(self) -> Self:
        namespace, dot, _ = self.iceberg_table.rpartition(".")
        if (
            dot
            and "iceberg_namespace" in self.model_fields_set
            and (namespace != self.iceberg_namespace)
        ):
            raise ValueError(
                f"ICEBERG_TABLE={self.iceberg_table!r} names namespace {namespace!r} but "
                f"ICEBERG_NAMESPACE={self.iceberg_namespace!r}; give a bare table name, or let "
                "the two agree"
            )
        return self

    @property
    def table_identifier(self) -> tuple[str, str]:
        """``(namespace, table)``; a dotted ``ICEBERG_TABLE`` carries its own namespace."""
        namespace, dot, name = self.iceberg_table.rpartition(".")
        return (namespace, name) if dot else (self.iceberg_namespace, self.iceberg_table)

    @property
    def table_name(self) -> str:
        """``namespace.table``, as logs and metrics name it."""
        return ".".join(self.table_identifier)


def missing_catalog(name: str) -> str:
    """What to set when no pyiceberg catalog called ``name`` is configured (``ICEBERG_CATALOG``)."""
    upper = name.upper()
    return (
        f"no Iceberg catalog named {name!r} is configured: set PYICEBERG_CATALOG__{upper}__URI "
        "(e.g. http://localhost:8181 or sqlite:///catalog.db) and, for an S3 warehouse, "
        f"PYICEBERG_CATALOG__{upper}__S3__ENDPOINT, __S3__ACCESS_KEY_ID, __S3__SECRET_ACCESS_KEY "
        "and __S3__REGION, or describe it in ~/.pyiceberg.yaml"
    )


class LoggingSettings(BaseSettings):
    """``LOG_LEVEL`` and ``LOG_FORMAT``, read alike by every command and service."""

    model_config = SettingsConfigDict(case_sensitive=False, env_ignore_empty=True, extra="ignore")

    log_level: LogLevel = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    log_format: LogFormat = Field("text", validation_alias=AliasChoices("LOG_FORMAT"))


def logging_settings() -> LoggingSettings:
    """``LOG_LEVEL`` and ``LOG_FORMAT`` from the environment; ``ValueError`` names a bad one."""
    try:
        return LoggingSettings()
    except ValidationError as exc:
        accepted = {"LOG_LEVEL": "DEBUG, INFO, WARNING, ERROR", "LOG_FORMAT": "text, json"}
        problems = []
        for error in exc.errors():
            variable = str(error["loc"][0]).upper()
            problems.append(
                f"{variable}={error['input']!r} is not accepted; expected {accepted[variable]}"
            )
        raise ValueError("; ".join(problems)) from None


def describe_settings(settings: BaseSettings, extra_config: Mapping[str, str]) -> dict[str, str]:
    """Every setting by its environment variable, for a service's start-up log line.

    ``KAFKA_EXTRA_CONFIG`` is shown as ``extra_config`` (its parsed properties) with the values of
    secret-looking keys masked; any other secret is a ``SecretStr`` and prints masked by itself.
    """
    described: dict[str, str] = {}
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        if name == "kafka_extra_config":
            value = mask_extra_config(extra_config)
        choices = getattr(field.validation_alias, "choices", None)
        variable = str(choices[0]) if choices else name
        described[variable.upper()] = "" if value is None else str(value)
    return described
