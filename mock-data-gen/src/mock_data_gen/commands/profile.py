"""``mock-data-gen profile``: generate requests and print the distributions they realise.

The events are spread evenly over one simulated day from ``--start-time`` (default: the start of
the current UTC day), so the report shows the whole diurnal mix. Tables go to stdout; ``--png``
also draws them, with matplotlib from the ``plot`` extra.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from platform_common.logs import log_event

from mock_data_gen.commands.sample import BATCH, add_generator_options, generate, start_time_arg
from mock_data_gen.exit_codes import EXIT_OK, EXIT_USAGE

logger = logging.getLogger(__name__)
DAY_MS = 86_400_000
PLOT_INSTALL = "pip install 'mock-data-gen[plot]'"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "profile",
        help="print the realised traffic distributions of generated requests (and draw a PNG)",
        description=(
            "The events are spread evenly over one simulated day from --start-time (default: "
            "the start of the current UTC day), so the report shows the whole diurnal mix. "
            "Tables go to stdout; --png also draws them (with matplotlib, from the plot extra: "
            f"{PLOT_INSTALL}). Exit status: 0 report printed (and drawn), 2 bad arguments, PNG "
            "not writable or matplotlib not installed."
        ),
        epilog="example: mock-data-gen profile --count 20000 --seed 1 --png profile.png",
    )
    add_generator_options(parser)
    parser.add_argument(
        "--start-time",
        type=start_time_arg,
        default=None,
        help="start of the simulated day, ISO 8601 (default: start of the current UTC day)",
    )
    parser.add_argument(
        "--png",
        type=Path,
        default=None,
        help=f"also draw the distributions here (needs the plot extra: {PLOT_INSTALL})",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from mock_data_gen.report import TrafficReport, render_png, render_text

    png_problem = _png_problem(args.png) if args.png is not None else None
    if png_problem is not None:
        # Checked before generating, so a long run does not end in a write error.
        return _png_error(args.png, png_problem)
    if args.png is not None and not _plotting_installed():
        print(
            f"mock-data-gen profile: error: --png needs matplotlib, which is not installed: "
            f"{PLOT_INSTALL}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    start = args.start_time or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start_ms = int(start.timestamp() * 1000)
    count = args.count
    batches = (
        [start_ms + i * DAY_MS // count for i in range(offset, min(offset + BATCH, count))]
        for offset in range(0, count, BATCH)
    )
    report = TrafficReport()
    for payloads in generate(count, args.seed, batches, "profile"):
        report.add_all(orjson.loads(payload) for payload in payloads)
    sys.stdout.write(render_text(report))
    sys.stdout.flush()
    if args.png is not None:
        try:
            render_png(report, args.png)
        except OSError as error:
            return _png_error(args.png, error.strerror or str(error))
        log_event(logger, logging.INFO, "profile_png", path=str(args.png))
    return EXIT_OK


def _plotting_installed() -> bool:
    """Whether matplotlib (the ``plot`` extra) can be imported; the images go without it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _png_problem(path: Path) -> str | None:
    """Why ``path`` cannot take the PNG, as far as can be told before writing; None if it can."""
    if not path.parent.is_dir():
        return f"directory {path.parent} does not exist"
    if path.is_dir():
        return "it is a directory"
    return None


def _png_error(path: Path, reason: str) -> int:
    print(f"mock-data-gen profile: error: cannot write {path}: {reason}", file=sys.stderr)
    return EXIT_USAGE
