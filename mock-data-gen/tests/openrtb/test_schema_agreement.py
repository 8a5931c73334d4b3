"""The models agree with the official OpenRTB 2.6 JSON Schemas: same objects, fields, JSON types,
required fields and value constraints. Catches drift between the two and typos in field names."""

from __future__ import annotations

import copy
from typing import Any, cast

import openrtb_schemas
import pytest
from pydantic import ValidationError

import mock_data_gen.openrtb as openrtb
from mock_data_gen.openrtb import OpenRTBModel

pytestmark = pytest.mark.conformance
OBJECTS = openrtb_schemas.request_object_params()


def model_of(name: str) -> type[OpenRTBModel]:
    model = getattr(openrtb, name, None)
    assert isinstance(model, type) and issubclass(model, OpenRTBModel), f"no model for {name}"
    return model


def properties(name: str) -> dict[str, dict[str, Any]]:
    return cast(dict[str, dict[str, Any]], openrtb_schemas.schema(name)["properties"])


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1].removesuffix(".json")


def json_type(prop: dict[str, Any]) -> str:
    """A property's type in a comparable form: "integer", "array<string>", "Banner", ..."""
    if "$ref" in prop:
        return ref_name(prop["$ref"])
    if prop.get("type") == "array":
        return f"array<{json_type(prop['items'])}>"
    return str(prop["type"])


def model_json_types(model: type[OpenRTBModel]) -> dict[str, str]:
    """The JSON type of every model field, read from the model's own (pydantic) JSON Schema."""
    generated = model.model_json_schema()

    def plain(prop: dict[str, Any]) -> dict[str, Any]:
        options: list[dict[str, Any]] = [
            p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"
        ]
        assert len(options) == 1, prop
        return options[0]

    def describe(prop: dict[str, Any]) -> str:
        prop = plain(prop)
        if "$ref" in prop:
            return ref_name(prop["$ref"])
        if prop.get("type") == "array":
            return f"array<{describe(prop['items'])}>"
        return str(prop["type"])

    return {name: describe(prop) for name, prop in generated["properties"].items()}


def test_every_request_object_of_the_schema_set_has_a_model() -> None:
    names = openrtb_schemas.request_object_names()
    assert len(names) == 35
    for name in names:
        model_of(name)


@pytest.mark.parametrize("name", OBJECTS)
def test_fields_and_json_types_match_the_schema(name: str) -> None:
    expected = {field: json_type(prop) for field, prop in properties(name).items()}
    assert model_json_types(model_of(name)) == expected


@pytest.mark.parametrize("name", OBJECTS)
def test_required_fields_match_the_schema(name: str) -> None:
    required = {field for field, info in model_of(name).model_fields.items() if info.is_required()}
    assert required == set(cast(list[str], openrtb_schemas.schema(name).get("required", [])))


@pytest.mark.parametrize("name", OBJECTS)
def test_deprecated_fields_are_marked_deprecated(name: str) -> None:
    deprecated = {field for field, prop in properties(name).items() if prop.get("deprecated")}
    marked = {field for field, info in model_of(name).model_fields.items() if info.deprecated}
    assert marked == deprecated


def minimal(name: str) -> dict[str, Any]:
    """The smallest instance of an object the schema accepts: its required fields only."""
    schema = openrtb_schemas.schema(name)
    props = properties(name)
    return {field: sample(props[field]) for field in cast(list[str], schema.get("required", []))}


def sample(prop: dict[str, Any]) -> Any:
    if "$ref" in prop:
        return minimal(ref_name(prop["$ref"]))
    kind = prop["type"]
    if kind == "array":
        return [sample(prop["items"])]
    if "enum" in prop:
        return prop["enum"][0]
    return {"string": "x", "integer": 1, "number": 1.5, "object": {}}[kind]


def probes(prop: dict[str, Any]) -> list[Any]:
    """Values around each property's type and constraints, valid and invalid alike."""
    wrong_types: list[Any] = ["1", 1.5, True, None, [], {}, 7]
    values = [sample(prop), *wrong_types]
    if "enum" in prop:
        values += [max(prop["enum"]) + 1, min(prop["enum"]) - 1, *prop["enum"]]
    if "minimum" in prop:
        values += [prop["minimum"], prop["minimum"] - 0.5]
    if "maximum" in prop:
        values += [prop["maximum"], prop["maximum"] + 0.5]
    if "maxLength" in prop:
        values += ["x" * prop["maxLength"], "x" * (prop["maxLength"] + 1)]
    if prop.get("type") == "array":
        values += [[], [sample(prop["items"]), "1"], [None]]
    return values


# Spec rules the JSON Schema cannot express, which the models add on top of it.
MODEL_ONLY_RULES = {
    # "vendor: required if sourcetype is present and type = 1" (OpenRTB 2.6 §3.2.31).
    ("Qty", "sourcetype", 1),
}


def accepted_by_model(name: str, instance: dict[str, Any]) -> bool:
    try:
        model_of(name).model_validate(instance)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("name", OBJECTS)
def test_model_accepts_exactly_what_the_schema_accepts(name: str) -> None:
    validator = openrtb_schemas.validator(name)
    base = minimal(name)
    assert validator.is_valid(base)
    assert accepted_by_model(name, base)

    disagreements = []
    for field, prop in properties(name).items():
        for value in probes(prop):
            instance = copy.deepcopy(base)
            instance[field] = value
            by_schema = validator.is_valid(instance)
            # Explicit null means "absent" to the models; the schema has no null type.
            if value is None:
                by_schema = field not in base
            if type(value) is int and (name, field, value) in MODEL_ONLY_RULES:
                by_schema = False
            if accepted_by_model(name, instance) != by_schema:
                disagreements.append((field, value, by_schema))
    assert disagreements == []
