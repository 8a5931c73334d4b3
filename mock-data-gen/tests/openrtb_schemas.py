"""The official OpenRTB 2.6 JSON Schemas (Draft 2020-12), for validating requests in tests.

The schema set and its example requests are the ``jsonschema/`` folder of the IAB Tech Lab's
repository InteractiveAdvertisingBureau/openrtb2.x. They are never copied into this repository;
the first of these that holds ``BidRequest.json`` is used:

1. the directory named by the environment variable ``OPENRTB_SCHEMA_DIR``;
2. ``<repo root>/.cache/openrtb2.x/jsonschema``, the checkout ``scripts/test.sh`` fetches.

The tests that need the schema set are marked ``conformance``; where it is absent, ``conftest.py``
skips them with :data:`MISSING_REASON`, and every other test runs. A test that is not marked
``conformance`` and still reads the schema set fails, so that the mark cannot be forgotten. Every
schema file is registered by its ``$id`` so that the relative ``$ref`` links between objects
(``"Imp.json"``) resolve offline.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

if TYPE_CHECKING:
    import jsonschema_rs

SCHEMA_DIR_ENV = "OPENRTB_SCHEMA_DIR"
SCHEMA_ID_PREFIX = "https://iabtechlab.com/openrtb/2.6/"
# The bid-response side of the schema set; everything else describes the request.
RESPONSE_OBJECTS = frozenset({"BidResponse", "SeatBid", "Bid"})

_REPO_ROOT = Path(__file__).resolve().parents[2]
CACHED_SCHEMA_DIR = _REPO_ROOT / ".cache" / "openrtb2.x" / "jsonschema"
# The reason every skipped conformance test gives, and how to run them (the end of the summary).
MISSING_REASON = "conformance: the OpenRTB 2.6 JSON Schemas are absent (OPENRTB_SCHEMA_DIR)"
HOW_TO_ENABLE = (
    "set OPENRTB_SCHEMA_DIR to the jsonschema/ folder of InteractiveAdvertisingBureau/openrtb2.x, "
    "or let scripts/test.sh fetch it into .cache/ (it needs access to github.com)"
)

# The node id of the running test when it is not marked ``conformance`` (set by conftest.py).
_unmarked_test: str | None = None


def _has_schemas(directory: Path) -> bool:
    return (directory / "BidRequest.json").is_file()


def located() -> Path | None:
    """The schema directory by the order above, or None where there is none."""
    override = os.environ.get(SCHEMA_DIR_ENV)
    if override:
        return Path(override)
    return CACHED_SCHEMA_DIR if _has_schemas(CACHED_SCHEMA_DIR) else None


def misconfiguration() -> str | None:
    """What is wrong with ``OPENRTB_SCHEMA_DIR`` when it is set but holds no schema set."""
    override = os.environ.get(SCHEMA_DIR_ENV)
    if override and not _has_schemas(Path(override)):
        return (
            f"{SCHEMA_DIR_ENV}={override} holds no OpenRTB 2.6 JSON Schemas (no BidRequest.json "
            "there); point it at the jsonschema/ folder of InteractiveAdvertisingBureau/openrtb2.x "
            "or unset it"
        )
    return None


def available() -> bool:
    directory = located()
    return directory is not None and _has_schemas(directory)


def set_running_test(nodeid: str | None, *, conformance: bool) -> None:
    """Called by conftest.py around each test; None between tests (and during collection)."""
    global _unmarked_test
    _unmarked_test = nodeid if nodeid is not None and not conformance else None


def schema_dir() -> Path:
    """Directory holding ``BidRequest.json`` and friends."""
    if _unmarked_test is not None:
        raise AssertionError(
            f"{_unmarked_test} reads the OpenRTB schema set but is not marked conformance; mark "
            f"it @pytest.mark.conformance so that it is skipped where the schema set is absent"
        )
    directory = located()
    if directory is None or not _has_schemas(directory):
        raise FileNotFoundError(
            misconfiguration() or f"OpenRTB 2.6 JSON Schemas not found; {HOW_TO_ENABLE}"
        )
    return directory


def example_requests_dir() -> Path:
    """The official example bid requests shipped with the schemas."""
    return schema_dir() / "examples" / "bid-requests"


def example_requests() -> list[Path]:
    """The official example bid requests, sorted by name."""
    return sorted(example_requests_dir().glob("*.json"))


@cache
def _schemas(directory: Path) -> dict[str, dict[str, object]]:
    """Every schema by object name (file stem)."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


def schema(name: str) -> dict[str, object]:
    """The parsed schema of one object, e.g. ``schema("Imp")``."""
    schemas = _schemas(schema_dir())
    if name not in schemas:
        raise KeyError(f"no OpenRTB schema named {name!r}; known: {', '.join(sorted(schemas))}")
    return schemas[name]


def request_object_names() -> list[str]:
    """Names of all request-side objects (``BidRequest``, ``Imp``, ... ``DurFloors``)."""
    return [name for name in _schemas(schema_dir()) if name not in RESPONSE_OBJECTS]


@cache
def _registry(directory: Path) -> Registry[object]:
    resources = [
        (str(contents["$id"]), Resource.from_contents(contents, default_specification=DRAFT202012))
        for contents in _schemas(directory).values()
    ]
    return Registry().with_resources(resources)


def validator(name: str = "BidRequest") -> Draft202012Validator:
    """A validator for one object; use ``.iter_errors(instance)`` or ``.validate(instance)``."""
    return Draft202012Validator(schema(name), registry=_registry(schema_dir()))


def fast_validator(name: str = "BidResponse") -> jsonschema_rs.Validator:
    """The same validation by ``jsonschema-rs`` (compiled; some hundred times faster), for
    checking hundreds of thousands of objects; cross-check its verdicts with :func:`validator`."""
    import jsonschema_rs  # only the tests that check that many need it

    directory = schema_dir()
    registry = jsonschema_rs.Registry(
        [(str(contents["$id"]), contents) for contents in _schemas(directory).values()]
    )
    return jsonschema_rs.validator_for(schema(name), registry=registry)


# --- parameters for pytest.mark.parametrize, safe to build at collection time ---------------------

# The one parameter of a test parametrized by the schema set where there is none; it is skipped.
_ABSENT = pytest.param(None, id="no-schema-set", marks=pytest.mark.conformance)


def example_request_params() -> list[Any]:
    """One ``conformance`` parameter per official example request (a path), ids the file names."""
    if not available():
        return [_ABSENT]
    return [
        pytest.param(path, id=path.name, marks=pytest.mark.conformance)
        for path in example_requests()
    ]


def request_object_params() -> list[Any]:
    """One ``conformance`` parameter per request-side object name."""
    if not available():
        return [_ABSENT]
    return [
        pytest.param(name, id=name, marks=pytest.mark.conformance)
        for name in request_object_names()
    ]
