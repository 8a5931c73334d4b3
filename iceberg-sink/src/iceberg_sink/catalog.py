"""Connecting to the configured Iceberg catalog and opening (or creating) the bid request table."""

from __future__ import annotations

import logging
from typing import Any

from mock_data_gen.lakehouse.setup import create_namespace, create_table
from mock_data_gen.lakehouse.table_schema import bid_request_layout
from platform_common.logs import log_event

from iceberg_sink.settings import ConfigError

logger = logging.getLogger(__name__)


def connect_catalog(name: str) -> Any:
    """Load catalog ``name`` from the pyiceberg configuration (``PYICEBERG_CATALOG__<NAME>__*``)."""
    from pyiceberg.catalog import load_catalog

    from iceberg_sink.pyiceberg_compat import catalog_properties

    properties = catalog_properties(name)
    if not properties:
        upper = name.upper()
        raise ConfigError(
            f"no Iceberg catalog named {name!r} is configured: set PYICEBERG_CATALOG__{upper}__URI "
            "(e.g. http://iceberg-rest:8181 or sqlite:///catalog.db) and, for an S3 warehouse, "
            f"PYICEBERG_CATALOG__{upper}__S3__ENDPOINT, __S3__ACCESS_KEY_ID, "
            "__S3__SECRET_ACCESS_KEY, __S3__REGION, or describe it in ~/.pyiceberg.yaml"
        )
    return load_catalog(name, **properties)


def open_table(catalog: Any, identifier: tuple[str, str], *, create: bool) -> Any:
    """Load the table; if it (or its namespace) is missing, create it when ``create`` is set.

    The schema and partitioning come from mock-data-gen's table layout, the same code the setup
    uses, so a table created here is the table the setup would have created.
    """
    from pyiceberg.exceptions import NoSuchTableError

    try:
        return catalog.load_table(identifier)
    except NoSuchTableError:
        if not create:
            raise ConfigError(
                f"Iceberg table {'.'.join(identifier)} does not exist; run the setup or set "
                "ICEBERG_SINK_CREATE_TABLE=true"
            ) from None
    namespace = identifier[0]
    if create_namespace(catalog, namespace) == "created":
        log_event(logger, logging.INFO, "namespace_created", namespace=namespace)
    layout = bid_request_layout()
    table, created = create_table(catalog, identifier, layout)
    if created:
        log_event(
            logger,
            logging.INFO,
            "table_created",
            table=".".join(identifier),
            columns=len(layout.schema.fields),
        )
    return table
