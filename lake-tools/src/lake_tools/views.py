"""The flattened views an analyst queries beside the raw table ``bid_requests``.

* ``requests``: one row per bid request, with where it runs (channel, publisher), who sees it
  (country, device type) and its privacy signals as plain columns.
* ``impressions``: one row per impression of a request, with its media type, size, floor in its
  own currency and in US dollars, deals, and the request's columns above.
* ``usd_rates``: US dollars per unit of each currency, for the floors in USD.

A view whose columns the table lacks (a table of some other topic) is left out, so ``lake query``
still works on the raw table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# US dollars per unit. EUR is the generator's own rate (0.92 EUR per USD), so its floors come back
# in dollars as they were drawn; the others are rounded reference rates, not market data:
# LAKE_USD_RATES overrides or adds any. A currency without a rate has a NULL floor_usd.
REFERENCE_USD_RATES: Mapping[str, float] = {
    "USD": 1.0,
    "EUR": round(1 / 0.92, 6),
    "GBP": 1.27,
    "CHF": 1.13,
    "CAD": 0.73,
    "AUD": 0.66,
    "JPY": 0.0067,
    "INR": 0.012,
    "BRL": 0.18,
    "MXN": 0.055,
}

# AdCOM 1.0 list "Device Types".
_DEVICE_TYPES = {
    1: "mobile/tablet",
    2: "pc",
    3: "ctv",
    4: "phone",
    5: "tablet",
    6: "connected device",
    7: "set top box",
    8: "ooh",
}

_DEVICE_TYPE_CASE = (
    "CASE r.device.devicetype "
    + " ".join(f"WHEN {code} THEN '{name}'" for code, name in _DEVICE_TYPES.items())
    + " ELSE CAST(r.device.devicetype AS VARCHAR) END"
)

_REQUEST_COLUMNS = f"""
    r.event_time,
    r.kafka_partition,
    r.kafka_offset,
    r.id AS request_id,
    CASE WHEN r.site IS NOT NULL THEN 'site' WHEN r.app IS NOT NULL THEN 'app'
         WHEN r.dooh IS NOT NULL THEN 'dooh' END AS channel,
    COALESCE(r.site.publisher.id, r.app.publisher.id, r.dooh.publisher.id) AS publisher_id,
    COALESCE(r.site.publisher.name, r.app.publisher.name, r.dooh.publisher.name)
        AS publisher_name,
    COALESCE(r.site.domain, r.app.bundle, r.dooh.domain) AS property,
    r.device.geo.country AS country,
    {_DEVICE_TYPE_CASE} AS device_type,
    r.device.os AS os,
    COALESCE(r.regs.gdpr, 0) = 1 AS gdpr,
    r.user.consent IS NOT NULL AS consent_string,
    r.regs.us_privacy AS us_privacy,
    r.regs.gpp IS NOT NULL AS gpp,
    COALESCE(r.regs.coppa, 0) = 1 AS coppa,
    r.device.ifa IS NOT NULL AS device_id,
    COALESCE(r.device.lmt, 0) = 1 AS limited_ad_tracking"""

VIEWS: Mapping[str, str] = {
    "requests": f"""
        CREATE OR REPLACE VIEW requests AS
        SELECT {_REQUEST_COLUMNS},
            len(r.imp) AS impressions,
            list_bool_or([i.pmp IS NOT NULL AND len(i.pmp.deals) > 0 for i IN r.imp]) AS has_deal
        FROM bid_requests r
    """,
    # The impressions are unnested in the select list, not by a lateral join: DuckDB pushes a
    # filter on the request's columns (event_time) through that into the scan, which is what
    # lets a time filter on this view prune hour partitions.
    "impressions": f"""
        CREATE OR REPLACE VIEW impressions AS
        SELECT q.* EXCLUDE (i),
            q.i.id AS imp_id,
            concat_ws('+',
                CASE WHEN q.i.banner IS NOT NULL THEN 'banner' END,
                CASE WHEN q.i.video IS NOT NULL THEN 'video' END,
                CASE WHEN q.i.audio IS NOT NULL THEN 'audio' END,
                CASE WHEN q.i.native IS NOT NULL THEN 'native' END) AS media_type,
            COALESCE(q.i.banner.w, q.i.banner.format[1].w, q.i.video.w) AS width,
            COALESCE(q.i.banner.h, q.i.banner.format[1].h, q.i.video.h) AS height,
            CASE WHEN COALESCE(q.i.banner.w, q.i.banner.format[1].w, q.i.video.w) IS NOT NULL
                 THEN COALESCE(q.i.banner.w, q.i.banner.format[1].w, q.i.video.w) || 'x'
                      || COALESCE(q.i.banner.h, q.i.banner.format[1].h, q.i.video.h) END AS size,
            q.i.bidfloor AS floor,
            COALESCE(q.i.bidfloorcur, 'USD') AS floor_currency,
            q.i.bidfloor * fx.usd_per_unit AS floor_usd,
            COALESCE(len(q.i.pmp.deals), 0) AS deals,
            COALESCE(q.i.pmp.private_auction, 0) = 1 AS private_auction
        FROM (SELECT {_REQUEST_COLUMNS}, unnest(r.imp) AS i FROM bid_requests r) q
        LEFT JOIN usd_rates fx ON fx.currency = COALESCE(q.i.bidfloorcur, 'USD')
    """,
}


def create_views(connection: Any, rates: Mapping[str, float]) -> list[str]:
    """Create ``usd_rates`` and every view the table's columns allow; returns the views made."""
    merged = {**REFERENCE_USD_RATES, **rates}
    connection.execute("CREATE OR REPLACE TABLE usd_rates (currency VARCHAR, usd_per_unit DOUBLE)")
    connection.executemany("INSERT INTO usd_rates VALUES (?, ?)", sorted(merged.items()))
    made = []
    for name, statement in VIEWS.items():
        try:
            connection.execute(statement)
        except Exception:  # the table lacks a column the view reads: no such view here
            continue
        made.append(name)
    return made
