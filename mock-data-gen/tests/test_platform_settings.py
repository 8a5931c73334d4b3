"""Settings read by several commands and services mean the same in each."""

from __future__ import annotations

import pytest
from platform_common.settings import IcebergTableSettings
from pydantic import ValidationError

from mock_data_gen.cli import COMMAND_MODULES, main
from mock_data_gen.exit_codes import EXIT_USAGE
from mock_data_gen.lakehouse.setup import SetupSettings


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
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert IcebergTableSettings().table_identifier == identifier
    assert SetupSettings().table_identifier == identifier
    assert SetupSettings().table_name == ".".join(identifier)


def test_a_dotted_table_must_agree_with_an_explicit_namespace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ICEBERG_TABLE", "db.bid_requests")
    monkeypatch.setenv("ICEBERG_NAMESPACE", "analytics")
    with pytest.raises(ValidationError) as raised:
        SetupSettings()
    message = str(raised.value)
    assert "ICEBERG_TABLE='db.bid_requests'" in message
    assert "ICEBERG_NAMESPACE='analytics'" in message


@pytest.mark.parametrize("command", [c for c in COMMAND_MODULES if c != "run"])
def test_every_command_refuses_a_bad_log_level_naming_it(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "loud")
    required = {
        "sample": ["--count", "1"],
        "profile": ["--count", "1"],
        "post": ["http://127.0.0.1:9/"],
    }
    assert main([command, *required.get(command, [])]) == EXIT_USAGE
    assert "LOG_LEVEL='LOUD' is not accepted; expected DEBUG, INFO, WARNING, ERROR" in (
        capsys.readouterr().err
    )
