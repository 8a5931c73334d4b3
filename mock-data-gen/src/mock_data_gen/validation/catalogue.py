"""Every semantic rule, and running them over a request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from mock_data_gen.openrtb import OpenRTBModel
from mock_data_gen.validation import imp_rules, privacy_rules, request_rules
from mock_data_gen.validation.findings import Loc
from mock_data_gen.validation.json_tree import walk
from mock_data_gen.validation.rules import Rule

RULES: tuple[Rule, ...] = (
    *request_rules.BOOK.rules,
    *imp_rules.BOOK.rules,
    *privacy_rules.BOOK.rules,
)
RULES_BY_ID = {rule.id: rule for rule in RULES}

_BY_MODEL: dict[type[OpenRTBModel], list[Rule]] = defaultdict(list)
for _rule in RULES:
    for _model in _rule.models:
        _BY_MODEL[_model].append(_rule)


def apply_rules(data: object) -> Iterator[tuple[Rule, Loc, str]]:
    """Every case every rule finds in a parsed request: object by object, parents first."""
    for model, obj, loc in walk(data):
        for rule in _BY_MODEL.get(model, ()):
            for where, message in rule.check(model, obj, loc):
                yield rule, where, message
