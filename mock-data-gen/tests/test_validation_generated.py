"""The generator's own traffic passes every check of ``validate``: no rule finds anything in it,
over several seeds and start times and over a whole simulated day."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
import pytest

from mock_data_gen.openrtb import OpenRTBModel
from mock_data_gen.synthesis import BidRequestGenerator
from mock_data_gen.validation import RULES, Document, check_document
from mock_data_gen.validation.json_tree import walk

DAY_MS = 86_400_000
# 1,000 events per second, the default rate of `sample`.
STEP_MS = 1
# Seeds with the start of their 2,000 requests: midnight and midday, both hemispheres' summers,
# both daylight saving switches in Europe and the USA, and a new year's eve.
SEED_STARTS = {
    0: datetime(2026, 1, 14, 0, tzinfo=UTC),
    1: datetime(2026, 7, 15, 12, tzinfo=UTC),
    2: datetime(2026, 3, 29, 1, tzinfo=UTC),
    3: datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    4: datetime(2025, 12, 31, 23, 59, tzinfo=UTC),
}
PER_SEED = 2_000
# And one seed spread evenly over a whole day, every 18 simulated seconds.
DAY_SEED, DAY_START, DAY_COUNT = 7, datetime(2026, 4, 20, tzinfo=UTC), 4_800

# The rules that read each kind of object.
READERS: defaultdict[type[OpenRTBModel], list[str]] = defaultdict(list)
for _rule in RULES:
    for _model in _rule.models:
        READERS[_model].append(_rule.id)

# Rules the generator is known to break, with the reason; the test of such a rule is an
# expected failure (strict: it fails once the generator is fixed, so that the entry goes).
KNOWN_VIOLATIONS: dict[str, str] = {}


@dataclass
class Findings:
    requests: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    # Requests in which each rule found something, and the first such finding.
    requests_by_rule: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    # Objects each rule read: a rule that never reads anything proves nothing.
    objects_read: Counter[str] = field(default_factory=Counter)


def _times(start: datetime, count: int, step_ms: int) -> list[int]:
    first = int(start.timestamp() * 1000)
    return [first + index * step_ms for index in range(count)]


@pytest.fixture(scope="module")
def findings() -> Findings:
    batches = [(seed, _times(start, PER_SEED, STEP_MS)) for seed, start in SEED_STARTS.items()]
    batches.append((DAY_SEED, _times(DAY_START, DAY_COUNT, DAY_MS // DAY_COUNT)))
    result = Findings()
    for seed, times in batches:
        for record in BidRequestGenerator(seed=seed).generate_batch(times):
            checked = check_document(Document(1, record.payload))
            result.requests += 1
            assert checked.request is not None
            rules_here = set()
            for finding in checked.findings:
                key = finding.rule or "types, fields and codes"
                result.by_rule[key] += 1
                rules_here.add(key)
                result.examples.setdefault(
                    key, f"seed {seed}, {finding.path}: {finding.message} ({finding.severity})"
                )
            result.requests_by_rule.update(rules_here)
            for model, _, _ in walk(orjson.loads(record.payload)):
                result.objects_read.update(READERS[model])
    return result


def _params() -> list[object]:
    return [
        pytest.param(
            rule.id,
            id=rule.id,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_VIOLATIONS[rule.id])]
            if rule.id in KNOWN_VIOLATIONS
            else [],
        )
        for rule in RULES
    ]


@pytest.mark.slow
@pytest.mark.parametrize("rule", _params())
def test_generated_requests_pass_the_rule(rule: str, findings: Findings) -> None:
    assert findings.requests == len(SEED_STARTS) * PER_SEED + DAY_COUNT
    assert findings.by_rule[rule] == 0, (
        f"{findings.by_rule[rule]} findings in {findings.requests_by_rule[rule]} of "
        f"{findings.requests} requests, e.g. {findings.examples[rule]}"
    )


@pytest.mark.slow
def test_generated_requests_have_no_other_finding(findings: Findings) -> None:
    """Types, fields, codes and string formats: no error, no warning, strict or not."""
    assert findings.by_rule["types, fields and codes"] == 0, findings.examples


@pytest.mark.slow
def test_every_rule_reads_generated_objects(findings: Findings) -> None:
    assert {rule.id for rule in RULES} <= set(findings.objects_read)
