"""The generator's log lines are the platform's (``platform_common.logs``): one line per event,
``key=value`` text or one JSON object, whichever command writes them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from service_runner import parse_line


def _sample_log(log_format: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "sample", "--count", "2", "--seed", "1"],
        env={"LOG_FORMAT": log_format, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        check=True,
        timeout=120,
    )
    lines = result.stderr.decode().splitlines()
    assert lines
    return lines


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_every_line_starts_with_time_level_logger_and_event(log_format: str) -> None:
    for line in _sample_log(log_format):
        fields = json.loads(line) if log_format == "json" else parse_line(line)
        assert list(fields)[:4] == ["ts", "level", "logger", "event"], line
        assert fields["logger"].startswith("mock_data_gen"), line
        assert fields["ts"].endswith("Z") and fields["level"] == "info", line
