"""The table the settings name, opened from its catalog (shared by every command)."""

from __future__ import annotations

from typing import Any

from lake_tools.catalog import connect_catalog, open_table
from lake_tools.settings import LakeSettings


def load_table(settings: LakeSettings) -> Any:
    """The table ``ICEBERG_CATALOG``/``ICEBERG_TABLE`` name; raises ``TableNotFound``."""
    return open_table(connect_catalog(settings.iceberg_catalog), settings.table_identifier)
