"""The response-side models (OpenRTB 2.6 §4.2): strict like the request models, and in agreement
with the official BidResponse, SeatBid and Bid JSON Schemas and example responses."""

from __future__ import annotations

import copy
import json
from typing import Any

import openrtb_schemas
import pytest
from pydantic import ValidationError
from test_schema_agreement import (
    MODEL_ONLY_RULES,
    accepted_by_model,
    json_type,
    minimal,
    model_json_types,
    model_of,
    probes,
    properties,
)

from mock_data_gen.openrtb import (
    Bid,
    BidResponse,
    LossReason,
    NoBidReason,
    SeatBid,
    is_listed,
    unknown_fields,
    unlisted_codes,
)


def response_object_params() -> list[Any]:
    """One ``conformance`` parameter per response-side object of the schema set."""
    if not openrtb_schemas.available():
        return [pytest.param(None, id="no-schema-set", marks=pytest.mark.conformance)]
    return [
        pytest.param(name, id=name, marks=pytest.mark.conformance)
        for name in sorted(openrtb_schemas.RESPONSE_OBJECTS)
    ]


def example_response_params() -> list[Any]:
    if not openrtb_schemas.available():
        return [pytest.param(None, id="no-schema-set", marks=pytest.mark.conformance)]
    folder = openrtb_schemas.located()
    assert folder is not None
    return [
        pytest.param(path, id=path.name, marks=pytest.mark.conformance)
        for path in sorted((folder / "examples" / "bid-responses").glob("*.json"))
    ]


RESPONSE_OBJECTS = response_object_params()


@pytest.mark.parametrize("name", RESPONSE_OBJECTS)
def test_fields_and_json_types_match_the_schema(name: str) -> None:
    expected = {field: json_type(prop) for field, prop in properties(name).items()}
    assert model_json_types(model_of(name)) == expected


@pytest.mark.parametrize("name", RESPONSE_OBJECTS)
def test_required_and_deprecated_fields_match_the_schema(name: str) -> None:
    model = model_of(name)
    required = {field for field, info in model.model_fields.items() if info.is_required()}
    assert required == set(openrtb_schemas.schema(name).get("required", []))  # type: ignore[arg-type]
    deprecated = {field for field, prop in properties(name).items() if prop.get("deprecated")}
    assert {field for field, info in model.model_fields.items() if info.deprecated} == deprecated


@pytest.mark.parametrize("name", RESPONSE_OBJECTS)
def test_model_accepts_exactly_what_the_schema_accepts(name: str) -> None:
    validator = openrtb_schemas.validator(name)
    base = minimal(name)
    assert validator.is_valid(base) and accepted_by_model(name, base)
    disagreements = []
    for field, prop in properties(name).items():
        for value in probes(prop):
            instance = copy.deepcopy(base)
            instance[field] = value
            by_schema = validator.is_valid(instance)
            if value is None:
                by_schema = field not in base
            if type(value) is int and (name, field, value) in MODEL_ONLY_RULES:
                by_schema = False
            if accepted_by_model(name, instance) != by_schema:
                disagreements.append((field, value, by_schema))
    assert disagreements == []


@pytest.mark.parametrize("path", example_response_params())
def test_official_example_responses_parse_and_write_back_unchanged(path: Any) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    response = BidResponse.model_validate(document)
    assert unknown_fields(response) == []
    assert unlisted_codes(response) == []
    assert response.to_dict() == document


def test_types_are_strict_as_exchanges_parse_them() -> None:
    bid = {"id": "b", "impid": "1", "price": 1.5}
    assert Bid.model_validate(bid).price == 1.5
    assert Bid.model_validate({**bid, "price": 2}).price == 2  # JSON integers are numbers
    for wrong in ({"price": "1.50"}, {"price": -0.01}, {"w": 300.0}, {"w": -1}, {"mtype": 5},
                  {"attr": ["3"]}, {"adomain": "ford.com"}, {"impid": 1}):  # fmt: skip
        with pytest.raises(ValidationError):
            Bid.model_validate({**bid, **wrong})
    with pytest.raises(ValidationError):
        SeatBid.model_validate({"bid": []})  # 1+ bids
    with pytest.raises(ValidationError):
        SeatBid.model_validate({"bid": [bid], "group": 2})
    with pytest.raises(ValidationError):
        BidResponse.model_validate({"seatbid": []})  # id is required


def test_unset_fields_are_not_written_and_unknown_ones_are_kept() -> None:
    response = BidResponse.model_validate({"id": "r", "seatbid": [], "nbr": 8, "x": 1})
    assert response.to_json() == b'{"id":"r","nbr":8,"x":1}'
    assert unknown_fields(response) == ["x"]


def test_no_bid_and_loss_reasons_are_the_openrtb_3_lists() -> None:
    assert [int(code) for code in NoBidReason] == list(range(18))
    assert LossReason.LOST_TO_HIGHER_BID == 102
    assert LossReason.CREATIVE_FILTERED_APP_BUNDLE_EXCLUSIONS == 215
    # 500+ are exchange-specific in both lists; other unknown codes are reported.
    assert is_listed(NoBidReason, 501) and is_listed(LossReason, 500)
    assert not is_listed(NoBidReason, 18)
    unlisted = unlisted_codes(BidResponse.model_validate({"id": "r", "nbr": 42}))
    assert [(code.path, code.value) for code in unlisted] == [("nbr", 42)]
