"""Scenario files: a run's rate as stages, each with a duration, a rate or a ramp, and bursts.

A scenario is a JSON document::

    {
      "description": "What it shows",
      "stages": [
        {"name": "night", "duration": "6h", "rate": 20},
        {"name": "doors open", "duration": "30m", "ramp": {"from": 20, "to": 400}},
        {"duration": "1h", "rate": 400, "bursts": [{"at": "10m", "factor": 10, "duration": "10s"}]}
      ]
    }

Rates are events per (simulated) second; durations a number of seconds or a string with a unit
(``90s``, ``15m``, ``2h``, ``1d``). A ramp goes linearly from one rate to the other over its
stage; a burst multiplies the stage's rate by ``factor`` for ``duration`` from ``at`` into the
stage. The scenario becomes a ``RateCurve`` that ends with its last stage. An optional ``mix``
overrides the generator's traffic profile for the whole run (``MIX_FIELDS``: the device mix with
its CTV share, the DOOH share, the app shares of phones and tablets, the local-site share, the
deal rate, the euro share, the market shares by country and the GDPR share), e.g. ``"mix":
{"device_mix": {"desktop": 0.1, "phone": 0.3, "tablet": 0.1, "ctv": 0.5}}`` or ``"mix":
{"market_shares": {"DEU": 3, "FRA": 1}}`` (weights by ISO-3166-1 alpha-3 code of the markets the
generator knows; countries left out get no traffic; the diurnal activity by local hour still
applies on top). Optional ``faults`` inject faults on purpose through the run
(``mock_data_gen.faults``): fractions of the events by kind, e.g. ``"faults": {"malformed_json":
0.01, "schema_invalid": 0.01, "duplicate": 0.02, "late": 0.05, "oversize": 0.001}``.

JSON rather than YAML: the generator has no YAML parser among its dependencies (its image's
requirements are pinned by hash), and JSON's own parser says where a syntax error is. Every
other error names the line of the object it is about (``FILE:LINE: stages[2].ramp.to: ...``),
found by recording where each object starts while parsing. The mix is one for the whole run, not
per stage (a generator's tables are built for one profile, which takes a second and a few hundred
MB).
"""

from __future__ import annotations

import itertools
import json
import json.decoder
import json.scanner
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mock_data_gen.faults import FaultFractions
from mock_data_gen.rate_curve import Segment
from mock_data_gen.synthesis.profile import DEVICE_CLASSES, MARKET_COUNTRIES, TrafficProfile

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
DURATION_ACCEPTED = "a number of seconds > 0 or a string such as 90s, 15m, 2h, 1d"
# The members of the generator's TrafficProfile that shape the mix (the others size its pools).
MIX_FIELDS = (
    "device_mix",
    "dooh_share",
    "phone_app_share",
    "tablet_app_share",
    "local_site_share",
    "deal_rate",
    "eur_share",
    "market_shares",
    "gdpr_share",
)


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file, the line and what is
    accepted."""


class _Object(dict[str, Any]):
    """A JSON object that knows the line it starts on."""

    line = 1


def _parse(text: str) -> Any:
    """Parse JSON, recording each object's first line."""
    decoder = json.JSONDecoder()

    def parse_object(s_and_end: tuple[str, int], *args: Any, **kwargs: Any) -> tuple[Any, int]:
        text, start = s_and_end
        values, end = json.decoder.JSONObject(s_and_end, *args, **kwargs)  # type: ignore[attr-defined]
        found = _Object(values)
        found.line = text.count("\n", 0, start) + 1
        return found, end

    # The pure-Python scanner calls back through the decoder's parse_object; the C scanner
    # would not, so it is replaced along with it.
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


@dataclass(frozen=True)
class Burst:
    at: float
    factor: float
    duration: float


@dataclass(frozen=True)
class Stage:
    name: str
    duration: float
    rate_from: float
    rate_to: float
    bursts: tuple[Burst, ...]

    def segments(self) -> list[Segment]:
        """The stage cut where its bursts begin and end, each piece at its rate."""
        cuts = sorted({0.0, self.duration, *(b.at for b in self.bursts)} | {
            b.at + b.duration for b in self.bursts
        })  # fmt: skip
        pieces = []
        for start, end in itertools.pairwise(cuts):
            factor = next((b.factor for b in self.bursts if b.at <= start < b.at + b.duration), 1)
            pieces.append(
                Segment(end - start, factor * self._rate(start), factor * self._rate(end))
            )
        return pieces

    def _rate(self, t: float) -> float:
        return self.rate_from + (self.rate_to - self.rate_from) * t / self.duration


@dataclass(frozen=True)
class Scenario:
    path: Path
    description: str
    stages: tuple[Stage, ...]
    # The generator's profile with the scenario's mix, None without one.
    profile: TrafficProfile | None = None
    # Faults on purpose for the whole run, None without them.
    faults: FaultFractions | None = None

    @property
    def duration(self) -> float:
        return sum(stage.duration for stage in self.stages)

    def segments(self) -> list[Segment]:
        return [segment for stage in self.stages for segment in stage.segments()]


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file; ``ScenarioError`` names the first problem and its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"{path}: cannot be read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: is not UTF-8 text") from None
    try:
        document = _parse(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            f"{path}:{error.lineno}: not JSON ({error.msg}, column {error.colno})"
        ) from None
    return _Reader(path).scenario(document)


class _Reader:
    """Turns the parsed document into a ``Scenario``, or says what is wrong and where."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: _Object | None, member: str, problem: str) -> ScenarioError:
        line = where.line if where is not None else 1
        return ScenarioError(f"{self.path}:{line}: {member}: {problem}")

    def scenario(self, document: Any) -> Scenario:
        if not isinstance(document, _Object):
            raise self.fail(None, "(document)", "expected a JSON object with a stages array")
        self.members(
            document, "(document)", required={"stages"}, optional={"description", "mix", "faults"}
        )
        description = document.get("description", "")
        if not isinstance(description, str):
            raise self.fail(document, "description", "expected a string")
        stages = document["stages"]
        if not isinstance(stages, list) or not stages:
            raise self.fail(document, "stages", "expected a non-empty array of stage objects")
        read = tuple(self.stage(stage, f"stages[{i}]", document) for i, stage in enumerate(stages))
        if sum(stage.duration * (stage.rate_from + stage.rate_to) for stage in read) <= 0:
            raise self.fail(document, "stages", "hold no events (every rate is 0)")
        profile = self.mix(document["mix"], document) if "mix" in document else None
        faults = self.faults(document["faults"], document) if "faults" in document else None
        return Scenario(self.path, description, read, profile, faults)

    def faults(self, faults: Any, parent: _Object) -> FaultFractions:
        names = FaultFractions.names()
        if not isinstance(faults, _Object):
            raise self.fail(parent, "faults", f"expected an object with some of {', '.join(names)}")
        self.members(faults, "faults", required=set(), optional=set(names))
        values = {name: self.number(faults, name, "faults", minimum=0) for name in faults}
        problem = FaultFractions.problem(values)
        if problem is not None:
            raise self.fail(faults, "faults", problem)
        return FaultFractions(**values)

    def mix(self, mix: Any, parent: _Object) -> TrafficProfile:
        if not isinstance(mix, _Object):
            raise self.fail(
                parent, "mix", f"expected an object with some of {', '.join(MIX_FIELDS)}"
            )
        self.members(mix, "mix", required=set(), optional=set(MIX_FIELDS))
        values = dict(mix)
        if "device_mix" in mix:
            devices = mix["device_mix"]
            if not isinstance(devices, _Object):
                raise self.fail(mix, "mix.device_mix", "expected an object of weights")
            self.members(devices, "mix.device_mix", required=set(DEVICE_CLASSES), optional=set())
            values["device_mix"] = MappingProxyType(
                {
                    name: self.number(devices, name, "mix.device_mix", minimum=0)
                    for name in DEVICE_CLASSES
                }
            )
        if "market_shares" in mix:
            values["market_shares"] = self.market_shares(mix["market_shares"], mix)
        for name in set(MIX_FIELDS) - {"device_mix", "market_shares"}:
            if name in mix:
                values[name] = self.number(mix, name, "mix", minimum=0)
        try:
            return TrafficProfile(**values)
        except ValueError as error:
            # The profile says what it accepts, under its own name.
            raise self.fail(mix, "mix", str(error).replace("TrafficProfile.", "mix.")) from None

    def market_shares(self, shares: Any, mix: _Object) -> MappingProxyType[str, float]:
        where = "mix.market_shares"
        accepted = ", ".join(MARKET_COUNTRIES)
        if not isinstance(shares, _Object) or not shares:
            raise self.fail(
                mix, where, f"expected an object of weights by country, some of {accepted}"
            )
        for key in shares:
            if key not in MARKET_COUNTRIES:
                raise self.fail(
                    shares, f"{where}.{key}", f"unknown market country; expected some of {accepted}"
                )
        weights = {key: self.number(shares, key, where, minimum=0) for key in shares}
        if sum(weights.values()) <= 0:
            raise self.fail(shares, where, "weights are all 0; expected at least one above 0")
        return MappingProxyType(weights)

    def stage(self, stage: Any, where: str, parent: _Object) -> Stage:
        if not isinstance(stage, _Object):
            raise self.fail(parent, where, "expected a stage object")
        self.members(stage, where, required={"duration"}, optional={"name", "rate", "ramp"}
                     | {"bursts"})  # fmt: skip
        name = stage.get("name", where)
        if not isinstance(name, str):
            raise self.fail(stage, f"{where}.name", "expected a string")
        duration = self.duration(stage, "duration", where)
        if ("rate" in stage) == ("ramp" in stage):
            raise self.fail(stage, where, "expected exactly one of rate and ramp")
        if "rate" in stage:
            rate_from = rate_to = self.number(stage, "rate", where, minimum=0)
        else:
            ramp = stage["ramp"]
            if not isinstance(ramp, _Object):
                raise self.fail(stage, f"{where}.ramp", 'expected {"from": RATE, "to": RATE}')
            self.members(ramp, f"{where}.ramp", required={"from", "to"}, optional=set())
            rate_from = self.number(ramp, "from", f"{where}.ramp", minimum=0)
            rate_to = self.number(ramp, "to", f"{where}.ramp", minimum=0)
        bursts = stage.get("bursts", [])
        if not isinstance(bursts, list):
            raise self.fail(stage, f"{where}.bursts", "expected an array of burst objects")
        read = [self.burst(b, f"{where}.bursts[{i}]", stage) for i, b in enumerate(bursts)]
        for index, burst in enumerate(read):
            if burst.at + burst.duration > duration + 1e-9:
                raise self.fail(
                    bursts[index],
                    f"{where}.bursts[{index}]",
                    f"ends at {burst.at + burst.duration:g} s, after its stage ({duration:g} s)",
                )
        ordered = sorted(range(len(read)), key=lambda i: read[i].at)
        for first, second in itertools.pairwise(ordered):
            if read[second].at < read[first].at + read[first].duration:
                raise self.fail(
                    bursts[second],
                    f"{where}.bursts[{second}]",
                    f"overlaps {where}.bursts[{first}]; expected bursts one after another",
                )
        return Stage(name, duration, rate_from, rate_to, tuple(read))

    def burst(self, burst: Any, where: str, stage: _Object) -> Burst:
        if not isinstance(burst, _Object):
            raise self.fail(stage, where, "expected a burst object")
        self.members(burst, where, required={"at", "factor", "duration"}, optional=set())
        at = self.duration(burst, "at", where, allow_zero=True)
        factor = self.number(burst, "factor", where, minimum=0)
        return Burst(at, factor, self.duration(burst, "duration", where))

    def members(self, obj: _Object, where: str, *, required: set[str], optional: set[str]) -> None:
        accepted = ", ".join(sorted(required | optional))
        for key in obj:
            if key not in required | optional:
                raise self.fail(obj, f"{where}.{key}", f"unknown member; expected {accepted}")
        for key in sorted(required - set(obj)):
            raise self.fail(obj, f"{where}.{key}", "missing")

    def number(self, obj: _Object, key: str, where: str, *, minimum: float) -> float:
        value = obj[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < minimum
        ):
            raise self.fail(obj, f"{where}.{key}", f"{value!r}: expected a number >= {minimum:g}")
        return float(value)

    def duration(self, obj: _Object, key: str, where: str, *, allow_zero: bool = False) -> float:
        value = obj[key]
        seconds: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = float(value)
        elif isinstance(value, str):
            match = _DURATION.fullmatch(value.strip())
            if match:
                seconds = float(match[1]) * _UNITS[match[2]]
        positive: Callable[[float], bool] = (lambda s: s >= 0) if allow_zero else (lambda s: s > 0)
        if seconds is None or not math.isfinite(seconds) or not positive(seconds):
            accepted = DURATION_ACCEPTED.replace("> 0", ">= 0") if allow_zero else DURATION_ACCEPTED
            raise self.fail(obj, f"{where}.{key}", f"{value!r}: expected {accepted}")
        return seconds
