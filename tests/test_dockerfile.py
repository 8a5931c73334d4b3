"""mock-data-gen/Dockerfile and .dockerignore, read as Docker reads them."""

from __future__ import annotations

import ast
import re
import tomllib
from fnmatch import fnmatch

from mock_data_gen.settings import Settings
from stack_files import DOCKERFILE, SERVICE_DIR, dockerfile, exec_form


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


def test_dockerignore_sends_only_what_the_build_copies() -> None:
    patterns = [
        line.strip()
        for line in (SERVICE_DIR / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def sent(path: str) -> bool:
        included = True
        for pattern in patterns:
            negated = pattern.startswith("!")
            body = pattern.lstrip("!").rstrip("/")
            if fnmatch(path, body) or path.startswith(body + "/") or fnmatch(path, f"*/{body}"):
                included = negated
        return included

    copied = re.findall(r"^COPY (?!--from)(\S+)", DOCKERFILE.read_text(), flags=re.M)
    assert all(sent(path) for path in copied), copied
    for path in ("src/mock_data_gen/cli.py", "pyproject.toml", "README.md"):
        assert sent(path), path
    for path in (".venv/bin/python", "tests/test_settings.py", ".mypy_cache/x", "Dockerfile",
                 "src/mock_data_gen/__pycache__/cli.cpython-312.pyc"):  # fmt: skip
        assert not sent(path), path
