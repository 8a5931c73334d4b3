"""Every generated request is a valid OpenRTB 2.6 request: official JSON Schemas and the models."""

from __future__ import annotations

from collections import Counter

import pytest
from openrtb_schemas import validator
from samples import Sample

from mock_data_gen.openrtb import BidRequest, iter_objects, unknown_fields, unlisted_codes

# The request-side objects the brief asks the generator to exercise.
EXPECTED_OBJECTS = {
    "BidRequest", "Source", "SupplyChain", "SupplyChainNode", "Regs", "Imp", "Metric", "Banner",
    "Format", "Video", "Audio", "Native", "Qty", "Refresh", "RefSettings", "DurFloors", "Pmp",
    "Deal", "Site", "App", "DOOH", "Publisher", "Content", "Producer", "Network", "Channel", "Data",
    "Segment", "Device", "UserAgent", "BrandVersion", "Geo", "User", "EID", "UID",
}  # fmt: skip


@pytest.mark.conformance
def test_ten_thousand_requests_over_five_seeds_validate_against_the_official_schemas(
    conformance_samples: dict[int, Sample],
) -> None:
    schema = validator("BidRequest")
    checked = 0
    failures: list[str] = []
    for seed, sample in conformance_samples.items():
        for request in sample.requests:
            for error in schema.iter_errors(request):
                failures.append(
                    f"seed {seed} {request['id']} {list(error.absolute_path)}: {error.message}"
                )
            checked += 1
    assert checked == 10_000
    assert failures == []


def test_every_request_parses_into_the_models_without_unknown_fields_or_unlisted_codes(
    conformance_samples: dict[int, Sample],
) -> None:
    problems: list[str] = []
    for sample in conformance_samples.values():
        for record in sample.records:
            model = BidRequest.from_json(record.payload)
            assert model.id == record.request_id
            problems += [f"unknown {path}" for path in unknown_fields(model)]
            problems += [f"unlisted {code}" for code in unlisted_codes(model)]
    assert problems == []


def test_two_thousand_default_requests_exercise_at_least_thirty_request_objects(
    conformance_samples: dict[int, Sample],
) -> None:
    seen: Counter[str] = Counter()
    for record in conformance_samples[0].records:
        for _, obj in iter_objects(BidRequest.from_json(record.payload)):
            seen[type(obj).__name__] += 1
    present = EXPECTED_OBJECTS & set(seen)
    assert len(present) >= 30, (
        f"only {sorted(present)}; missing {sorted(EXPECTED_OBJECTS - present)}"
    )


def test_record_keys_match_the_payload(conformance_samples: dict[int, Sample]) -> None:
    for sample in conformance_samples.values():
        for record, request in zip(sample.records, sample.requests, strict=True):
            assert record.request_id == request["id"]
            assert record.user_id == request.get("user", {}).get("id", "")
            placement = request.get("site") or request.get("app") or request["dooh"]
            assert record.publisher_id == placement["publisher"]["id"]
    ids = [r.request_id for s in conformance_samples.values() for r in s.records]
    assert len(set(ids)) == len(ids)
