"""The json-text-fields table property: written by the setup, read by the sink."""

from __future__ import annotations

import pytest

from platform_common.table_contract import (
    JSON_TEXT_FIELDS_PROPERTY,
    PROVENANCE_COLUMNS,
    format_json_text_fields,
    parse_json_text_fields,
)


def test_paths_round_trip_through_the_property() -> None:
    paths = ["ext", "imp.element.ext", "user.eids.element.uids.element.ext", "ext"]
    value = format_json_text_fields(paths)
    assert value == "ext,imp.element.ext,user.eids.element.uids.element.ext"
    properties = {JSON_TEXT_FIELDS_PROPERTY: value, "format-version": "2"}
    assert parse_json_text_fields(properties) == (
        "ext",
        "imp.element.ext",
        "user.eids.element.uids.element.ext",
    )


def test_an_absent_or_empty_property_names_no_field() -> None:
    assert parse_json_text_fields({}) == ()
    assert parse_json_text_fields({JSON_TEXT_FIELDS_PROPERTY: ""}) == ()
    assert parse_json_text_fields({JSON_TEXT_FIELDS_PROPERTY: " ext , ,a.b "}) == ("ext", "a.b")


@pytest.mark.parametrize("path", ["", "a,b", "a..b", ".a", " a"])
def test_a_path_the_property_cannot_hold_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match=JSON_TEXT_FIELDS_PROPERTY):
        format_json_text_fields([path])


def test_the_provenance_columns() -> None:
    assert PROVENANCE_COLUMNS == ("event_time", "kafka_partition", "kafka_offset")
