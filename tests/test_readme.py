"""README.md: every command names something that exists, every table agrees with the code."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from iceberg_sink.cli import EXIT_FAILURE, EXIT_NO_TABLE, EXIT_OFFSET_GAP, EXIT_OK, EXIT_USAGE
from iceberg_sink.cli import build_parser as sink_parser
from iceberg_sink.settings import SinkSettings
from lake_tools.cli import build_parser as lake_parser
from mock_data_gen.cli import COMMAND_MODULES, build_parser
from mock_data_gen.kafka_clients import QUEUE_MAX_KBYTES, producer_config
from mock_data_gen.lakehouse.setup import SetupSettings
from mock_data_gen.settings import SETTING_DOCS, Settings
from pydantic import SecretStr
from stack_files import (
    KAFKA_BIN_SCRIPTS,
    MINIO_PROGRAMS,
    README,
    REPO_ROOT,
    compose,
    dotenv,
    readme_commands,
    readme_table,
    service_env,
    unquote,
)

SECTIONS = (
    "On a fresh machine, without Docker",
    "Architecture",
    "Prerequisites",
    "Quick start with Docker",
    "Local development",
    "Generator commands",
    "Configuration",
    "MinIO console",
    "Iceberg REST catalog",
    "Exit codes",
    "Tests",
    "Project structure",
)
# Variables the scripts read besides the settings of `run` and `setup`.
SCRIPT_VARIABLES = {"EMBEDDED_KAFKA_PORT", "LOCAL_STATE_DIR", "VENV", "PYTHON"}


def _text() -> str:
    return README.read_text()


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose()["services"]
    return services


def _published(service: str) -> list[int]:
    return [int(str(port).rsplit(":", 2)[1]) for port in _services()[service].get("ports", [])]


def _internal_kafka_port() -> int:
    listeners = service_env("kafka")["KAFKA_LISTENERS"]
    name = service_env("kafka")["KAFKA_INTER_BROKER_LISTENER_NAME"]
    (port,) = [item.rsplit(":", 1)[1] for item in listeners.split(",") if item.startswith(name)]
    return int(port)


def test_every_section_is_there_in_order() -> None:
    headings = re.findall(r"^#{2,3} (.+)$", _text(), flags=re.M)
    positions = [headings.index(section) for section in SECTIONS]
    assert positions == sorted(positions)


def test_the_two_commands_for_a_fresh_machine_come_first() -> None:
    top = _text().split("\n## Architecture")[0]
    blocks = re.findall(r"```bash\n(.*?)```", top, flags=re.S)
    # The demo first, then the generator on its own.
    assert blocks[0].strip() == "bash scripts/demo.sh"
    assert "bash scripts/run-local.sh --embedded" in [block.strip() for block in blocks]
    assert "bash scripts/test.sh" in [block.strip() for block in blocks]
    assert ".venv/bin/mock-data-gen consume" in top  # how to read the stream back
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci


def _check_kafka_tool(words: list[str]) -> None:
    assert words[0] in KAFKA_BIN_SCRIPTS, words[0]
    options = dict(zip(words[1::2], words[2::2], strict=False))
    assert options["--bootstrap-server"] == f"localhost:{_internal_kafka_port()}"
    topic = service_env("setup")["TOPIC_BID_REQUESTS"]
    # The bid request topic, or the sink's dead-letter topic that the setup creates beside it.
    assert options["--topic"] in (topic, f"{topic}.dlq")


def _check_in_container(container: str, words: list[str]) -> None:
    if container == "kafka":
        _check_kafka_tool(words)
    elif container == "minio":
        assert words[0] in MINIO_PROGRAMS
        assert words[:2] == ["mc", "ls"]
        target = words[-1]
        assert target == f"local/{service_env('setup')['WAREHOUSE_BUCKET']}/"
    elif container == "iceberg-sink":
        _check_in_sink(words)
    else:
        pytest.fail(f"no check for commands in {container}")


def _check_in_sink(words: list[str]) -> None:
    match words:
        case ["iceberg-sink", *arguments]:
            try:
                sink_parser().parse_args(arguments)
            except SystemExit as exc:
                pytest.fail(f"iceberg-sink {' '.join(arguments)}: rejected ({exc})")
        case ["python", "-c", code]:
            ast.parse(code)
            # The image has no curl; the metrics are asked on the port the compose file sets.
            port = service_env("iceberg-sink")["METRICS_PORT"]
            assert f"http://127.0.0.1:{port}/metrics" in code
        case _:
            pytest.fail(f"no check for {' '.join(words)} in iceberg-sink")


def _check_mock_data_gen(arguments: list[str]) -> None:
    parser = build_parser()
    try:
        parser.parse_args(arguments)
    except SystemExit as exc:
        pytest.fail(f"mock-data-gen {' '.join(arguments)}: rejected ({exc})")


def _check_script(name: str, arguments: list[str]) -> None:
    script = REPO_ROOT / name
    assert script.is_file(), name
    for argument in arguments:
        assert re.search(rf"^\s+{re.escape(argument)}\)", script.read_text(), flags=re.M), (
            f"{name} does not accept {argument}"
        )


def _check_command(words: list[str]) -> None:
    known = {n.upper() for n in Settings.model_fields} | {
        n.upper() for n in SetupSettings.model_fields
    }
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
        assert words[0].split("=")[0] in known | SCRIPT_VARIABLES, words[0]
        words = words[1:]
    containers = {str(s.get("container_name")): n for n, s in _services().items()}
    match words:
        case ["docker", "exec", container, *rest]:
            assert container in containers, container
            _check_in_container(container, rest)
        case ["docker", "compose", "exec", service, *rest]:
            assert service in _services(), service
            _check_in_container(service, rest)
        case ["docker", "compose", "logs", service, *_]:
            assert service in _services(), service
        case ["docker", "compose", "up", *rest]:
            assert all(w in _services() for w in rest if not w.startswith("-")), rest
        case ["docker", "compose", ("ps" | "down")]:
            pass
        case ["bash", script, *arguments]:
            _check_script(script, arguments)
        case ["curl", "-s", url]:
            parts = urlsplit(url)
            assert parts.hostname == "localhost" and parts.port in _published("iceberg-rest")
            assert parts.path == "/v1/namespaces/db/tables"
        case ["python3", "-m", ("json.tool" | "venv"), *_]:
            pass
        case ["grep", pattern]:
            assert pattern.startswith("icebergsink_"), pattern
        case [".venv/bin/pip", "install", "-e", requirement]:
            path, _, extras = requirement.partition("[")
            assert (REPO_ROOT / path).is_dir(), path
            _check_extras(path, extras.rstrip("]"))
        case [(".venv/bin/mock-data-gen" | "mock-data-gen"), *arguments]:
            _check_mock_data_gen(arguments)
        case [".venv/bin/lake", *arguments]:
            _check_lake(arguments)
        case [".venv/bin/python", "-c", code]:
            ast.parse(code)
        case [".venv/bin/python", script] if script.startswith("benchmarks/"):
            assert (REPO_ROOT / script).is_file(), script
        case ["export", assignment]:
            _check_host_catalog_variable(assignment)
        case _:
            pytest.fail(f"README command not covered by the checks: {' '.join(words)}")


def _check_lake(arguments: list[str]) -> None:
    try:
        lake_parser().parse_args(arguments)
    except SystemExit as exc:
        pytest.fail(f"lake {' '.join(arguments)}: rejected ({exc})")


def _check_extras(path: str, extras: str) -> None:
    declared = tomllib.loads((REPO_ROOT / path / "pyproject.toml").read_text())["project"].get(
        "optional-dependencies", {}
    )
    for extra in filter(None, extras.split(",")):
        assert extra in declared, f"{path} has no extra [{extra}]"


# The local lakehouse of `setup.sh --local`, `run-local.sh --with-sink` and `demo.sh`, as
# scripts/_common.sh configures it (its state directory .local/ in the repository).
LOCAL_LAKEHOUSE = {
    "ICEBERG_CATALOG": "local",
    "PYICEBERG_CATALOG__LOCAL__TYPE": "sql",
    "PYICEBERG_CATALOG__LOCAL__URI": "sqlite:///$PWD/.local/lakehouse/catalog.db",
    "PYICEBERG_CATALOG__LOCAL__WAREHOUSE": "file://$PWD/.local/lakehouse/warehouse",
}


def _check_host_catalog_variable(assignment: str) -> None:
    name, _, value = assignment.partition("=")
    if name in LOCAL_LAKEHOUSE:
        assert value == LOCAL_LAKEHOUSE[name], name
        common = (REPO_ROOT / "scripts" / "_common.sh").read_text()
        in_script = value.replace("$PWD/.local/lakehouse", "$lakehouse")
        assert f"{name}={in_script}" in common.replace('"', "") or name == "ICEBERG_CATALOG"
        return
    setup = service_env("setup")
    assert name in setup, f"{name} is not a catalog setting of the stack"
    # On the host the services are reached through their published ports.
    in_stack = setup[name].replace("iceberg-rest:", "localhost:").replace("minio:", "localhost:")
    assert value == in_stack, name


def test_every_readme_command_names_real_services_scripts_and_options() -> None:
    commands = readme_commands()
    assert len(commands) > 20
    for words in commands:
        _check_command(words)


def test_services_table_matches_the_compose_file() -> None:
    rows = {unquote(row["Service"]): row for row in readme_table("Architecture")}
    services = _services()
    assert set(rows) == set(services)
    for name in ("kafka", "minio", "iceberg-rest"):
        image = re.match(r"`([^`]+)`", rows[name]["Image"])
        assert image and image[1] == services[name]["image"], name
        shown = [int(p) for p in re.findall(r"\b(\d{4,5})\b", rows[name]["Ports on the host"])]
        assert set(_published(name)) <= set(shown), name
    assert "9092" in rows["kafka"]["Ports on the host"]  # the internal listener


def test_generator_table_is_the_settings_of_run() -> None:
    rows = {
        unquote(row["Variable"]): row for row in readme_table("Generator (`mock-data-gen run`)")
    }
    assert list(rows) == [doc.env for doc in SETTING_DOCS.values()]
    for doc in SETTING_DOCS.values():
        assert unquote(rows[doc.env]["Default"]) == doc.default, doc.env


def test_producer_table_is_the_producer_configuration() -> None:
    config = producer_config(Settings())
    rows = {
        unquote(row["librdkafka property"]): row
        for row in readme_table("Producer settings and delivery")
    }
    for name, row in rows.items():
        value = unquote(row["Value"])
        if value in {doc.env for doc in SETTING_DOCS.values()}:
            setting = value.lower()
            assert config[name] == getattr(Settings(), setting), name
        else:
            assert str(config[name]).lower() == value, name
    assert f"{QUEUE_MAX_KBYTES // 1024} MiB" in rows["queue.buffering.max.messages"]["Why"]


def test_setup_table_is_the_settings_of_setup() -> None:
    rows = {unquote(row["Variable"]): row for row in readme_table("Setup (`mock-data-gen setup`)")}
    assert set(rows) == {name.upper() for name in SetupSettings.model_fields}
    for name, field in SetupSettings.model_fields.items():
        assert unquote(rows[name.upper()]["Default"]) == _shown_default(field.default), name


def test_dotenv_table_is_the_dotenv_file() -> None:
    rows = {unquote(row["Variable"]): row for row in readme_table("Docker stack (`.env`)")}
    assert rows.keys() == dotenv().keys()
    for name, value in dotenv().items():
        assert unquote(rows[name]["Default"]) == value, name


def _shown_default(value: object) -> str:
    """A setting's default as the README's tables show it."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None or value == "":
        return "(unset)"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).removesuffix(".0")


def test_sink_table_is_the_settings_of_the_sink() -> None:
    rows = {unquote(row["Variable"]): row for row in readme_table("Sink (`iceberg-sink run`)")}
    fields = SinkSettings.model_fields
    variables = {}
    for name, field in fields.items():
        choices = getattr(field.validation_alias, "choices", None)
        assert choices, f"{name} has no environment variable"
        variables[str(choices[0]).upper()] = name
        # Other names a setting is read under are named in its row.
        for other in choices[1:]:
            assert str(other).upper() in rows[str(choices[0]).upper()]["Meaning"], other
    assert set(rows) == set(variables)
    for variable, name in variables.items():
        assert unquote(rows[variable]["Default"]) == _shown_default(fields[name].default), variable
    for variable in ("LOG_LEVEL", "LOG_FORMAT"):
        accepted = {word.strip() for word in rows[variable]["Accepted"].split(",")}
        literal = fields[variables[variable]].annotation
        assert accepted == set(getattr(literal, "__args__", ())), variable
    assert rows["METRICS_PORT"]["Accepted"].startswith("0-65535")
    assert "`<topic>.dlq`" in rows["ICEBERG_SINK_DLQ_TOPIC"]["Meaning"]


def test_commands_table_lists_every_command() -> None:
    rows = [unquote(row["Command"]) for row in readme_table("Generator commands")]
    assert set(rows) == set(COMMAND_MODULES)


def test_exit_code_table_names_real_commands_and_scripts() -> None:
    table = readme_table("Exit codes")
    rows = [unquote(row["Command"]) for row in table]
    # The columns are the sink's exit codes as much as the generator's.
    codes = (EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_OFFSET_GAP, EXIT_NO_TABLE)
    assert {str(code) for code in codes} <= set(table[0])
    (sink_run,) = [row for row in table if unquote(row["Command"]) == "iceberg-sink run"]
    assert "does not exist" in sink_run[str(EXIT_NO_TABLE)]
    assert "mock-data-gen setup" in sink_run[str(EXIT_NO_TABLE)]
    for row in rows:
        if row.startswith("mock-data-gen "):
            assert row.split()[1] in COMMAND_MODULES, row
        elif row.startswith("iceberg-sink "):
            assert sink_parser().parse_args(row.split()[1:]).command == row.split()[1], row
        else:
            assert (REPO_ROOT / row).is_file(), row


def test_minio_console_and_credentials() -> None:
    section = _text().split("### MinIO console")[1].split("###")[0]
    env = dotenv()
    assert f"http://localhost:{env['MINIO_CONSOLE_PORT']}" in section
    assert f"user `{env['MINIO_ROOT_USER']}`, password `{env['MINIO_ROOT_PASSWORD']}`" in section
    assert int(env["MINIO_CONSOLE_PORT"]) in _published("minio")


def test_project_structure_names_every_package_script_and_folder() -> None:
    block = _text().split("## Project structure")[1]
    folders = [p.name + "/" for p in REPO_ROOT.iterdir() if p.is_dir() and p.name[0] not in "._"]
    scripts = [p.name for p in (REPO_ROOT / "scripts").iterdir() if not p.name.startswith("_")]
    for name in [*folders, *scripts, "pyproject.toml"]:
        assert name in block, name
    assert all((REPO_ROOT / name).exists() for name in folders)


def test_project_structure_names_existing_paths() -> None:
    block = _text().split("## Project structure")[1]
    for path in ("docker-compose.yml", ".env", "mock-data-gen/Dockerfile", "scripts/run-local.sh",
                 "scripts/setup.sh", "scripts/test.sh", ".design/adtech-streaming-platform.md",
                 "mock-data-gen/src/mock_data_gen/lakehouse/table_schema.py",
                 "iceberg-sink/Dockerfile", ".dockerignore", "scripts/lock.sh"):  # fmt: skip
        assert (REPO_ROOT / path).exists(), path
        assert Path(path).name in block, path
    # Every package of the repository, and the checks across them.
    for folder in ("platform-common", "mock-data-gen", "iceberg-sink", "kafka-testkit", "tests"):
        assert (REPO_ROOT / folder).is_dir(), folder
        assert re.search(rf"^{re.escape(folder)}/ ", block, flags=re.M), folder


def test_benchmark_figures_are_kept_only_in_the_benchmark_table() -> None:
    # One set of measured figures, in one place: other documents point to the table.
    measured = re.compile(r"\d[\d,.]*\s*(?:records|events)/s|\d+(?:\.\d+)?k/s|\d+-\d+% of")
    for document in (
        REPO_ROOT / "iceberg-sink" / "README.md",
        REPO_ROOT / "mock-data-gen" / "README.md",
    ):
        assert not measured.findall(document.read_text()), document.name
    assert "README.md#benchmarks" in (REPO_ROOT / "iceberg-sink" / "README.md").read_text()
    rows = {unquote(row["Script"]) for row in readme_table("Benchmarks")}
    assert rows == {path.name for path in (REPO_ROOT / "benchmarks").glob("bench_*.py")}


def test_settings_read_by_setup_and_sink_are_described_alike() -> None:
    setup = {unquote(row["Variable"]): row for row in readme_table("Setup (`mock-data-gen setup`)")}
    sink = {unquote(row["Variable"]): row for row in readme_table("Sink (`iceberg-sink run`)")}
    shared = {name.upper() for name in SetupSettings.model_fields} & {
        str(getattr(field.validation_alias, "choices", [""])[0]).upper()
        for field in SinkSettings.model_fields.values()
    }
    assert {"ICEBERG_CATALOG", "ICEBERG_NAMESPACE", "ICEBERG_TABLE", "TOPIC_BID_REQUESTS"} <= shared
    for name in shared:
        assert setup[name]["Default"] == sink[name]["Default"], name
        if name.startswith("ICEBERG_"):
            assert setup[name]["Meaning"] == sink[name]["Meaning"], name


def test_the_lake_tools_section_says_verify_needs_a_running_cluster_after_the_demo() -> None:
    text = _text()
    section = text.split("## Lake tools", 1)[1].split("\n## ", 1)[0]
    after_demo = section.split("| Command | What it does |", 1)[0]
    # The demo's in-memory cluster is gone when it returns: verify cannot reach Kafka then.
    assert "in-memory\nKafka cluster is gone" in after_demo
    assert "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:29092 .venv/bin/lake verify" in after_demo
    first_screen = text.split("## On a fresh machine, without Docker", 1)[1][:400]
    assert "the first run also creates `.venv` and installs the packages" in first_screen
