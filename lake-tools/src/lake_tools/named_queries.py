"""The questions an adtech analyst asks of the bid request table, each runnable by name.

They read the flattened views (``lake_tools.views``); ``lake queries`` lists them and
``lake query --name NAME`` runs one. The ``funnel-*`` queries read the auction funnel's tables
too (``lake_tools.funnel``, ``FUNNEL=full``); without them they stop naming the missing table.
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

# The funnel's events name their cause by ids: a response its request (request_id), a win its bid
# (request_id, imp_id, seat, bid_id, bidid), an impression and a click their win (request_id,
# imp_id). Prices are in the request's currency (cur), converted with usd_rates as floors are.
_FUNNEL_QUERIES = (
    NamedQuery(
        "funnel-fill-rate",
        "Fill rate: impressions offered that were auctioned with a winner, by channel (web, app,"
        " ctv, dooh, as the funnel's events name it) and media type",
        # The channel as the funnel derives it for its events: dooh with a dooh object, else ctv
        # on a connected TV or set-top box (AdCOM device types 3 and 7), else app with an app
        # object, else web. A request carries one of site, app and dooh (OpenRTB 2.6 §3.2.1), so
        # the view's channel (site, app or dooh) tells which.
        """
        SELECT channel, media_type,
               count(*) AS offered,
               count(w.request_id) AS filled,
               round(count(w.request_id) / count(*), 4) AS fill_rate
        FROM (SELECT request_id, imp_id, media_type,
                     CASE WHEN channel = 'dooh' THEN 'dooh'
                          WHEN device_type IN ('ctv', 'set top box') THEN 'ctv'
                          WHEN channel = 'app' THEN 'app'
                          ELSE 'web' END AS channel
              FROM impressions) i
        LEFT JOIN funnel_wins w USING (request_id, imp_id)
        GROUP BY ALL
        ORDER BY offered DESC, channel, media_type
        """,
    ),
    NamedQuery(
        "funnel-win-rate-by-seat",
        "Win rate (wins / bids in time) and eCPM (USD per 1,000 billed impressions, a DOOH play"
        " counting as its multiplier) by seat and media type",
        # A win that never renders is not billed: eCPM counts the impressions, each priced at its
        # win's clearing price in the request's cur (a CPM). A DOOH play is `multiplier`
        # impressions and costs price / 1000 * multiplier (OpenRTB 2.6 implementation guide
        # §7.9.4), so plays weigh by it; the impressions column counts billing events (a play
        # once). One without a USD rate is left out of eCPM and counted in
        # impressions_without_usd_rate.
        """
        WITH bids AS (
            SELECT seat, media_type, count(*) AS bids_in_time
            FROM funnel_bids
            WHERE NOT late
            GROUP BY ALL
        ), won AS (
            SELECT seat, media_type_of(mtype) AS media_type, count(*) AS wins
            FROM funnel_wins
            GROUP BY ALL
        ), billed AS (
            SELECT i.seat, media_type_of(i.mtype) AS media_type, count(*) AS impressions,
                   sum(i.price * fx.usd_per_unit * coalesce(i.multiplier, 1))
                       FILTER (WHERE fx.usd_per_unit IS NOT NULL)
                   / sum(coalesce(i.multiplier, 1)) FILTER (WHERE fx.usd_per_unit IS NOT NULL)
                       AS ecpm_usd,
                   count(*) FILTER (WHERE fx.usd_per_unit IS NULL) AS impressions_without_usd_rate
            FROM funnel_impressions i
            LEFT JOIN usd_rates fx ON fx.currency = i.cur
            GROUP BY ALL
        )
        SELECT seat, media_type, bids_in_time,
               coalesce(wins, 0) AS wins,
               round(coalesce(wins, 0) / bids_in_time, 4) AS win_rate,
               coalesce(impressions, 0) AS impressions,
               round(ecpm_usd, 3) AS ecpm_usd,
               coalesce(impressions_without_usd_rate, 0) AS impressions_without_usd_rate
        FROM bids
        LEFT JOIN won USING (seat, media_type)
        LEFT JOIN billed USING (seat, media_type)
        ORDER BY seat, media_type
        """,
    ),
    NamedQuery(
        "funnel-render-rate",
        "Render rate: wins that became billable impressions, by media type and in all",
        """
        SELECT CASE WHEN grouping(media_type) = 1 THEN 'all' ELSE media_type END AS media_type,
               count(*) AS wins,
               count(i.request_id) AS impressions,
               round(count(i.request_id) / count(*), 4) AS render_rate
        FROM (SELECT request_id, imp_id, media_type_of(mtype) AS media_type FROM funnel_wins) w
        LEFT JOIN funnel_impressions i USING (request_id, imp_id)
        GROUP BY ROLLUP (media_type)
        ORDER BY grouping(media_type), wins DESC, media_type
        """,
    ),
    NamedQuery(
        "funnel-ctr-by-format",
        "Click-through rate: clicks per impression, by media type and in all",
        """
        SELECT CASE WHEN grouping(media_type) = 1 THEN 'all' ELSE media_type END AS media_type,
               count(*) AS impressions,
               count(c.request_id) AS clicks,
               round(100 * count(c.request_id) / count(*), 3) AS ctr_percent
        FROM (SELECT request_id, imp_id, media_type_of(mtype) AS media_type
              FROM funnel_impressions) i
        LEFT JOIN funnel_clicks c USING (request_id, imp_id)
        GROUP BY ROLLUP (media_type)
        ORDER BY grouping(media_type), impressions DESC, media_type
        """,
    ),
    NamedQuery(
        "funnel-time-to-click",
        "Seconds from bid request to click (percentiles), by media type and in all",
        """
        SELECT CASE WHEN grouping(media_type) = 1 THEN 'all' ELSE media_type END AS media_type,
               count(*) AS clicks,
               round(quantile_cont(seconds, 0.50), 3) AS p50_seconds,
               round(quantile_cont(seconds, 0.90), 3) AS p90_seconds,
               round(quantile_cont(seconds, 0.99), 3) AS p99_seconds,
               round(max(seconds), 3) AS max_seconds
        FROM (SELECT media_type_of(c.mtype) AS media_type,
                     epoch(c.event_time) - epoch(r.event_time) AS seconds
              FROM funnel_clicks c
              JOIN bid_requests r ON r.id = c.request_id) t
        GROUP BY ROLLUP (media_type)
        ORDER BY grouping(media_type), clicks DESC, media_type
        """,
    ),
    NamedQuery(
        "funnel-integrity",
        "Funnel events without their cause, or not after it (all zeros on a complete lake)",
        # Each cause is grouped first, so a row written twice cannot multiply its effects; rows
        # missing or duplicated in a table are `lake verify`'s to find.
        """
        WITH requests AS (
            SELECT id AS request_id, max(event_time) AS cause_time
            FROM bid_requests GROUP BY ALL
        ), bids AS (
            SELECT request_id, imp_id, seat, bid_id, bidid, max(event_time) AS cause_time
            FROM funnel_bids WHERE NOT late GROUP BY ALL
        ), wins AS (
            SELECT request_id, imp_id, max(event_time) AS cause_time
            FROM funnel_wins GROUP BY ALL
        ), shown AS (
            SELECT request_id, imp_id, max(event_time) AS cause_time
            FROM funnel_impressions GROUP BY ALL
        ), checked AS (
            SELECT 1 AS step, r.event_time, c.cause_time
            FROM funnel_bid_responses r LEFT JOIN requests c USING (request_id)
            UNION ALL
            SELECT 2, w.event_time, c.cause_time
            FROM funnel_wins w LEFT JOIN bids c USING (request_id, imp_id, seat, bid_id, bidid)
            UNION ALL
            SELECT 3, i.event_time, c.cause_time
            FROM funnel_impressions i LEFT JOIN wins c USING (request_id, imp_id)
            UNION ALL
            SELECT 4, k.event_time, c.cause_time
            FROM funnel_clicks k LEFT JOIN shown c USING (request_id, imp_id)
        )
        -- One row per step, an empty table's too.
        SELECT s.event, s.cause,
               count(c.step) AS events,
               count(c.step) FILTER (WHERE c.cause_time IS NULL) AS without_cause,
               count(c.step) FILTER (WHERE c.event_time <= c.cause_time) AS not_after_cause
        FROM (VALUES (1, 'bid_response', 'its bid request'),
                     (2, 'win', 'a bid in time of that response'),
                     (3, 'impression', 'its win'),
                     (4, 'click', 'its impression')) s(step, event, cause)
        LEFT JOIN checked c USING (step)
        GROUP BY s.step, s.event, s.cause
        ORDER BY s.step
        """,
    ),
)

NAMED_QUERIES: Mapping[str, NamedQuery] = {
    query.name: query for query in (*_QUERIES, *_FUNNEL_QUERIES)
}
