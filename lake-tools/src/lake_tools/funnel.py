"""The auction funnel's tables (``FUNNEL=full``) as ``lake query`` names them, and their views.

``mock-data-gen setup`` with ``FUNNEL=full`` creates one table per funnel topic, named like the
topic (``platform_common.settings.topic_table_name``), in the request table's namespace. In
DuckDB each is ``funnel_`` + its default topic name: ``funnel_bid_responses``, ``funnel_wins``,
``funnel_impressions``, ``funnel_clicks``; the prefix keeps them apart from the request views
(``impressions`` already names the request's imp objects) whatever the topics are called.
``funnel_bids`` flattens the responses to one row per bid.

A funnel table is opened only when a query names it (or a view over it), so a stack without the
funnel runs every other query as before; a query naming one that does not exist stops with
``table_access.FunnelTableMissing`` (exit 4), which says to run ``setup`` with ``FUNNEL=full``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# DuckDB name -> the funnel event type whose topic (and so table) it is.
FUNNEL_TABLES: Mapping[str, str] = {
    "funnel_bid_responses": "bid_response",
    "funnel_wins": "win",
    "funnel_impressions": "impression",
    "funnel_clicks": "click",
}

# OpenRTB 2.6 §4.2.3 Bid.mtype, named as the request views name media types.
MEDIA_TYPE_MACRO = """
    CREATE OR REPLACE MACRO media_type_of(mtype) AS
    CASE mtype WHEN 1 THEN 'banner' WHEN 2 THEN 'video' WHEN 3 THEN 'audio'
               WHEN 4 THEN 'native' ELSE CAST(mtype AS VARCHAR) END
"""

# One row per bid of a bid response, priced in US dollars as the floors are (``usd_rates``):
# a bid's price is in the response's ``cur`` (the request's currency; USD when absent, §4.2.1).
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


# A funnel table opened for a query, with the snapshot to read (``table_access.funnel_opener``).
Opened = tuple[Any, int | None]
