"""librdkafka's log lines: a line repeated while a broker is down shows once per interval."""

from __future__ import annotations

import logging
import time

import pytest

from platform_common.kafka_logs import RepeatedLogFilter, kafka_logger


def test_repeated_client_lines_show_once_per_interval_then_say_how_many_were_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("test_kafka_logs.librdkafka")
    log.addFilter(RepeatedLogFilter(interval=0.3))
    # The shape of confluent-kafka's calls: facility, client name, librdkafka's text.
    refused = "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused"
    with caplog.at_level(logging.DEBUG, logger=log.name):
        for attempt in range(5):
            log.error(
                "%s [%s] %s", "FAIL", "p-1", f"{refused} (after {attempt}ms in state CONNECT)"
            )
        log.warning("%s [%s] %s", "CONFWARN", "p-1", "fetch.wait.max.ms is a consumer property")
        time.sleep(0.35)
        log.error("%s [%s] %s", "FAIL", "p-1", f"{refused} (after 9ms in state CONNECT)")
    shown = [record.getMessage() for record in caplog.records]
    assert shown == [
        f"FAIL [p-1] {refused} (after 0ms in state CONNECT)",
        "CONFWARN [p-1] fetch.wait.max.ms is a consumer property",
        f"FAIL [p-1] {refused} (after 9ms in state CONNECT) (4 like it dropped in the last 0s)",
    ]


def test_the_clients_logger_is_librdkafka_with_the_filter() -> None:
    assert kafka_logger.name == "librdkafka"
    assert any(isinstance(f, RepeatedLogFilter) for f in kafka_logger.filters)
