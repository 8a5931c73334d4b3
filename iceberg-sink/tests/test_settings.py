"""Settings that the consumer's group membership depends on."""

from __future__ import annotations

import pytest

from iceberg_sink.consumer import consumer_config
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
