"""The questions an adtech analyst asks of the bid request table, each runnable by name.

They read the flattened views (``lake_tools.views``); ``lake queries`` lists them and
``lake query --name NAME`` runs one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class NamedQuery:
    name: str
    question: str
    sql: str


_QUERIES = (
    NamedQuery(
        "requests-by-country-device",
        "Requests, impressions and floors (USD CPM) by country and device type",
        """
        SELECT country, device_type,
               count(DISTINCT request_id) AS requests,
               count(*) AS impressions,
               round(avg(floor_usd), 3) AS avg_floor_usd,
               round(median(floor_usd), 3) AS median_floor_usd
        FROM impressions
        GROUP BY ALL
        ORDER BY requests DESC, country, device_type
        """,
    ),
    NamedQuery(
        "floor-percentiles-by-format",
        "Floor percentiles (USD CPM) by media type and size",
        """
        SELECT media_type, size,
               count(*) AS impressions,
               round(quantile_cont(floor_usd, 0.10), 3) AS p10_usd,
               round(quantile_cont(floor_usd, 0.50), 3) AS p50_usd,
               round(quantile_cont(floor_usd, 0.90), 3) AS p90_usd,
               round(quantile_cont(floor_usd, 0.99), 3) AS p99_usd
        FROM impressions
        WHERE floor_usd IS NOT NULL
        GROUP BY ALL
        HAVING count(*) >= 10
        ORDER BY impressions DESC
        """,
    ),
    NamedQuery(
        "privacy-share",
        "Share of requests under GDPR, with a consent string, US Privacy, GPP and COPPA",
        """
        SELECT count(*) AS requests,
               round(avg(gdpr::INT), 4) AS gdpr_share,
               round(avg(CASE WHEN gdpr THEN consent_string::INT END), 4)
                   AS consented_share_of_gdpr,
               round(avg((us_privacy IS NOT NULL)::INT), 4) AS us_privacy_share,
               round(avg(gpp::INT), 4) AS gpp_share,
               round(avg(coppa::INT), 4) AS coppa_share,
               round(avg(limited_ad_tracking::INT), 4) AS lmt_share
        FROM requests
        """,
    ),
    NamedQuery(
        "top-publishers",
        "The 20 publishers with the most requests, with their channel and median floor",
        """
        SELECT publisher_id, any_value(publisher_name) AS publisher_name,
               any_value(channel) AS channel,
               count(DISTINCT request_id) AS requests,
               round(median(floor_usd), 3) AS median_floor_usd
        FROM impressions
        GROUP BY publisher_id
        ORDER BY requests DESC, publisher_id
        LIMIT 20
        """,
    ),
    NamedQuery(
        "requests-per-minute",
        "Requests per minute of event time",
        """
        SELECT date_trunc('minute', event_time) AS minute, count(*) AS requests
        FROM bid_requests
        GROUP BY ALL
        ORDER BY minute
        """,
    ),
    NamedQuery(
        "deal-share",
        "Share of impressions offering deals (PMP), by media type",
        """
        SELECT media_type, count(*) AS impressions,
               round(avg((deals > 0)::INT), 4) AS deal_share,
               round(avg(private_auction::INT), 4) AS private_auction_share
        FROM impressions
        GROUP BY ALL
        ORDER BY impressions DESC
        """,
    ),
)

NAMED_QUERIES: Mapping[str, NamedQuery] = {query.name: query for query in _QUERIES}
