"""librdkafka's own log lines, through the service's logging (``logger=librdkafka``).

Every Kafka client of the platform is given ``kafka_logger`` (confluent-kafka's ``logger``
property), so its lines come out in the service's format (``LOG_FORMAT``) instead of raw on stderr.
librdkafka logs every failed attempt to reach every broker, several a second while Kafka is down;
the services' own lines already say so, with backoff, so the logger lets each kind of line through
once a minute (:class:`RepeatedLogFilter`).
"""

from __future__ import annotations

import logging
import re
import time

LIBRDKAFKA_REPEAT_SECONDS = 60.0
# Parts of a librdkafka line that differ between repeats of the same failure.
_LOG_VARYING = re.compile(
    r" \(after \d+ms in state [A-Z_]+(?:, \d+ identical error\(s\) suppressed)?\)"
)
_MAX_LOG_KINDS = 1000


class RepeatedLogFilter(logging.Filter):
    """Lets each kind of librdkafka log line through once per ``interval`` seconds.

    Lines differing only in their timings ("after 3ms in state CONNECT") are the same kind, so a
    broker that keeps refusing connections shows once a minute, while any other warning still
    shows the first time. A line let through after repeats were dropped says how many.
    """

    def __init__(self, interval: float = LIBRDKAFKA_REPEAT_SECONDS) -> None:
        super().__init__()
        self._interval = interval
        self._kinds: dict[str, tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        kind = _LOG_VARYING.sub("", record.getMessage())
        now = time.monotonic()
        seen = self._kinds.get(kind)
        if seen is not None and now - seen[0] < self._interval:
            self._kinds[kind] = (seen[0], seen[1] + 1)
            return False
        if len(self._kinds) >= _MAX_LOG_KINDS:
            self._kinds.clear()
        self._kinds[kind] = (now, 0)
        if seen is not None and seen[1]:
            record.msg = f"{record.msg} (%d like it dropped in the last %ds)"
            record.args = (*(record.args or ()), seen[1], round(now - seen[0]))
        return True


kafka_logger = logging.getLogger("librdkafka")
kafka_logger.addFilter(RepeatedLogFilter())
