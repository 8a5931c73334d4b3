"""``lake report``: the text report and the PNG dashboard, from real tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Filled, LakeRunner
from lakehouse import Lakehouse

from lake_tools.exit_codes import EXIT_OK, EXIT_USAGE

Lake = Callable[[Lakehouse], LakeRunner]


def test_report_and_dashboard(filled: Filled, lake: Lake, tmp_path: Path) -> None:
    png = tmp_path / "dashboard.png"

    run = lake(filled.lakehouse)("report", "--png", str(png), "--seed", "7")

    assert run.code == EXIT_OK, run.err
    assert f"{len(filled.records)} requests" in run.out
    assert "event time 2026-01-14T20:00:00Z" in run.out
    assert "media: banner" in run.out and "median floor, USD CPM:" in run.out
    assert "commits: 3 with live data" in run.out
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

    run = lake(lakehouse)("report")

    assert run.code == EXIT_OK, run.err
    assert "no rows" in run.out
