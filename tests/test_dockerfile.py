"""mock-data-gen/Dockerfile and the root .dockerignore (its build context is the repository root),
read as Docker reads them."""

from __future__ import annotations

import ast
import tomllib

from mock_data_gen.settings import Settings
from stack_files import (
    DOCKERFILE,
    REPO_ROOT,
    SERVICE_DIR,
    copied_sources,
    dockerfile,
    exec_form,
    sent_to_docker,
)


def _final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile()
    last = instructions[-1].stage
    return [(i.keyword, i.arguments) for i in instructions if i.stage == last]


def _pyproject() -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((SERVICE_DIR / "pyproject.toml").read_text())[
        "project"
    ]
    return project


def test_both_stages_use_python_312_slim() -> None:
    bases = [i.arguments.split()[0] for i in dockerfile() if i.keyword == "FROM"]
    assert bases == ["python:3.12-slim", "python:3.12-slim"]


def test_the_runtime_stage_has_no_build_tools_and_runs_as_a_user() -> None:
    final = _final_stage()
    text = " ".join(args for _, args in final)
    for tool in ("apt-get", "gcc", "build-essential", "pip install", "curl", "wget"):
        assert tool not in text, tool
    users = [args for keyword, args in final if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any(keyword == "COPY" and "--from=build" in args for keyword, args in final)


def test_healthcheck_asks_healthz_on_the_metrics_port_with_python() -> None:
    (healthcheck,) = [args for keyword, args in _final_stage() if keyword == "HEALTHCHECK"]
    command = exec_form(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    assert command[:2] == ["python", "-c"]
    code = command[2]
    ast.parse(code)
    assert "urllib.request" in code and "/healthz" in code
    default_port = Settings.model_fields["metrics_port"].default
    assert f"os.environ.get('METRICS_PORT') or '{default_port}'" in code
    exposed = [args for keyword, args in _final_stage() if keyword == "EXPOSE"]
    assert exposed == [str(default_port)]


def test_entrypoint_is_the_console_script_and_run_the_default_command() -> None:
    final = dict(_final_stage())
    scripts = _pyproject()["scripts"]
    assert isinstance(scripts, dict)
    assert exec_form(final["ENTRYPOINT"]) == ["mock-data-gen"]
    assert scripts["mock-data-gen"] == "mock_data_gen.cli:main"
    assert exec_form(final["CMD"]) == ["run"]


def test_the_build_context_holds_what_the_build_copies_and_nothing_else() -> None:
    sources = copied_sources(DOCKERFILE)
    # The lock, then platform-common's and the service's pyproject.toml, README.md and src/.
    assert set(sources) == {
        "mock-data-gen/requirements.lock",
        "platform-common/pyproject.toml",
        "platform-common/README.md",
        "platform-common/src",
        "mock-data-gen/pyproject.toml",
        "mock-data-gen/README.md",
        "mock-data-gen/src",
        "scenarios",
    }
    for source in sources:
        path = REPO_ROOT / source
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        files = [f for f in files if "__pycache__" not in f.parts]
        assert files, source
        for file in files:
            assert sent_to_docker(file.relative_to(REPO_ROOT).as_posix()), file
    for path in (".venv/bin/python", "mock-data-gen/tests/test_settings.py", ".mypy_cache/x",
                 "mock-data-gen/Dockerfile", "platform-common/tests/test_logs.py",
                 "mock-data-gen/src/mock_data_gen/__pycache__/cli.cpython-312.pyc"):  # fmt: skip
        assert not sent_to_docker(path), path
    assert not (SERVICE_DIR / ".dockerignore").exists(), "the root .dockerignore decides alone"


def test_the_local_packages_are_installed_from_source_without_dependencies() -> None:
    (install,) = [
        i.arguments for i in dockerfile() if i.keyword == "RUN" and "./mock-data-gen" in i.arguments
    ]
    assert "--no-deps" in install
    assert install.split()[-2:] == ["./platform-common", "./mock-data-gen"]
