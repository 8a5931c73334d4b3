"""What scripts/run-local.sh runs once the virtual environment is ready; that script's header
documents the interface (options, environment variables, exit codes).

Without --embedded it becomes ``mock-data-gen run``. With --embedded it starts the in-memory Kafka
cluster (``mock-data-gen broker``), runs the generator against it, reads the first records back
and stops the cluster; with --with-sink it also sets up a fresh local lakehouse, runs
``iceberg-sink run`` beside the generator, waits until the table holds every record of the topic
and checks that it holds each exactly once.

Success is decided from real state, never from log lines: the exit codes of the processes started
here, the topic's offsets read with confluent-kafka, and the table read with pyiceberg (the
``(kafka_partition, kafka_offset)`` pair of each row and the offsets committed in its snapshots).

Every process started here runs in a session of its own, so Ctrl+C in the terminal reaches this
program alone. While the generator runs, each SIGINT, SIGTERM or SIGHUP is passed on to it (the
first stops it cleanly, a second gives up its final flush); at any other time one stops everything
and the exit code is 128 + the signal's number. Whatever ends the run, every process started here
is stopped, in order: the generator, the sink with SIGTERM (it commits what it consumed, which
needs the cluster), the cluster last; one that does not stop in time is killed. Long waits report
progress every few seconds.

It runs with the virtual environment's Python, which has confluent_kafka, and with --with-sink
pyiceberg and iceberg_sink (run-local.sh installs them first).

This module is the run itself; the parts it is made of live beside it: local_settings.py (the
settings), local_processes.py (starting and stopping processes, signals, waits, messages),
embedded_kafka.py (the cluster and its topics' offsets) and local_lakehouse.py (the table and the
exactly-once check).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sys
import time
from collections.abc import Sequence

from embedded_kafka import Offsets, start_cluster, topic_offsets
from local_lakehouse import (
    LOCAL_CATALOG,
    Lakehouse,
    check_each_record_once,
    covered,
    load_sink_settings,
    use_local_lakehouse,
)
from local_processes import (
    BIN,
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Child,
    Failure,
    Interrupted,
    Supervisor,
    become,
    say,
    wait_until,
)
from local_settings import Config, UsageError, env_value

READ_BACK = 3  # records printed when the generator has stopped
# How long a child may take to stop before it is killed: the sink's ICEBERG_SINK_SHUTDOWN_TIMEOUT
# plus this margin (closing its consumer and producer), the generator FLUSH_TIMEOUT_SECONDS plus it.
STOP_MARGIN_SECONDS = 15.0


class EmbeddedRun(Supervisor):
    """One ``run-local.sh --embedded [--with-sink]`` run."""

    def __init__(self, config: Config, run_args: Sequence[str], *, with_sink: bool) -> None:
        super().__init__()
        self.config = config
        self.run_args = list(run_args)
        self.with_sink = with_sink
        self.generator_status: int | None = None

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
            for child in sorted(self.children, key=lambda child: child.stop_rank):
                self.stop(child)
        return status

    def _run(self) -> int:
        config = self.config
        lakehouse, catalog_env = None, {}
        if self.with_sink:
            # The cluster's address replaces any KAFKA_BOOTSTRAP_SERVERS.
            os.environ.pop("KAFKA_BOOTSTRAP_SERVERS", None)
            catalog_env = use_local_lakehouse(config.lakehouse)
            lakehouse = Lakehouse(load_sink_settings())
        config.state_dir.mkdir(parents=True, exist_ok=True)
        broker = start_cluster(self, config)
        if lakehouse is not None:
            self._start_sink(lakehouse)
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
        ends = topic_offsets(os.environ["KAFKA_BOOTSTRAP_SERVERS"], config.topic)
        if not self._each_record_landed_once(lakehouse, ends):
            status = status or EXIT_FAILURE
        self._say_how_to_open_the_table(lakehouse, catalog_env)
        return status

    # -- the parts of the run --

    def _start_sink(self, lakehouse: Lakehouse) -> None:
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
        self.start(
            "iceberg-sink",
            "run",
            program=str(BIN / "iceberg-sink"),
            log=self.config.sink_log,
            env={"METRICS_PORT": str(self.config.sink_metrics_port)},
            stop_seconds=lakehouse.settings.shutdown_timeout_seconds + STOP_MARGIN_SECONDS,
            stop_rank=2,
            why_stopping_takes_time="it commits what it consumed",
        )
        say(
            f"iceberg-sink lands {self.config.topic} in table {lakehouse.table_name} of {path} "
            f"(log in {self.config.sink_log})"
        )

    def _sink(self) -> Child:
        (sink,) = [child for child in self.children if child.name == "iceberg-sink"]
        return sink

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
        sink = self._sink() if self.with_sink else None
        broker_stopped = sink_stopped = False
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
                if sink is not None and not sink_stopped and not sink.running:
                    sink_stopped = True
                    say(
                        f"iceberg-sink stopped (exit {sink.status}) while the generator runs; "
                        f"see {self.config.sink_log}"
                    )
                time.sleep(0.1)
        finally:
            self.signals.forward_to = None
        return generator.status

    def _each_record_landed_once(self, lakehouse: Lakehouse, ends: Offsets) -> bool:
        """Wait until the offsets committed in the table reach the topic's ends, stop the sink,
        then check that the table holds each record of the topic once."""
        sink = self._sink()
        expected = sum(high - low for low, high in ends.values())
        table, seconds, log = (
            lakehouse.table_name,
            self.config.catch_up_seconds,
            self.config.sink_log,
        )
        committed: dict[int, int] = {}

        def caught_up() -> bool:
            nonlocal committed
            if not sink.running:
                return True
            try:
                committed = lakehouse.committed_offsets()
            except Exception:  # e.g. the catalog's database is busy: asked again a second later
                return False
            return covered(committed, ends) == expected

        say(
            f"waiting for the sink to commit all {expected} records to {table} "
            f"(up to {seconds:g} s)"
        )
        if not wait_until(
            caught_up,
            seconds=seconds,
            waiting_for="the sink",
            signals=self.signals,
            progress=lambda: (
                f"the sink has committed {covered(committed, ends)} of {expected} records"
            ),
            poll_seconds=1.0,
        ):
            say(f"the sink did not commit every record within {seconds:g} s")
        code = self.stop(sink)
        if code != EXIT_OK:
            sys.stderr.writelines(log.read_text(errors="replace").splitlines(True)[-20:])
            say(f"iceberg-sink failed (exit {code}); its log is {log}")
            return False
        return check_each_record_once(lakehouse, ends, self.config.topic, log)

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
