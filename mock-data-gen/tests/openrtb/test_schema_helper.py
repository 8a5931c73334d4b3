"""The JSON-Schema test helper accepts the official examples and rejects broken requests."""

from __future__ import annotations

import json

import openrtb_schemas
import pytest

pytestmark = pytest.mark.conformance


def test_official_examples_validate_against_bid_request_schema() -> None:
    examples = openrtb_schemas.example_requests()
    assert len(examples) >= 4
    validator = openrtb_schemas.validator()
    for path in examples:
        errors = [e.message for e in validator.iter_errors(json.loads(path.read_text()))]
        assert errors == [], path.name


def test_validator_resolves_references_into_nested_objects() -> None:
    request = {"id": "r", "imp": [{"id": "1", "banner": {"w": "wide"}}]}
    errors = list(openrtb_schemas.validator().iter_errors(request))
    assert [list(e.absolute_path) for e in errors] == [["imp", 0, "banner", "w"]]


def test_validator_for_a_single_object() -> None:
    assert list(openrtb_schemas.validator("Geo").iter_errors({"lat": 1.5})) == []
    assert len(list(openrtb_schemas.validator("Geo").iter_errors({"lat": "north"}))) == 1
