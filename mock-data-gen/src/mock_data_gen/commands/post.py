"""``mock-data-gen post URL``: POST generated bid requests to an auction endpoint at a paced rate
and report the status codes and latency percentiles (``mock_data_gen.http_load``)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from typing import Any

from mock_data_gen.commands.sample import count_arg, rate_arg, seed_arg
from mock_data_gen.exit_codes import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from mock_data_gen.prebid_target import DEFAULT_BIDDERS, BiddersError, parse_bidders

_EPILOG = """\
The report is one JSON object on stdout: sent, answered, the count of each status code, transport
errors by kind, target_rate, rate (achieved, between the first and the last send) and latency_ms
(p50, p95, p99: from sending a request to having read its whole answer).

exit codes:
  0  every request was answered with a 2xx status
  1  some were not (another status, a transport error or a timeout)
  2  bad arguments (nothing was sent)
"""


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number > 0")
    return value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "post",
        help="POST generated requests to an auction endpoint at a paced rate",
        description="A load generator for an auction endpoint (e.g. Prebid Server's "
        "/openrtb2/auction): generated bid requests are POSTed at --rate a second by at most "
        "--concurrency connections; the status codes and latency percentiles are reported.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("url", help="the endpoint, e.g. http://localhost:8000/openrtb2/auction")
    parser.add_argument("--rate", type=rate_arg, default=100.0, help="requests a second (100)")
    parser.add_argument("--count", type=count_arg, default=1000, help="requests in all (1000)")
    parser.add_argument(
        "--concurrency", type=count_arg, default=16, help="requests in flight at most (16)"
    )
    parser.add_argument(
        "--timeout", type=_positive, default=5.0, help="seconds to wait for an answer (5)"
    )
    parser.add_argument("--seed", type=seed_arg, default=None, help="generator seed")
    parser.add_argument(
        "--target",
        choices=("dsp", "prebid-server"),
        default="prebid-server",
        help="request shape, as TARGET for run (prebid-server)",
    )
    parser.add_argument(
        "--prebid-bidders",
        default=DEFAULT_BIDDERS,
        metavar="JSON",
        help=f"as PREBID_BIDDERS for run ({DEFAULT_BIDDERS})",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from mock_data_gen.http_load import LoadReport, Poster, UrlError, post_paced
    from mock_data_gen.prebid_target import PrebidServerTarget
    from mock_data_gen.synthesis import BidRequestGenerator

    try:
        bidders = parse_bidders(args.prebid_bidders)
        report = LoadReport(args.rate)
        poster = Poster(args.url, args.concurrency, args.timeout, report)
    except (BiddersError, UrlError) as exc:
        option = "--prebid-bidders" if isinstance(exc, BiddersError) else "URL"
        print(f"mock-data-gen post: {option}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    generator = BidRequestGenerator(seed=args.seed)
    # Built now rather than on first appearance, so the first seconds are not paced late.
    generator.build_all_users()
    target = PrebidServerTarget(bidders) if args.target == "prebid-server" else None

    def generate(times: Sequence[int]) -> Sequence[bytes]:
        payloads = generator.generate_columns(times).payloads
        return payloads if target is None else target.payloads(payloads)

    stopped: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: stopped.append(signum))
    try:
        post_paced(generate, poster, report, args.count, lambda: bool(stopped))
    except KeyboardInterrupt:
        pass
    finally:
        poster.close()
    summary = report.as_dict()
    print(json.dumps(summary))
    answered_ok = sum(n for code, n in report.statuses.items() if 200 <= code < 300)
    return EXIT_OK if answered_ok == report.sent and not report.errors else EXIT_FAILURE
