"""``mock-data-gen sample --funnel full``: the requests and every funnel event, tagged lines."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import orjson
import pytest

from mock_data_gen import cli
from mock_data_gen.funnel import EVENT_TYPES, FunnelSimulator

ARGS = ("--count", "120", "--seed", "8", "--start-time", "2026-01-14T20:00:00Z", "--rate", "20")


def test_prints_every_event_type_in_production_order_byte_identical_across_processes(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    assert cli.main(["sample", *ARGS, "--funnel", "full"]) == 0
    out = capsysbinary.readouterr().out
    lines = [orjson.loads(line) for line in out.splitlines()]
    kinds = Counter(line["type"] for line in lines)
    # Clicks are rare (about 1 in 500 impressions): the other types all occur.
    assert {"bid_request", *EVENT_TYPES} - {"click"} <= set(kinds) <= {"bid_request", *EVENT_TYPES}
    assert kinds["bid_request"] == 120
    # In the order a producer would send them: by the time each is reported.
    reported = [line.get("emit_time_ms", line["event_time_ms"]) for line in lines]
    assert reported == sorted(reported)

    # The requests are exactly what plain `sample` prints, and the events exactly the funnel's.
    assert cli.main(["sample", *ARGS]) == 0
    plain = capsysbinary.readouterr().out.splitlines()
    requests = [line for line in out.splitlines() if line.startswith(b'{"type":"bid_request"')]
    assert [line[line.index(b',"data":') + 8 : -1] for line in requests] == plain
    simulator = FunnelSimulator(8)
    expected = sorted(
        (event.type, event.event_time_ms, event.payload["request_id"], event.to_json())
        for request, payload in zip(
            (line for line in lines if line["type"] == "bid_request"), plain, strict=True
        )
        for event in simulator.simulate(payload, request["event_time_ms"])
    )
    printed = sorted(
        (kind, line["event_time_ms"], line["data"]["request_id"], orjson.dumps(line["data"]))
        for line in lines
        if (kind := line["type"]) != "bid_request"
    )
    assert printed == expected

    # Separate processes with different hash seeds print the same bytes.
    for hash_seed in ("0", "4242"):
        again = subprocess.run(
            [sys.executable, "-m", "mock_data_gen", "sample", *ARGS, "--funnel", "full"],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        ).stdout
        assert again == out


def test_an_unknown_funnel_is_a_usage_error(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["sample", "--count", "1", "--funnel", "half"])
    assert exit_info.value.code == 2
    assert b"invalid choice: 'half'" in capsysbinary.readouterr().err
