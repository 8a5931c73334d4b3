"""kafka_testkit keeps Kafka clusters out of the tests not marked integration (cluster_guard).

Each check runs a pytest session of its own, in a process of its own, on a few small tests. The
guard of this session is kept out of that process, so that only the inner session's guard acts;
a check whose inner session starts a cluster is marked integration itself.
"""

from __future__ import annotations

import pytest
from kafka_testkit import cluster_guard

INNER_CONFTEST = 'pytest_plugins = ["kafka_testkit"]\n'

UNMARKED = """
import subprocess
import sys

from mock_data_gen.embedded_broker import EmbeddedKafka


def test_fixture(kafka_cluster):
    pass


def test_in_this_process():
    with EmbeddedKafka(brokers=1):
        pass


def test_in_a_child_process():
    subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "broker", "--brokers", "1"],
        capture_output=True,
        timeout=60,
    )


def test_without_kafka():
    pass
"""

MARKED = """
import subprocess
import sys

import pytest
from kafka_testkit import accepts_connections


@pytest.mark.integration
def test_fixture(kafka_cluster):
    host, port = kafka_cluster.bootstrap_servers.split(",")[0].rsplit(":", 1)
    assert accepts_connections(host, int(port))


@pytest.mark.integration
def test_in_a_child_process():
    broker = subprocess.Popen(
        [sys.executable, "-m", "mock_data_gen", "broker", "--brokers", "1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        host, port = broker.stdout.readline().strip().rsplit(":", 1)
        assert accepts_connections(host, int(port))
    finally:
        broker.terminate()
        assert broker.wait(30) == 0
"""


def _run_inner(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tests: str
) -> pytest.RunResult:
    monkeypatch.delenv(cluster_guard.RECORD_ENV, raising=False)
    monkeypatch.delenv(cluster_guard.REFUSAL_ENV, raising=False)
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(test_inner=tests)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers", "-rA")


def test_a_test_not_marked_integration_starts_no_cluster_in_any_way(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run_inner(pytester, monkeypatch, UNMARKED)

    # The fixture fails the test before starting anything; an embedded cluster started in the
    # test's process fails it at once; one started by a child process makes the child fail and
    # the test fail at its teardown. Each is refused before librdkafka creates the cluster.
    result.assert_outcomes(passed=2, failed=1, errors=2)
    output = result.stdout.str()
    assert (
        "test_inner.py::test_fixture uses the kafka_cluster fixture, which starts a Kafka cluster"
        in output
    )
    refused_here = "test_inner.py::test_in_this_process starts an embedded Kafka cluster but is not"
    assert refused_here in output
    assert "ERROR test_inner.py::test_in_a_child_process" in output
    assert "mock_data_gen/__main__.py broker --brokers 1)" in output  # the child, named
    assert "PASSED test_inner.py::test_without_kafka" in output
    assert (
        "kafka-testkit: 0 embedded Kafka clusters started; 2 refused in tests not marked "
        "integration: test_inner.py::test_in_a_child_process, test_inner.py::test_in_this_process"
    ) in output


@pytest.mark.integration  # the inner session starts two clusters
def test_a_marked_test_may_start_clusters_and_they_are_counted(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run_inner(pytester, monkeypatch, MARKED)

    result.assert_outcomes(passed=2)
    assert (
        "kafka-testkit: 2 embedded Kafka clusters started, all in tests marked integration"
        in result.stdout.str()
    )
    deselected = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-m", "not integration")
    deselected.assert_outcomes(deselected=2)
    assert "kafka-testkit: 0 embedded Kafka clusters started" in deselected.stdout.str()
