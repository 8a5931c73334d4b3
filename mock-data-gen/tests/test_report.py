"""The traffic report: counting is exact, tables are aligned, the PNG is drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mock_data_gen.report import TrafficReport, render_png, render_text


def _request(inventory: str = "site", **parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "r",
        "imp": [{"id": "1", "banner": {"w": 300, "h": 250}, "bidfloor": 1.0, "bidfloorcur": "USD"}],
        inventory: {},
        "device": {"devicetype": 2, "os": "Windows", "geo": {"country": "USA"}},
        "user": {"id": "u"},
        "regs": {"gdpr": 0},
    }
    base.update(parts)
    return base


def _report() -> TrafficReport:
    app_device = {"devicetype": 4, "os": "iOS", "lmt": 1, "geo": {"country": "DEU"}}
    video = {"id": "1", "video": {"mimes": ["video/mp4"]}, "bidfloor": 10.0, "pmp": {"deals": []}}
    return TrafficReport().add_all(
        [
            _request(),
            _request(
                regs={
                    "gdpr": 0,
                    "us_privacy": "1YNN",
                    "gpp": "DBABLA~BVQqAAAAAgA.QA",
                    "gpp_sid": [7],
                }
            ),
            _request(
                "app",
                device=app_device,
                imp=[video, {"id": "2", "native": {"request": "{}"}, "bidfloor": 2.0}],
                user={"id": "u", "consent": "CQ...", "eids": [{"source": "id5-sync.com"}]},
                regs={"gdpr": 1, "coppa": 1},
            ),
        ]
    )


def test_counts_media_devices_and_privacy_flags_with_their_bases() -> None:
    report = _report()
    assert (report.requests, report.impressions, report.app_requests) == (3, 4, 1)
    assert report.media == {"banner": 2, "video": 1, "native": 1}
    assert report.device_type == {"personal computer": 2, "phone": 1}
    assert report.country == {"USA": 2, "DEU": 1}
    assert report.banner_sizes == {"300x250": 2}
    assert report.flag_share("gdpr") == 1 / 3 and report.flag_share("consent") == 1 / 3
    assert report.flag_share("us_privacy") == 1 / 3 and report.flag_share("gpp") == 1 / 3
    assert report.flag_share("lmt") == 1.0  # of app requests
    assert report.flag_share("deal") == 1 / 4  # of impressions
    assert report.floor_percentiles()["banner"] == (2, 1.0, 1.0, 1.0)


def test_text_tables_are_aligned() -> None:
    text = render_text(_report())
    block = text.split("device type\n")[1].split("\n\n")[0].splitlines()
    assert block[0].split() == ["value", "count", "share"]
    assert block[1].split() == ["personal", "computer", "2", "66.7%"]
    assert len({len(line) for line in block}) == 1  # every row padded to the same width
    assert "device.lmt = 1" in text and "app requests" in text


def test_png_is_written(tmp_path: Path) -> None:
    path = tmp_path / "report.png"
    render_png(_report(), path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 20_000
