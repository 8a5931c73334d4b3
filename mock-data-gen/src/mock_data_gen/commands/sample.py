"""``mock-data-gen sample``: write generated bid requests to stdout as JSON Lines.

Event times come from a simulated clock: the first event is at ``--start-time`` (default: now,
truncated to the hour, UTC) and each next one ``1/--rate`` seconds later. The clock steers the
traffic mix (which countries are awake, prime-time TV, consent dates) and goes into the ids, so
samples of one seed at other times share none; nothing waits for it, so a million events at
``--rate 100`` cover ~2.8 simulated hours and print as fast as they are generated. The same
``--seed``, ``--start-time`` and ``--rate`` print the same bytes.

A terminal gets at most ``TERMINAL_MAX_COUNT`` requests (each is ~2.4 KB of JSON): a larger
``--count`` with a terminal as stdout is refused (exit 2) unless the output is redirected, piped
or given with ``--output FILE``.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from platform_common.logs import log_event

from mock_data_gen.exit_codes import EXIT_FAILURE, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from mock_data_gen.synthesis.profile import TrafficProfile

logger = logging.getLogger(__name__)

BATCH = 8192
PROGRESS_EVERY_S = 2.0
# More requests than this are not written to a terminal: 1000 are already ~2.4 MB of JSON.
TERMINAL_MAX_COUNT = 1000
DEFAULT_RATE = 1000.0


def count_arg(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return int(text)


def seed_arg(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return int(text)


def rate_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of events per second > 0")
    return value


def start_time_arg(text: str) -> datetime:
    """ISO 8601 date-time; without an offset it is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date-time (e.g. 2026-01-14T20:00:00Z)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def current_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def add_generator_options(parser: argparse.ArgumentParser, *, count_required: bool = True) -> None:
    parser.add_argument(
        "--count",
        type=count_arg,
        required=count_required,
        default=None,
        # sample counts a scenario's events when --count is left out (its handle() checks).
        help="number of requests" + ("" if count_required else " (default with --scenario: all)"),
    )
    parser.add_argument(
        "--seed",
        type=seed_arg,
        default=None,
        help="seed for a reproducible stream (default: random; the seed used is logged)",
    )


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "sample",
        help="write generated bid requests to stdout as JSON Lines",
        description=(
            "Event times come from a simulated clock: the first event is at --start-time "
            "(default: now, truncated to the hour, UTC) and each next one 1/--rate seconds later. "
            "The clock steers the traffic mix (which countries are awake, prime-time TV, "
            "consent dates) and goes into the ids (request id, source.tid), so samples of one "
            "seed at other times share none; nothing waits for it, so a million events at "
            "--rate 100 cover "
            "~2.8 simulated hours and print as fast as they are generated. The same --seed, "
            "--start-time and --rate print the same bytes. At most "
            f"{TERMINAL_MAX_COUNT} requests are written to a terminal; for more, redirect "
            "stdout (> FILE), pipe it (| head) or give --output FILE. Exit status: 0 requests "
            "written, 1 the reader closed the output early, 2 bad arguments (including a "
            f"--count above {TERMINAL_MAX_COUNT} for a terminal, an invalid --scenario) or FILE "
            "not writable. With --scenario FILE, event times follow the scenario's stages from "
            "--start-time instead of --rate, and --count defaults to the scenario's events. "
            "With --funnel full, every event the requests lead to follows them, one JSON object "
            'a line tagged with its "type"; --count still counts requests.'
        ),
        epilog="example: mock-data-gen sample --count 3 --seed 42 | head -c 300",
    )
    add_generator_options(parser, count_required=False)
    parser.add_argument(
        "--start-time",
        type=start_time_arg,
        default=None,
        help="simulated time of the first event, ISO 8601 (default: now, truncated to the hour)",
    )
    timing = parser.add_mutually_exclusive_group()
    timing.add_argument(
        "--rate",
        type=rate_arg,
        default=DEFAULT_RATE,
        help="simulated events per second; events are 1/rate seconds apart (default %(default)g)",
    )
    timing.add_argument(
        "--scenario",
        type=Path,
        default=None,
        metavar="FILE",
        help="a JSON scenario file (stages with rates, ramps and bursts; see scenarios/): event "
        "times follow its stages from --start-time",
    )
    parser.add_argument(
        "--funnel",
        choices=("requests", "full"),
        default="requests",
        help="full: also every event the requests lead to (bid responses, wins, impressions, "
        "clicks), each line tagged with its type (default: requests)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the requests to FILE instead of stdout",
    )
    parser.set_defaults(handler=handle)


def event_times(start: datetime, rate: float, count: int, offset: int = 0) -> list[int]:
    """Epoch milliseconds of events ``offset .. offset+count-1`` on the simulated clock."""
    start_ms = int(start.timestamp() * 1000)
    return [start_ms + int(i * 1000 / rate) for i in range(offset, offset + count)]


def generate(
    count: int,
    seed: int | None,
    times: Iterator[list[int]],
    command: str,
    profile: TrafficProfile | None = None,
) -> Iterator[list[bytes]]:
    """Payload batches, with progress lines on stderr while a long run goes on."""
    from mock_data_gen.synthesis import BidRequestGenerator

    generator = BidRequestGenerator(seed=seed, profile=profile)
    log_event(logger, logging.INFO, f"{command}_start", seed=generator.seed, count=count)
    started = last = time.monotonic()
    done = 0
    for batch in times:
        yield generator.generate_columns(batch).payloads
        done += len(batch)
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_S and done < count:
            last = now
            rate = round(done / (now - started))
            log_event(logger, logging.INFO, "progress", done=done, total=count, rate=rate)


def handle(args: argparse.Namespace) -> int:
    args.times = args.profile = None
    if args.scenario is not None:
        from mock_data_gen.scenario import ScenarioError, load_scenario
        from mock_data_gen.simulated_clock import scenario_times

        try:
            scenario = load_scenario(args.scenario)
        except ScenarioError as error:
            return _error(f"--scenario: {error}")
        args.times, total = scenario_times(scenario, args.start_time or current_hour())
        args.profile = scenario.profile
        args.count = total if args.count is None else min(args.count, total)
    elif args.count is None:
        return _error("--count is required (or --scenario FILE, whose events it counts)")
    if args.output is None:
        if args.count > TERMINAL_MAX_COUNT and sys.stdout.isatty():
            return _error(
                f"--count {args.count} is more than a terminal should show (at most "
                f"{TERMINAL_MAX_COUNT}); redirect stdout (> FILE), pipe it (| head) or give "
                "--output FILE"
            )
        return _write(args, sys.stdout.buffer)
    try:
        with open(args.output, "wb") as out:
            return _write(args, out)
    except OSError as error:
        return _error(f"cannot write {args.output}: {error.strerror or error}")


def _write(args: argparse.Namespace, out: BinaryIO) -> int:
    start = args.start_time or current_hour()
    batches: Iterator[list[int]] = (
        event_times(start, args.rate, min(BATCH, args.count - offset), offset)
        if args.times is None
        else args.times(offset, min(BATCH, args.count - offset))
        for offset in range(0, args.count, BATCH)
    )
    seed = args.seed
    funnel = None
    if args.funnel == "full":
        from mock_data_gen.commands.sample_funnel import FunnelLines

        # The funnel draws from the generator's seed, so one --seed replays both.
        seed = secrets.randbits(63) if seed is None else seed
        funnel = FunnelLines(seed)
        batches = funnel.recording(batches)
    try:
        for payloads in generate(args.count, seed, batches, "sample", args.profile):
            _write_all(
                out, b"\n".join(payloads) + b"\n" if funnel is None else funnel.lines(payloads)
            )
        if funnel is not None:
            _write_all(out, funnel.rest())
        out.flush()
    except BrokenPipeError:
        # The reader went away (e.g. piped into `head`): stop quietly like other filters.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    return EXIT_OK


def _write_all(out: BinaryIO, data: bytes) -> None:
    """Write all of ``data``. With PYTHONUNBUFFERED (the image sets it) stdout is a raw file,
    whose write returns after writing part of it when the reader of a pipe goes away; only the
    next write fails (EPIPE), so without this loop a run of one batch would exit 0."""
    view = memoryview(data)
    while view:
        written = out.write(view)
        view = view[written or 0 :]


def _error(message: str) -> int:
    print(f"mock-data-gen sample: error: {message}", file=sys.stderr)
    return EXIT_USAGE
