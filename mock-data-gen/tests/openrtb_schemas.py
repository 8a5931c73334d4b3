"""The official OpenRTB 2.6 JSON Schemas (Draft 2020-12), for validating requests in tests.

The schemas live beside the repository in ``<repo root>/../shared/openrtb-2.6-jsonschema`` and
are never copied into it; set ``OPENRTB_SCHEMA_DIR`` to use another copy. Every schema file is
registered by its ``$id`` so that the relative ``$ref`` links between objects (``"Imp.json"``)
resolve offline.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR_ENV = "OPENRTB_SCHEMA_DIR"
SCHEMA_ID_PREFIX = "https://iabtechlab.com/openrtb/2.6/"
# The bid-response side of the schema set; everything else describes the request.
RESPONSE_OBJECTS = frozenset({"BidResponse", "SeatBid", "Bid"})

_REPO_ROOT = Path(__file__).resolve().parents[2]


def schema_dir() -> Path:
    """Directory holding ``BidRequest.json`` and friends (env ``OPENRTB_SCHEMA_DIR`` overrides)."""
    override = os.environ.get(SCHEMA_DIR_ENV)
    directory = (
        Path(override) if override else _REPO_ROOT.parent / "shared" / "openrtb-2.6-jsonschema"
    )
    if not (directory / "BidRequest.json").is_file():
        raise FileNotFoundError(
            f"OpenRTB 2.6 JSON Schemas not found in {directory} (expected BidRequest.json there); "
            f"place the schema set at <repo root>/../shared/openrtb-2.6-jsonschema or set "
            f"{SCHEMA_DIR_ENV} to its directory"
        )
    return directory


def example_requests_dir() -> Path:
    """The official example bid requests shipped with the schemas."""
    return schema_dir() / "examples" / "bid-requests"


@cache
def _schemas() -> dict[str, dict[str, object]]:
    """Every schema by object name (file stem)."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(schema_dir().glob("*.json"))
    }


def schema(name: str) -> dict[str, object]:
    """The parsed schema of one object, e.g. ``schema("Imp")``."""
    schemas = _schemas()
    if name not in schemas:
        raise KeyError(f"no OpenRTB schema named {name!r}; known: {', '.join(sorted(schemas))}")
    return schemas[name]


def request_object_names() -> list[str]:
    """Names of all request-side objects (``BidRequest``, ``Imp``, ... ``DurFloors``)."""
    return [name for name in _schemas() if name not in RESPONSE_OBJECTS]


@cache
def _registry() -> Registry[object]:
    resources = [
        (str(contents["$id"]), Resource.from_contents(contents, default_specification=DRAFT202012))
        for contents in _schemas().values()
    ]
    return Registry().with_resources(resources)


def validator(name: str = "BidRequest") -> Draft202012Validator:
    """A validator for one object; use ``.iter_errors(instance)`` or ``.validate(instance)``."""
    return Draft202012Validator(schema(name), registry=_registry())
