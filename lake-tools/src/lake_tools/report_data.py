"""What the report and the dashboard show, read from one snapshot of the table.

Traffic comes from SQL over the views (``engine``); commit freshness from the table's metadata
alone: for each live commit, the time from the newest event time among the rows it added (the
``event_time`` upper bound in its data files' statistics) to the commit itself. Only commits
whose newest event is less than ``LIVE_SECONDS`` before the commit (and not more than
``CLOCK_SKEW_SECONDS`` after it) count as live: the sink commits every few seconds, so a larger gap
means the event times were simulated (a backfill, ``sample`` at another time) or the sink ran far
behind, and a freshness figure of months would measure the clock, not the pipeline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lake_tools.engine import Session

# The rate is counted in buckets of whole seconds, about this many over the span (empty buckets
# count as 0, so a quiet stretch shows as one).
RATE_POINTS = 600
# The bounds of a live commit's gap from its newest event to the commit (see above).
LIVE_SECONDS = 3600.0
CLOCK_SKEW_SECONDS = 300.0


@dataclass
class ReportData:
    table: str
    snapshot_id: int | None
    requests: int = 0
    impressions: int = 0
    first_event: datetime | None = None
    last_event: datetime | None = None
    rate: list[tuple[datetime, float]] = field(default_factory=list)  # (time, requests/s)
    rate_bucket_seconds: int = 1
    media_mix: list[tuple[str, int]] = field(default_factory=list)
    # media type -> (p5, p25, p50, p75, p95) of floors in USD CPM, and the impressions with a floor
    floors: list[tuple[str, tuple[float, float, float, float, float], int]] = field(
        default_factory=list
    )
    countries: list[tuple[str, int]] = field(default_factory=list)
    privacy: list[tuple[str, float]] = field(default_factory=list)  # signal -> share of requests
    commits: list[tuple[datetime, float, int]] = field(
        default_factory=list
    )  # (commit time, seconds from newest event to commit, rows added)

    @property
    def live_commits(self) -> list[tuple[datetime, float, int]]:
        """The commits of live data: newest event less than an hour before the commit."""
        return [c for c in self.commits if -CLOCK_SKEW_SECONDS <= c[1] < LIVE_SECONDS]

    @property
    def span_seconds(self) -> float:
        if self.first_event is None or self.last_event is None:
            return 0.0
        return (self.last_event - self.first_event).total_seconds()


def _rows(session: Session, sql: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = session.run(sql).table.to_pylist()
    return rows


def gather(session: Session, table_name: str) -> ReportData:
    data = ReportData(table_name, session.snapshot_id)
    if session.snapshot_id is None:
        return data
    (overview,) = _rows(
        session,
        "SELECT count(*) AS requests, sum(len(imp)) AS impressions, min(event_time) AS first, "
        "max(event_time) AS last FROM bid_requests",
    )
    data.requests = int(overview["requests"])
    data.impressions = int(overview["impressions"] or 0)
    data.first_event, data.last_event = overview["first"], overview["last"]
    if data.requests == 0:
        return data
    bucket = max(1, math.ceil(data.span_seconds / RATE_POINTS))
    data.rate_bucket_seconds = bucket
    counts = {
        int(row["b"]): int(row["n"])
        for row in _rows(
            session,
            f"SELECT epoch(event_time)::BIGINT // {bucket} AS b, count(*) AS n "
            "FROM bid_requests GROUP BY ALL",
        )
    }
    first, last = min(counts), max(counts)
    # The first and last buckets hold only part of their span (the run started and stopped
    # inside them): drawn, they would look like a dip in traffic.
    inner = range(first + 1, last) if last - first >= 3 else range(first, last + 1)
    data.rate = [
        (datetime.fromtimestamp(b * bucket, UTC), counts.get(b, 0) / bucket) for b in inner
    ]
    data.media_mix = [
        (row["media_type"] or "(none)", int(row["n"]))
        for row in _rows(
            session,
            "SELECT media_type, count(*) AS n FROM impressions GROUP BY ALL ORDER BY n DESC",
        )
    ]
    data.floors = [
        (row["media_type"], tuple(row["q"]), int(row["n"]))
        for row in _rows(
            session,
            "SELECT media_type, quantile_cont(floor_usd, [0.05, 0.25, 0.5, 0.75, 0.95]) AS q, "
            "count(*) AS n FROM impressions WHERE floor_usd > 0 GROUP BY ALL ORDER BY n DESC",
        )
    ]
    data.countries = [
        (row["country"] or "(none)", int(row["n"]))
        for row in _rows(
            session,
            "SELECT country, count(*) AS n FROM requests GROUP BY ALL ORDER BY n DESC LIMIT 10",
        )
    ]
    (privacy,) = _rows(
        session,
        'SELECT avg(gdpr::INT) AS "GDPR applies", '
        'avg(consent_string::INT) AS "TCF consent string", '
        'avg((us_privacy IS NOT NULL)::INT) AS "US Privacy string", '
        'avg(gpp::INT) AS "GPP string", avg(coppa::INT) AS "COPPA", '
        'avg(limited_ad_tracking::INT) AS "limit ad tracking", '
        'avg(device_id::INT) AS "device ad id" FROM requests',
    )
    data.privacy = [(name, float(share or 0.0)) for name, share in privacy.items()]
    data.commits = commit_freshness(session.table)
    return data


def commit_freshness(table: Any) -> list[tuple[datetime, float, int]]:
    """(commit time, seconds from the newest event it added to the commit, rows it added) for the
    commits whose data files are live in the current snapshot, oldest first."""
    entries = table.inspect.entries().to_pylist()
    newest: dict[int, datetime] = {}
    rows: dict[int, int] = {}
    for entry in entries:
        metrics = (entry.get("readable_metrics") or {}).get("event_time") or {}
        upper = metrics.get("upper_bound")
        snapshot_id = entry["snapshot_id"]
        if upper is None or snapshot_id is None:
            continue
        if upper.tzinfo is None:
            upper = upper.replace(tzinfo=UTC)
        newest[snapshot_id] = max(newest.get(snapshot_id, upper), upper)
        rows[snapshot_id] = rows.get(snapshot_id, 0) + int(entry["data_file"]["record_count"])
    result = []
    for snapshot_id, event in newest.items():
        snapshot = table.snapshot_by_id(snapshot_id)
        if snapshot is None:
            continue
        committed = datetime.fromtimestamp(snapshot.timestamp_ms / 1000, UTC)
        result.append((committed, (committed - event).total_seconds(), rows[snapshot_id]))
    return sorted(result)
