"""Log lines: one line per event, key=value or JSON, the same for every service."""

from __future__ import annotations

import logging
import shlex

import orjson
import pytest

from platform_common.logs import EventFormatter, configure_logging, log_event


def parse_line(line: str) -> dict[str, str]:
    """One ``key=value`` log line as a dict (values unquoted)."""
    fields = {}
    for token in shlex.split(line):
        key, _, value = token.partition("=")
        fields[key] = value
    return fields


def _record(event: str, **fields: object) -> logging.LogRecord:
    records: list[logging.LogRecord] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger(f"test.logs.{event}")
    logger.setLevel(logging.INFO)
    logger.addHandler(Capture())
    logger.propagate = False
    log_event(logger, logging.WARNING, event, **fields)
    assert len(records) == 1
    return records[0]


def test_key_value_line_quotes_what_needs_quoting() -> None:
    record = _record("kafka_unreachable", attempt=3, reason='Local: "Broker" transport\nfailure')
    line = EventFormatter("text").format(record)
    assert "\n" not in line
    assert line.startswith("ts=")
    assert (
        " level=warning logger=test.logs.kafka_unreachable event=kafka_unreachable attempt=3 "
        in line
    )
    fields = parse_line(line)
    assert fields["reason"] == 'Local: "Broker" transport\\nfailure'
    assert fields["event"] == "kafka_unreachable"


def test_field_names_cannot_overwrite_the_line_header() -> None:
    line = EventFormatter().format(_record("stats", level="x", rate=1.5))
    fields = parse_line(line)
    assert fields["level"] == "warning"
    assert fields["level_"] == "x"
    assert fields["rate"] == "1.5"


def test_json_line_is_one_object() -> None:
    line = EventFormatter("json").format(_record("summary", produced=10, ok=True, note=None))
    assert "\n" not in line
    parsed = orjson.loads(line)
    assert list(parsed)[:4] == ["ts", "level", "logger", "event"]
    assert parsed["event"] == "summary"
    assert parsed["produced"] == 10 and parsed["ok"] is True and parsed["note"] is None


def test_plain_messages_from_libraries_go_into_msg() -> None:
    record = logging.LogRecord(
        "librdkafka", logging.ERROR, __file__, 1, "FAIL [%s] down", ("b1",), None
    )
    fields = parse_line(EventFormatter().format(record))
    assert fields["msg"] == "FAIL [b1] down"
    assert "event" not in fields


@pytest.mark.parametrize("value", ["", "a b", "x=y"])
def test_awkward_values_round_trip(value: str) -> None:
    assert parse_line(EventFormatter().format(_record("e", v=value)))["v"] == value


def test_configure_logging_sends_one_line_per_record_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("INFO", "json")
        configure_logging("INFO", "json")  # replaces, never adds, a handler
        assert len(root.handlers) == 1
        log_event(logging.getLogger("svc"), logging.DEBUG, "hidden")
        log_event(logging.getLogger("svc"), logging.INFO, "shown", n=1)
        lines = capsys.readouterr().err.splitlines()
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert len(lines) == 1
    assert orjson.loads(lines[0])["event"] == "shown"
