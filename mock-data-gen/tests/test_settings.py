"""Settings: environment names and defaults, CLI overrides, one clear error per bad value."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from service_runner import free_port

from mock_data_gen.settings import SETTING_DOCS, ConfigError, Settings, load_settings

ALL_ENV = [doc.env for doc in SETTING_DOCS.values()]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ALL_ENV:
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_the_documented_ones() -> None:
    settings = load_settings()
    assert settings.kafka_bootstrap_servers == "localhost:29092"
    assert settings.events_per_second == 10
    assert settings.topic_bid_requests == "bid_requests"
    assert settings.kafka_compression == "zstd"
    assert settings.key_strategy == "user"
    assert settings.metrics_port == 8000
    assert settings.seed is None and settings.max_events is None
    assert settings.duration_seconds is None


def test_every_field_is_documented_under_its_environment_name() -> None:
    assert set(SETTING_DOCS) == set(Settings.model_fields)
    for field, doc in SETTING_DOCS.items():
        assert doc.env == field.upper()
        assert doc.option == "--" + field.replace("_", "-")


def test_environment_is_read_and_empty_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092,kafka2:9092")
    monkeypatch.setenv("EVENTS_PER_SECOND", "2500.5")
    monkeypatch.setenv("TOPIC_BID_REQUESTS", "br.v1")
    monkeypatch.setenv("KAFKA_COMPRESSION", "LZ4")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("SEED", "")
    settings = load_settings()
    assert settings.kafka_bootstrap_servers == "kafka:9092,kafka2:9092"
    assert settings.events_per_second == 2500.5
    assert settings.topic_bid_requests == "br.v1"
    assert settings.kafka_compression == "lz4"
    assert settings.log_level == "DEBUG"
    assert settings.seed is None


def test_command_line_values_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTS_PER_SECOND", "250")
    monkeypatch.setenv("KEY_STRATEGY", "request")
    settings = load_settings({"events_per_second": "5"})
    assert settings.events_per_second == 5
    assert settings.key_strategy == "request"


@pytest.mark.parametrize(
    ("env", "value", "accepted"),
    [
        ("EVENTS_PER_SECOND", "fast", "a number >= 0"),
        ("EVENTS_PER_SECOND", "-5", "a number >= 0"),
        ("EVENTS_PER_SECOND", "inf", "a number >= 0"),
        ("KAFKA_COMPRESSION", "brotli", "none, gzip, snappy, lz4, zstd"),
        ("KEY_STRATEGY", "device", "user, request, publisher, none"),
        ("METRICS_PORT", "70000", "0-65535"),
        ("MAX_EVENTS", "0", "an integer >= 1"),
        ("SEED", "-1", "an integer >= 0"),
        ("TOPIC_BID_REQUESTS", "bid requests", "a Kafka topic name"),
        ("KAFKA_BOOTSTRAP_SERVERS", "localhost", "host:port"),
        ("LOG_FORMAT", "xml", "text, json"),
        ("KAFKA_EXTRA_CONFIG", "acks=1", "key=value"),
        ("SPEED", "0", "a number > 0, or max"),
        ("SPEED", "fast", "a number > 0, or max"),
        ("SPEED", "inf", "a number > 0, or max"),
        ("SIMULATED_START", "yesterday", "an ISO 8601 date-time"),
        ("SIMULATED_END", "2026-13-01", "an ISO 8601 date-time"),
        ("RATE_PROFILE", "hourly", "flat, diurnal"),
    ],
)
def test_bad_value_names_the_variable_and_what_is_accepted(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, accepted: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(f"{env}=")
    assert accepted in message


def test_simulated_time_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not load_settings().simulated
    monkeypatch.setenv("SIMULATED_START", "2026-11-27T00:00:00")  # no offset: UTC
    monkeypatch.setenv("SPEED", "MAX")
    settings = load_settings()
    assert settings.simulated_start == datetime(2026, 11, 27, tzinfo=UTC)
    assert settings.speed == "max" and settings.simulated
    assert load_settings({"speed": "1"}).simulated  # SIMULATED_START alone makes it simulated
    monkeypatch.delenv("SIMULATED_START")
    assert load_settings({"speed": "60"}).speed == 60


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"events_per_second": "0", "speed": "60"}, ["EVENTS_PER_SECOND=0", "SPEED"]),
        ({"events_per_second": "0", "rate_profile": "diurnal"}, ["RATE_PROFILE=diurnal"]),
        (
            {"simulated_start": "2026-01-02", "simulated_end": "2026-01-01T23:00:00Z"},
            ["SIMULATED_END=2026-01-01T23:00:00+00:00", "SIMULATED_START=2026-01-02T00:00"],
        ),
        ({"simulated_end": "2020-01-01T00:00:00Z"}, ["SIMULATED_END=2020-01-01", "future"]),
    ],
)
def test_simulated_settings_that_contradict_each_other_name_both(
    overrides: dict[str, str], names: list[str]
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(overrides)
    for name in names:
        assert name in str(raised.value)
    assert "Value error" not in str(raised.value)


def test_secrets_in_extra_config_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_EXTRA_CONFIG", "security.protocol=SASL_SSL,sasl.password=hunter2")
    settings = load_settings()
    assert settings.producer_properties()["sasl.password"] == "hunter2"
    described = settings.describe()["KAFKA_EXTRA_CONFIG"]
    assert described == "security.protocol=SASL_SSL,sasl.password=***"
    assert "hunter2" not in repr(settings)
    monkeypatch.setenv("KAFKA_EXTRA_CONFIG", "sasl.password=hunter2,broken")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "hunter2" not in str(raised.value)


def _run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_data_gen", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "env", "culprit"),
    [
        ((), {"EVENTS_PER_SECOND": "fast"}, "EVENTS_PER_SECOND='fast'"),
        (("run",), {"EVENTS_PER_SECOND": "-1"}, "EVENTS_PER_SECOND='-1'"),
        (("run", "--kafka-compression", "brotli"), {}, "--kafka-compression / KAFKA_COMPRESSION"),
        (("run", "--speed", "-2"), {}, "--speed / SPEED='-2'"),
        (("run",), {"SPEED": "max", "EVENTS_PER_SECOND": "0"}, "EVENTS_PER_SECOND=0"),
    ],
)
def test_bad_config_exits_2_with_one_line_before_connecting(
    args: tuple[str, ...], env: dict[str, str], culprit: str
) -> None:
    # The broker address points at a closed port: a service that tried to connect would hang there.
    env = {"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}", **env}
    started = time.monotonic()
    result = _run_cli(*args, env=env)
    assert result.returncode == 2
    assert time.monotonic() - started < 20
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert culprit in lines[0]
    assert "expected" in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_help_shows_every_setting_with_its_environment_name_and_default() -> None:
    result = _run_cli("run", "--help", env={})
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for doc in SETTING_DOCS.values():
        assert doc.option in text
        assert f"[env {doc.env}, default {doc.default}]" in text
