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
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from iceberg_sink.settings import SinkSettings
    from pyiceberg.catalog import Catalog
    from pyiceberg.table import Table

SCRIPT = "run-local.sh"
REPO_ROOT = Path(__file__).resolve().parent.parent
# The virtual environment this runs from: run-local.sh starts $VENV/bin/python.
BIN = Path(sys.prefix) / "bin"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

BROKERS = 3  # mock-data-gen broker's default: ports PORT..PORT+2
# The funnel's topics (FUNNEL=full) by the generator's settings and their defaults.
FUNNEL_TOPICS = (
    ("TOPIC_BID_RESPONSES", "bid_responses"),
    ("TOPIC_WINS", "wins"),
    ("TOPIC_IMPRESSIONS", "impressions"),
    ("TOPIC_CLICKS", "clicks"),
)
BROKER_START_SECONDS = 10.0
PROGRESS_EVERY_SECONDS = 5.0
READ_BACK = 3  # records printed when the generator has stopped
# The catalog of the local lakehouse, unless ICEBERG_CATALOG names another.
LOCAL_CATALOG = "local"
# How long a child may take to stop before it is killed: the sink's ICEBERG_SINK_SHUTDOWN_TIMEOUT
# plus this margin (closing its consumer and producer), the generator FLUSH_TIMEOUT_SECONDS plus it.
STOP_MARGIN_SECONDS = 15.0


def say(message: str) -> None:
    print(f"{SCRIPT}: {message}", file=sys.stderr, flush=True)


class UsageError(ValueError):
    """An invalid argument or setting (exit code 2)."""


class Failure(Exception):
    """Something the run needs failed; the message says what, and where to look."""


class Interrupted(Exception):
    """A stop signal arrived while no generator was running to pass it on to."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# --- settings -------------------------------------------------------------------------------------


def _env(name: str, default: str) -> str:
    """The variable's value; unset or empty means ``default``, as ``${NAME:-default}`` in bash."""
    return os.environ.get(name) or default


def _int_env(name: str, default: int, low: int, high: int) -> int:
    text = _env(name, str(default))
    if not text.isdigit() or not low <= int(text) <= high:
        raise UsageError(f"{name}={text!r} is not a whole number from {low} to {high}")
    return int(text)


def _seconds_env(name: str, default: float) -> float:
    text = _env(name, f"{default:g}")
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise UsageError(f"{name}={text!r} is not a number of seconds > 0")
    return value


@dataclass(frozen=True)
class Config:
    """The settings of an embedded run, from the environment."""

    port: int
    topic: str
    partitions: int
    state_dir: Path
    sink_metrics_port: int
    catch_up_seconds: float
    flush_seconds: float

    @classmethod
    def from_environment(cls) -> Config:
        return cls(
            port=_int_env("EMBEDDED_KAFKA_PORT", 29092, 1, 65536 - BROKERS),
            topic=_env("TOPIC_BID_REQUESTS", "bid_requests"),
            partitions=_int_env("TOPIC_PARTITIONS", 6, 1, 100_000),
            state_dir=Path(_env("LOCAL_STATE_DIR", str(REPO_ROOT / ".local"))).absolute(),
            sink_metrics_port=_int_env("SINK_METRICS_PORT", 8001, 0, 65535),
            catch_up_seconds=_seconds_env("SINK_CATCH_UP_SECONDS", 60.0),
            # The generator's own setting; it refuses a bad value itself (exit 2).
            flush_seconds=_seconds_env_or("FLUSH_TIMEOUT_SECONDS", 8.0),
        )

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.topic}.dlq"

    @property
    def bootstrap_file(self) -> Path:
        return self.state_dir / "embedded-kafka.bootstrap"

    @property
    def broker_log(self) -> Path:
        return self.state_dir / "embedded-kafka.log"

    @property
    def sink_log(self) -> Path:
        return self.state_dir / "iceberg-sink.log"

    @property
    def lakehouse(self) -> Path:
        return self.state_dir / "lakehouse"


def _seconds_env_or(name: str, default: float) -> float:
    try:
        return _seconds_env(name, default)
    except UsageError:
        return default


def use_local_lakehouse(lakehouse: Path) -> dict[str, str]:
    """Point the setup, the sink and this program at the local lakehouse, as ``setup.sh --local``
    does: a SQLite Iceberg catalog named "local" (unless ICEBERG_CATALOG names another) with its
    warehouse on local files under ``lakehouse``, so no bucket is needed. Returns the catalog's
    pyiceberg variables."""
    catalog = {
        "PYICEBERG_CATALOG__LOCAL__TYPE": "sql",
        "PYICEBERG_CATALOG__LOCAL__URI": f"sqlite:///{lakehouse / 'catalog.db'}",
        "PYICEBERG_CATALOG__LOCAL__WAREHOUSE": f"file://{lakehouse / 'warehouse'}",
    }
    os.environ.update(catalog)
    os.environ["ICEBERG_CATALOG"] = _env("ICEBERG_CATALOG", LOCAL_CATALOG)
    os.environ.setdefault("WAREHOUSE_BUCKET", "")
    os.environ["SETUP_TIMEOUT_SECONDS"] = _env("SETUP_TIMEOUT_SECONDS", "15")
    return catalog


def load_sink_settings() -> SinkSettings:
    from iceberg_sink.settings import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise UsageError(f"iceberg-sink: {exc}") from None


# --- signals and processes ------------------------------------------------------------------------


class Signals:
    """SIGINT, SIGTERM and SIGHUP, which reach this program alone (see the module's docstring)."""

    def __init__(self) -> None:
        self.forward_to: subprocess.Popen[bytes] | None = None
        self.pending: int | None = None

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._received)

    def _received(self, signum: int, _frame: FrameType | None) -> None:
        target = self.forward_to
        if target is not None and target.poll() is None:
            target.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)
        elif self.pending is None:
            self.pending = signum

    def check(self) -> None:
        """Raise ``Interrupted`` if a stop signal arrived that was not passed on."""
        if self.pending is not None:
            raise Interrupted(self.pending)


@dataclass
class Child:
    """A process started here, and how to stop it."""

    name: str
    process: subprocess.Popen[bytes]
    stop_signal: int
    stop_seconds: float
    stop_rank: int  # lower ranks are stopped first
    why_stopping_takes_time: str

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    @property
    def status(self) -> int:
        """Its exit code; 128 + the number of the signal that ended it, as shells say."""
        code = self.process.returncode
        return 128 - code if code < 0 else code


def wait_until(
    done: Callable[[], bool],
    *,
    seconds: float | None,
    waiting_for: str,
    signals: Signals | None,
    progress: Callable[[], str] | None = None,
    poll_seconds: float = 0.1,
) -> bool:
    """Poll ``done`` until it holds (True) or ``seconds`` pass (False; None waits as long as it
    takes), saying every few seconds how it goes; raises ``Interrupted`` on a stop signal if
    ``signals`` is given."""
    start = time.monotonic()
    deadline = None if seconds is None else start + seconds
    next_report = start + PROGRESS_EVERY_SECONDS
    while not done():
        if signals is not None:
            signals.check()
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            return False
        if now >= next_report:
            status = progress() if progress is not None else f"still waiting for {waiting_for}"
            left = f"{deadline - now:.0f} s left" if deadline is not None else "Ctrl+C stops"
            say(f"{status} ({left})")
            next_report += PROGRESS_EVERY_SECONDS
        time.sleep(poll_seconds if deadline is None else min(poll_seconds, deadline - now))
    return True


# --- Kafka and the table --------------------------------------------------------------------------


def topic_partitions(bootstrap: str) -> dict[str, int]:
    """Each topic of the cluster and its number of partitions."""
    from confluent_kafka.admin import AdminClient

    try:
        metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10)
    except Exception as exc:
        raise Failure(f"could not list the topics of Kafka at {bootstrap}: {exc}") from None
    return {name: len(topic.partitions) for name, topic in metadata.topics.items()}


Offsets = dict[int, tuple[int, int]]  # partition -> (first offset, next offset)


def topic_offsets(bootstrap: str, topic: str) -> Offsets:
    """Each partition of ``topic`` with its first and next offset, asked of its brokers."""
    from confluent_kafka import Consumer, TopicPartition

    # The client needs a group id; nothing joins the group or commits to it.
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "run-local", "log_level": 0})
    try:
        partitions = sorted(consumer.list_topics(topic, timeout=10).topics[topic].partitions)
        offsets: Offsets = {}
        for partition in partitions:
            tp = TopicPartition(topic, partition)
            low, high = consumer.get_watermark_offsets(tp, timeout=10)
            offsets[partition] = (int(low), int(high))
        return offsets
    except Exception as exc:
        raise Failure(f"could not read the offsets of {topic!r} at {bootstrap}: {exc}") from None
    finally:
        consumer.close()


def dead_letters(bootstrap: str, dlq_topic: str, source: str) -> list[tuple[int, int]]:
    """The ``(partition, offset)`` in ``source`` of each dead letter ``dlq_topic`` holds, from
    its ``dlq.source.*`` headers (iceberg-sink's dead_letter.py); none if the topic is absent.
    A run of this script holds few records, so they are simply listed."""
    from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "run-local",
            "log_level": 0,
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    positions: list[tuple[int, int]] = []
    try:
        described = consumer.list_topics(dlq_topic, timeout=10).topics.get(dlq_topic)
        if described is None or described.error is not None:
            return positions
        pending: dict[int, int] = {}
        for partition in described.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(dlq_topic, partition), 10)
            if high > low:
                pending[partition] = int(high)
        if not pending:
            return positions
        consumer.assign([TopicPartition(dlq_topic, p, 0) for p in pending])
        deadline = time.monotonic() + 30
        while pending and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            error = message.error()
            if error is not None and error.code() != KafkaError._PARTITION_EOF:
                raise Failure(f"could not read {dlq_topic!r}: {error}")
            if error is None:
                raw: Any = message.headers() or []  # a list of (key, value) from a consumer
                headers = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in raw}
                if headers.get("dlq.source.topic", source) == source:
                    where = headers["dlq.source.partition"], headers["dlq.source.offset"]
                    positions.append((int(where[0]), int(where[1])))
            if (message.offset() or 0) + 1 >= pending.get(message.partition() or 0, 0):
                pending.pop(message.partition() or 0, None)
        if pending:
            raise Failure(f"could not read {dlq_topic!r} to its end within 30 s")
        return positions
    except (KafkaException, KeyError, ValueError) as exc:
        raise Failure(f"could not read the dead letters of {dlq_topic!r}: {exc}") from None
    finally:
        consumer.close()


def covered(committed: dict[int, int], ends: Offsets) -> int:
    """How many records of the topic the offsets committed in the table cover."""
    return sum(min(max(committed.get(p, low), low), high) - low for p, (low, high) in ends.items())


class Lakehouse:
    """The sink's table, read with pyiceberg."""

    def __init__(self, settings: SinkSettings) -> None:
        self.settings = settings
        self.table_name = settings.table_name
        self._catalog: Catalog | None = None

    def _table(self) -> Table:
        from pyiceberg.catalog import load_catalog

        if self._catalog is None:
            self._catalog = load_catalog(self.settings.iceberg_catalog)
        return self._catalog.load_table(self.settings.table_identifier)

    def committed_offsets(self) -> dict[int, int]:
        """The next offset of each partition of the topic committed in the table: from the newest
        snapshot whose summary carries the sink's ``kafka.offsets.<group>`` property (README,
        "Sink delivery")."""
        table = self._table()
        key = f"kafka.offsets.{self.settings.group_id}"
        snapshot = table.current_snapshot()
        while snapshot is not None:
            summary = snapshot.summary
            value = summary.additional_properties.get(key) if summary is not None else None
            if value is not None:
                of_topic = json.loads(value).get(self.settings.topic, {})
                return {int(partition): int(offset) for partition, offset in of_topic.items()}
            parent = snapshot.parent_snapshot_id
            snapshot = table.snapshot_by_id(parent) if parent is not None else None
        return {}

    def positions(self) -> list[tuple[int, int]]:
        """The ``(kafka_partition, kafka_offset)`` pair of each row."""
        rows = self._table().scan(selected_fields=("kafka_partition", "kafka_offset")).to_arrow()
        partitions, offsets = rows["kafka_partition"].to_pylist(), rows["kafka_offset"].to_pylist()
        return list(zip(partitions, offsets, strict=True))


# --- the run --------------------------------------------------------------------------------------


class EmbeddedRun:
    """One ``run-local.sh --embedded [--with-sink]`` run."""

    def __init__(self, config: Config, run_args: Sequence[str], *, with_sink: bool) -> None:
        self.config = config
        self.run_args = list(run_args)
        self.with_sink = with_sink
        self.signals = Signals()
        self.children: list[Child] = []
        self.generator_status: int | None = None
        self.mdg = str(BIN / "mock-data-gen")

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
                self._stop(child)
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
        broker = self._start_cluster()
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
        consume = self._start("mock-data-gen consume", "consume", "--count", str(READ_BACK))
        if self._wait_for_exit(consume) != EXIT_OK:
            say(f"could not read the first records of {config.topic} back (exit {consume.status})")
            status = status or EXIT_FAILURE
        if lakehouse is None:
            return status
        ends = topic_offsets(os.environ["KAFKA_BOOTSTRAP_SERVERS"], config.topic)
        if not self._each_record_landed_once(lakehouse, ends):
            status = status or EXIT_FAILURE
        self._say_how_to_open_the_table(lakehouse, catalog_env)
        return status

    # -- processes --

    def _start(
        self,
        name: str,
        *args: str,
        program: str | None = None,
        log: Path | None = None,
        env: dict[str, str] | None = None,
        stop_signal: int = signal.SIGTERM,
        stop_seconds: float = 10.0,
        stop_rank: int = 1,
        why_stopping_takes_time: str = "",
    ) -> Child:
        """Start ``program`` (default mock-data-gen) with ``args`` in a session of its own, its
        output to ``log`` (truncated) or to this program's."""
        argv = [program or self.mdg, *args]
        output = log.open("wb") if log is not None else None
        try:
            process = subprocess.Popen(
                argv,
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if output is not None else None,
                start_new_session=True,
            )
        except OSError as exc:
            raise Failure(f"could not start {name}: {exc}") from None
        finally:
            if output is not None:
                output.close()
        child = Child(name, process, stop_signal, stop_seconds, stop_rank, why_stopping_takes_time)
        self.children.append(child)
        return child

    def _wait_for_exit(self, child: Child) -> int:
        """Wait until ``child`` exits by itself; a stop signal stops everything."""
        wait_until(
            lambda: not child.running, seconds=None, waiting_for=child.name, signals=self.signals
        )
        return child.status

    def _stop(self, child: Child) -> int:
        """Stop ``child`` if it runs, killing it if it takes too long; return its exit code."""
        if child.running:
            child.process.send_signal(child.stop_signal)
            why = f" ({child.why_stopping_takes_time})" if child.why_stopping_takes_time else ""
            if not wait_until(
                lambda: not child.running,
                seconds=child.stop_seconds,
                waiting_for=f"{child.name} to stop{why}",
                signals=None,
            ):
                say(f"{child.name} did not stop within {child.stop_seconds:g} s: killing it")
                child.process.kill()
                child.process.wait()
        return child.status

    # -- the parts of the run --

    def _start_cluster(self) -> Child:
        config = self.config
        config.bootstrap_file.unlink(missing_ok=True)
        # With FUNNEL=full the generator writes the funnel's topics too; the embedded cluster
        # cannot create topics once it runs, so it starts with them (as `setup` would create them).
        funnel: list[str] = []
        if _env("FUNNEL", "requests").lower() == "full":
            for variable, default in FUNNEL_TOPICS:
                name = _env(variable, default)
                for topic in (name, f"{name}.dlq"):
                    funnel += ["--topic", f"{topic}:{config.partitions}"]
        broker = self._start(
            "the embedded Kafka cluster",
            "broker",
            "--port",
            str(config.port),
            "--topic",
            f"{config.topic}:{config.partitions}",
            "--topic",
            f"{config.dead_letter_topic}:{config.partitions}",
            *funnel,
            "--bootstrap-file",
            str(config.bootstrap_file),
            log=config.broker_log,
            stop_rank=3,
        )

        def has_address() -> bool:
            return config.bootstrap_file.exists() and config.bootstrap_file.stat().st_size > 0

        started = wait_until(
            lambda: has_address() or not broker.running,
            seconds=BROKER_START_SECONDS,
            waiting_for="the embedded Kafka cluster to start",
            signals=self.signals,
        )
        if not broker.running:
            sys.stderr.write(config.broker_log.read_text(errors="replace"))
            raise Failure(
                f"the embedded Kafka cluster did not start (is port {config.port} in use, e.g. by "
                "the Docker stack? set EMBEDDED_KAFKA_PORT)"
            )
        if not started:
            raise Failure(
                f"the embedded Kafka cluster gave no address within {BROKER_START_SECONDS:g} s; "
                f"see {config.broker_log}"
            )
        bootstrap = config.bootstrap_file.read_text().split()[0]
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
        found = topic_partitions(bootstrap)
        for topic in (config.topic, config.dead_letter_topic):
            if found.get(topic) != config.partitions:
                raise Failure(
                    f"the embedded Kafka cluster at {bootstrap} has no topic {topic!r} with "
                    f"{config.partitions} partitions; see {config.broker_log}"
                )
        say(
            f"embedded Kafka at {bootstrap} (in memory; address in {config.bootstrap_file}, "
            f"log in {config.broker_log})"
        )
        return broker

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
        code = self._wait_for_exit(self._start("mock-data-gen setup", "setup"))
        if code != EXIT_OK:
            raise Failure(
                f"mock-data-gen setup of the local lakehouse in {path} failed (exit {code}); "
                "its reason is above"
            )
        self._start(
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
        generator = self._start(
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
        code = self._stop(sink)
        if code != EXIT_OK:
            sys.stderr.writelines(log.read_text(errors="replace").splitlines(True)[-20:])
            say(f"iceberg-sink failed (exit {code}); its log is {log}")
            return False
        dlq = lakehouse.settings.dead_letter_topic
        try:
            committed = lakehouse.committed_offsets()
            positions = lakehouse.positions()
            set_aside = dead_letters(os.environ["KAFKA_BOOTSTRAP_SERVERS"], dlq, self.config.topic)
        except Failure as exc:
            say(str(exc))
            return False
        except Exception as exc:
            say(f"could not read table {table} ({type(exc).__name__}: {exc}); see {log}")
            return False

        rows, distinct = len(positions), set(positions)
        # A record the sink could not write is accounted for by its dead letter instead of a row;
        # dead letters are delivered at least once, so one sent twice is no fault.
        dead = {where for where in set_aside if _in_range(ends.get(where[0], (0, 0)), where[1])}
        both = distinct & dead
        foreign = [(p, o) for p, o in distinct if not _in_range(ends.get(p, (0, 0)), o)]
        once = rows == len(distinct) == expected - len(dead) and not foreign and not both
        # The table's offsets must say the same, or a restarted sink would read records again.
        ahead_or_behind = {p: committed.get(p, low) for p, (low, high) in ends.items()}
        offsets_match = all(ahead_or_behind[p] == high for p, (_, high) in ends.items())
        pairs = f"{rows} rows, {len(distinct)} distinct (kafka_partition, kafka_offset) pairs"
        if dead:
            pairs += f"; dead-letter topic {dlq} holds the other {len(dead)}"
            if len(set_aside) > len(dead):
                pairs += f" ({len(set_aside) - len(dead)} dead letters more than once)"
        records = expected - len(dead)
        if not once:
            say(
                f"table {table} holds {pairs} ({len(foreign)} not in the topic, {len(both)} also "
                f"dead-lettered), not the topic's {expected} records once each; see {log}"
            )
        elif not offsets_match:
            say(
                f"table {table} holds each of the topic's {records} records once ({pairs}), but "
                "the offsets committed in it (below) are not the topic's ends "
                f"{ {p: high for p, (_, high) in ends.items()} }; see {log}"
            )
        else:
            say(
                f"table {table} holds each of the topic's {records} records once ({pairs}); "
                "offsets committed in it (partition offset):"
            )
        for partition, offset in sorted(committed.items()):
            say(f"  {partition} {offset}")
        return once and offsets_match

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


def _in_range(first_and_next: tuple[int, int], offset: int) -> bool:
    return first_and_next[0] <= offset < first_and_next[1]


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
        bootstrap = _env("KAFKA_BOOTSTRAP_SERVERS", "localhost:29092")
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
        say(f"streaming to Kafka at {bootstrap} (Ctrl+C stops)")
        become(str(BIN / "mock-data-gen"), "run", *run_args)
    try:
        return EmbeddedRun(Config.from_environment(), run_args, with_sink=with_sink).main()
    except UsageError as exc:
        say(f"error: {exc}")
        return EXIT_USAGE


def become(program: str, *args: str) -> NoReturn:
    """Replace this process with ``program``: its exit code and signals are the script's."""
    try:
        os.execv(program, [program, *args])
    except OSError as exc:
        say(f"error: could not run {program}: {exc}")
        sys.exit(EXIT_FAILURE)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
