"""The ``mock-data-gen`` command line: one parser, one module per sub-command.

Exit codes (``mock_data_gen.exit_codes``, documented in the README):
  0  success
  1  the command ran but its outcome is a failure (invalid requests found, events not delivered)
  2  bad command-line arguments or configuration
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from platform_common.logs import configure_logging
from platform_common.settings import logging_settings

from mock_data_gen import __version__
from mock_data_gen.exit_codes import EXIT_USAGE

# Each module exposes ``register(subparsers)``, which adds its parser and sets ``handler`` (a
# callable taking the parsed namespace and returning an exit code) as the parser default. Heavy
# imports stay inside the handlers so that ``--help`` and small commands start fast.
COMMAND_MODULES: tuple[str, ...] = (
    "run",
    "broker",
    "validate",
    "setup",
    "consume",
    "sample",
    "profile",
    "post",
)
DEFAULT_COMMAND = "run"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mock-data-gen",
        description=(
            "Synthesise realistic OpenRTB 2.6 bid requests and stream them to Apache Kafka. "
            f"Without a command, '{DEFAULT_COMMAND}' is assumed."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"mock_data_gen.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # ``python -m mock_data_gen`` with no command (or only options of ``run``) runs the service.
    if not args_list or (
        args_list[0] not in _command_names(parser)
        and args_list[0] not in ("-h", "--help", "--version")
    ):
        args_list = [DEFAULT_COMMAND, *args_list]
    args = parser.parse_args(args_list)
    if args.command != DEFAULT_COMMAND:
        # `run` reads LOG_LEVEL and LOG_FORMAT with the rest of its settings (and options).
        try:
            logs = logging_settings()
        except ValueError as exc:
            print(f"mock-data-gen {args.command}: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        configure_logging(logs.log_level, logs.log_format)
    handler = args.handler
    return int(handler(args))


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()
