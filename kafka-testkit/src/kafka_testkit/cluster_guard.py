"""Keeps embedded Kafka clusters out of the tests not marked ``integration``, and counts them.

``pytest -m "not integration"`` must start no broker. Every way a test can start the embedded
cluster (the ``kafka_cluster`` fixture, ``EmbeddedKafka(...)``, ``mock-data-gen broker``,
``scripts/run-local.sh --embedded``) ends in ``mock_data_gen.embedded_broker`` looking up
librdkafka's ``rd_kafka_mock_cluster_new`` through ctypes, before the cluster exists, and CPython
raises the auditing event ``ctypes.dlsym`` for that lookup. Two audit hooks watch for it:

- one in the pytest process;
- one in every Python process started during the session: ``child_hook/sitecustomize.py``, which
  this plugin puts first on ``PYTHONPATH`` and which reads the current test from the environment.

In a test marked ``integration`` the cluster is counted. In any other test it is refused before it
exists: the lookup raises, so the test fails at once (in a child process, the child fails, and the
test fails at its teardown, naming the child). The terminal summary says how many clusters were
started, so a ``-m "not integration"`` run shows that it started none.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

MARKER = "integration"
MARKER_HELP = (
    "integration: talks to a Kafka broker (embedded unless KAFKA_BOOTSTRAP_SERVERS is set)"
)
# The symbol the embedded cluster is created with; child_hook/sitecustomize.py names it too.
MOCK_CLUSTER_SYMBOL = "rd_kafka_mock_cluster_new"
# Read by child_hook/sitecustomize.py: the file a child appends a line to when it starts a cluster,
# and, in a test not marked integration, the message it refuses the cluster with.
RECORD_ENV = "KAFKA_TESTKIT_CLUSTER_RECORD"
REFUSAL_ENV = "KAFKA_TESTKIT_CLUSTER_REFUSAL"
CHILD_HOOK_DIR = Path(__file__).parent / "child_hook"


def refusal(nodeid: str) -> str:
    """Why a cluster is refused in the test ``nodeid``, and what to do about it."""
    return (
        f"{nodeid} starts an embedded Kafka cluster but is not marked {MARKER}: mark it "
        f"@pytest.mark.{MARKER} (or the module: pytestmark = pytest.mark.{MARKER}), so that "
        f'pytest -m "not {MARKER}" starts no broker'
    )


def is_integration(item: pytest.Item) -> bool:
    return item.get_closest_marker(MARKER) is not None


_active: ClusterGuard | None = None
_audit_hook_installed = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "ctypes.dlsym" and len(args) > 1 and args[1] == MOCK_CLUSTER_SYMBOL:
        guard = _active
        if guard is not None:
            guard.cluster_requested()


class ClusterGuard:
    """The pytest plugin object: see the module's docstring."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._test: pytest.Item | None = None
        self._record: Path | None = None
        self._tests_run = 0
        self._saved_pythonpath = os.environ.get("PYTHONPATH")
        self.started = 0
        self.refused: list[str] = []

    def activate(self) -> None:
        global _active, _audit_hook_installed
        # An audit hook cannot be removed: one per process, serving whichever guard is active.
        if not _audit_hook_installed:
            sys.addaudithook(_audit)
            _audit_hook_installed = True
        _active = self
        paths = [str(CHILD_HOOK_DIR), *filter(None, [self._saved_pythonpath])]
        os.environ["PYTHONPATH"] = os.pathsep.join(paths)

    def cluster_requested(self) -> None:
        """Called from the audit hook in this process, before the cluster is created."""
        item = self._test
        if item is not None and is_integration(item):
            self.started += 1
            return
        nodeid = item.nodeid if item is not None else "code run outside any test"
        self.refused.append(nodeid)
        pytest.fail(refusal(nodeid))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        self._tests_run += 1
        self._test = item
        self._record = self._directory / f"test-{self._tests_run}.txt"
        os.environ[RECORD_ENV] = str(self._record)
        if is_integration(item):
            os.environ.pop(REFUSAL_ENV, None)
        else:
            os.environ[REFUSAL_ENV] = refusal(item.nodeid)
        try:
            return (yield)
        finally:
            self._test = None
            os.environ.pop(RECORD_ENV, None)
            os.environ.pop(REFUSAL_ENV, None)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, object, object]:
        try:
            return (yield)
        finally:
            # After the fixtures' teardown, which stops the processes they started.
            self._check_children(item)

    def _check_children(self, item: pytest.Item) -> None:
        record = self._record
        if record is None or not record.exists():
            return
        children = record.read_text(encoding="utf-8").splitlines()
        record.unlink()
        if is_integration(item):
            self.started += len(children)
            return
        self.refused.extend([item.nodeid] * len(children))
        pytest.fail(f"{refusal(item.nodeid)}; refused in: {'; '.join(children)}")

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        line = f"kafka-testkit: {self.started} embedded Kafka clusters started"
        if self.started:
            line += f", all in tests marked {MARKER}"
        if self.refused:
            tests = ", ".join(sorted(set(self.refused)))
            line += f"; {len(self.refused)} refused in tests not marked {MARKER}: {tests}"
        terminalreporter.write_line(line, red=bool(self.refused))

    def pytest_unconfigure(self) -> None:
        global _active
        if _active is self:
            _active = None
        if self._saved_pythonpath is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = self._saved_pythonpath
        shutil.rmtree(self._directory, ignore_errors=True)


def configure(config: pytest.Config) -> None:
    """Register the ``integration`` marker (unless the ini file does) and the guard."""
    if not any(line.split(":")[0].strip() == MARKER for line in config.getini("markers")):
        config.addinivalue_line("markers", MARKER_HELP)
    guard = ClusterGuard(Path(tempfile.mkdtemp(prefix="kafka-testkit-")))
    guard.activate()
    config.pluginmanager.register(guard, "kafka-testkit-cluster-guard")
