"""``lake queries``: the named analyst queries, each runnable with ``lake query --name``."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from lake_tools.exit_codes import EXIT_OK
from lake_tools.named_queries import NAMED_QUERIES
from lake_tools.settings import LakeSettings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "queries",
        help="list the named queries (run one with `lake query --name NAME`)",
        description="List the named analyst queries; run one with `lake query --name NAME`.",
    )
    parser.add_argument("--sql", action="store_true", help="print each query's SQL too")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: LakeSettings) -> int:
    width = max(len(name) for name in NAMED_QUERIES)
    for query in NAMED_QUERIES.values():
        sys.stdout.write(f"{query.name.ljust(width)}  {query.question}\n")
        if args.sql:
            sys.stdout.write(textwrap.indent(textwrap.dedent(query.sql).strip(), "    ") + "\n\n")
    return EXIT_OK
