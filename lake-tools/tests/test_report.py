"""``lake report``: the text report and the PNG dashboard, from real tables."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from conftest import Filled, LakeRunner
from lakehouse import Lakehouse, append, generate

from lake_tools.exit_codes import EXIT_OK, EXIT_USAGE

Lake = Callable[[Lakehouse], LakeRunner]


def test_report_and_dashboard(filled: Filled, lake: Lake, tmp_path: Path) -> None:
    png = tmp_path / "dashboard.png"

    run = lake(filled.lakehouse)("report", "--png", str(png), "--seed", "7")

    assert run.code == EXIT_OK, run.err
    assert f"{len(filled.records)} requests" in run.out
    assert "event time 2026-01-14T20:00:00Z" in run.out
    assert "media: banner" in run.out and "median floor, USD CPM:" in run.out
    # The fixture's events are of 2026-01-14, simulated: the commits came long after them.
    assert "commits: 3, no live commits (event times are simulated or older" in run.out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 50_000  # six drawn panels, not an empty canvas


def test_report_png_into_a_missing_directory_is_refused(
    filled_local: Filled, lake: Lake, tmp_path: Path
) -> None:
    run = lake(filled_local.lakehouse)("report", "--png", str(tmp_path / "no" / "d.png"))

    assert run.code == EXIT_USAGE
    assert "no such directory" in run.err


def test_report_on_an_empty_table(lake: Lake, tmp_path: Path) -> None:
    from conftest import local_lakehouse

    lakehouse = local_lakehouse(tmp_path)
    lakehouse.create_bid_request_table()

    png = tmp_path / "empty.png"

    run = lake(lakehouse)("report", "--png", str(png))

    assert run.code == EXIT_OK, run.err
    assert "table db.bid_requests is empty (no snapshot)" in run.out
    assert "None" not in run.out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_commits_of_live_data_count_as_live(lake: Lake, tmp_path: Path) -> None:
    from conftest import local_lakehouse

    lakehouse = local_lakehouse(tmp_path)
    table = lakehouse.create_bid_request_table()
    # Events of the last minutes, committed now, as the sink commits a live stream; plus one
    # commit of a backfill (simulated times of January), which is not live.
    now_ms = int(time.time() * 1000)
    records = generate(90, rate=1.0)
    live = [replace(r, timestamp_ms=now_ms - 90_000 + i * 1000) for i, r in enumerate(records)]
    table = append(table, live[:45])
    table = append(table, live[45:])
    append(table, [replace(r, offset=r.offset + 100) for r in records[:30]])
    png = tmp_path / "live.png"

    run = lake(lakehouse)("report", "--png", str(png))

    assert run.code == EXIT_OK, run.err
    assert "commits: 2 of live data (of 3 whose files are in the snapshot)" in run.out
    assert png.stat().st_size > 50_000


def test_the_time_axis_names_the_data_s_own_date() -> None:
    # Events of the last hour of Jan 05: the ticks run to midnight, and the formatter's offset
    # text, dated by the last tick, said Jan 06.
    from datetime import UTC, datetime, timedelta

    from lake_tools.dashboard import _pyplot, _time_axis

    plt = _pyplot()
    figure, ax = plt.subplots()
    start = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)
    times = [start + timedelta(minutes=m) for m in range(0, 60, 5)] + [
        datetime(2026, 1, 5, 23, 59, 59, tzinfo=UTC)
    ]
    ax.plot(times, range(len(times)))
    _time_axis(ax, "event time", times)
    figure.canvas.draw()
    plt.close(figure)

    assert ax.get_xlabel() == "event time (UTC, 2026-01-05)"
    assert ax.xaxis.get_offset_text().get_text() == ""
