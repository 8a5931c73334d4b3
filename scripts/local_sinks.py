"""The sinks of ``run-local.sh --with-sink``: one ``iceberg-sink run`` process per topic, each into
its table of the local lakehouse, and the end of their run: the wait until the offsets committed
in each table reach the end of its topic, the sinks stopped together, and the check that each
table holds each record of its topic once (local_lakehouse.py).

The requests' sink lands the topic in the table its settings name (``ICEBERG_TABLE``, consumer
group ``ICEBERG_SINK_GROUP``). With FUNNEL=full each funnel topic has a sink of its own, as
docker-compose.yml's ``iceberg-sink-<event>`` services: ``TOPIC_BID_REQUESTS=<topic>``, the table
``setup`` named like the topic in the requests' table's namespace (``topic_table_name``: a dot in
``ICEBERG_TABLE`` would name a namespace), the consumer group of that service (which names its log
too), its own dead-letter topic ``<topic>.dlq`` and no /metrics port.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from embedded_kafka import Offsets, topic_offsets
from local_lakehouse import Lakehouse, check_each_record_once, covered, load_sink_settings
from local_processes import (
    BIN,
    EXIT_OK,
    STOP_MARGIN_SECONDS,
    Child,
    Failure,
    Supervisor,
    say,
    wait_until,
)
from local_settings import Config
from platform_common.settings import topic_table_name

REQUESTS_SINK = "iceberg-sink"  # the requests' sink's name in messages


@dataclass
class Sink:
    """One ``iceberg-sink run`` of the run: a topic into its table."""

    name: str  # in messages: "iceberg-sink", or a funnel sink's consumer group
    lakehouse: Lakehouse
    log: Path
    env: dict[str, str]  # over the run's environment
    child: Child | None = None

    @property
    def topic(self) -> str:
        return self.lakehouse.settings.topic

    @property
    def process(self) -> Child:
        if self.child is None:
            raise Failure(f"{self.name} was not started")
        return self.child


def plan_sinks(config: Config) -> list[Sink]:
    """The requests' sink, then with FUNNEL=full one per funnel topic; raises ``UsageError`` for
    an invalid sink setting."""
    requests = Lakehouse(load_sink_settings())
    sinks = [
        Sink(
            REQUESTS_SINK,
            requests,
            config.sink_log,
            {"METRICS_PORT": str(config.sink_metrics_port)},
        )
    ]
    namespace = requests.settings.table_identifier[0]
    for event in config.funnel:
        env = {
            "TOPIC_BID_REQUESTS": event.topic,
            "ICEBERG_NAMESPACE": namespace,
            "ICEBERG_TABLE": topic_table_name(event.topic),
            "ICEBERG_SINK_GROUP": event.group,
            # Empty: <topic>.dlq, never the requests' ICEBERG_SINK_DLQ_TOPIC.
            "ICEBERG_SINK_DLQ_TOPIC": "",
            "METRICS_PORT": "0",
        }
        lakehouse = Lakehouse(load_sink_settings(env))
        sinks.append(Sink(event.group, lakehouse, config.funnel_sink_log(event), env))
    return sinks


def start_sinks(run: Supervisor, sinks: list[Sink], lakehouse: Path) -> None:
    for sink in sinks:
        sink.child = run.start(
            sink.name,
            "run",
            program=str(BIN / "iceberg-sink"),
            log=sink.log,
            env=sink.env,
            stop_seconds=sink.lakehouse.settings.shutdown_timeout_seconds + STOP_MARGIN_SECONDS,
            stop_rank=2,
            why_stopping_takes_time="it commits what it consumed",
        )
        say(
            f"{sink.name} lands {sink.topic} in table {sink.lakehouse.table_name} of {lakehouse} "
            f"(log in {sink.log})"
        )


def each_record_landed_once(
    run: Supervisor, sinks: list[Sink], bootstrap: str, seconds: float
) -> bool:
    """Wait (up to ``seconds``) until the offsets committed in each sink's table reach its
    topic's ends, stop the sinks, then check that each table holds each record of its topic
    once; says how each went."""
    ends = {sink.name: topic_offsets(bootstrap, sink.topic) for sink in sinks}
    expected = {name: sum(high - low for low, high in of.values()) for name, of in ends.items()}
    committed: dict[str, dict[int, int]] = {sink.name: {} for sink in sinks}
    behind = {sink.name for sink in sinks}

    def caught_up(sink: Sink) -> bool:
        if not sink.process.running:
            return True
        try:
            committed[sink.name] = sink.lakehouse.committed_offsets()
        except Exception:  # e.g. the catalog's database is busy: asked again a second later
            return False
        return covered(committed[sink.name], ends[sink.name]) == expected[sink.name]

    def all_caught_up() -> bool:
        behind.difference_update([s.name for s in sinks if s.name in behind and caught_up(s)])
        return not behind

    def progress() -> str:
        done = {s.name: covered(committed[s.name], ends[s.name]) for s in sinks}
        if len(sinks) == 1:
            (name,) = done
            return f"the sink has committed {done[name]} of {expected[name]} records"
        still = ", ".join(f"{name} {done[name]} of {expected[name]}" for name in sorted(behind))
        total = sum(expected.values())
        return f"the sinks have committed {sum(done.values())} of {total} records ({still})"

    if len(sinks) == 1:
        (sink,) = sinks
        say(
            f"waiting for the sink to commit all {expected[sink.name]} records to "
            f"{sink.lakehouse.table_name} (up to {seconds:g} s)"
        )
    else:
        each = ", ".join(f"{expected[s.name]} to {s.lakehouse.table_name}" for s in sinks)
        say(
            f"waiting for the {len(sinks)} sinks to commit all {sum(expected.values())} records "
            f"to their tables: {each} (up to {seconds:g} s)"
        )
    if not wait_until(
        all_caught_up,
        seconds=seconds,
        waiting_for="the sinks",
        signals=run.signals,
        progress=progress,
        poll_seconds=1.0,
    ):
        which = "the sink" if len(sinks) == 1 else ", ".join(sorted(behind))
        say(f"{which} did not commit every record within {seconds:g} s")

    codes = run.stop_together([sink.process for sink in sinks])
    landed = True
    for sink, code in zip(sinks, codes, strict=True):
        landed = _landed_once(sink, code, ends[sink.name]) and landed
    return landed


def _landed_once(sink: Sink, code: int, ends: Offsets) -> bool:
    if code != EXIT_OK:
        sys.stderr.writelines(sink.log.read_text(errors="replace").splitlines(True)[-20:])
        say(f"{sink.name} failed (exit {code}); its log is {sink.log}")
        return False
    return check_each_record_once(sink.lakehouse, ends, sink.topic, sink.log)
