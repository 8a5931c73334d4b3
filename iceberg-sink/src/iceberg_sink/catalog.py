"""Connecting to the configured Iceberg catalog and opening the table the sink lands records in.

The sink writes to a table that exists: it never creates one. Its schema comes from the catalog,
and so does which of its columns hold JSON text (the table's ``json-text-fields`` property, see
``platform_common.table_contract``); ``mock-data-gen setup`` creates the bid request table with
both.
"""

from __future__ import annotations

from typing import Any

from platform_common.settings import missing_catalog
from platform_common.table_contract import parse_json_text_fields

from iceberg_sink.settings import ConfigError


class TableNotFound(Exception):
    """The table to land records in does not exist (exit code 4); the message says how to create
    it."""


def connect_catalog(name: str) -> Any:
    """Load catalog ``name`` from the pyiceberg configuration (``PYICEBERG_CATALOG__<NAME>__*``)."""
    from pyiceberg.catalog import load_catalog

    from iceberg_sink.pyiceberg_compat import catalog_properties

    properties = catalog_properties(name)
    if not properties:
        raise ConfigError(missing_catalog(name))
    return load_catalog(name, **properties)


def open_table(catalog: Any, identifier: tuple[str, str]) -> Any:
    """Load the table; raises :class:`TableNotFound` if it (or its namespace) does not exist."""
    from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError

    try:
        return catalog.load_table(identifier)
    except (NoSuchTableError, NoSuchNamespaceError):
        table = ".".join(identifier)
        raise TableNotFound(
            f"Iceberg table {table} does not exist in catalog {catalog.name!r}; the sink writes "
            "to an existing table only: create it with `mock-data-gen setup` (ICEBERG_CATALOG, "
            "ICEBERG_NAMESPACE and ICEBERG_TABLE as here), or from the repository with "
            "`bash scripts/setup.sh` (Docker stack) or `bash scripts/setup.sh --local` (local "
            "lakehouse)"
        ) from None


def json_text_fields(table: Any) -> tuple[str, ...]:
    """The columns of ``table`` that hold JSON text, as its ``json-text-fields`` property lists
    them (none without it)."""
    return parse_json_text_fields(table.properties)
