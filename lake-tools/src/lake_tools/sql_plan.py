"""What a query needs from the table: its columns and its window of event time, from DuckDB's plan.

The query is planned (``EXPLAIN (FORMAT JSON)``) against an empty table of the real schema. Each
scan of the table in the plan lists the columns it projects and the filters DuckDB pushed into it;
DuckDB already normalises ``BETWEEN``, ``date_trunc('hour', event_time) = ...``, casts and
constant expressions such as ``now() - INTERVAL 1 HOUR`` into plain comparisons there. The read is
then limited to the union of the scans' columns and to the hull of their windows, widened to whole
hours (the table's partitions are hours of event time): a superset of what every scan needs, since
DuckDB applies every filter itself on what is read. Only filters that are, in full, a comparison of
``event_time`` with a timestamp narrow the window; anything else (an ``OR``, a function) reads
every hour.

Several tables (the request table and the funnel's, ``lake_tools.funnel``) are told apart by the
names of their columns: each funnel table is planned with its columns prefixed (``Source.prefix``)
behind a view that names them back, so its scans project and filter prefixed names. A scan that
names no column at all (a bare ``count(*)``) cannot be told apart: every table the SQL names is
then read for row counts in every hour, a superset again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from platform_common.table_contract import EVENT_TIME

_COMPARISON = r"^\(?{column}\s*(>=|>|<=|<|=)\s*'([^']+)'::TIMESTAMP WITH TIME ZONE\)?$"
_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Window:
    """Event times from ``start`` (inclusive) to ``end`` (exclusive); None is unbounded."""

    start: datetime | None = None
    end: datetime | None = None

    @property
    def bounded(self) -> bool:
        return self.start is not None or self.end is not None

    def describe(self) -> str:
        def show(moment: datetime | None) -> str:
            return moment.strftime("%Y-%m-%dT%H:%MZ") if moment else "..."

        return f"[{show(self.start)}, {show(self.end)})" if self.bounded else "every hour"


@dataclass(frozen=True)
class Needs:
    """The columns the query reads, as top-level names or paths of struct members (empty: it reads
    the table for row counts only), and the window of event time it reads; ``scans`` is 0 when the
    query does not read the table."""

    columns: frozenset[str]
    window: Window
    scans: int


def _hour_floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _parse_timestamp(text: str) -> datetime | None:
    text = text.strip()
    # DuckDB (TimeZone UTC) writes '2026-01-14 20:00:00+00' or '...:00.5+00'.
    if re.search(r"[+-]\d\d$", text):
        text += ":00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None  # infinity and friends: no bound
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _conjuncts(filters: str) -> Iterator[str]:
    """The top-level ``AND`` parts of a scan's filter text (parenthesised groups kept whole)."""
    depth, start = 0, 0
    for index, char in enumerate(filters):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and filters.startswith(" AND ", index):
            yield filters[start:index].strip()
            start = index + 5
    yield filters[start:].strip()


def scan_window(filters: str, prefix: str = "") -> Window:
    """The window of event time that a scan's pushed-down filters keep, in whole hours (the
    column named ``prefix`` + ``event_time``)."""
    start: datetime | None = None
    end: datetime | None = None
    comparison = re.compile(_COMPARISON.format(column=re.escape(prefix + EVENT_TIME)))
    for part in _conjuncts(filters):
        match = comparison.match(part)
        moment = _parse_timestamp(match[2]) if match else None
        if match is None or moment is None:
            continue
        operator = match[1]
        if operator in (">=", ">", "="):
            lower = _hour_floor(moment)
            start = lower if start is None else max(start, lower)
        if operator in ("<", "<=", "="):
            # "< 21:00" keeps nothing of the 21:00 hour; "<= 21:00" and "< 21:30" keep some.
            on_the_hour = moment == _hour_floor(moment)
            upper = moment if operator == "<" and on_the_hour else _hour_floor(moment) + _HOUR
            end = upper if end is None else min(end, upper)
    return Window(start, end)


def hull(windows: Iterable[Window]) -> Window:
    """The smallest window holding all of ``windows`` (unbounded on a side if any one is)."""
    listed = list(windows)
    if not listed:
        return Window()
    starts = [w.start for w in listed]
    ends = [w.end for w in listed]
    start = None if any(s is None for s in starts) else min(s for s in starts if s is not None)
    end = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    return Window(start, end)


def _scans(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if node.get("name") == "ARROW_SCAN" or node.get("extra_info", {}).get("Function") in (
        "ARROW_SCAN",
        "ARROW_SCAN_DUMB",
    ):
        yield node.get("extra_info", {})
    for child in node.get("children", []):
        yield from _scans(child)


def _listed(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [line for line in str(value or "").split("\n") if line.strip()]


def needs_from_plan(plan_json: str, table_columns: Iterable[str]) -> Needs:
    """What the scans of the table in DuckDB's JSON plan read (the table is the only Arrow scan)."""
    needs = needs_by_source(plan_json, {"table": Source("", tuple(table_columns))}, {"table"})
    return needs["table"]


@dataclass(frozen=True)
class Source:
    """A table as the plan shows it: its columns carry ``prefix`` (empty for at most one)."""

    prefix: str
    columns: tuple[str, ...]


def _paths(info: dict[str, Any]) -> list[str]:
    # A struct's members come as paths ("device.geo.country"): only they are read.
    return [
        ".".join(part.strip().strip('"') for part in projected.strip().split("."))
        for projected in _listed(info.get("Projections"))
    ]


def _owner(paths: list[str], filters: str, sources: Mapping[str, Source]) -> str | None:
    """The source a scan reads: the one whose prefix its names carry (a prefixed source before
    the unprefixed one, whose names carry none)."""
    ordered = sorted(sources.items(), key=lambda item: -len(item[1].prefix))
    for name, source in ordered:
        heads = {path.split(".")[0] for path in paths}
        named = [c for c in source.columns if source.prefix + c in heads]
        in_filters = [
            c for c in source.columns if re.search(rf"\b{re.escape(source.prefix + c)}\b", filters)
        ]
        if named or in_filters:
            return name
    return None


def needs_by_source(
    plan_json: str, sources: Mapping[str, Source], referenced: Iterable[str]
) -> dict[str, Needs]:
    """What the scans in DuckDB's JSON plan read of each source; ``referenced`` are the sources
    the SQL names, read for row counts when a scan names no column to tell which it is."""
    columns: dict[str, set[str]] = {name: set() for name in sources}
    windows: dict[str, list[Window]] = {name: [] for name in sources}
    unknown = 0
    for root in json.loads(plan_json):
        for info in _scans(root):
            paths = _paths(info)
            filters = " AND ".join(_listed(info.get("Filters")))
            owner = _owner(paths, filters, sources)
            if owner is None:
                unknown += 1
                continue
            source = sources[owner]
            known = {source.prefix + c: c for c in source.columns}
            for path in paths:
                head, dot, rest = path.partition(".")
                if head in known:
                    columns[owner].add(known[head] + dot + rest)
            # A column a filter names is read whole: DuckDB applies the filter on it.
            columns[owner].update(
                column
                for prefixed, column in known.items()
                if re.search(rf"\b{re.escape(prefixed)}\b", filters)
            )
            windows[owner].append(scan_window(filters, source.prefix))
    if unknown:
        for name in referenced:
            if name in windows:
                windows[name].append(Window())
    return {
        name: Needs(_outermost(columns[name]), hull(windows[name]), len(windows[name]))
        for name in sources
    }


def referenced_tables(serialized: str) -> set[str]:
    """The table and view names a statement's parse tree (DuckDB's ``json_serialize_sql``)
    reads from, lower-cased; CTE names among them."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE" and isinstance(node.get("table_name"), str):
                names.add(node["table_name"].lower())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(serialized))
    return names


def _outermost(paths: set[str]) -> frozenset[str]:
    """``paths`` without those inside another one (``device`` covers ``device.geo.country``)."""
    return frozenset(
        path
        for path in paths
        if not any(path.startswith(other + ".") for other in paths if other != path)
    )
