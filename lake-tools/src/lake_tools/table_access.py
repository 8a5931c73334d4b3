"""The tables the settings name, opened from their catalog (shared by every command): the
request table, and the funnel's tables a query names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from platform_common.settings import topic_table_name

from lake_tools.catalog import TableNotFound, connect_catalog, open_table
from lake_tools.funnel import FUNNEL_TABLES, Opened
from lake_tools.settings import LakeSettings


def load_table(settings: LakeSettings) -> Any:
    """The table ``ICEBERG_CATALOG``/``ICEBERG_TABLE`` name; raises ``TableNotFound``."""
    return open_table(connect_catalog(settings.iceberg_catalog), settings.table_identifier)


def open_topic_table(settings: LakeSettings, topic: str) -> tuple[Any, str]:
    """The table landing ``topic`` (``LakeSettings.table_for_topic``) and its name; raises
    ``TableNotFound``."""
    identifier = settings.table_for_topic(topic)
    if identifier == settings.table_identifier:
        return load_table(settings), settings.table_name
    try:
        return open_table(connect_catalog(settings.iceberg_catalog), identifier), ".".join(
            identifier
        )
    except TableNotFound:
        raise TableNotFound(
            f"Iceberg table {'.'.join(identifier)}, where the sink lands funnel topic {topic}, "
            f"does not exist in catalog {settings.iceberg_catalog!r}: the auction funnel's "
            "tables are created by `mock-data-gen setup` with FUNNEL=full"
        ) from None


class FunnelTableMissing(TableNotFound):
    """A query names a funnel table that does not exist (exit code 4)."""


def funnel_opener(settings: LakeSettings, as_of_ms: int | None) -> Callable[[str], Opened]:
    """A function opening the funnel table a DuckDB name stands for, with the snapshot to read:
    the current one, or the one current at ``as_of_ms`` (``--as-of``, so that every table is
    read as of the same moment); raises ``FunnelTableMissing``."""
    catalog: list[Any] = []
    topics = settings.funnel_topics()
    namespace = settings.table_identifier[0]

    def open_funnel_table(name: str) -> Opened:
        if not catalog:
            catalog.append(connect_catalog(settings.iceberg_catalog))
        table_name = topic_table_name(topics[FUNNEL_TABLES[name]])
        try:
            table = open_table(catalog[0], (namespace, table_name))
        except TableNotFound:
            raise FunnelTableMissing(
                f"{name} reads Iceberg table {namespace}.{table_name}, which does not exist in "
                f"catalog {settings.iceberg_catalog!r}: the auction funnel's tables are created by "
                "`mock-data-gen setup` with FUNNEL=full (`FUNNEL=full bash scripts/setup.sh`) "
                "and filled by a sink per funnel topic"
            ) from None
        if as_of_ms is None:
            snapshot = table.current_snapshot()
        else:
            snapshot = table.snapshot_as_of_timestamp(as_of_ms)
        return table, None if snapshot is None else int(snapshot.snapshot_id)

    return open_funnel_table
