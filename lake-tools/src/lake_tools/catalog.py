"""Connecting to the configured Iceberg catalog and opening the table, as the sink does."""

from __future__ import annotations

from typing import Any

from platform_common.settings import missing_catalog

from lake_tools.pyiceberg_compat import catalog_properties
from lake_tools.settings import ConfigError


class TableNotFound(Exception):
    """The table does not exist (exit code 4); the message says how to create it."""


def connect_catalog(name: str) -> Any:
    """Load catalog ``name`` from the pyiceberg configuration (``PYICEBERG_CATALOG__<NAME>__*``)."""
    from pyiceberg.catalog import load_catalog

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
            f"Iceberg table {table} does not exist in catalog {catalog.name!r} (ICEBERG_CATALOG, "
            "ICEBERG_NAMESPACE, ICEBERG_TABLE); create it with `mock-data-gen setup`, "
            "`bash scripts/setup.sh` (Docker stack) or `bash scripts/setup.sh --local`"
        ) from None
