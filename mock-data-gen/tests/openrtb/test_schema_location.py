"""Where the tests look for the OpenRTB 2.6 JSON Schemas, and who may read them.

These run without the schema set: they use directories of their own.
"""

from __future__ import annotations

from pathlib import Path

import openrtb_schemas
import pytest


def _schema_set(directory: Path) -> Path:
    directory.mkdir(parents=True)
    (directory / "BidRequest.json").write_text("{}", encoding="utf-8")
    return directory


def test_the_environment_variable_comes_before_the_cached_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = _schema_set(tmp_path / "cache" / "jsonschema")
    chosen = _schema_set(tmp_path / "chosen")
    monkeypatch.setattr(openrtb_schemas, "CACHED_SCHEMA_DIR", cached)

    monkeypatch.setenv("OPENRTB_SCHEMA_DIR", str(chosen))
    assert openrtb_schemas.located() == chosen
    monkeypatch.delenv("OPENRTB_SCHEMA_DIR")
    assert openrtb_schemas.located() == cached
    assert openrtb_schemas.available()


def test_without_either_there_is_no_schema_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(openrtb_schemas, "CACHED_SCHEMA_DIR", tmp_path / "empty")
    monkeypatch.delenv("OPENRTB_SCHEMA_DIR", raising=False)
    assert openrtb_schemas.located() is None
    assert not openrtb_schemas.available()
    assert openrtb_schemas.misconfiguration() is None
    # Tests parametrized by the schema set get one parameter, which the conformance mark skips.
    (param,) = openrtb_schemas.example_request_params()
    assert param.id == "no-schema-set"
    assert [mark.name for mark in param.marks] == ["conformance"]


def test_a_variable_naming_a_directory_without_the_schemas_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENRTB_SCHEMA_DIR", str(tmp_path))
    assert not openrtb_schemas.available()
    assert openrtb_schemas.misconfiguration() == (
        f"OPENRTB_SCHEMA_DIR={tmp_path} holds no OpenRTB 2.6 JSON Schemas (no BidRequest.json "
        "there); point it at the jsonschema/ folder of InteractiveAdvertisingBureau/openrtb2.x "
        "or unset it"
    )


def test_a_test_without_the_conformance_mark_may_not_read_the_schema_set() -> None:
    # Else it would fail, rather than be skipped, where the schema set is absent.
    with pytest.raises(AssertionError, match="is not marked conformance"):
        openrtb_schemas.schema_dir()
    with pytest.raises(AssertionError, match="is not marked conformance"):
        openrtb_schemas.validator("Geo")
