"""One log line per event, as ``key=value`` text or as a JSON object, the same in every service.

Call sites name the event and attach fields: ``log_event(logger, logging.INFO, "stats", rate=9.9)``
renders as ``ts=... level=info logger=mock_data_gen.service event=stats rate=9.9`` with
``LOG_FORMAT=text``, or as
``{"ts":...,"level":"info","logger":"mock_data_gen.service","event":"stats","rate":9.9}`` with
``LOG_FORMAT=json``. Records from other libraries (librdkafka's log lines, for instance) carry
their message in ``msg``. Field names that would overwrite the line's own (``ts``, ``level``,
``logger``, ``event``, ``msg``) get a trailing ``_``.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Literal

import orjson

_FIELDS = "event_fields"
_RESERVED = ("ts", "level", "logger", "event", "msg")

LineFormat = Literal["text", "json"]


def log_event(logger: logging.Logger, level: int, event: str, /, **fields: Any) -> None:
    """Log ``event`` with ``fields`` as one line."""
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={_FIELDS: fields})


def _timestamp(record: logging.LogRecord) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{seconds}.{int(record.msecs):03d}Z"


def _text_value(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if text and not any(ch in text for ch in ' "=\\\n\t'):
        return text
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ts": _timestamp(record),
        "level": record.levelname.lower(),
        "logger": record.name,
    }
    extra = getattr(record, _FIELDS, None)
    if extra is None:
        fields["msg"] = record.getMessage()
    else:
        fields["event"] = record.getMessage()
        fields.update(
            (f"{key}_" if key in _RESERVED else key, value) for key, value in extra.items()
        )
    if record.exc_info:
        fields["exc"] = logging.Formatter().formatException(record.exc_info)
    return fields


class EventFormatter(logging.Formatter):
    """One line per record: ``key=value`` pairs separated by spaces, values with spaces or quotes
    quoted (``text``), or one compact JSON object (``json``)."""

    def __init__(self, line_format: LineFormat = "text") -> None:
        super().__init__()
        self.line_format = line_format

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        if self.line_format == "json":
            return orjson.dumps(fields, default=str).decode()
        return " ".join(f"{key}={_text_value(value)}" for key, value in fields.items())


def configure_logging(level: str, line_format: LineFormat) -> None:
    """Send every log record to stderr, one line each, in ``line_format``; replaces earlier
    handlers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EventFormatter(line_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
