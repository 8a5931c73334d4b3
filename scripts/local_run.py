"""What scripts/run-local.sh runs once the virtual environment is ready; that script's header
documents the interface (options, environment variables, exit codes).

Without --embedded it becomes ``mock-data-gen run``. With --embedded it starts the in-memory Kafka
cluster (``mock-data-gen broker``), runs the generator against it, reads the first records back
and stops the cluster; with --with-sink it also sets up a fresh local lakehouse, runs
``iceberg-sink run`` beside the generator (with FUNNEL=full one per funnel topic too, each into its
own table), waits until each table holds every record of its topic and checks that it holds each
exactly once.

Success is decided from real state, never from log lines: the exit codes of the processes started
here, the topic's offsets read with confluent-kafka, and the table read with pyiceberg (the
``(kafka_partition, kafka_offset)`` pair of each row and the offsets committed in its snapshots).

Every process started here runs in a session of its own, so Ctrl+C in the terminal reaches this
program alone. While the generator runs, each SIGINT, SIGTERM or SIGHUP is passed on to it (the
first stops it cleanly, a second gives up its final flush); at any other time one stops everything
and the exit code is 128 + the signal's number. Whatever ends the run, every process started here
is stopped, in order: the generator, the sinks together with SIGTERM (each commits what it
consumed, which needs the cluster), the cluster last; one that does not stop in time is killed.
Long waits report progress every few seconds.

It runs with the virtual environment's Python, which has confluent_kafka, and with --with-sink
pyiceberg and iceberg_sink (run-local.sh installs them first).

This module is the run itself; the parts it is made of live beside it: local_settings.py (the
settings), local_processes.py (starting and stopping processes, signals, waits, messages),
embedded_kafka.py (the cluster and its topics' offsets), local_sinks.py (the sinks, their catch-up
and the check of each table) and local_lakehouse.py (a table and the exactly-once check).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sys
import time
from collections.abc import Sequence

from embedded_kafka import start_cluster
from local_lakehouse import LOCAL_CATALOG, Lakehouse, use_local_lakehouse
from local_processes import (
    BIN,
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    STOP_MARGIN_SECONDS,
    Child,
    Failure,
    Interrupted,
    Supervisor,
    become,
    say,
)
from local_settings import REPO_ROOT, Config, UsageError, env_value
from local_sinks import Sink, each_record_landed_once, plan_sinks, start_sinks

READ_BACK = 3  # records printed when the generator has stopped


class EmbeddedRun(Supervisor):
    """One ``run-local.sh --embedded [--with-sink]`` run."""

    def __init__(self, config: Config, run_args: Sequence[str], *, with_sink: bool) -> None:
        super().__init__()
        self.config = config
        self.run_args = list(run_args)
        self.with_sink = with_sink
        self.generator_status: int | None = None
        self.sinks: list[Sink] = []  # with --with-sink: the requests' first, then the funnel's

    def main(self) -> int:
        """Run, stop everything, and return the exit code."""
        self.signals.install()
        try:
            status = self._run()
        except Failure as exc:
            say(f"error: {exc}")
            status = self.generator_status or EXIT_FAILURE
        except Interrupted as exc:
            say(f"{exc} received: stopping everything")
            status = 128 + exc.signum
        finally:
            # Rank by rank; the children of one rank (the sinks) stop together.
            for rank in sorted({child.stop_rank for child in self.children}):
                self.stop_together([child for child in self.children if child.stop_rank == rank])
        return status

    def _run(self) -> int:
        config = self.config
        lakehouse, catalog_env = None, {}
        if self.with_sink:
            # The cluster's address replaces any KAFKA_BOOTSTRAP_SERVERS.
            os.environ.pop("KAFKA_BOOTSTRAP_SERVERS", None)
            catalog_env = use_local_lakehouse(config.lakehouse)
            self.sinks = plan_sinks(config)
            lakehouse = self.sinks[0].lakehouse
        config.state_dir.mkdir(parents=True, exist_ok=True)
        broker = start_cluster(self, config)
        if lakehouse is not None:
            self._start_sinks()
        say("read the stream while it runs, from another terminal:")
        say(f"  {self.mdg} consume --bootstrap-servers 127.0.0.1:{config.port} --count 5")
        say(
            f"  kcat -b 127.0.0.1:{config.port} -t {config.topic} -C -o beginning -c 5   "
            "(if kcat is installed)"
        )

        status = self.generator_status = self._run_generator(broker)
        if not broker.running:
            raise Failure(
                f"the embedded Kafka cluster stopped (exit {broker.status}) before the generator "
                f"did; see {config.broker_log}"
            )
        say(f"generator stopped (exit {status}); the first records in {config.topic}:")
        consume = self.start("mock-data-gen consume", "consume", "--count", str(READ_BACK))
        if self.wait_for_exit(consume) != EXIT_OK:
            say(f"could not read the first records of {config.topic} back (exit {consume.status})")
            status = status or EXIT_FAILURE
        if lakehouse is None:
            return status
        bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        if not each_record_landed_once(self, self.sinks, bootstrap, config.catch_up_seconds):
            status = status or EXIT_FAILURE
        self._say_how_to_open_the_table(lakehouse, catalog_env)
        if config.funnel:
            self._say_how_to_query_the_funnel()
        return status

    # -- the parts of the run --

    def _start_sinks(self) -> None:
        """Make a fresh local lakehouse, set it up (with FUNNEL=full the funnel's tables too) and
        start the sinks."""
        path = self.config.lakehouse
        # The cluster starts empty: offsets kept in an older table would name records it lacks.
        try:
            if path.exists():
                shutil.rmtree(path)
            (path / "warehouse").mkdir(parents=True)
        except OSError as exc:
            raise Failure(f"could not make a fresh local lakehouse in {path}: {exc}") from None
        say(
            f"starting with a fresh local lakehouse in {path} (the embedded Kafka cluster starts "
            "empty too)"
        )
        code = self.wait_for_exit(self.start("mock-data-gen setup", "setup"))
        if code != EXIT_OK:
            raise Failure(
                f"mock-data-gen setup of the local lakehouse in {path} failed (exit {code}); "
                "its reason is above"
            )
        start_sinks(self, self.sinks, path)

    def _run_generator(self, broker: Child) -> int:
        """Run ``mock-data-gen run`` until it stops, passing stop signals on to it."""
        self.signals.check()
        generator = self.start(
            "the generator",
            "run",
            *self.run_args,
            stop_signal=signal.SIGINT,
            stop_seconds=self.config.flush_seconds + STOP_MARGIN_SECONDS,
            stop_rank=0,
        )
        broker_stopped = False
        sinks_stopped: set[str] = set()
        self.signals.forward_to = generator.process
        if self.signals.pending is not None:  # arrived while it was being started
            self.signals.pending = None
            generator.process.send_signal(signal.SIGINT)
        try:
            while generator.running:
                if not broker_stopped and not broker.running:
                    broker_stopped = True
                    say(
                        f"the embedded Kafka cluster stopped (exit {broker.status}); see "
                        f"{self.config.broker_log}; stopping the generator"
                    )
                    generator.process.send_signal(signal.SIGINT)
                for sink in self.sinks:
                    if sink.name not in sinks_stopped and not sink.process.running:
                        sinks_stopped.add(sink.name)
                        say(
                            f"{sink.name} stopped (exit {sink.process.status}) while the "
                            f"generator runs; see {sink.log}"
                        )
                time.sleep(0.1)
        finally:
            self.signals.forward_to = None
        return generator.status

    def _say_how_to_open_the_table(self, lakehouse: Lakehouse, catalog_env: dict[str, str]) -> None:
        catalog, table = lakehouse.settings.iceberg_catalog, lakehouse.table_name
        say(
            f"the table stays in {self.config.lakehouse} until the next --with-sink run; open it "
            f'with pyiceberg\'s catalog "{catalog}":'
        )
        if catalog == LOCAL_CATALOG:
            say("  export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in catalog_env.items()))
        say(
            f'  {shlex.quote(str(BIN / "python"))} -c "from pyiceberg.catalog import load_catalog; '
            f'print(load_catalog({catalog!r}).load_table({table!r}).scan().to_arrow().num_rows)"'
        )

    def _say_how_to_query_the_funnel(self) -> None:
        """How to query the funnel's tables with ``lake`` (lake-tools), which reads them by the
        topic settings, in the catalog ICEBERG_CATALOG names."""
        tables = ", ".join(sink.lakehouse.table_name for sink in self.sinks[1:])
        say(
            f"the funnel's tables {tables} stay there too; query them with lake (lake-tools), "
            "with the exports above and:"
        )
        settings = self.sinks[0].lakehouse.settings
        exports = {"ICEBERG_CATALOG": settings.iceberg_catalog}
        named = ["ICEBERG_NAMESPACE", "ICEBERG_TABLE", "TOPIC_BID_REQUESTS"]
        named += [event.variable for event in self.config.funnel]
        exports.update({name: os.environ[name] for name in named if os.environ.get(name)})
        say("  export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in exports.items()))
        lake = BIN / "lake"
        if not lake.exists():
            install = f"{REPO_ROOT / 'lake-tools'}[query]"
            say(f"  {shlex.quote(str(BIN / 'pip'))} install -e {shlex.quote(install)}")
        say(f"  {shlex.quote(str(lake))} query --name funnel-integrity")


def main(argv: Sequence[str]) -> int:
    embedded = "--embedded" in argv
    with_sink = "--with-sink" in argv
    run_args = [arg for arg in argv if arg not in ("--embedded", "--with-sink")]
    if with_sink and not embedded:
        say(
            "error: --with-sink needs --embedded (the Docker stack runs its own sink: docker "
            "compose up -d)"
        )
        return EXIT_USAGE
    if not embedded:
        bootstrap = env_value("KAFKA_BOOTSTRAP_SERVERS", "localhost:29092")
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
        say(f"streaming to Kafka at {bootstrap} (Ctrl+C stops)")
        become(str(BIN / "mock-data-gen"), "run", *run_args)
    try:
        return EmbeddedRun(Config.from_environment(), run_args, with_sink=with_sink).main()
    except UsageError as exc:
        say(f"error: {exc}")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
