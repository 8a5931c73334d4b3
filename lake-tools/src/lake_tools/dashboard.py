"""The one-page PNG dashboard of a report (matplotlib, the ``plot`` extra).

Six panels a person reads at a glance: the request rate over event time, the media mix, floors
by media type, the country mix, the privacy signals and the commit freshness. Shares are bars on
linear axes from zero; floors span three orders of magnitude, so they are box plots (quartile
boxes, 5th-95th percentile whiskers) on a log axis, never bars, whose length a log axis distorts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lake_tools.engine import MissingExtra
from lake_tools.report_data import ReportData

_COLOR = "#2b6cb0"


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise MissingExtra(
            "--png draws with matplotlib, which comes with the plot extra: "
            "pip install -e './lake-tools[plot]'"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _shares(ax: Any, items: Sequence[tuple[str, float]], title: str, total: float) -> None:
    labels = [label for label, _ in items][::-1]
    values = [100.0 * value / total if total else 0.0 for _, value in items][::-1]
    ax.barh(labels, values, color=_COLOR)
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:.1f}%", va="center", fontsize=8)
    ax.set_xlim(0, max([*values, 1.0]) * 1.2)
    ax.set_xlabel("% of total")
    ax.set_title(title, loc="left", fontsize=11)


def _rate(ax: Any, data: ReportData) -> None:
    times = [t for t, _ in data.rate]
    if data.rate:
        values = [v for _, v in data.rate]
        ax.plot(times, values, color=_COLOR, linewidth=1)
        ax.set_ylim(0, max(values) * 1.15 or 1)
    bucket = data.rate_bucket_seconds
    per = "each second" if bucket == 1 else f"{bucket} s averages"
    # Two lines: one would run into the next panel's title.
    ax.set_title(
        f"Requests per second\n({per}; partial first and last left out)", loc="left", fontsize=11
    )
    ax.set_ylabel("requests/s")
    _time_axis(ax, "event time", [t for t in (data.first_event, data.last_event) if t])


def _floors(ax: Any, data: ReportData) -> None:
    stats = [
        {
            "label": f"{media}\n(n={count})",
            "whislo": q[0],
            "q1": q[1],
            "med": q[2],
            "q3": q[3],
            "whishi": q[4],
            "fliers": [],
        }
        for media, q, count in data.floors[:6]
    ]
    if not stats:
        _notice(ax, "no impression has a floor")
        ax.set_title("Floors by media type", loc="left", fontsize=11)
        return
    ax.bxp(stats, showfliers=False, patch_artist=True, boxprops={"facecolor": "#bee3f8"})
    ax.set_yscale("log")
    ax.set_ylabel("floor, USD CPM (log scale)")
    ax.set_title("Floors by media type (box 25-75%, whiskers 5-95%)", loc="left", fontsize=11)
    ax.tick_params(axis="x", labelsize=8)


def _time_axis(ax: Any, what: str, times: Sequence[datetime]) -> None:
    """Concise UTC tick labels; the date goes into the axis label, taken from the data. The
    formatter's own offset text is dated by the last tick, which can fall past midnight (data of
    Jan 05 labelled Jan 06), and follows matplotlib's configured time zone, not UTC."""
    dates: Any = __import__("matplotlib.dates").dates

    locator = dates.AutoDateLocator(maxticks=6, tz=UTC)
    ax.xaxis.set_major_locator(locator)
    # Without the offset text, each tick says at least the time of day (the default says only
    # seconds on a short axis).
    formats = ["%Y", "%b", "%b %d", "%H:%M", "%H:%M", "%H:%M:%S"]
    zero_formats = ["", "%Y", "%b", "%b %d", "%H:%M", "%H:%M"]
    ax.xaxis.set_major_formatter(
        dates.ConciseDateFormatter(
            locator, tz=UTC, formats=formats, zero_formats=zero_formats, show_offset=False
        )
    )
    ax.tick_params(axis="x", labelsize=8)
    days = sorted({t.astimezone(UTC).date() for t in times})
    span = "" if not days else f", {days[0]:%Y-%m-%d}"
    if len(days) > 1:
        span += f" to {days[-1]:%Y-%m-%d}"
    ax.set_xlabel(f"{what} (UTC{span})")


def _lag_unit(seconds: float) -> tuple[str, float]:
    for unit, size in (("days", 86400.0), ("hours", 3600.0), ("minutes", 60.0)):
        if seconds >= 3 * size:
            return unit, size
    return "seconds", 1.0


def _freshness(ax: Any, data: ReportData) -> None:
    live = data.live_commits
    title = f"Commit freshness ({len(live)} commits of live data)"
    if not live:
        # A gap of months between simulated event times and the commit measures nothing.
        _notice(ax, "no live commits\n(event times are simulated or older)")
        ax.set_title("Commit freshness", loc="left", fontsize=11)
        return
    times = [t for t, _, _ in live]
    unit, size = _lag_unit(max(max(lag, 0.0) for _, lag, _ in live))
    lags = [max(lag, 0.0) / size for _, lag, _ in live]
    ax.plot(times, lags, marker="o", markersize=3, color=_COLOR, linewidth=1)
    ax.set_ylim(0, max(lags) * 1.2 or 1)
    ordered = sorted(lags)
    ax.axhline(ordered[len(ordered) // 2], color="grey", linestyle="--", linewidth=0.8)
    ax.text(times[0], ordered[len(ordered) // 2], " median", va="bottom", fontsize=8, color="grey")
    ax.set_ylabel(f"{unit} from newest event to commit")
    ax.set_title(title, loc="left", fontsize=11)
    _time_axis(ax, "commit time", times)


def _notice(ax: Any, text: str) -> None:
    """A panel with nothing to plot says so in words, with no axes to misread."""
    ax.set_axis_off()
    ax.text(
        0.5, 0.5, text, ha="center", va="center", fontsize=12, color="grey", transform=ax.transAxes
    )


def title(data: ReportData, seed: str | None) -> str:
    parts = [f"{data.table}: {data.requests:,} requests, {data.impressions:,} impressions"]
    if data.first_event and data.last_event:
        same_day = data.first_event.date() == data.last_event.date()
        end = "%H:%M:%S" if same_day else "%Y-%m-%d %H:%M:%S"
        parts.append(
            f"event time {data.first_event:%Y-%m-%d %H:%M:%S} to {data.last_event:{end}} UTC"
        )
    if seed is not None:
        parts.append(f"seed {seed}")
    return " | ".join(parts)


def draw(data: ReportData, path: Path, seed: str | None) -> None:
    """Write the dashboard of ``data`` to ``path`` as a PNG."""
    plt = _pyplot()
    if data.requests == 0:
        # Empty panels would show 1970 dates and made-up axes: one notice says it all.
        figure, ax = plt.subplots(figsize=(10, 4))
        what = "is empty (no snapshot)" if data.snapshot_id is None else "has no rows"
        _notice(ax, f"{data.table} {what}\nno data to draw")
        figure.savefig(path, dpi=100)
        plt.close(figure)
        return
    figure, axes = plt.subplots(2, 3, figsize=(18, 10), constrained_layout=True)
    figure.suptitle(title(data, seed), fontsize=14)
    _rate(axes[0][0], data)
    _shares(axes[0][1], data.media_mix, "Media mix (impressions)", data.impressions)
    _floors(axes[0][2], data)
    _shares(axes[1][0], data.countries, "Top countries (requests)", data.requests)
    _shares(
        axes[1][1],
        [(name, share) for name, share in data.privacy],
        "Privacy signals (share of requests)",
        1.0,
    )
    _freshness(axes[1][2], data)
    figure.savefig(path, dpi=100)
    plt.close(figure)
