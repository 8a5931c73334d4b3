"""The ``mock-data-gen profile`` command, run through the real CLI."""

from __future__ import annotations

import struct
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from mock_data_gen import cli
from mock_data_gen.report import TrafficReport, render_text
from mock_data_gen.synthesis import BidRequestGenerator

SECTIONS = [
    "media type (impressions)",
    "inventory type",
    "device type",
    "operating system",
    "country (device.geo)",
    "banner size (primary)",
    "bid floor, USD CPM",
    "privacy and identity",
]


def test_prints_the_distributions_of_a_simulated_day_and_draws_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "profile.png"
    args = ["--count", "3000", "--seed", "4", "--start-time", "2026-01-14", "--png", str(png)]
    code = cli.main(["profile", *args])
    out, err = capsys.readouterr()
    assert code == 0
    # The same events, spread evenly over the day, aggregated independently of the command.
    start = int(datetime(2026, 1, 14, tzinfo=UTC).timestamp() * 1000)
    times = [start + i * 86_400_000 // 3000 for i in range(3000)]
    records = BidRequestGenerator(seed=4).generate_batch(times)
    expected = TrafficReport().add_all(orjson.loads(r.payload) for r in records)
    assert out == render_text(expected)
    for title in SECTIONS:
        assert f"\n{title}\n" in out
    assert out.startswith("requests: 3000  impressions: ")
    assert f"event=profile_png path={png}" in err
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert (width, height) == (2400, 1200)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "-1"], "argument --count: '-1' is not a whole number >= 1"),
        (["--count", "x"], "argument --count: 'x' is not a whole number >= 1"),
        (["--count", "10", "--png", "/no/such/dir/p.png"], "cannot write /no/such/dir/p.png"),
        (["--count", "10", "--png", "/tmp"], "cannot write /tmp: it is a directory"),
    ],
)
def test_bad_arguments_exit_2_with_one_clear_message(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "profile", *args], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith(f"mock-data-gen profile: error: {message}")


def test_a_failing_png_write_exits_2_with_one_clear_message_after_the_tables() -> None:
    # /dev/full opens fine and then fails every write, as a full disk does.
    done = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "profile", "--count", "10", "--png", "/dev/full"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stdout.startswith("requests: 10 ")
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    reason = "cannot write /dev/full: No space left on device"
    assert errors == [f"mock-data-gen profile: error: {reason}"]


def test_png_is_drawn_whatever_the_suffix(tmp_path: Path) -> None:
    png = tmp_path / "profile.out"
    done = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "profile", "--count", "20", "--png", str(png)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_matplotlib_comes_with_the_plot_extra_only() -> None:
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert [dep.split(">")[0] for dep in extras["plot"]] == ["matplotlib"]
    assert not any(dep.startswith("matplotlib") for dep in project["dependencies"])
    assert not any(dep.startswith("matplotlib") for dep in extras["lakehouse"])
    # The tests draw PNGs, so the test extra brings the plot extra along.
    (own,) = [dep for dep in extras["test"] if dep.startswith("mock-data-gen[")]
    assert "plot" in own.removeprefix("mock-data-gen[").removesuffix("]").split(",")


def test_png_without_matplotlib_exits_2_naming_the_extra(tmp_path: Path) -> None:
    # An install without the plot extra: importing matplotlib fails as if it were not there.
    png = tmp_path / "profile.png"
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from mock_data_gen.cli import main\n"
        f"sys.exit(main(['profile', '--count', '10', '--png', {str(png)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if "error" in line] == [
        "mock-data-gen profile: error: --png needs matplotlib, which is not installed: "
        "pip install 'mock-data-gen[plot]'"
    ]
    assert not png.exists()
    # Without --png the report needs no matplotlib.
    plain = code.replace(f", '--png', {str(png)!r}", "")
    done = subprocess.run([sys.executable, "-c", plain], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("requests: 10 ")
