"""scripts/demo.sh: a real run (embedded cluster, generator, sink, lake verify, report, PNG) and a
Ctrl+C in the middle of one; no process may be left behind."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from stack_files import REPO_ROOT
from test_scripts import (
    VENV,
    _assert_everything_stopped,
    _ctrl_c,
    _free_port_range,
    _kill_what_is_left,
    _records_in_topic,
    _wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def _start_demo(tmp_path: Path, *args: str, **extra: str) -> tuple[subprocess.Popen[bytes], int]:
    """`demo.sh` as a terminal's foreground job; output in tmp_path/stdout and tmp_path/stderr."""
    port = _free_port_range(3)
    env = {
        **os.environ,
        **extra,
        "VENV": str(VENV),
        "EMBEDDED_KAFKA_PORT": str(port),
        "LOCAL_STATE_DIR": str(tmp_path),
        "PYICEBERG_HOME": str(tmp_path),
    }
    with (tmp_path / "stdout").open("wb") as stdout, (tmp_path / "stderr").open("wb") as stderr:
        process = subprocess.Popen(
            ["bash", str(REPO_ROOT / "scripts" / "demo.sh"), *args],
            env=env,
            stdout=stdout,
            stderr=stderr,
            cwd=REPO_ROOT,
            start_new_session=True,
        )
    return process, port


def test_demo_runs_verifies_reports_and_leaves_nothing_behind(tmp_path: Path) -> None:
    # Ten seconds: three progress lines (one every 3 s), and about 1,000 records to verify.
    process, port = _start_demo(tmp_path, "--seconds", "10")
    try:
        status = process.wait(280)
    finally:
        _kill_what_is_left(process, tmp_path)
    out, err = (tmp_path / "stdout").read_text(), (tmp_path / "stderr").read_text()

    assert status == 0, err + out
    assert "verdict: exactly once" in out
    assert "| committed rows" in err and "| commits" in err  # the live progress
    assert "requests/s on average" in out  # the report
    png = tmp_path / "demo-dashboard.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    _assert_everything_stopped(tmp_path, port)


def test_demo_ctrl_c_stops_early_and_still_verifies_what_landed(tmp_path: Path) -> None:
    process, port = _start_demo(tmp_path, "--seconds", "600")
    try:
        _wait_for(lambda: _records_in_topic(tmp_path) >= 200, 150, "200 records in the topic")
        _ctrl_c(process)
        status = process.wait(200)
    finally:
        _kill_what_is_left(process, tmp_path)
    out, err = (tmp_path / "stdout").read_text(), (tmp_path / "stderr").read_text()

    assert status == 0, err + out
    assert "verdict: exactly once" in out
    assert (tmp_path / "demo-dashboard.png").exists()
    _assert_everything_stopped(tmp_path, port)


def test_demo_second_ctrl_c_stops_everything_and_prints_what_landed(tmp_path: Path) -> None:
    # The sink commits only when it is stopped, so the demo waits for it until the second Ctrl+C.
    process, port = _start_demo(tmp_path, "--seconds", "600", COMMIT_INTERVAL_SECONDS="600")
    stderr = tmp_path / "stderr"
    try:
        _wait_for(lambda: _records_in_topic(tmp_path) >= 200, 150, "200 records in the topic")
        _ctrl_c(process)
        _wait_for(lambda: "waiting for the sink" in stderr.read_text(), 60, "the catch-up wait")
        _ctrl_c(process)
        status = process.wait(150)
    finally:
        _kill_what_is_left(process, tmp_path)
    out, err = (tmp_path / "stdout").read_text(), stderr.read_text()

    assert status == 130, err + out
    assert "SIGINT received: stopping everything" in err
    assert "what landed in the table before that" in err
    assert "requests/s on average" in out
    _assert_everything_stopped(tmp_path, port)


def test_demo_refuses_bad_arguments() -> None:
    result = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "demo.sh"), "--seconds", "soon"],
        env={**os.environ, "VENV": str(VENV)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert "--seconds 'soon' is not a whole number" in result.stderr


def test_demo_counts_dead_letters_in_its_verdict(tmp_path: Path) -> None:
    # Malformed and schema-invalid records on purpose: the sink sets them aside in
    # bid_requests.dlq, and `lake verify` counts them there, so the demo still passes.
    process, port = _start_demo(
        tmp_path,
        "--seconds",
        "8",
        FAULT_MALFORMED_JSON="0.01",
        FAULT_SCHEMA_INVALID="0.01",
    )
    try:
        status = process.wait(280)
    finally:
        _kill_what_is_left(process, tmp_path)
    out, err = (tmp_path / "stdout").read_text(), (tmp_path / "stderr").read_text()

    assert status == 0, err + out
    assert "verdict: exactly once" in out
    assert "and dead-letter topic bid_requests.dlq the other" in out
    assert "dead-letter topic bid_requests.dlq holds the other" in err  # run-local's own check
    _assert_everything_stopped(tmp_path, port)
