"""The ``mock-data-gen sample`` command, run through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mock_data_gen import cli
from mock_data_gen.commands import sample
from mock_data_gen.openrtb import BidRequest
from mock_data_gen.synthesis import BidRequestGenerator


def run(capsys: pytest.CaptureFixture[bytes], *args: str) -> tuple[int, bytes, str]:
    code = cli.main(["sample", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.decode()


def test_writes_valid_requests_as_json_lines_on_the_simulated_clock(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    args = ("--count", "25", "--seed", "3", "--start-time", "2026-01-14T20:00:00Z", "--rate", "10")
    code, out, err = run(capsysbinary, *args)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 25 and out.endswith(b"\n")
    for line in lines:
        BidRequest.from_json(line)
    # Event i is at start + i/rate seconds: the CLI prints exactly the generator's stream.
    start = int(datetime(2026, 1, 14, 20, tzinfo=UTC).timestamp() * 1000)
    expected = BidRequestGenerator(seed=3).generate_batch([start + i * 100 for i in range(25)])
    assert lines == [record.payload for record in expected]
    assert "event=sample_start seed=3 count=25" in err


def test_separate_processes_print_identical_bytes_whatever_their_hash_seed() -> None:
    args = ["sample", "--count", "500", "--seed", "9", "--start-time", "2026-05-01T12:00:00Z"]
    outputs = [
        subprocess.run(
            [sys.executable, "-m", "mock_data_gen", *args],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        ).stdout
        for hash_seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") == 500


def test_default_start_is_the_current_hour(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    hour = sample.current_hour()
    code, out, _ = run(capsysbinary, "--count", "3", "--seed", "8")
    if sample.current_hour() != hour:
        pytest.skip("the hour changed during the run")
    start = int(hour.timestamp() * 1000)
    expected = BidRequestGenerator(seed=8).generate_batch([start, start + 1, start + 2])
    assert code == 0 and out.splitlines() == [record.payload for record in expected]


def test_without_a_seed_the_random_seed_is_logged(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    code, out, err = run(capsysbinary, "--count", "2", "--start-time", "2026-03-01T00:00")
    seed = int(err.split("seed=")[1].split()[0])
    start = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp() * 1000)
    again = BidRequestGenerator(seed=seed).generate_batch([start, start + 1])
    assert code == 0 and out.splitlines() == [record.payload for record in again]


def test_long_runs_report_progress_on_stderr(
    capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sample, "PROGRESS_EVERY_S", 0.0)
    code, out, err = run(capsysbinary, "--count", "17000", "--seed", "1")
    assert code == 0 and out.count(b"\n") == 17000
    progress = [line for line in err.splitlines() if "event=progress" in line]
    assert [line.split("done=")[1].split()[0] for line in progress] == ["8192", "16384"]
    assert all("total=17000" in line and "rate=" in line for line in progress)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "-1"], "argument --count: '-1' is not a whole number >= 1"),
        (["--count", "x"], "argument --count: 'x' is not a whole number >= 1"),
        (
            ["--count", "5", "--rate", "0"],
            "argument --rate: '0' is not a number of events per second > 0",
        ),
        (["--count", "5", "--seed", "-4"], "argument --seed: '-4' is not a whole number >= 0"),
        (
            ["--count", "5", "--start-time", "noon"],
            "argument --start-time: 'noon' is not an ISO 8601",
        ),
        (["--seed", "1"], "--count is required (or --scenario FILE, whose events it counts)"),
        (
            ["--rate", "5", "--scenario", "s.json"],
            "argument --scenario: not allowed with argument --rate",
        ),
        (
            ["--count", "5", "--output", "/no/such/dir/s.jsonl"],
            "cannot write /no/such/dir/s.jsonl: No such file or directory",
        ),
    ],
)
def test_bad_arguments_exit_2_with_one_clear_message(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "sample", *args], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith(f"mock-data-gen sample: error: {message}")


def run_on_a_terminal(*args: str) -> tuple[int, bytes, str]:
    """Run ``sample`` with a pseudo-terminal as stdout, as from an interactive shell; returns the
    exit code, what the terminal showed and stderr."""
    controller, terminal = os.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_data_gen", "sample", *args],
            stdout=terminal,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(terminal)
    shown = bytearray()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the child closed its end
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        _, err = process.communicate(timeout=120)
        reader.join(timeout=10)
    finally:
        process.kill()
        os.close(controller)
    return process.returncode, bytes(shown), err.decode()


def test_more_than_a_thousand_requests_are_refused_on_a_terminal() -> None:
    code, shown, err = run_on_a_terminal("--count", "100000", "--seed", "1")
    assert code == 2
    assert shown == b""
    assert err.splitlines() == [
        "mock-data-gen sample: error: --count 100000 is more than a terminal should show "
        "(at most 1000); redirect stdout (> FILE), pipe it (| head) or give --output FILE"
    ]


def test_a_thousand_requests_still_go_to_a_terminal() -> None:
    code, shown, err = run_on_a_terminal("--count", "1000", "--seed", "1")
    assert code == 0, err
    # The terminal shows each line ending as CR LF.
    lines = shown.split(b"\r\n")
    assert len(lines) == 1001 and lines[-1] == b""
    BidRequest.from_json(lines[999])


def test_output_file_takes_any_count_whatever_stdout_is(tmp_path: Path) -> None:
    target = tmp_path / "requests.jsonl"
    args = ("--count", "1001", "--seed", "5", "--start-time", "2026-01-14T20:00:00Z")
    code, shown, err = run_on_a_terminal(*args, "--output", str(target))
    assert code == 0, err
    assert shown == b""
    piped = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "sample", *args],
        capture_output=True,
        check=True,
    )
    # The file holds exactly what stdout would have.
    assert target.read_bytes() == piped.stdout
    assert piped.stdout.count(b"\n") == 1001


def test_a_failing_output_write_exits_2_with_one_clear_message() -> None:
    # /dev/full opens fine and then fails every write, as a full disk does.
    done = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "sample", "--count", "5", "-o", "/dev/full"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    reason = "cannot write /dev/full: No space left on device"
    assert errors == [f"mock-data-gen sample: error: {reason}"]


@pytest.mark.parametrize("count", [5000, 50000])
@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_a_reader_closing_early_exits_1_whatever_the_count(count: int, unbuffered: str) -> None:
    # As `sample | head -c 10` does: 5,000 requests are one write (~12 MB, far more than a pipe
    # holds), 50,000 several; PYTHONUNBUFFERED (set in the image) makes stdout a raw file whose
    # write may write only part of what it is given.
    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_data_gen", "sample", "--count", str(count), "--seed", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.read(10)
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1, err
    assert first.startswith(b'{"id":"')
    assert "Traceback" not in err and "Exception ignored" not in err
