"""Every payload the funnel makes, of five seeds, is an instance of its record model (unknown
members refused, strict JSON types): the models the event tables are derived from describe the
records exactly."""

from __future__ import annotations

from collections import Counter

import pytest
from funnel_samples import Funnel

from mock_data_gen.funnel import EVENT_TYPES
from mock_data_gen.funnel.records import RECORD_MODELS


def test_every_payload_is_its_record_model(funnels: dict[int, Funnel]) -> None:
    seen: Counter[str] = Counter()
    for sample in funnels.values():
        for event in sample.events:
            RECORD_MODELS[event.type].model_validate_json(event.to_json())
            seen[event.type] += 1
    assert set(seen) == set(EVENT_TYPES), seen


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_a_member_the_model_lacks_is_refused(funnels: dict[int, Funnel], kind: str) -> None:
    # From any seed: clicks are rare enough that one seed's sample may have none.
    event = next(e for sample in funnels.values() for e in sample.events if e.type == kind)
    with pytest.raises(ValueError, match="extra"):
        RECORD_MODELS[kind].model_validate({**event.payload, "unexpected": 1})
