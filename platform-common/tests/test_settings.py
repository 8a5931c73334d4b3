"""The settings every service reads alike: one name, form, default and validation each."""

from __future__ import annotations

import pytest
from pydantic import AliasChoices, Field, SecretStr, ValidationError

from platform_common.kafka_config import parse_extra_config
from platform_common.settings import (
    IcebergTableSettings,
    check_bootstrap_servers,
    check_metrics_host,
    check_topic_name,
    dead_letter_topic,
    describe_settings,
    logging_settings,
    missing_catalog,
    topic_table_name,
)


@pytest.mark.parametrize(
    ("environment", "identifier"),
    [
        ({}, ("db", "bid_requests")),
        ({"ICEBERG_TABLE": "requests"}, ("db", "requests")),
        ({"ICEBERG_NAMESPACE": "lake", "ICEBERG_TABLE": "requests"}, ("lake", "requests")),
        ({"ICEBERG_TABLE": "lake.requests"}, ("lake", "requests")),
        ({"ICEBERG_NAMESPACE": "lake", "ICEBERG_TABLE": "lake.requests"}, ("lake", "requests")),
        ({"ICEBERG_TABLE": "a.b.requests"}, ("a.b", "requests")),
    ],
)
def test_every_accepted_form_names_one_table(
    environment: dict[str, str], identifier: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ICEBERG_CATALOG", "ICEBERG_NAMESPACE", "ICEBERG_TABLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = IcebergTableSettings()
    assert settings.table_identifier == identifier
    assert settings.table_name == ".".join(identifier)


def test_a_dotted_table_must_agree_with_an_explicit_namespace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ICEBERG_TABLE", "db.bid_requests")
    monkeypatch.setenv("ICEBERG_NAMESPACE", "analytics")
    with pytest.raises(ValidationError) as raised:
        IcebergTableSettings()
    message = str(raised.value)
    assert "ICEBERG_TABLE='db.bid_requests'" in message
    assert "ICEBERG_NAMESPACE='analytics'" in message


def test_the_dead_letter_topic_is_named_after_its_topic() -> None:
    assert dead_letter_topic("bid_requests") == "bid_requests.dlq"


def test_a_topic_table_is_named_like_its_topic_and_is_one_table_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert topic_table_name("wins") == "wins"
    name = topic_table_name("adtech.bid-responses.v2")
    assert name == "adtech_bid-responses_v2"
    # As ICEBERG_TABLE, the whole name is the table's: the topic's dots would have named a
    # namespace ("adtech.bid-responses") that disagrees with ICEBERG_NAMESPACE.
    monkeypatch.setenv("ICEBERG_NAMESPACE", "db")
    monkeypatch.setenv("ICEBERG_TABLE", name)
    assert IcebergTableSettings().table_identifier == ("db", name)


@pytest.mark.parametrize("value", ["localhost:29092", "kafka:9092,10.0.0.2:9093"])
def test_bootstrap_servers_accepted(value: str) -> None:
    assert check_bootstrap_servers(value) == value


@pytest.mark.parametrize("value", ["localhost", "kafka:0", "kafka:65536", ":9092", "kafka:x"])
def test_bootstrap_servers_refused(value: str) -> None:
    with pytest.raises(ValueError, match="is not host:port"):
        check_bootstrap_servers(value)


def test_topic_names_and_hosts() -> None:
    assert check_topic_name("bid_requests.dlq") == "bid_requests.dlq"
    for bad in ("", ".", "..", "a b", "x" * 250):
        with pytest.raises(ValueError):
            check_topic_name(bad)
    assert check_metrics_host("0.0.0.0") == "0.0.0.0"
    with pytest.raises(ValueError):
        check_metrics_host("-bad-")


def test_log_settings_name_each_bad_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    settings = logging_settings()
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
    monkeypatch.setenv("LOG_LEVEL", "loud")
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ValueError) as raised:
        logging_settings()
    assert str(raised.value) == (
        "LOG_LEVEL='LOUD' is not accepted; expected DEBUG, INFO, WARNING, ERROR; "
        "LOG_FORMAT='xml' is not accepted; expected text, json"
    )


def test_settings_are_described_by_their_variables_with_secrets_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Service(IcebergTableSettings):
        kafka_extra_config: SecretStr = Field(
            SecretStr(""), validation_alias=AliasChoices("KAFKA_EXTRA_CONFIG")
        )
        events_per_second: float = 10.0

    monkeypatch.setenv("ICEBERG_TABLE", "lake.requests")
    monkeypatch.setenv("KAFKA_EXTRA_CONFIG", "security.protocol=SASL_SSL,sasl.password=hunter2")
    settings = Service()
    properties = parse_extra_config(settings.kafka_extra_config.get_secret_value(), {})
    described = describe_settings(settings, properties)
    assert described["ICEBERG_TABLE"] == "lake.requests"
    assert described["EVENTS_PER_SECOND"] == "10.0"
    assert described["KAFKA_EXTRA_CONFIG"] == "security.protocol=SASL_SSL,sasl.password=***"
    assert "hunter2" not in str(described)


def test_a_missing_catalog_is_named_with_what_to_set() -> None:
    message = missing_catalog("lake")
    assert "no Iceberg catalog named 'lake' is configured" in message
    assert "PYICEBERG_CATALOG__LAKE__URI" in message
    assert "PYICEBERG_CATALOG__LAKE__S3__ENDPOINT" in message
