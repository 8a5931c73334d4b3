"""Scenario files: stages, ramps and bursts become the rate; every mistake names its line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from service_runner import free_port

from mock_data_gen.rate_curve import RateCurve, Segment
from mock_data_gen.scenario import ScenarioError, load_scenario

EXAMPLES = sorted((Path(__file__).parents[2] / "scenarios").glob("*.json"))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(text)
    return path


def test_stages_ramps_and_bursts_become_segments(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """{
  "description": "test",
  "stages": [
    {"duration": 10, "rate": 5},
    {"duration": "1m", "ramp": {"from": 0, "to": 60},
     "bursts": [{"at": "30s", "factor": 10, "duration": "10s"}]}
  ]
}""",
    )
    scenario = load_scenario(path)
    assert scenario.duration == 70
    assert scenario.segments() == [
        Segment(10, 5, 5),
        Segment(30, 0, 30),
        Segment(10, 300, 400),  # the ramp, times 10, while the burst lasts
        Segment(20, 40, 60),
    ]
    assert RateCurve(scenario.segments()).total == 50 + 1800 + 9 * 350


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"stages": [\n  {"duration": 10,\n   "rate": 5,,}\n]}', 3, "not JSON"),
        ("[1, 2]", 1, "(document): expected a JSON object with a stages array"),
        ('{\n"stages": []\n}', 1, "stages: expected a non-empty array"),
        ('{"stages": [\n  {"rate": 5}\n]}', 2, "stages[0].duration: missing"),
        ('{"stages": [\n  {"duration": "5 min", "rate": 5}\n]}', 2, "string such as 90s"),
        ('{"stages": [\n {"duration": 5, "rate": 5},\n {"duration": 5}\n]}', 3, "one of rate"),
        (
            '{"stages": [{"duration": 5,\n  "ramp": {\n    "from": 1, "to": -2}}]}',
            2,
            "stages[0].ramp.to: -2: expected a number >= 0",
        ),
        ('{"stages": [{"duration": 5, "rate": 5, "speed": 2}]}', 1, "stages[0].speed: unknown"),
        (
            '{"stages": [{"duration": 60, "rate": 5, "bursts": [\n'
            '  {"at": "50s", "factor": 10, "duration": "20s"}]}]}',
            2,
            "stages[0].bursts[0]: ends at 70 s, after its stage (60 s)",
        ),
        (
            '{"stages": [{"duration": 60, "rate": 5, "bursts": [\n'
            '  {"at": "10s", "factor": 10, "duration": "20s"},\n'
            '  {"at": "20s", "factor": 2, "duration": "5s"}]}]}',
            3,
            "stages[0].bursts[1]: overlaps stages[0].bursts[0]",
        ),
        ('{"stages": [{"duration": 60, "rate": 0}]}', 1, "stages: hold no events"),
        (
            '{"stages": [{"duration": 1, "rate": 1}],\n "mix": {"ctv_share": 0.5}}',
            2,
            "mix.ctv_share: unknown member; expected deal_rate, device_mix, dooh_share",
        ),
        (
            '{"stages": [{"duration": 1, "rate": 1}], "mix": {\n'
            '  "market_shares": {"DEU": 1, "XYZ": 2}}}',
            2,
            "mix.market_shares.XYZ: unknown market country; expected some of ARG, AUS, BRA,",
        ),
        (
            '{"stages": [{"duration": 1, "rate": 1}], "mix": {\n'
            '  "market_shares": {"DEU": 0, "FRA": 0}}}',
            2,
            "mix.market_shares: weights are all 0; expected at least one above 0",
        ),
        (
            '{"stages": [{"duration": 1, "rate": 1}],\n "mix": {'
            '"market_shares": {"USA": 1}, "gdpr_share": 0.5}}',
            2,
            "mix: mix.gdpr_share 0.5 cannot be met",
        ),
        (
            '{"stages": [{"duration": 1, "rate": 1}],\n "mix": {\n  "dooh_share": 2}}',
            2,
            "mix: mix.dooh_share must be a share in [0, 1], got 2.0",
        ),
        (
            '{"stages": [{"duration": 1, "rate": 1}], "mix": {\n'
            '  "device_mix": {"desktop": 1, "phone": 1, "tablet": 1}}}',
            2,
            "mix.device_mix.ctv: missing",
        ),
    ],
)
def test_a_mistake_names_the_file_its_line_and_what_is_accepted(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert str(raised.value).startswith(f"{path}:{line}: ")
    assert message in str(raised.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot be read"):
        load_scenario(tmp_path / "absent.json")


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_the_example_scenarios_load(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.description and all(stage.name for stage in scenario.stages)
    assert RateCurve(scenario.segments()).total


def test_examples_ship_with_the_repository() -> None:
    assert {path.name for path in EXAMPLES} >= {"black-friday.json", "live-match-ad-breaks.json"}


def _mock_data_gen(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_data_gen", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_with_an_invalid_scenario_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"stages": [\n  {"duration": "1h", "rate": "fast"}\n]}')
    # The broker address points at a closed port: a service that tried to connect would hang.
    result = _mock_data_gen(
        "run",
        env={"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}", "SCENARIO_FILE": str(path)},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"SCENARIO_FILE: {path}:2: stages[0].rate: 'fast': expected a number >= 0" in lines[0]


def test_sample_follows_a_scenario_and_counts_its_events(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '{"stages": [{"duration": 10, "rate": 1}, '
        '{"duration": 10, "rate": 1, "bursts": [{"at": 0, "factor": 3, "duration": 5}]}]}',
    )
    result = _mock_data_gen("sample", "--scenario", str(path), "--seed", "1", env={})
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 10 + 15 + 5
    bad = _write(tmp_path, '{"stages": [\n{"duration": 0, "rate": 1}]}')
    result = _mock_data_gen("sample", "--scenario", str(bad), env={})
    assert result.returncode == 2
    assert f"{bad}:2: stages[0].duration: 0: expected" in result.stderr


def test_sample_draws_the_mix_a_scenario_sets(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '{"stages": [{"duration": 200, "rate": 1}], "mix": {"dooh_share": 0,'
        ' "device_mix": {"desktop": 0, "phone": 0, "tablet": 0, "ctv": 1}}}',
    )
    result = _mock_data_gen("sample", "--scenario", str(path), "--seed", "3", env={})
    assert result.returncode == 0, result.stderr
    requests = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(requests) == 200
    # Connected TV (AdCOM device type 3) or a set-top box (7), always in an app.
    assert {request["device"]["devicetype"] for request in requests} <= {3, 7}
    assert all("app" in request for request in requests)


def test_sample_draws_the_markets_a_scenario_sets(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '{"stages": [{"duration": 300, "rate": 1}], "mix": {"market_shares": {"DEU": 1}}}',
    )
    result = _mock_data_gen("sample", "--scenario", str(path), "--seed", "5", env={})
    assert result.returncode == 0, result.stderr
    requests = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(requests) == 300
    assert {request["device"]["geo"]["country"] for request in requests} == {"DEU"}
