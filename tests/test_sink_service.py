"""The `iceberg-sink` service of docker-compose.yml, its Dockerfile and the root .dockerignore.

The sink's image is built from the repository root (`docker build -f iceberg-sink/Dockerfile .`),
so the root .dockerignore decides what its build context holds; the image installs platform-common
and the sink, nothing of the generator. The environment the compose file gives the sink is read
here by the sink's own settings class and by pyiceberg's own configuration reader, so a variable
either of them would ignore fails the test.
"""

from __future__ import annotations

import ast
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from iceberg_sink.settings import SinkSettings
from platform_common.settings import DEFAULT_NAMESPACE, DEFAULT_TABLE
from pyiceberg.io import S3_ACCESS_KEY_ID, S3_ENDPOINT, S3_REGION, S3_SECRET_ACCESS_KEY
from pyiceberg.utils.config import Config
from stack_files import (
    REPO_ROOT,
    SINK_DIR,
    SINK_DOCKERFILE,
    compose,
    compose_raw,
    copied_sources,
    dockerfile,
    exec_form,
    sent_to_docker,
    service_env,
)


def _sink() -> dict[str, Any]:
    service: dict[str, Any] = compose()["services"]["iceberg-sink"]
    return service


def _sink_variables() -> dict[str, str]:
    """Every environment variable the sink's settings read -> its field name."""
    names: dict[str, str] = {}
    for field_name, field in SinkSettings.model_fields.items():
        alias = field.validation_alias
        choices = getattr(alias, "choices", None) or [alias or field_name]
        for choice in choices:
            names[str(choice).upper()] = field_name
    return names


def _seconds(duration: str) -> float:
    """A Compose duration such as ``45s``, ``1m30s``."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(float(number) * units[unit] for number, unit in parts)


# --- the compose service --------------------------------------------------------------------------


def test_sink_is_built_from_the_repository_root_with_its_own_dockerfile() -> None:
    sink = _sink()
    build = sink["build"]
    assert build == {"context": ".", "dockerfile": "iceberg-sink/Dockerfile"}
    assert (REPO_ROOT / build["context"] / build["dockerfile"]).resolve() == SINK_DOCKERFILE
    assert sink["image"] == "iceberg-sink:local"
    # Restarted after a failure; a clean stop (exit 0 after SIGTERM) stays stopped.
    assert sink["restart"] == "on-failure:5"
    assert "ports" not in sink


def test_sink_starts_after_the_setup_and_the_services_it_writes_to() -> None:
    assert _sink()["depends_on"] == {
        "setup": {"condition": "service_completed_successfully"},
        "kafka": {"condition": "service_healthy"},
        "minio": {"condition": "service_healthy"},
        "iceberg-rest": {"condition": "service_healthy"},
    }
    # Its health is the image's HEALTHCHECK (checked below), not one of the compose file.
    assert "healthcheck" not in _sink()


def test_docker_waits_for_the_shutdown_commit_before_killing_the_sink() -> None:
    grace = _seconds(str(_sink()["stop_grace_period"]))
    shutdown = SinkSettings.model_fields["shutdown_timeout_seconds"].default
    assert "ICEBERG_SINK_SHUTDOWN_TIMEOUT" not in service_env("iceberg-sink")
    assert grace >= shutdown + 10


def test_sink_environment_is_read_by_the_sink_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    env = service_env("iceberg-sink")
    lakehouse = set(compose_raw()["x-lakehouse-environment"])
    variables = _sink_variables()
    # The shared lakehouse block is merged in whole; everything else is a setting of the sink.
    assert lakehouse <= set(env)
    for key in set(env) - lakehouse:
        assert key in variables, f"the sink service sets {key}, which the sink does not read"
    for name in variables:
        monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    settings = SinkSettings()

    assert settings.kafka_bootstrap_servers == service_env("setup")["KAFKA_BOOTSTRAP_SERVERS"]
    assert settings.topic == service_env("mock-data-gen")["TOPIC_BID_REQUESTS"]
    # The lakehouse block's bare table name is qualified by its namespace, as the setup does.
    assert settings.table_identifier == (DEFAULT_NAMESPACE, DEFAULT_TABLE)
    assert settings.iceberg_catalog == env["ICEBERG_CATALOG"]
    assert settings.dead_letter_topic == f"{settings.topic}.dlq"
    fields = SinkSettings.model_fields
    for name in ("group_id", "commit_interval_seconds", "session_timeout_ms", "metrics_port"):
        assert getattr(settings, name) == fields[name].default, name
    # Loopback by default; in the stack other containers scrape /metrics.
    assert fields["metrics_host"].default == "127.0.0.1"
    assert settings.metrics_host == "0.0.0.0"


def test_lakehouse_environment_names_properties_pyiceberg_knows(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env = service_env("iceberg-sink")
    for key in list(os.environ):
        if key.upper().startswith("PYICEBERG_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PYICEBERG_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    for key, value in env.items():
        if key.startswith("PYICEBERG_"):
            monkeypatch.setenv(key, value)

    properties = Config().get_catalog_config(env["ICEBERG_CATALOG"])

    # Path-style addressing, which MinIO needs, is pyiceberg's default with an endpoint set
    # (s3.force-virtual-addressing unset); it has no s3.path-style-access property to set.
    assert properties == {
        "uri": "http://iceberg-rest:8181",
        S3_ENDPOINT: "http://minio:9000",
        S3_ACCESS_KEY_ID: service_env("minio")["MINIO_ROOT_USER"],
        S3_SECRET_ACCESS_KEY: service_env("minio")["MINIO_ROOT_PASSWORD"],
        S3_REGION: env["AWS_REGION"],
    }


# --- the Dockerfile -------------------------------------------------------------------------------


def _final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile(SINK_DOCKERFILE)
    last = instructions[-1].stage
    return [(i.keyword, i.arguments) for i in instructions if i.stage == last]


def test_sink_healthcheck_port_is_the_metrics_port_of_settings_and_compose() -> None:
    (healthcheck,) = [args for keyword, args in _final_stage() if keyword == "HEALTHCHECK"]
    command = exec_form(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    assert command[:2] == ["python", "-c"]
    ast.parse(command[2])
    default_port = SinkSettings.model_fields["metrics_port"].default
    assert "/healthz" in command[2]
    assert f"os.environ.get('METRICS_PORT') or '{default_port}'" in command[2]
    assert service_env("iceberg-sink")["METRICS_PORT"] == str(default_port)
    assert [args for keyword, args in _final_stage() if keyword == "EXPOSE"] == [str(default_port)]


def test_sink_entrypoint_is_its_console_script() -> None:
    final = dict(_final_stage())
    project = tomllib.loads((SINK_DIR / "pyproject.toml").read_text())["project"]
    assert exec_form(final["ENTRYPOINT"]) == ["iceberg-sink"]
    assert project["scripts"]["iceberg-sink"] == "iceberg_sink.cli:main"
    assert exec_form(final["CMD"]) == ["run"]
    assert final["STOPSIGNAL"] == "SIGTERM"


# --- the root .dockerignore -----------------------------------------------------------------------


def test_the_sink_image_copies_platform_common_and_the_sink_only() -> None:
    sources = copied_sources(SINK_DOCKERFILE)
    assert set(sources) == {
        "iceberg-sink/requirements.lock",
        "platform-common/pyproject.toml",
        "platform-common/README.md",
        "platform-common/src",
        "iceberg-sink/pyproject.toml",
        "iceberg-sink/README.md",
        "iceberg-sink/src",
    }
    (install,) = [
        i.arguments
        for i in dockerfile(SINK_DOCKERFILE)
        if i.keyword == "RUN" and "./iceberg-sink" in i.arguments
    ]
    assert "--no-deps" in install
    assert install.split()[-2:] == ["./platform-common", "./iceberg-sink"]
    assert not [i for i in dockerfile(SINK_DOCKERFILE) if "mock-data-gen" in i.arguments]


def test_root_dockerignore_sends_everything_the_sink_dockerfile_copies() -> None:
    for source in copied_sources(SINK_DOCKERFILE):
        path = REPO_ROOT / source
        assert path.exists(), source
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        files = [f for f in files if "__pycache__" not in f.parts]
        assert files, source
        for file in files:
            assert sent_to_docker(file.relative_to(REPO_ROOT).as_posix()), file


def test_root_dockerignore_keeps_caches_tests_and_state_out_of_the_context() -> None:
    for path in (
        ".venv/bin/python",
        ".git/HEAD",
        ".local/lakehouse/catalog.db",
        ".mypy_cache/3.11/x.json",
        "README.md",
        "docker-compose.yml",
        "iceberg-sink/tests/conftest.py",
        "mock-data-gen/tests/conftest.py",
        "platform-common/tests/test_logs.py",
        "kafka-testkit/src/kafka_testkit/__init__.py",
        "tests/conftest.py",
        "iceberg-sink/src/iceberg_sink/__pycache__/cli.cpython-312.pyc",
        "mock-data-gen/src/mock_data_gen/cli.pyc",
        "benchmarks/README.md",
    ):
        assert not sent_to_docker(path), path
    assert sent_to_docker("iceberg-sink/src/iceberg_sink/cli.py")
    assert sent_to_docker("platform-common/src/platform_common/logs.py")
