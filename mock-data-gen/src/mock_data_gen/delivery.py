"""Lossless delivery of bid-request records to Kafka.

The producer is idempotent with ``acks=all``: every accepted event is retried until the in-sync
replicas have it, and retries are deduplicated by the broker, so an outage neither loses nor
duplicates events. librdkafka's ``message.timeout.ms`` is set to 0 (no timeout): with its default of
five minutes an event still queued after a long outage would be dropped with a delivery error;
with 0 it waits in the queue until the brokers are back or the service stops. The queue is bounded
(``KAFKA_QUEUE_MAX_MESSAGES`` events, 64 MiB); when it is full, ``send`` accepts no more and the
service pauses generation instead of buffering without limit.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Protocol

import orjson
from confluent_kafka import KafkaError, KafkaException, Message, Producer
from platform_common.kafka_config import mask_extra_config
from platform_common.kafka_logs import kafka_logger
from platform_common.logs import log_event
from platform_common.metric_families import LatencyHistogram

from mock_data_gen import __version__
from mock_data_gen.faults import FaultFractions, FaultInjector
from mock_data_gen.kafka_clients import producer_config
from mock_data_gen.metrics import LatencySample
from mock_data_gen.prebid_target import PrebidServerTarget, parse_bidders
from mock_data_gen.settings import Settings

logger = logging.getLogger(__name__)

# Record headers: how to read the value without looking at it.
RECORD_HEADERS: list[tuple[str, str | bytes | None]] = [
    ("content-type", b"application/json"),
    ("openrtb-version", b"2.6"),
    ("generator-version", __version__.encode()),
]
_MAX_LOGGED_FAILURES = 20
_PURGE_REPORT_SECONDS = 2.0


class RecordBatch(Protocol):
    """What delivery needs of ``mock_data_gen.synthesis.RecordBatch``."""

    @property
    def payloads(self) -> Sequence[bytes]: ...
    @property
    def user_ids(self) -> Sequence[str]: ...
    @property
    def event_times_ms(self) -> Sequence[int]: ...
    def request_ids(self) -> Sequence[str]: ...
    def publisher_ids(self) -> Sequence[str]: ...
    def __len__(self) -> int: ...


KeysOf = Callable[[RecordBatch], Sequence[str | None]]
KEY_STRATEGIES: dict[str, KeysOf] = {
    # Child-directed (COPPA) requests carry no user id: an empty key would pile them all into one
    # partition, so they go unkeyed and the partitioner spreads them.
    "user": lambda batch: [user_id or None for user_id in batch.user_ids],
    "request": lambda batch: batch.request_ids(),
    "publisher": lambda batch: batch.publisher_ids(),
    "none": lambda batch: [None] * len(batch),
}


class Outgoing:
    """A batch on its way to the producer: the records' values, keys and timestamps, and how many
    of them the producer has accepted so far."""

    __slots__ = ("accepted", "headers", "keys", "payloads", "timestamps", "topic")

    def __init__(self, batch: RecordBatch, keys_of: KeysOf) -> None:
        # None: the delivery's own topic; the funnel's events name theirs (funnel_stream).
        self.topic: str | None = None
        self.payloads = batch.payloads
        self.keys = keys_of(batch)
        self.timestamps = batch.event_times_ms
        # Each record's own headers when faults were injected; None: RECORD_HEADERS for all.
        self.headers: list[list[tuple[str, str | bytes | None]]] | None = None
        self.accepted = 0

    @property
    def remaining(self) -> int:
        return len(self.payloads) - self.accepted

    def keep(self, records: int) -> None:
        """Drop the records after the first ``records`` (not yet accepted)."""
        self.payloads = self.payloads[:records]
        self.keys = self.keys[:records]
        self.timestamps = self.timestamps[:records]
        if self.headers is not None:
            self.headers = self.headers[:records]


class Delivery:
    """Owns the producer: sends records, counts delivery reports, tracks broker connectivity."""

    def __init__(
        self,
        settings: Settings,
        topic: str | None = None,
        *,
        scenario_faults: FaultFractions | None = None,
    ) -> None:
        self.topic = topic or settings.topic_bid_requests
        self._bootstrap = settings.kafka_bootstrap_servers
        self._keys_of = KEY_STRATEGIES[settings.key_strategy]
        self.produced = 0
        self.delivered = 0
        self.failed = 0
        self.bytes_delivered = 0
        self.failures: Counter[str] = Counter()
        self.connected = False
        # Monotonic time the last broker connection was lost; None while connected (or not yet).
        self.disconnected_since: float | None = None
        self.fatal_error: str | None = None
        self.histogram = LatencyHistogram()
        self.sample = LatencySample()
        self.backpressure_since: float | None = None
        self.partitions = 0  # of the topic, once wait_for_cluster has found it
        config = producer_config(settings)
        config.update(
            on_delivery=self._on_delivery,
            error_cb=self._on_error,
            stats_cb=self._on_stats,
            logger=kafka_logger,
        )
        log_event(
            logger,
            logging.INFO,
            "producer_config",
            bootstrap=self._bootstrap,
            topic=self.topic,
            compression=settings.kafka_compression,
            queue_max_messages=settings.kafka_queue_max_messages,
            extra=mask_extra_config(settings.producer_properties()),
        )
        self._producer = Producer(config)
        self._target = (
            PrebidServerTarget(parse_bidders(settings.prebid_bidders))
            if settings.target == "prebid-server"
            else None
        )
        # Faults are the request stream's: a delivery to a topic of its own (the funnel's) has none.
        self.faults = _fault_injector(settings, scenario_faults) if topic is None else None

    # -- delivery reports (run inside poll()/flush() on the calling thread) --------------------

    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        if err is None:
            self.delivered += 1
            self.bytes_delivered += len(msg)
            latency = msg.latency()
            if latency is not None:
                self.histogram.observe(latency)
                self.sample.add(latency)
            if not self.connected:
                self._set_connected(True, brokers_up=None)
            return
        self.failed += 1
        self.failures[err.name()] += 1
        if self.failed <= _MAX_LOGGED_FAILURES:
            log_event(
                logger,
                logging.ERROR,
                "delivery_failed",
                error=err.name(),
                reason=err.str(),
                partition=msg.partition(),
                failed_total=self.failed,
            )

    def _on_error(self, err: KafkaError) -> None:
        if err.code() == KafkaError._ALL_BROKERS_DOWN:
            self._set_connected(False, brokers_up=0)
            return
        if err.fatal():
            self.fatal_error = f"{err.name()}: {err.str()}"
            log_event(
                logger, logging.ERROR, "kafka_fatal_error", error=err.name(), reason=err.str()
            )
            return
        log_event(logger, logging.DEBUG, "kafka_error", error=err.name(), reason=err.str())

    def _on_stats(self, stats_json: str) -> None:
        stats = orjson.loads(stats_json)
        up = sum(
            1
            for broker in stats.get("brokers", {}).values()
            if broker.get("nodeid", -1) >= 0 and broker.get("state") == "UP"
        )
        self._set_connected(up > 0, brokers_up=up)

    def _set_connected(self, connected: bool, brokers_up: int | None) -> None:
        """Record the connection state; log each change once."""
        if connected == self.connected:
            return
        self.connected = connected
        self.disconnected_since = None if connected else time.monotonic()
        if connected:
            counted = {} if brokers_up is None else {"brokers_up": brokers_up}
            log_event(logger, logging.INFO, "kafka_connected", **counted)
        else:
            log_event(logger, logging.WARNING, "kafka_disconnected", bootstrap=self._bootstrap)

    # -- producing ------------------------------------------------------------------------------

    def wait_for_cluster(
        self, should_stop: Callable[[], bool], *, max_backoff_seconds: float = 10.0
    ) -> bool:
        """Block until the topic's metadata can be read, retrying with exponential backoff.

        Returns False if ``should_stop`` turned true first. Logs one ``kafka_unreachable`` or
        ``topic_missing`` line per failed attempt with the delay until the next one.
        """
        backoff = 0.5
        attempt = 0
        while not should_stop():
            attempt += 1
            problem: str
            try:
                metadata = self._producer.list_topics(self.topic, timeout=2.0)
                topic = metadata.topics.get(self.topic)
                if topic is not None and topic.error is None and topic.partitions:
                    # Readiness is logged below; set the state without a second line.
                    self.connected = True
                    self.partitions = len(topic.partitions)
                    log_event(
                        logger,
                        logging.INFO,
                        "kafka_ready",
                        bootstrap=self._bootstrap,
                        topic=self.topic,
                        brokers=len(metadata.brokers),
                        partitions=len(topic.partitions),
                        attempts=attempt,
                    )
                    return True
                event = "topic_missing"
                problem = (
                    topic.error.str() if topic is not None and topic.error else "no partitions"
                )
            except KafkaException as exc:
                event = "kafka_unreachable"
                problem = exc.args[0].str() if exc.args else str(exc)
            log_event(
                logger,
                logging.WARNING,
                event,
                bootstrap=self._bootstrap,
                topic=self.topic,
                attempt=attempt,
                retry_in_s=backoff,
                reason=problem,
            )
            deadline = time.monotonic() + backoff
            while not should_stop() and time.monotonic() < deadline:
                self._producer.poll(min(0.1, max(0.0, deadline - time.monotonic())))
            backoff = min(backoff * 2, max_backoff_seconds)
        return False

    def outgoing(self, batch: RecordBatch, first_index: int = 0) -> Outgoing:
        """The batch, keyed by the configured key strategy, shaped for the TARGET, with the run's
        faults injected (``first_index``: the run's index of its first event), ready for
        :meth:`send`."""
        outgoing = Outgoing(batch, self._keys_of)
        if self._target is not None:
            outgoing.payloads = self._target.payloads(outgoing.payloads)
        if self.faults is not None:
            faulted = self.faults.inject(
                first_index, outgoing.payloads, outgoing.keys, outgoing.timestamps, RECORD_HEADERS
            )
            if faulted is not None:
                outgoing.payloads, outgoing.keys = faulted.payloads, faulted.keys
                outgoing.timestamps, outgoing.headers = faulted.timestamps, faulted.headers
        return outgoing

    def events_for_records(self, first_index: int, events: int, records: int) -> int:
        """How many of ``events`` events from the run's ``first_index`` make ``records`` records
        (see ``FaultInjector.events_for_records``; without faults, one record an event)."""
        if self.faults is None:
            return min(events, records)
        return self.faults.events_for_records(first_index, events, records)

    def send(self, outgoing: Outgoing) -> bool:
        """Queue the batch's records not yet accepted, in order; True once all are accepted.

        False means backpressure: the queue was full. The caller keeps the batch, waits with
        ``poll`` and sends it again, so generation pauses instead of buffering without limit.
        """
        produce = self._producer.produce
        topic = outgoing.topic or self.topic
        headers = RECORD_HEADERS
        payloads, keys, timestamps = outgoing.payloads, outgoing.keys, outgoing.timestamps
        first = index = outgoing.accepted
        per_record = outgoing.headers
        try:
            # Two loops, so that a batch without faults pays nothing for them.
            if per_record is None:
                for index in range(first, len(payloads)):
                    produce(
                        topic,
                        payloads[index],
                        keys[index],
                        timestamp=timestamps[index],
                        headers=headers,
                    )
            else:
                for index in range(first, len(payloads)):
                    produce(
                        topic,
                        payloads[index],
                        keys[index],
                        timestamp=timestamps[index],
                        headers=per_record[index],
                    )
            index = len(payloads)
        except BufferError:
            outgoing.accepted = index
            self.produced += index - first
            if self.backpressure_since is None:
                self.backpressure_since = time.monotonic()
                log_event(
                    logger,
                    logging.WARNING,
                    "backpressure",
                    queue=len(self._producer),
                    connected=self.connected,
                    note="producer queue full; generation paused until Kafka acknowledges",
                )
            return False
        outgoing.accepted = index
        self.produced += index - first
        if self.backpressure_since is not None:
            log_event(
                logger,
                logging.INFO,
                "backpressure_released",
                paused_s=round(time.monotonic() - self.backpressure_since, 3),
                queue=len(self._producer),
            )
            self.backpressure_since = None
        return True

    def poll(self, timeout: float) -> None:
        """Serve delivery reports, waiting up to ``timeout`` seconds for one."""
        self._producer.poll(timeout)

    @property
    def queue_depth(self) -> int:
        return len(self._producer)

    def flush(self, timeout: float, should_abort: Callable[[], bool]) -> int:
        """Wait up to ``timeout`` seconds for queued events to be acknowledged.

        Returns the number still not acknowledged; those are then purged and counted as failed.
        """
        deadline = time.monotonic() + timeout
        while len(self._producer) and not should_abort():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._producer.flush(min(0.1, remaining))
        if self.faults is not None:
            # Events hit, by kind (a duplicate is one event sent as two records).
            log_event(logger, logging.INFO, "faults_injected", **self.faults.injected)
        left = len(self._producer)
        if left:
            self._producer.purge()
            # Purged events report (as failed) from the client's own threads, those that were in
            # flight a little later: waiting briefly lets each be counted rather than go unseen.
            self._producer.flush(_PURGE_REPORT_SECONDS)
        return left


def _fault_injector(
    settings: Settings, scenario_faults: FaultFractions | None
) -> FaultInjector | None:
    """The run's faults: its scenario's, if it has them, else the FAULT_* settings; None when
    every fraction is 0."""
    fractions = scenario_faults or FaultFractions(**settings.fault_fractions())
    if not fractions.any:
        return None
    # Without SEED the generator draws its own; the faults then differ from run to run too.
    seed = settings.seed if settings.seed is not None else random.getrandbits(63)
    log_event(logger, logging.INFO, "faults", seed=seed, **asdict(fractions))
    return FaultInjector(fractions, seed)
