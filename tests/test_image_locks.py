"""The images' lock files: what each Dockerfile installs, pinned by hash, fits pyproject.toml.

`scripts/lock.sh` writes the locks; the Dockerfiles install them with `--require-hashes`, so a
rebuild gets the same files however much newer releases appear within pyproject's ranges.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from stack_files import (
    DOCKERFILE,
    PLATFORM_DIR,
    REPO_ROOT,
    SERVICE_DIR,
    SINK_DIR,
    SINK_DOCKERFILE,
    dockerfile,
)

# Marker environment of the images (python:3.12-slim on Linux).
_IMAGE_ENVIRONMENT = {"python_version": "3.12", "sys_platform": "linux", "platform_system": "Linux"}
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class Pin:
    version: Version
    hashes: int
    applies: bool


def _pins(lock: Path) -> dict[str, Pin]:
    # Continuation lines (`\` then the hashes) belong to the requirement above them.
    entries = re.sub(r"\\\n\s*", " ", lock.read_text()).splitlines()
    pins: dict[str, Pin] = {}
    for entry in entries:
        if not entry.strip() or entry.lstrip().startswith("#"):
            continue
        requirement_text = entry.split(" --hash=")[0].strip()
        requirement = Requirement(requirement_text)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{lock.name}: {requirement_text} is not pinned"
        pins[canonicalize_name(requirement.name)] = Pin(
            version=Version(specifier.version),
            hashes=len(_HASH.findall(entry)),
            applies=requirement.marker is None
            or requirement.marker.evaluate(dict(_IMAGE_ENVIRONMENT)),
        )
    return pins


def _project(directory: Path) -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((directory / "pyproject.toml").read_text())[
        "project"
    ]
    return project


def _image_requirements(directory: Path, extras: tuple[str, ...] = ()) -> list[Requirement]:
    project = _project(directory)
    dependencies = project["dependencies"]
    optional = project.get("optional-dependencies", {})
    assert isinstance(dependencies, list) and isinstance(optional, dict)
    texts = [*dependencies, *(text for extra in extras for text in optional[extra])]
    return [Requirement(text) for text in texts]


_LOCAL_PACKAGES = {"platform-common", "mock-data-gen", "iceberg-sink", "kafka-testkit"}

IMAGES = {
    # The generator's image runs `run` and `setup`, which needs the lakehouse extra.
    "mock-data-gen": (
        SERVICE_DIR / "requirements.lock",
        DOCKERFILE,
        [(PLATFORM_DIR, ()), (SERVICE_DIR, ("lakehouse",))],
    ),
    "iceberg-sink": (
        SINK_DIR / "requirements.lock",
        SINK_DOCKERFILE,
        [(PLATFORM_DIR, ()), (SINK_DIR, ())],
    ),
}
# What the sink must never bring along: the generator and what only the generator needs.
_GENERATOR_ONLY = {"mock-data-gen", "faker", "matplotlib"}


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_every_locked_package_is_pinned_with_hashes(image: str) -> None:
    lock, _, _ = IMAGES[image]
    pins = _pins(lock)
    assert len(pins) > 20
    assert not _LOCAL_PACKAGES & set(pins), "the services themselves are installed from source"
    assert all(pin.hashes >= 1 for pin in pins.values())


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_the_lock_satisfies_every_dependency_the_image_installs(image: str) -> None:
    lock, _, packages = IMAGES[image]
    pins = _pins(lock)
    for directory, extras in packages:
        for requirement in _image_requirements(directory, extras):
            name = canonicalize_name(requirement.name)
            if name in _LOCAL_PACKAGES:
                continue
            if requirement.marker and not requirement.marker.evaluate(dict(_IMAGE_ENVIRONMENT)):
                continue
            assert name in pins, f"{requirement} is missing from {lock}: run scripts/lock.sh"
            assert pins[name].applies, f"{name} is locked only for other platforms"
            assert requirement.specifier.contains(pins[name].version, prereleases=True), (
                f"{lock.relative_to(REPO_ROOT)} pins {name}=={pins[name].version}, outside "
                f"{requirement}: run scripts/lock.sh"
            )


def test_plotting_stays_out_of_the_images() -> None:
    for lock, _, _ in IMAGES.values():
        assert "matplotlib" not in _pins(lock)


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_dockerfile_installs_the_lock_by_hash_before_the_sources(image: str) -> None:
    lock, path, _ = IMAGES[image]
    build = [(i.keyword, i.arguments) for i in dockerfile(path) if i.stage == 0]
    # Both images are built from the repository root.
    lock_in_context = str(lock.relative_to(REPO_ROOT))
    copies = [(n, args) for n, (k, args) in enumerate(build) if k == "COPY"]
    (lock_copy,) = [n for n, args in copies if lock_in_context in args]
    (install,) = [n for n, (k, args) in enumerate(build) if k == "RUN" and " -r " in args]
    sources = [n for n, args in copies if "src" in args.split()[0]]
    assert lock_copy < install < min(sources)
    command = build[install][1]
    assert f"-r {lock_in_context}" in command
    # Hashes for every file, nothing beyond the lock, and wheels only (the slim image has no
    # compilers).
    for flag in ("--require-hashes", "--no-deps", "--only-binary=:all:"):
        assert flag in command, flag


def _runtime_closure(directory: Path) -> set[str]:
    """The names a package's runtime dependencies bring, following local path references."""
    names: set[str] = set()
    for requirement in _image_requirements(directory):
        name = canonicalize_name(requirement.name)
        names.add(name)
        if requirement.url:
            # A local package by path, e.g. platform-common @ {root:parent:uri}/platform-common.
            assert requirement.url.startswith("{root:parent:uri}/"), requirement
            local = REPO_ROOT / requirement.url.removeprefix("{root:parent:uri}/")
            assert (local / "pyproject.toml").is_file(), requirement
            names |= _runtime_closure(local)
    return names


def test_the_sinks_dependency_closure_holds_nothing_of_the_generator() -> None:
    closure = _runtime_closure(SINK_DIR)
    assert "platform-common" in closure
    assert not closure & _GENERATOR_ONLY, closure & _GENERATOR_ONLY
    assert not set(_pins(SINK_DIR / "requirements.lock")) & _GENERATOR_ONLY
    # The generator is the sink's test dependency only.
    test_extra = tomllib.loads((SINK_DIR / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["test"]
    assert any(canonicalize_name(Requirement(t).name) == "mock-data-gen" for t in test_extra)


def test_both_services_take_platform_common_from_this_repository_by_path() -> None:
    for directory in (SERVICE_DIR, SINK_DIR):
        (shared,) = [
            r
            for r in _image_requirements(directory)
            if canonicalize_name(r.name) == "platform-common"
        ]
        assert shared.url == "{root:parent:uri}/platform-common", directory.name
        hatch = tomllib.loads((directory / "pyproject.toml").read_text())["tool"]["hatch"]
        assert hatch["metadata"]["allow-direct-references"] is True, directory.name
