"""Scenarios realised by ``run`` against Kafka, measured from the record timestamps: a burst of
x10 for 10 s second by second, a ramp 10 s window by 10 s window; a scenario's mix, and a
scenario read once (from a pipe)."""

from __future__ import annotations

import bisect
import json
import os
import subprocess
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka_testkit import KafkaCluster, TopicReader
from service_runner import ServiceRunner

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
START_MS = int(START.timestamp() * 1000)
BURST = """{"stages": [
  {"name": "before", "duration": "5s", "rate": 100},
  {"name": "burst", "duration": "10s", "rate": 100,
   "bursts": [{"at": "0s", "factor": 10, "duration": "10s"}]},
  {"name": "after", "duration": "5s", "rate": 100}
]}"""
RAMP = """{"stages": [{"name": "ramp", "duration": "100s", "ramp": {"from": 50, "to": 500}}]}"""


def _run(
    cluster: KafkaCluster, topic: str, runner: ServiceRunner, scenario: Path, speed: str
) -> list[int]:
    """Record timestamps, in milliseconds after the scenario's start, of a run to its end."""
    reader = TopicReader(cluster.bootstrap_servers, topic, lambda message: message.timestamp()[1])
    service = runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=cluster.bootstrap_servers,
        TOPIC_BID_REQUESTS=topic,
        SCENARIO_FILE=str(scenario),
        SIMULATED_START=START.isoformat(),
        SPEED=speed,
    )
    assert service.wait(120) == 0, service.log()
    summary = service.summary()
    assert summary["reason"] == "scenario_end" and summary["skipped"] == "0", summary
    times = sorted(timestamp - START_MS for timestamp in reader.finish())
    assert len(times) == int(summary["delivered"])
    return times


@pytest.mark.parametrize("speed", ["max", "4"], ids=["backfill", "paced-x4"])
def test_a_x10_burst_for_10_s_is_realised_second_by_second(
    kafka_cluster: KafkaCluster,
    kafka_topic: str,
    service_runner: ServiceRunner,
    tmp_path: Path,
    speed: str,
) -> None:
    scenario = tmp_path / "burst.json"
    scenario.write_text(BURST)
    times = _run(kafka_cluster, kafka_topic, service_runner, scenario, speed)
    per_second = Counter(t // 1000 for t in times)
    expected = [100] * 5 + [1000] * 10 + [100] * 5
    realised = [per_second[s] for s in range(20)]
    print(f"events per simulated second: {realised}")
    assert set(per_second) == set(range(20))
    for second, (count, want) in enumerate(zip(realised, expected, strict=True)):
        assert abs(count - want) <= 0.02 * want, (second, count, want)


def test_a_ramp_is_realised_window_by_window(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner, tmp_path: Path
) -> None:
    scenario = tmp_path / "ramp.json"
    scenario.write_text(RAMP)
    times = _run(kafka_cluster, kafka_topic, service_runner, scenario, "max")
    for window in range(10):
        start, end = window * 10_000, (window + 1) * 10_000
        count = bisect.bisect_left(times, end) - bisect.bisect_left(times, start)
        # The rate's integral over the window: 50 + 4.5 t events per second.
        want = 50 * 10 + 4.5 * ((end / 1000) ** 2 - (start / 1000) ** 2) / 2
        assert abs(count - want) <= 0.02 * want, (window, count, want)
    assert len(times) == (50 + 500) / 2 * 100


def test_a_scenario_mix_shapes_what_run_generates(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner, tmp_path: Path
) -> None:
    scenario = tmp_path / "ctv.json"
    scenario.write_text(
        '{"stages": [{"duration": "100s", "rate": 2}], "mix": {"dooh_share": 0,'
        ' "device_mix": {"desktop": 0, "phone": 0, "tablet": 0, "ctv": 1}}}'
    )
    reader = TopicReader(
        kafka_cluster.bootstrap_servers,
        kafka_topic,
        lambda message: json.loads(message.value() or b"{}")["device"]["devicetype"],
    )
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
        TOPIC_BID_REQUESTS=kafka_topic,
        SCENARIO_FILE=str(scenario),
        SPEED="max",
    )
    assert service.wait(60) == 0, service.log()
    device_types = reader.finish()
    assert len(device_types) == 200
    assert set(device_types) <= {3, 7}  # connected TV or set-top box only


def test_a_scenario_is_read_once_so_it_can_come_from_a_pipe(
    kafka_cluster: KafkaCluster, kafka_topic: str, service_runner: ServiceRunner, tmp_path: Path
) -> None:
    # A shell's <(...) hands run a pipe, which holds the scenario for one reading only: a second
    # one would wait for a writer for ever. Its stages, mix and faults must all come from the first.
    pipe = tmp_path / "scenario.json"
    os.mkfifo(pipe)
    scenario = (
        '{"stages": [{"duration": "100s", "rate": 2}], "faults": {"duplicate": 0.2}, "mix":'
        ' {"dooh_share": 0, "device_mix": {"desktop": 0, "phone": 0, "tablet": 0, "ctv": 1}}}'
    )
    writer = threading.Thread(target=pipe.write_text, args=(scenario,), daemon=True)
    writer.start()
    reader = TopicReader(
        kafka_cluster.bootstrap_servers,
        kafka_topic,
        lambda message: json.loads(message.value() or b"{}")["device"]["devicetype"],
    )
    service = service_runner.start(
        "run",
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap_servers,
        TOPIC_BID_REQUESTS=kafka_topic,
        SCENARIO_FILE=str(pipe),
        SPEED="max",
    )
    try:
        code = service.wait(60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"run did not finish, waiting to read the scenario again?\n{service.log()}")
    assert code == 0, service.log()
    assert service.summary()["reason"] == "scenario_end"  # its stages
    device_types = reader.finish()
    assert len(device_types) > 200  # 200 events and their duplicates: its faults
    assert set(device_types) <= {3, 7}  # connected TV or set-top box only: its mix
