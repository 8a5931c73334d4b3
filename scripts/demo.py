"""What scripts/demo.sh runs once the virtual environment is ready; that script's header documents
the interface (options, environment variables, exit codes).

It is ``run-local.sh --embedded --with-sink`` (``local_run.EmbeddedRun``: the embedded cluster, a
fresh local lakehouse, the generator and the sink, the catch-up and the check that every record
landed once, every process stopped in order, Ctrl+C handled) with three additions: a progress line
every few seconds while the generator runs, ``lake verify`` and ``lake report --png`` while the
cluster still runs (the audit asks Kafka for the topic's offsets), and, when a second Ctrl+C stopped
everything, ``lake report`` on what landed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import local_processes
import local_run
from embedded_kafka import topic_offsets
from local_lakehouse import covered, load_sink_settings
from local_processes import BIN, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Child, say
from local_run import EmbeddedRun
from local_settings import Config, UsageError

PROGRESS_EVERY_SECONDS = 3.0
# Defaults of the demo where the services' own would make it dull or slow to watch.
DEMO_DEFAULTS = {
    "EVENTS_PER_SECOND": "100",
    "COMMIT_INTERVAL_SECONDS": "5",
    "SEED": "42",
    "SINK_METRICS_PORT": "0",
    "LOG_LEVEL": "WARNING",
}
local_processes.SCRIPT = "demo.sh"
# One record read back is enough to show what a bid request looks like.
local_run.READ_BACK = 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def generator_counts(port: int) -> tuple[int, int] | None:
    """Events produced and acknowledged so far, from the generator's /metrics."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return None
    values: dict[str, int] = {}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        key, value = line.rsplit(" ", 1)
        name = key.split("{")[0]  # without labels (topic="...")
        if name in ("mockgen_events_produced_total", "mockgen_events_delivered_total"):
            values[name] = values.get(name, 0) + int(float(value))
    if len(values) < 2:
        return None
    return values["mockgen_events_produced_total"], values["mockgen_events_delivered_total"]


class DemoRun(EmbeddedRun):
    def __init__(self, config: Config, metrics_port: int) -> None:
        super().__init__(config, [], with_sink=True)
        self.metrics_port = metrics_port
        self.audit_status: int | None = None
        self.dashboard = config.state_dir / "demo-dashboard.png"
        self._table: Any = None

    # -- progress while the generator runs --

    def _run_generator(self, broker: Child) -> int:
        stop = threading.Event()
        thread = threading.Thread(target=self._report_progress, args=(stop,), daemon=True)
        thread.start()
        try:
            return super()._run_generator(broker)
        finally:
            stop.set()
            thread.join()

    def _report_progress(self, stop: threading.Event) -> None:
        started = time.monotonic()
        while not stop.wait(PROGRESS_EVERY_SECONDS):
            try:
                line = self._progress(time.monotonic() - started)
            except Exception as exc:  # a busy catalog or broker: the next line will tell
                line = f"(progress not readable this time: {type(exc).__name__})"
            say(line)

    def _progress(self, elapsed: float) -> str:
        from pyiceberg.catalog import load_catalog

        settings = load_sink_settings()
        counts = generator_counts(self.metrics_port)
        ends = topic_offsets(os.environ["KAFKA_BOOTSTRAP_SERVERS"], self.config.topic)
        in_topic = sum(high - low for low, high in ends.values())
        if self._table is None:
            self._table = load_catalog(settings.iceberg_catalog).load_table(
                settings.table_identifier
            )
        table = self._table.refresh()
        committed = covered(_offsets(table, settings.group_id, settings.topic), ends)
        produced = (
            f"produced {counts[0]}, delivered {counts[1]}" if counts else "generator starting"
        )
        return (
            f"{elapsed:5.0f} s | {produced} | in the topic {in_topic} | committed rows "
            f"{committed} | lag {in_topic - committed} | commits {len(table.snapshots())}"
        )

    # -- the audit, the report and the dashboard, while the cluster still runs --

    def _say_how_to_open_the_table(self, lakehouse: Any, catalog_env: dict[str, str]) -> None:
        super()._say_how_to_open_the_table(lakehouse, catalog_env)
        topic = self.config.topic
        say(f"lake verify: is every record of {topic} in the table exactly once?")
        self.audit_status = self._lake("verify", "--topic", topic)
        say("lake report:")
        report = self._lake(
            "report", "--png", str(self.dashboard), "--seed", os.environ.get("SEED", "")
        )
        if report != EXIT_OK:
            say(f"lake report failed (exit {report})")
            self.audit_status = self.audit_status or EXIT_FAILURE
        say(f"dashboard: {self.dashboard}")
        say(
            "query the table yourself with the settings above and ICEBERG_CATALOG="
            f"{os.environ.get('ICEBERG_CATALOG', '')}: {BIN / 'lake'} query --name top-publishers"
        )

    def _lake(self, *args: str) -> int:
        child = self.start(f"lake {args[0]}", *args, program=str(BIN / "lake"))
        return self.wait_for_exit(child)

    def main(self) -> int:
        status = super().main()
        if status >= 128 and (self.config.lakehouse / "catalog.db").exists():
            say("stopped; what landed in the table before that (no audit: the cluster is gone):")
            subprocess.run([str(BIN / "lake"), "report"], check=False, timeout=120)
        if status == EXIT_OK and self.audit_status != EXIT_OK:
            return EXIT_FAILURE
        return status


def _offsets(table: Any, group: str, topic: str) -> dict[int, int]:
    import json

    key = f"kafka.offsets.{group}"
    snapshot = table.current_snapshot()
    while snapshot is not None:
        value = snapshot.summary.additional_properties.get(key) if snapshot.summary else None
        if value is not None:
            return {int(p): int(o) for p, o in json.loads(value).get(topic, {}).items()}
        parent = snapshot.parent_snapshot_id
        snapshot = table.snapshot_by_id(parent) if parent is not None else None
    return {}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].isdigit() or int(argv[0]) < 1:
        say("error: usage: demo.py SECONDS (scripts/demo.sh passes it)")
        return EXIT_USAGE
    for name, value in DEMO_DEFAULTS.items():
        if not os.environ.get(name):
            os.environ[name] = value
    os.environ["DURATION_SECONDS"] = argv[0]
    metrics_port = _free_port()
    os.environ["METRICS_PORT"] = str(metrics_port)
    try:
        config = Config.from_environment()
    except UsageError as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    say(
        f"demo: the generator at {os.environ['EVENTS_PER_SECOND']} events/s for {argv[0]} s "
        f"(seed {os.environ['SEED']}), the sink committing every "
        f"{os.environ['COMMIT_INTERVAL_SECONDS']} s; Ctrl+C stops early"
    )
    return DemoRun(config, metrics_port).main()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main(sys.argv[1:]))
