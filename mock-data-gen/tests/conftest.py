"""Shared fixtures: the Kafka cluster (``mock_data_gen.testing``) and service processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from service_runner import ServiceRunner

pytest_plugins = ["mock_data_gen.testing"]


@pytest.fixture
def service_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceRunner]:
    """Starts ``mock-data-gen`` processes; any still running at the end of the test is killed."""
    runner = ServiceRunner(tmp_path_factory.mktemp("service"))
    yield runner
    runner.kill_all()
