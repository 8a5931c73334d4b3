"""Faults on purpose: each kind realised at its fraction, marked in a header, doing what it says,
the same for a seed however the run is cut into batches; settings and scenarios that set them."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest
import zstandard
from kafka_testkit import KafkaCluster, read_topic
from service_runner import ServiceRunner

from mock_data_gen.faults import (
    DETAIL_HEADER,
    FAULT_HEADER,
    LATE_MAX_MS,
    LATE_MIN_MS,
    OVERSIZE_BYTES,
    Faulted,
    FaultFractions,
    FaultInjector,
)
from mock_data_gen.scenario import ScenarioError, load_scenario
from mock_data_gen.settings import ConfigError, load_settings
from mock_data_gen.synthesis import BidRequestGenerator

BASE = [("content-type", b"application/json")]
FRACTIONS = FaultFractions(
    malformed_json=0.03, schema_invalid=0.04, duplicate=0.02, late=0.05, oversize=0.002
)
EVENTS = 20_000
T0 = 1_767_225_600_000


@pytest.fixture(scope="module")
def batch() -> tuple[list[bytes], list[str], list[int]]:
    generated = BidRequestGenerator(seed=11).generate_columns([T0 + i for i in range(EVENTS)])
    return list(generated.payloads), list(generated.request_ids()), list(generated.event_times_ms)


def _run(
    injector: FaultInjector, batch: tuple[list[bytes], list[str], list[int]], size: int
) -> Faulted:
    """Inject over the whole batch in pieces of ``size`` events, as a run's batches would."""
    payloads, keys, times = batch
    whole = Faulted([], [], [], [])
    for first in range(0, len(payloads), size):
        end = first + size
        part = injector.inject(first, payloads[first:end], keys[first:end], times[first:end], BASE)
        if part is None:
            part = Faulted(payloads[first:end], keys[first:end], times[first:end],
                           [BASE] * len(payloads[first:end]))  # fmt: skip
        whole.payloads += part.payloads
        whole.keys += part.keys
        whole.timestamps += part.timestamps
        whole.headers += part.headers
    return whole


def _kind(headers: list[tuple[str, str | bytes | None]]) -> str | None:
    found = dict(headers).get(FAULT_HEADER)
    return None if found is None else bytes(found).decode()  # type: ignore[arg-type]


def test_each_kind_is_realised_at_its_fraction_and_marked(batch: tuple) -> None:
    out = _run(FaultInjector(FRACTIONS, seed=5), batch, 500)
    counts = Counter(_kind(h) for h in out.headers)
    duplicated = counts["duplicate"] // 2  # both copies of a duplicated event are marked
    assert len(out.payloads) == EVENTS + duplicated
    realised = {
        "malformed_json": counts["malformed-json"],
        "schema_invalid": counts["schema-invalid"],
        "duplicate": duplicated,
        "late": counts["late"],
        "oversize": counts["oversize"],
    }
    for name, count in realised.items():
        expected = getattr(FRACTIONS, name) * EVENTS
        # Evenly spread draws: within a few events, far inside the 10% asked of them.
        assert abs(count - expected) <= max(2, 0.01 * expected), (name, count, expected)


def test_the_same_events_are_hit_however_the_run_is_cut(batch: tuple) -> None:
    whole = _run(FaultInjector(FRACTIONS, seed=5), batch, EVENTS)
    pieces = _run(FaultInjector(FRACTIONS, seed=5), batch, 137)
    assert whole == pieces
    other_seed = _run(FaultInjector(FRACTIONS, seed=6), batch, EVENTS)
    assert other_seed.headers != whole.headers


def test_each_fault_does_what_its_header_says(batch: tuple) -> None:
    payloads, keys, times = batch
    out = _run(FaultInjector(FRACTIONS, seed=5), batch, 500)
    original = 0  # index of the event a record came from
    seen: Counter[str] = Counter()
    mistakes: Counter[str] = Counter()
    position = 0
    while position < len(out.payloads):
        value, headers = out.payloads[position], out.headers[position]
        kind = _kind(headers)
        detail = dict(headers).get(DETAIL_HEADER)
        assert out.keys[position] == keys[original]
        if kind is None:
            assert (value, out.timestamps[position]) == (payloads[original], times[original])
            assert headers == BASE
        elif kind == "malformed-json":
            assert payloads[original].startswith(value) and len(value) < len(payloads[original])
            with pytest.raises(orjson.JSONDecodeError):
                orjson.loads(value)
        elif kind == "schema-invalid":
            request, source = orjson.loads(value), orjson.loads(payloads[original])
            if "imp" in request:
                assert isinstance(request["imp"][0]["bidfloor"], str)
                assert float(request["imp"][0]["bidfloor"]) == pytest.approx(
                    source["imp"][0].get("bidfloor", 0.5), abs=0.005
                )
                request["imp"][0]["bidfloor"] = source["imp"][0].get("bidfloor")
                if source["imp"][0].get("bidfloor") is None:
                    del request["imp"][0]["bidfloor"]
                mistakes[bytes(detail).decode()] += 1  # type: ignore[arg-type]
            else:
                source.pop("imp")
                mistakes[bytes(detail).decode()] += 1  # type: ignore[arg-type]
            assert request == source  # nothing else changed
        elif kind == "duplicate":
            twin = position + 1
            copy = (out.payloads[twin], out.keys[twin], out.timestamps[twin], out.headers[twin])
            assert copy == (payloads[original], keys[original], times[original], headers)
            assert value == payloads[original] and out.timestamps[position] == times[original]
            position += 1
        elif kind == "late":
            behind = times[original] - out.timestamps[position]
            assert LATE_MIN_MS <= behind <= LATE_MAX_MS and value == payloads[original]
            assert detail == f"{behind} ms behind".encode()
        else:
            assert kind == "oversize" and len(value) == OVERSIZE_BYTES
            request, source = orjson.loads(value), orjson.loads(payloads[original])
            padding = request["ext"].pop("padding")
            if not request["ext"]:
                del request["ext"]
            assert request == source
            # Incompressible: compression cannot slip it under a size limit.
            assert len(zstandard.compress(padding.encode())) > 0.7 * OVERSIZE_BYTES
        seen[kind or "none"] += 1
        position += 1
        original += 1
    assert original == EVENTS
    assert set(seen) == {
        "none",
        "malformed-json",
        "schema-invalid",
        "duplicate",
        "late",
        "oversize",
    }
    # Both mistakes, in about equal numbers.
    assert set(mistakes) == {"imp[0].bidfloor is a string", "imp is missing"}
    assert min(mistakes.values()) > 0.4 * sum(mistakes.values())


def test_a_batch_without_a_hit_is_left_alone(batch: tuple) -> None:
    payloads, keys, times = batch
    injector = FaultInjector(FaultFractions(oversize=0.0001), seed=1)
    kinds = injector.kinds_of(0, EVENTS)
    first_clean = next(i for i in range(0, EVENTS, 50) if (kinds[i : i + 50] == 1).all())
    sl = slice(first_clean, first_clean + 50)
    assert injector.inject(first_clean, payloads[sl], keys[sl], times[sl], BASE) is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FAULT_LATE": "1.5"}, "FAULT_LATE='1.5' is not accepted; expected a fraction from 0"),
        ({"FAULT_DUPLICATE": "a lot"}, "FAULT_DUPLICATE='a lot' is not accepted"),
        (
            {"FAULT_LATE": "0.6", "FAULT_OVERSIZE": "0.5"},
            "FAULT_* fractions add up to 1.1; expected at most 1",
        ),
    ],
)
def test_bad_fault_settings_are_named(
    env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=None) as error:
        load_settings()
    assert message in str(error.value)


def test_fault_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAULT_MALFORMED_JSON", "0.25")
    monkeypatch.setenv("FAULT_LATE", "0.5")
    assert load_settings().fault_fractions() == {
        "malformed_json": 0.25, "schema_invalid": 0.0, "duplicate": 0.0, "late": 0.5,
        "oversize": 0.0,
    }  # fmt: skip


def _scenario(tmp_path: Path, faults: str) -> Path:
    path = tmp_path / "faults.json"
    path.write_text('{"stages": [{"duration": 10, "rate": 5}],\n "faults": ' + faults + "\n}")
    return path


def test_a_scenario_sets_the_faults(tmp_path: Path) -> None:
    path = _scenario(tmp_path, '{"late": 0.1, "duplicate": 0.05}')
    assert load_scenario(path).faults == FaultFractions(late=0.1, duplicate=0.05)


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        ("[0.1]", ":1: faults: expected an object with some of malformed_json, schema_invalid"),
        ('{"lateness": 0.1}', ":2: faults.lateness: unknown member; expected duplicate, late,"),
        ('{"late": "10%"}', ":2: faults.late: '10%': expected a number >= 0"),
        ('{"late": 1.5}', ":2: faults: late=1.5: expected a fraction from 0 to 1"),
        ('{"late": 0.7,\n "oversize": 0.7}', ":2: faults: the fault fractions add up to 1.4"),
    ],
)
def test_a_scenario_fault_mistake_names_its_line(tmp_path: Path, faults: str, message: str) -> None:
    path = _scenario(tmp_path, faults)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert f"{path}{message}" in str(error.value)


def test_run_refuses_faults_in_both_the_scenario_and_the_settings(tmp_path: Path) -> None:
    path = _scenario(tmp_path, '{"late": 0.1}')
    result = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "run"],
        env={"SCENARIO_FILE": str(path), "FAULT_DUPLICATE": "0.01", "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert f"SCENARIO_FILE={path} has faults and FAULT_DUPLICATE is set too" in result.stderr


def test_the_run_takes_its_faults_from_the_scenario_or_the_settings(tmp_path: Path) -> None:
    from mock_data_gen.delivery import Delivery

    quiet = {"kafka_bootstrap_servers": "127.0.0.1:1", "metrics_port": 0, "seed": 1}
    scenario = _scenario(tmp_path, '{"late": 0.1}')
    scenario_faults = load_scenario(scenario).faults
    from_scenario = Delivery(load_settings(quiet), scenario_faults=scenario_faults).faults
    assert from_scenario is not None and from_scenario.fractions == FaultFractions(late=0.1)
    from_settings = Delivery(load_settings({**quiet, "fault_oversize": 0.01})).faults
    assert from_settings is not None and from_settings.fractions == FaultFractions(oversize=0.01)
    assert Delivery(load_settings(quiet)).faults is None  # nothing to inject, nothing built


def _cut_between_copies(fractions: FaultFractions, seed: int, near: int) -> int:
    """A record count near ``near`` whose last record is a duplicated event's first copy."""
    duplicate = FaultInjector(fractions, seed).kinds_of(0, near) == 0  # the only kind set
    records = 0
    for hit in duplicate.tolist():
        records += 1
        if hit and records >= near // 2:
            return records
        records += hit
    raise AssertionError("no duplicate in the run")


@pytest.mark.integration
@pytest.mark.parametrize("cut", ["round", "between copies"])
def test_max_events_counts_records_a_duplicate_copy_too(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner, cut: str
) -> None:
    fractions = FaultFractions(duplicate=0.05)
    max_events = 3000 if cut == "round" else _cut_between_copies(fractions, 7, 3000)
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
        TOPIC_BID_REQUESTS=kafka_topic,
        MAX_EVENTS=str(max_events),
        EVENTS_PER_SECOND="0",
        FAULT_DUPLICATE="0.05",
        SEED="7",
    )
    assert service.wait() == 0, service.log()
    records = read_topic(kafka_cluster.bootstrap_servers, kafka_topic)
    assert len(records) == max_events
    assert service.summary()["produced"] == str(max_events)
    marked = [r for r in records if _kind(r.headers()) == "duplicate"]
    assert len(marked) > 100  # the run did duplicate: ~5% of the events, both copies marked
