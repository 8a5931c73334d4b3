"""Shared fixtures: small bid request tables in an SQLite catalog, on local files and in a moto S3
bucket, and the ``lake`` command run in-process with their settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lakehouse import Lakehouse, Record, append, generate

pytest_plugins = ["kafka_testkit"]

# 400 requests, 0.1 per second: 66 minutes from 20:00, so two hour partitions; three snapshots.
RECORDS = 400
RATE = 0.1


@dataclass
class Filled:
    lakehouse: Lakehouse
    records: list[Record]
    snapshot_ids: list[int]


def _fill(lakehouse: Lakehouse) -> Filled:
    table = lakehouse.create_bid_request_table()
    records = generate(RECORDS, partitions=3, rate=RATE)
    snapshots = []
    for chunk in (records[:150], records[150:300], records[300:]):
        table = append(table, chunk)
        snapshots.append(table.current_snapshot().snapshot_id)
    return Filled(lakehouse, records, snapshots)


def local_lakehouse(directory: Path) -> Lakehouse:
    warehouse = directory / "warehouse"
    warehouse.mkdir(parents=True)
    return Lakehouse(f"sqlite:///{directory / 'catalog.db'}", f"file://{warehouse}")


@pytest.fixture(scope="session")
def filled_local(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    """A local table of 400 requests over two hours, in three snapshots; not to be changed."""
    return _fill(local_lakehouse(tmp_path_factory.mktemp("local")))


class S3Server:
    """A local moto S3 server (moto in server mode, as pyarrow's S3 filesystem needs)."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self._server: Any = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def close(self) -> None:
        self._server.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
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


@pytest.fixture(scope="session")
def filled_s3(tmp_path_factory: pytest.TempPathFactory, s3_server: S3Server) -> Filled:
    """The same table with its warehouse in a bucket of a moto S3 server; not to be changed."""
    directory = tmp_path_factory.mktemp("s3")
    return _fill(
        Lakehouse(
            f"sqlite:///{directory / 'catalog.db'}",
            "s3://warehouse/lake-tools-tests/",
            s3_endpoint=s3_server.endpoint,
        )
    )


@pytest.fixture(params=["local", "s3"])
def filled(request: pytest.FixtureRequest) -> Filled:
    """Each test using it runs on the local table and on the S3 one."""
    fixture: Filled = request.getfixturevalue(f"filled_{request.param}")
    return fixture


@dataclass
class Run:
    code: int
    out: str
    err: str


LakeRunner = Callable[..., Run]


@pytest.fixture
def lake(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[[Lakehouse], LakeRunner]:
    """``lake(lakehouse)(*argv, **env)`` runs the lake command in-process with that table's
    settings (and ``env``), returning its exit code and output."""
    from lake_tools.cli import main

    def for_lakehouse(lakehouse: Lakehouse) -> LakeRunner:
        def run(*argv: str, **env: str) -> Run:
            with monkeypatch.context() as patch:
                for key, value in {**lakehouse.env(), **env}.items():
                    patch.setenv(key, value)
                capsys.readouterr()
                code = main(list(argv))
                captured = capsys.readouterr()
            return Run(code, captured.out, captured.err)

        return run

    return for_lakehouse
