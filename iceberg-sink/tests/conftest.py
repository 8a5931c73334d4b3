"""Shared fixtures: Kafka (mock-data-gen's embedded cluster), an SQL catalog with the bid request
table that `mock-data-gen setup` creates, sink processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sink_runner import Lakehouse, SinkRunner

pytest_plugins = ["kafka_testkit"]


@pytest.fixture
def empty_lakehouse(tmp_path: Path) -> Lakehouse:
    """An SQLite catalog with its warehouse on the local filesystem, and no table yet."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    return Lakehouse(
        catalog_uri=f"sqlite:///{tmp_path / 'catalog.db'}", warehouse=f"file://{warehouse}"
    )


@pytest.fixture
def lakehouse(empty_lakehouse: Lakehouse) -> Lakehouse:
    """That catalog with the table ``db.bid_requests``, created as the setup creates it."""
    empty_lakehouse.create_bid_request_table()
    return empty_lakehouse


class S3Server:
    """A local moto S3 server that a test can take down and bring back on the same port.

    moto keeps its state per process, so buckets and objects survive a restart.
    """

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self._server: Any = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
        self._server.start()
        host, self._port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{self._port}"

    def down(self) -> None:
        self._server.stop()
        self._server = None

    def up(self) -> None:
        from moto.server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self._port)
        self._server.start()

    def close(self) -> None:
        if self._server is not None:
            self.down()


@pytest.fixture
def s3_server() -> Iterator[S3Server]:
    """A local S3 server with an empty bucket ``warehouse``."""
    import boto3

    server = S3Server()
    try:
        boto3.client(
            "s3",
            endpoint_url=server.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        ).create_bucket(Bucket="warehouse")
        yield server
    finally:
        server.close()


@pytest.fixture
def s3_lakehouse(tmp_path: Path, s3_server: S3Server) -> Lakehouse:
    """An SQLite catalog with its warehouse in a bucket of a local moto S3 server, and the table
    ``db.bid_requests``."""
    lakehouse = Lakehouse(
        catalog_uri=f"sqlite:///{tmp_path / 'catalog.db'}",
        warehouse="s3://warehouse/",
        s3_endpoint=s3_server.endpoint,
    )
    lakehouse.create_bid_request_table()
    return lakehouse


@pytest.fixture
def sink_runner(tmp_path: Path) -> Iterator[SinkRunner]:
    """Starts ``iceberg-sink run`` processes; any still running at the end of the test is killed."""
    runner = SinkRunner(tmp_path / "sinks")
    yield runner
    runner.kill_all()
