"""Shared fixtures: Kafka (mock-data-gen's embedded cluster), an SQL catalog, sink processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sink_runner import Lakehouse, SinkRunner

pytest_plugins = ["mock_data_gen.testing"]


@pytest.fixture
def lakehouse(tmp_path: Path) -> Lakehouse:
    """An SQLite catalog with its warehouse on the local filesystem."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    return Lakehouse(
        catalog_uri=f"sqlite:///{tmp_path / 'catalog.db'}", warehouse=f"file://{warehouse}"
    )


@pytest.fixture
def s3_lakehouse(tmp_path: Path) -> Iterator[Lakehouse]:
    """An SQLite catalog with its warehouse in a bucket of a local moto S3 server."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        ).create_bucket(Bucket="warehouse")
        yield Lakehouse(
            catalog_uri=f"sqlite:///{tmp_path / 'catalog.db'}",
            warehouse="s3://warehouse/",
            s3_endpoint=endpoint,
        )
    finally:
        server.stop()


@pytest.fixture
def sink_runner(tmp_path: Path) -> Iterator[SinkRunner]:
    """Starts ``iceberg-sink run`` processes; any still running at the end of the test is killed."""
    runner = SinkRunner(tmp_path / "sinks")
    yield runner
    runner.kill_all()
