"""Shared fixtures: the Kafka cluster (the ``kafka_testkit`` plugin) and service processes.

Also skips the ``conformance`` tests where the OpenRTB 2.6 JSON Schemas are absent (see
``openrtb_schemas``), with one reason, and counts them: in the terminal summary and, when
``CONFORMANCE_SKIPS_FILE`` names a file, as a line appended to it (``scripts/test.sh`` reads it).
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator

import openrtb_schemas
import pytest
from service_runner import ServiceRunner

pytest_plugins = ["kafka_testkit"]

SKIPS_FILE_ENV = "CONFORMANCE_SKIPS_FILE"


@pytest.fixture
def service_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceRunner]:
    """Starts ``mock-data-gen`` processes; any still running at the end of the test is killed."""
    runner = ServiceRunner(tmp_path_factory.mktemp("service"))
    yield runner
    runner.kill_all()


def pytest_configure(config: pytest.Config) -> None:
    problem = openrtb_schemas.misconfiguration()
    if problem:
        raise pytest.UsageError(problem)
    config.pluginmanager.register(ConformanceSkips(), "conformance-skips")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    # Lets openrtb_schemas refuse a test that reads the schema set without the conformance mark.
    conformance = item.get_closest_marker("conformance") is not None
    openrtb_schemas.set_running_test(item.nodeid, conformance=conformance)
    try:
        return (yield)
    finally:
        openrtb_schemas.set_running_test(None, conformance=False)


class ConformanceSkips:
    """Skips the ``conformance`` tests where the schema set is absent, and counts them."""

    def __init__(self) -> None:
        self.marked: set[str] = set()
        self.skipped = 0

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if openrtb_schemas.available():
            return
        skip = pytest.mark.skip(reason=openrtb_schemas.MISSING_REASON)
        for item in items:
            if item.get_closest_marker("conformance"):
                item.add_marker(skip)
                self.marked.add(item.nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "setup" and report.skipped and report.nodeid in self.marked:
            self.skipped += 1

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.skipped:
            terminalreporter.write_line(
                f"{self.skipped} conformance tests skipped, the OpenRTB 2.6 JSON Schemas being "
                f"absent; to run them, {openrtb_schemas.HOW_TO_ENABLE}",
                yellow=True,
            )

    def pytest_sessionfinish(self) -> None:
        path = os.environ.get(SKIPS_FILE_ENV)
        if path:
            with open(path, "a", encoding="utf-8") as file:
                file.write(f"{self.skipped}\n")
