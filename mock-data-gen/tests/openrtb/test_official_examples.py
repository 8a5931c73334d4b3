"""The official OpenRTB 2.6 example requests parse and serialise back to the same JSON."""

from __future__ import annotations

import json
from pathlib import Path

import openrtb_schemas
import orjson
import pytest

from mock_data_gen.openrtb import BidRequest, unknown_fields


@pytest.mark.conformance
def test_the_example_set_is_present() -> None:
    assert {path.name for path in openrtb_schemas.example_requests()} >= {
        "mobile-app.json",
        "pmp-direct-deal.json",
        "simple-banner.json",
        "video.json",
    }


@pytest.mark.parametrize("path", openrtb_schemas.example_request_params())
def test_example_round_trips_to_equal_json(path: Path) -> None:
    original = json.loads(path.read_text(encoding="utf-8"))
    request = BidRequest.from_json(path.read_bytes())

    assert request.to_dict() == original
    assert orjson.loads(request.to_json()) == original


@pytest.mark.parametrize("path", openrtb_schemas.example_request_params())
def test_serialised_example_is_valid_against_the_official_schema(path: Path) -> None:
    request = BidRequest.from_json(path.read_bytes())
    errors = list(openrtb_schemas.validator().iter_errors(orjson.loads(request.to_json())))
    assert [error.message for error in errors] == []


@pytest.mark.conformance
def test_only_the_video_example_carries_a_field_the_spec_does_not_define() -> None:
    # The official video example puts "apis" (a Bid attribute) on Video, whose field is "api".
    found = {
        path.name: unknown_fields(BidRequest.from_json(path.read_bytes()))
        for path in openrtb_schemas.example_requests()
    }
    assert found.pop("video.json") == ["imp[0].video.apis"]
    assert all(paths == [] for paths in found.values())


def test_values_come_out_in_spec_order_with_unknown_fields_last() -> None:
    request = BidRequest.from_json(
        b'{"user": {"id": "u"}, "zz_custom": 1, "imp": [{"id": "1"}], "id": "r"}'
    )
    assert list(orjson.loads(request.to_json())) == ["id", "imp", "user", "zz_custom"]
