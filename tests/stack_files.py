"""The Docker stack's files as data, for static checks: compose file, .env, Dockerfile, README.

Docker cannot run where the tests run, so the stack is checked by reading these files the way
Docker Compose and Docker read them.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from check_jsonschema.builtin_schemas import get_builtin_schema

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVICE_DIR = REPO_ROOT / "mock-data-gen"
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_FILE = REPO_ROOT / ".env"
DOCKERFILE = SERVICE_DIR / "Dockerfile"
SINK_DIR = REPO_ROOT / "iceberg-sink"
SINK_DOCKERFILE = SINK_DIR / "Dockerfile"
PLATFORM_DIR = REPO_ROOT / "platform-common"
# Both images are built from the repository root, so this one file decides their build context.
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
README = REPO_ROOT / "README.md"

# Scripts in /opt/kafka/bin of apache/kafka:3.8.1 (bin/ of the Kafka 3.8.1 release).
_KAFKA_BIN_NAMES = (
    "connect-distributed",
    "connect-mirror-maker",
    "connect-plugin-path",
    "connect-standalone",
    "kafka-acls",
    "kafka-broker-api-versions",
    "kafka-client-metrics",
    "kafka-cluster",
    "kafka-configs",
    "kafka-console-consumer",
    "kafka-console-producer",
    "kafka-consumer-groups",
    "kafka-consumer-perf-test",
    "kafka-delegation-tokens",
    "kafka-delete-records",
    "kafka-dump-log",
    "kafka-e2e-latency",
    "kafka-features",
    "kafka-get-offsets",
    "kafka-jmx",
    "kafka-leader-election",
    "kafka-log-dirs",
    "kafka-metadata-quorum",
    "kafka-metadata-shell",
    "kafka-mirror-maker",
    "kafka-producer-perf-test",
    "kafka-reassign-partitions",
    "kafka-replica-verification",
    "kafka-run-class",
    "kafka-server-start",
    "kafka-server-stop",
    "kafka-storage",
    "kafka-streams-application-reset",
    "kafka-topics",
    "kafka-transactions",
    "kafka-verifiable-consumer",
    "kafka-verifiable-producer",
    "trogdor",
    "zookeeper-security-migration",
    "zookeeper-server-start",
    "zookeeper-server-stop",
    "zookeeper-shell",
)
KAFKA_BIN_SCRIPTS = frozenset(f"/opt/kafka/bin/{name}.sh" for name in _KAFKA_BIN_NAMES)
# Programs on PATH in quay.io/minio/minio (its Dockerfile.release copies them to /usr/bin).
MINIO_PROGRAMS = frozenset({"minio", "mc", "curl"})


@cache
def dotenv() -> dict[str, str]:
    """``.env`` as Compose reads it: ``KEY=VALUE`` lines, ``#`` comments."""
    values: dict[str, str] = {}
    for line in ENV_FILE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f".env line without '=': {line!r}"
            values[key.strip()] = value.strip()
    return values


_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\})"
)


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's interpolation: ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``$$``."""

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name, op, arg = match["name"], match["op"], match["arg"]
        value = env.get(name)
        if op == ":-":
            return value if value else arg
        if op == "-":
            return value if value is not None else arg
        if op in (":?", "?"):
            assert value, f"required variable {name} is not set: {arg}"
            return value
        return value or ""

    return _VARIABLE.sub(substitute, text)


def defaults_in_compose() -> dict[str, set[str]]:
    """Every ``${VAR:-default}`` in the compose file: variable -> the defaults it is given."""
    found: dict[str, set[str]] = {}
    for match in _VARIABLE.finditer(COMPOSE_FILE.read_text()):
        if match["name"] and match["op"] == ":-":
            found.setdefault(match["name"], set()).add(match["arg"])
    return found


def _resolve(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [_resolve(item, env) for item in node]
    if isinstance(node, dict):
        return {key: _resolve(value, env) for key, value in node.items()}
    return node


@cache
def compose_raw() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    """The compose file with variables resolved from ``env`` (default: ``.env``)."""
    resolved: dict[str, Any] = _resolve(compose_raw(), dotenv() if env is None else env)
    return resolved


def service_env(service: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """A service's environment as strings (a mapping in this compose file)."""
    environment = compose(env)["services"][service].get("environment", {})
    assert isinstance(environment, dict), f"{service}: environment should be a mapping"
    return {str(key): str(value) for key, value in environment.items()}


def compose_schema() -> dict[str, Any]:
    """The Compose Specification's JSON Schema, as check-jsonschema ships it (a test dependency)."""
    return get_builtin_schema("vendor.compose-spec")


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    arguments: str
    stage: int


def dockerfile(path: Path = DOCKERFILE) -> list[Instruction]:
    """A Dockerfile's instructions (continuations joined, comments dropped), with stage index."""
    instructions: list[Instruction] = []
    stage = -1
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, arguments = line.partition(" ")
        if keyword.upper() == "FROM":
            stage += 1
        instructions.append(Instruction(keyword.upper(), arguments.strip(), stage))
    return instructions


def copied_sources(path: Path) -> list[str]:
    """The build-context paths a Dockerfile's ``COPY`` instructions take (``--from`` ones aside)."""
    sources: list[str] = []
    for instruction in dockerfile(path):
        words = shlex.split(instruction.arguments)
        if instruction.keyword == "COPY" and not words[0].startswith("--from"):
            sources.extend(words[:-1])
    return sources


def _dockerignore_pattern(text: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Docker's patternmatcher reads it (`*` stops at `/`, `**` not)."""
    regex = ""
    i = 0
    while i < len(text):
        if text.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif text.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif text[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif text[i] == "?":
            regex, i = regex + "[^/]", i + 1
        elif text[i] == "[":
            end = text.index("]", i)
            regex, i = regex + text[i : end + 1], end + 1
        else:
            regex, i = regex + re.escape(text[i]), i + 1
    return re.compile(regex + r"\Z")


def sent_to_docker(path: str) -> bool:
    """Whether Docker sends ``path`` (relative to the repository root) in the build context: the
    last pattern of the root .dockerignore matching the path or one of its parents decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = _dockerignore_pattern(line.lstrip("!").strip("/"))
        if any(pattern.match(prefix) for prefix in prefixes):
            excluded = not negated
    return not excluded


def exec_form(arguments: str) -> list[str]:
    """Arguments of CMD/ENTRYPOINT/HEALTHCHECK CMD in JSON (exec) form."""
    parsed = json.loads(arguments)
    assert isinstance(parsed, list), f"not exec form: {arguments}"
    return [str(item) for item in parsed]


def readme_commands() -> list[list[str]]:
    """Every shell command in the README's ``bash`` blocks, split into words.

    Continued lines are joined; pipelines are split into their commands; ``export`` lines and
    ``KEY=value`` prefixes are kept as words.
    """
    text = README.read_text()
    commands: list[list[str]] = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            for part in line.split(" | "):
                commands.append(shlex.split(part))
    return commands


def readme_table(heading: str) -> list[dict[str, str]]:
    """Rows of the first table under the README heading ``heading``, by column title."""
    text = README.read_text()
    match = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#+ |\Z)", text, flags=re.S | re.M)
    assert match, f"README has no section {heading!r}"
    lines = [line for line in match[1].splitlines() if line.startswith("|")]
    assert len(lines) >= 3, f"README section {heading!r} has no table"
    titles = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(titles, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for line in lines[2:]
    ]


def unquote(cell: str) -> str:
    """A table cell without its code quotes: ```6``` -> ``6``."""
    return cell.strip().strip("`")
