"""The auction funnel's tables (``FUNNEL=full``) as ``lake query`` names them, and their views.

``mock-data-gen setup`` with ``FUNNEL=full`` creates one table per funnel topic, named like the
topic, in the request table's namespace. In DuckDB each is ``funnel_`` + its default topic name:
``funnel_bid_responses``, ``funnel_wins``, ``funnel_impressions``, ``funnel_clicks``; the prefix
keeps them apart from the request views (``impressions`` already names the request's imp objects)
whatever the topics are called. ``funnel_bids`` flattens the responses to one row per bid.

A funnel table is opened only when a query names it (or a view over it), so a stack without the
funnel runs every other query as before; a query naming one that does not exist stops with
``FunnelTableMissing`` (exit 4), which says to run ``setup`` with ``FUNNEL=full``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lake_tools.catalog import TableNotFound, connect_catalog, open_table
from lake_tools.settings import LakeSettings

# DuckDB name -> the funnel event type whose topic (and so table) it is.
FUNNEL_TABLES: Mapping[str, str] = {
    "funnel_bid_responses": "bid_response",
    "funnel_wins": "win",
    "funnel_impressions": "impression",
    "funnel_clicks": "click",
}

# OpenRTB 2.6 §3.2.22 Bid.mtype, named as the request views name media types.
MEDIA_TYPE_MACRO = """
    CREATE OR REPLACE MACRO media_type_of(mtype) AS
    CASE mtype WHEN 1 THEN 'banner' WHEN 2 THEN 'video' WHEN 3 THEN 'audio'
               WHEN 4 THEN 'native' ELSE CAST(mtype AS VARCHAR) END
"""

# One row per bid of a bid response, priced in US dollars as the floors are (``usd_rates``):
# a bid's price is in the response's ``cur`` (the request's currency; USD when absent, §3.2.1).
FUNNEL_VIEWS: Mapping[str, tuple[str, str]] = {
    "funnel_bids": (
        "funnel_bid_responses",
        """
        CREATE OR REPLACE VIEW funnel_bids AS
        SELECT q.event_time, q.request_id, q.seat, q.late, q.latency_ms, q.bidid, q.currency,
            q.b.id AS bid_id,
            q.b.impid AS imp_id,
            q.b.price AS price,
            q.b.price * fx.usd_per_unit AS price_usd,
            q.b.mtype AS mtype,
            media_type_of(q.b.mtype) AS media_type,
            q.b.dealid AS dealid
        FROM (
            SELECT r.event_time, r.request_id, r.seat, r.late, r.latency_ms,
                r.response.bidid AS bidid,
                COALESCE(r.response.cur, 'USD') AS currency,
                unnest(flatten([s.bid FOR s IN r.response.seatbid])) AS b
            FROM funnel_bid_responses r
        ) q
        LEFT JOIN usd_rates fx ON fx.currency = q.currency
        """,
    ),
}

# What each view reads: a query naming a view needs its table opened.
VIEW_SOURCES: Mapping[str, str] = {name: source for name, (source, _) in FUNNEL_VIEWS.items()}


class FunnelTableMissing(TableNotFound):
    """A query names a funnel table that does not exist (exit code 4)."""


Opened = tuple[Any, int | None]


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
        topic = topics[FUNNEL_TABLES[name]]
        try:
            table = open_table(catalog[0], (namespace, topic))
        except TableNotFound:
            raise FunnelTableMissing(
                f"{name} reads Iceberg table {namespace}.{topic}, which does not exist in catalog "
                f"{settings.iceberg_catalog!r}: the auction funnel's tables are created by "
                "`mock-data-gen setup` with FUNNEL=full (`FUNNEL=full bash scripts/setup.sh`) "
                "and filled by a sink per funnel topic"
            ) from None
        if as_of_ms is None:
            snapshot = table.current_snapshot()
        else:
            snapshot = table.snapshot_as_of_timestamp(as_of_ms)
        return table, None if snapshot is None else int(snapshot.snapshot_id)

    return open_funnel_table
