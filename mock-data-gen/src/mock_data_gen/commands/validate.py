"""``mock-data-gen validate``: check OpenRTB 2.6 bid requests that someone else produced."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, BinaryIO

from mock_data_gen.exit_codes import EXIT_FAILURE, EXIT_OK, EXIT_USAGE

STDIN = "-"


_DESCRIPTION = """\
Check OpenRTB 2.6 bid requests against the spec and its implementation guidance: one JSON
document (it may span many lines) or JSON Lines, one request per line. Each problem is printed
as FILE:LINE: error|warning: FIELD.PATH: reason, LINE being the line of the member concerned,
then a summary line. Every problem of a request is reported in one pass: types and required
fields, the semantic rules of the spec, and notes on single members (unknown fields, country
codes that are not ISO 3166-1 alpha-3 and currencies that are not ISO 4217 are warnings unless
--strict)."""

_EPILOG = """\
severity of the semantic rules (the same with or without --strict):
  error    the spec makes it a requirement ("required", "must", "must not", "only one of ...
           may"), or the value contradicts itself so that it cannot be read as meant: an
           impression with no banner, video, audio or native, a maximum below its minimum, a
           negative tmax or duration, native.request that is not JSON or repeats an asset id,
           a us_privacy or gpp string that does not decode, gpp_sid naming a section that gpp
           does not carry, an IPv4 address in device.ipv6, site and app together
  warning  the spec deprecates the field (video.placement), says "should" or "recommended"
           (no site, app or dooh; a banner without a size; a deal with two floor forms), uses
           a value only another object defines (at 3, a deal's fixed price, on the request),
           or its guidance or a regulation it points to advises against it (an EID without
           source; device.ifa or user ids in a COPPA request)
The README's "Validating bid requests" lists every rule with its reason.

exit codes:
  0  every request is valid (warnings allowed)
  1  a request is invalid, or there are no requests at all
  2  bad arguments, or the file cannot be read
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check OpenRTB 2.6 bid requests (one JSON document or JSON Lines)",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file",
        nargs="?",
        default=STDIN,
        metavar="FILE",
        help="file to check; '-' or nothing reads standard input",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help=(
            "treat fields that OpenRTB 2.6 does not define, and country and currency codes that "
            "are not ISO 3166-1 alpha-3 and ISO 4217, as errors instead of warnings"
        ),
    )
    parser.add_argument(
        "--normalize",
        action="store_true",
        help=(
            "write each valid request to stdout as JSON Lines, serialised by the models "
            "(reports then go to stderr)"
        ),
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.file == STDIN:
        return _check(args, sys.stdin.buffer, "<stdin>")
    try:
        with open(args.file, "rb") as source:
            return _check(args, source, args.file)
    except OSError as error:
        print(
            f"mock-data-gen validate: error: cannot read {args.file}: {error.strerror}",
            file=sys.stderr,
        )
        return EXIT_USAGE


def _check(args: argparse.Namespace, source: BinaryIO, name: str) -> int:
    from mock_data_gen.validation import Summary, check_stream

    report = sys.stderr if args.normalize else sys.stdout
    summary = Summary()
    try:
        for result in check_stream(source, strict=args.strict):
            summary.add(result)
            for finding in result.findings:
                where = f"{finding.path}: " if finding.path else ""
                print(
                    f"{name}:{finding.line}: {finding.severity}: {where}{finding.message}",
                    file=report,
                )
            if args.normalize and result.valid and result.request is not None:
                sys.stdout.buffer.write(result.request.to_json() + b"\n")
    except BrokenPipeError:
        # The reader went away (e.g. piped into `head`): stop quietly like other filters, and
        # keep the interpreter's final flush from failing on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    if summary.checked == 0:
        print(
            f"mock-data-gen validate: error: no bid requests in {name} "
            "(expected one JSON document or JSON Lines)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(summary, file=report)
    return EXIT_OK if summary.invalid == 0 else EXIT_FAILURE
