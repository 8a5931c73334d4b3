"""What a semantic rule is, and the helpers rules share.

A rule reads one kind of OpenRTB object at a time, as parsed JSON (see ``json_tree``), and
yields each case it finds with its location: all of them, not only the first. Its severity is
fixed, by what the spec says (see the README's "Validating bid requests"):

- error: the spec makes it a requirement ("required", "must", "must not", "only one of ... may"),
  or the value contradicts itself so that it cannot be read as meant (a negative duration, a
  maximum below its minimum, a string that does not decode as the specification it names says);
- warning: the spec deprecates it, or says "should" or "recommended", or its implementation
  guidance or a regulation it points to advises against it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mock_data_gen.openrtb import OpenRTBModel
from mock_data_gen.validation.findings import Loc, Severity
from mock_data_gen.validation.json_tree import JSONObject, present

# One case a rule found: where, and what is wrong there.
Hit = tuple[Loc, str]
# A rule's check reads one object (and where it is); a model-aware one also gets its model.
Check = Callable[[JSONObject, Loc], Iterator[Hit]]
ModelCheck = Callable[[type[OpenRTBModel], JSONObject, Loc], Iterator[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A semantic rule: its name, severity, the objects it reads, and (for the README) what it
    checks and on what authority."""

    id: str
    severity: Severity
    models: tuple[type[OpenRTBModel], ...]
    summary: str
    reason: str
    check: ModelCheck


class RuleBook:
    """The rules of one module, in the order they are declared."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []

    def rule(
        self,
        rule_id: str,
        severity: Severity,
        *models: type[OpenRTBModel],
        summary: str,
        reason: str,
    ) -> Callable[[Check], Check]:
        """Register a check that reads the object alone."""

        def register(check: Check) -> Check:
            def with_model(model: type[OpenRTBModel], data: JSONObject, loc: Loc) -> Iterator[Hit]:
                return check(data, loc)

            self.rules.append(Rule(rule_id, severity, models, summary, reason, with_model))
            return check

        return register

    def model_rule(
        self,
        rule_id: str,
        severity: Severity,
        *models: type[OpenRTBModel],
        summary: str,
        reason: str,
    ) -> Callable[[ModelCheck], ModelCheck]:
        """Register a check that also needs to know which of its models it reads."""

        def register(check: ModelCheck) -> ModelCheck:
            self.rules.append(Rule(rule_id, severity, models, summary, reason, check))
            return check

        return register


def exclusive(data: JSONObject, loc: Loc, names: tuple[str, ...], verb: str) -> Iterator[Hit]:
    """One hit if more than one of ``names`` is given, on the last of them in the object:
    "only one of a and b <verb> be present"."""
    given = [name for name in data if name in names and present(data, name)]
    if len(given) > 1:
        listed = f"{', '.join(given[:-1])} and {given[-1]}"
        yield (*loc, given[-1]), f"only one of {listed} {verb} be present"
