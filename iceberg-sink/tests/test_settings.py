"""Settings that the consumer's group membership depends on."""

from __future__ import annotations

import pytest

from iceberg_sink.kafka_clients import consumer_config
from iceberg_sink.settings import ConfigError, load_settings


def test_session_timeout_defaults_to_45_s_and_static_membership_is_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("ICEBERG_SINK_SESSION_TIMEOUT_MS", "ICEBERG_SINK_INSTANCE_ID"):
        monkeypatch.delenv(name, raising=False)
    config = consumer_config(load_settings())
    assert config["session.timeout.ms"] == 45_000
    assert "group.instance.id" not in config
    assert config["enable.auto.commit"] is False


def test_session_timeout_and_instance_id_reach_the_consumer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ICEBERG_SINK_SESSION_TIMEOUT_MS", "12000")
    monkeypatch.setenv("ICEBERG_SINK_INSTANCE_ID", "sink-3")
    monkeypatch.setenv("ICEBERG_SINK_GROUP", "lake")
    config = consumer_config(load_settings())
    assert config["session.timeout.ms"] == 12_000
    assert config["group.instance.id"] == "sink-3"
    assert config["group.id"] == "lake"
    assert config["heartbeat.interval.ms"] == 3_000


def test_a_session_timeout_below_a_second_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ICEBERG_SINK_SESSION_TIMEOUT_MS", "10")
    with pytest.raises(ConfigError, match="ICEBERG_SINK_SESSION_TIMEOUT_MS"):
        load_settings()


def test_librdkafka_never_resets_an_offset_by_itself_and_logs_through_the_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KAFKA_EXTRA_CONFIG", raising=False)
    config = consumer_config(load_settings())
    assert config["auto.offset.reset"] == "error"
    assert config["logger"].name == "librdkafka"
    monkeypatch.setenv("KAFKA_EXTRA_CONFIG", "auto.offset.reset=earliest")
    with pytest.raises(ConfigError, match=r"KAFKA_EXTRA_CONFIG.*auto\.offset\.reset"):
        load_settings()


def test_offset_gap_policy_and_health_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ICEBERG_SINK_ON_OFFSET_GAP", "ICEBERG_SINK_UNHEALTHY_AFTER_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.on_offset_gap == "fail" and settings.unhealthy_after_seconds == 120
    monkeypatch.setenv("ICEBERG_SINK_ON_OFFSET_GAP", "From-Log-Start")
    monkeypatch.setenv("ICEBERG_SINK_UNHEALTHY_AFTER_SECONDS", "30")
    settings = load_settings()
    assert settings.on_offset_gap == "from-log-start" and settings.unhealthy_after_seconds == 30
    monkeypatch.setenv("ICEBERG_SINK_ON_OFFSET_GAP", "earliest")
    monkeypatch.setenv("ICEBERG_SINK_UNHEALTHY_AFTER_SECONDS", "0")
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert "ICEBERG_SINK_ON_OFFSET_GAP" in str(refused.value)
    assert "ICEBERG_SINK_UNHEALTHY_AFTER_SECONDS" in str(refused.value)
