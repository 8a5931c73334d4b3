"""Every generated BidResponse is valid: official JSON Schema and the response models."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest
from funnel_samples import Funnel
from openrtb_schemas import validator

from mock_data_gen.funnel import BID_RESPONSE
from mock_data_gen.openrtb import BidResponse, NoBidReason, unknown_fields, unlisted_codes

# JSON Schema validation costs about 0.3 ms a response: the schema sees every response of the
# first requests of each seed, the models every response.
SCHEMA_REQUESTS_PER_SEED = 400


@pytest.mark.conformance
def test_responses_over_five_seeds_validate_against_the_official_schema(
    funnels: dict[int, Funnel],
) -> None:
    schema = validator("BidResponse")
    checked: Counter[str] = Counter()
    failures: list[str] = []
    for seed, sample in funnels.items():
        first = {record.request_id for record in sample.records[:SCHEMA_REQUESTS_PER_SEED]}
        for event in sample.of_type(BID_RESPONSE):
            if event.payload["request_id"] not in first or "response" not in event.payload:
                continue
            response = orjson.loads(event.to_json())["response"]
            failures += [
                f"seed {seed} {response['id']} {list(error.absolute_path)}: {error.message}"
                for error in schema.iter_errors(response)
            ]
            checked["bids" if "seatbid" in response else "no-bids"] += 1
    assert failures == []
    assert checked["bids"] > 5_000 and checked["no-bids"] > 500, checked


def test_every_response_parses_into_the_models_without_unknown_fields_or_unlisted_codes(
    funnels: dict[int, Funnel],
) -> None:
    problems: list[str] = []
    reasons: Counter[int] = Counter()
    for sample in funnels.values():
        for event in sample.of_type(BID_RESPONSE):
            if "response" not in event.payload:
                continue
            raw = orjson.dumps(event.payload["response"])
            model = BidResponse.from_json(raw)
            problems += [f"unknown {path}" for path in unknown_fields(model)]
            problems += [f"unlisted {code}" for code in unlisted_codes(model)]
            # Written back byte for byte: nothing the models would drop or add.
            assert model.to_json() == raw
            if model.nbr is not None:
                assert model.seatbid is None
                reasons[model.nbr] += 1
    assert problems == []
    assert set(reasons) <= set(NoBidReason)
    assert {NoBidReason.UNSUPPORTED_DEVICE, NoBidReason.UNMATCHED_USER} <= set(reasons)
