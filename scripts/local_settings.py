"""The settings of a run of scripts/local_run.py, from the environment (scripts/run-local.sh's
header lists them). Unset or empty means the default, as ``${NAME:-default}`` in bash; an invalid
value is a ``UsageError`` (exit code 2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BROKERS = 3  # mock-data-gen broker's default: ports PORT..PORT+2
# The funnel's topics (FUNNEL=full) by the generator's settings and their defaults, each with the
# consumer group of its sink: docker-compose.yml's iceberg-sink-<event> services use the same.
FUNNEL_TOPICS = (
    ("TOPIC_BID_RESPONSES", "bid_responses", "iceberg-sink-bid-responses"),
    ("TOPIC_WINS", "wins", "iceberg-sink-wins"),
    ("TOPIC_IMPRESSIONS", "impressions", "iceberg-sink-impressions"),
    ("TOPIC_CLICKS", "clicks", "iceberg-sink-clicks"),
)


class UsageError(ValueError):
    """An invalid argument or setting (exit code 2)."""


def env_value(name: str, default: str) -> str:
    """The variable's value; unset or empty means ``default``, as ``${NAME:-default}`` in bash."""
    return os.environ.get(name) or default


def _int_env(name: str, default: int, low: int, high: int) -> int:
    text = env_value(name, str(default))
    if not text.isdigit() or not low <= int(text) <= high:
        raise UsageError(f"{name}={text!r} is not a whole number from {low} to {high}")
    return int(text)


def _seconds_env(name: str, default: float) -> float:
    text = env_value(name, f"{default:g}")
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise UsageError(f"{name}={text!r} is not a number of seconds > 0")
    return value


@dataclass(frozen=True)
class FunnelTopic:
    """A topic of the auction funnel (FUNNEL=full), landed in the table named like it
    (``platform_common.settings.topic_table_name``)."""

    variable: str  # the generator's setting that names it
    topic: str
    group: str  # its sink's consumer group, which also names the sink's log

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.topic}.dlq"


def funnel_topics() -> tuple[FunnelTopic, ...]:
    """The funnel's topics with FUNNEL=full (read as the generator reads it: any case), else
    none; the generator refuses an invalid FUNNEL itself (exit 2)."""
    if env_value("FUNNEL", "requests").lower() != "full":
        return ()
    return tuple(
        FunnelTopic(variable, env_value(variable, default), group)
        for variable, default, group in FUNNEL_TOPICS
    )


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
    funnel: tuple[FunnelTopic, ...] = ()  # FUNNEL=full: the funnel's topics, each with a sink

    @classmethod
    def from_environment(cls) -> Config:
        return cls(
            port=_int_env("EMBEDDED_KAFKA_PORT", 29092, 1, 65536 - BROKERS),
            topic=env_value("TOPIC_BID_REQUESTS", "bid_requests"),
            partitions=_int_env("TOPIC_PARTITIONS", 6, 1, 100_000),
            state_dir=Path(env_value("LOCAL_STATE_DIR", str(REPO_ROOT / ".local"))).absolute(),
            sink_metrics_port=_int_env("SINK_METRICS_PORT", 8001, 0, 65535),
            catch_up_seconds=_seconds_env("SINK_CATCH_UP_SECONDS", 60.0),
            # The generator's own setting; it refuses a bad value itself (exit 2).
            flush_seconds=_seconds_env_or("FLUSH_TIMEOUT_SECONDS", 8.0),
            funnel=funnel_topics(),
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

    def funnel_sink_log(self, funnel: FunnelTopic) -> Path:
        return self.state_dir / f"{funnel.group}.log"

    @property
    def lakehouse(self) -> Path:
        return self.state_dir / "lakehouse"


def _seconds_env_or(name: str, default: float) -> float:
    try:
        return _seconds_env(name, default)
    except UsageError:
        return default
