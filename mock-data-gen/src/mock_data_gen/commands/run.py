"""``mock-data-gen run``: stream bid requests to Kafka at a steady rate (the default command)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from mock_data_gen.exit_codes import EXIT_USAGE
from mock_data_gen.settings import SETTING_DOCS, ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from mock_data_gen.scenario import Scenario

_EPILOG = """\
Every option can also be set through the environment variable named in its help; an option given
on the command line wins over the environment.

exit codes:
  0  stopped (SIGTERM/SIGINT, MAX_EVENTS, DURATION_SECONDS, SIMULATED_END, the end of the
     scenario) and every event was delivered
  1  some events were not delivered (delivery errors, or still queued when FLUSH_TIMEOUT_SECONDS
     ran out), or the service could not start (e.g. METRICS_PORT in use)
  2  invalid setting or scenario file (nothing was connected to)
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="stream bid requests to Kafka (default command)",
        description="Generate OpenRTB 2.6 bid requests and stream them to a Kafka topic at a "
        "steady rate, without losing or duplicating events.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for field, doc in SETTING_DOCS.items():
        parser.add_argument(
            doc.option,
            dest=field,
            default=argparse.SUPPRESS,
            metavar=doc.env,
            help=f"{doc.description} Accepts {doc.accepted}. "
            f"[env {doc.env}, default {doc.default}]",
        )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    overrides = {field: getattr(args, field) for field in SETTING_DOCS if hasattr(args, field)}
    try:
        settings = load_settings(overrides)
        _check_kafka_client(settings, option_given="kafka_extra_config" in overrides)
        scenario = _read_scenario(settings, option_given="scenario_file" in overrides)
    except ConfigError as exc:
        print(f"mock-data-gen run: invalid configuration: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from mock_data_gen.service import run_service

    return run_service(settings, scenario)


def _read_scenario(settings: Settings, *, option_given: bool) -> Scenario | None:
    """A scenario file is read and checked now, so that a mistake in it stops the start; the
    service is handed what was read, so the file is read once (it may be a pipe, such as a
    shell's ``<(...)``, or change while the generator starts)."""
    if settings.scenario_file is None:
        return None
    from mock_data_gen.scenario import ScenarioError, load_scenario

    doc = SETTING_DOCS["scenario_file"]
    where = f"{doc.option} / {doc.env}" if option_given else doc.env
    try:
        scenario = load_scenario(settings.scenario_file)
    except ScenarioError as exc:
        raise ConfigError(f"{where}: {exc}; expected {doc.accepted}") from None
    given = [name for name, value in settings.fault_fractions().items() if value > 0]
    if scenario.faults is not None and given:
        # Which should win is not obvious, so neither does.
        raise ConfigError(
            f"{where}={settings.scenario_file} has faults and FAULT_{given[0].upper()} is set too; "
            "expected the faults in one place: the scenario's faults or the FAULT_* settings"
        )
    return scenario


def _check_kafka_client(settings: Settings, *, option_given: bool) -> None:
    """The Kafka client checks its properties only when a producer is built: build one here,
    unconnected, so that a property it refuses is a settings error before anything starts."""
    from mock_data_gen.kafka_clients import check_producer_config, refused_extra_config

    try:
        check_producer_config(settings)
    except ConfigError as exc:
        doc = SETTING_DOCS["kafka_extra_config"]
        where = f"{doc.option} / {doc.env}" if option_given else doc.env
        raise ConfigError(
            refused_extra_config(exc, settings.producer_properties(), where)
        ) from None
