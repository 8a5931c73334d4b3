"""``FUNNEL=full``: the auction funnel after each delivered bid request, to its four topics.

Once the producer has accepted a batch of requests, the funnel (``mock_data_gen.funnel``, pure
logic) is simulated for each of them; its events wait in a heap ordered by the time they are
reported (``emit_time_ms``: the event time, later for a late click) and are produced when the
stream reaches that time: the wall clock in a live run, the event time of the latest request in a
simulated one (where the clock is the requests' own). Each event is produced to the topic of its
type with its request's record key (design §3.6: the topics are co-partitioned with the
requests) and its event time as the record timestamp.

Delivery: a second producer with the request producer's configuration (idempotent, ``acks=all``,
no message timeout, a bounded queue), so that the request stream's counters, ``MAX_EVENTS`` and
backpressure mean what they always did, and the funnel's are counted apart. When its queue is
full, the service stops generating requests until it drains (``send_due`` returns False).

Memory: the heap is bounded by ``MAX_PENDING_BYTES`` of payload (plus a measured per-event
overhead). Past it, the earliest events are produced ahead of their time (counted ``early``)
rather than dropped or held without limit. At stop every event still waiting is produced at once
(counted ``flushed_at_stop``), so a request that was delivered has its whole funnel delivered.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Final

from confluent_kafka import KafkaError, Message
from platform_common.logs import log_event

from mock_data_gen import __version__
from mock_data_gen.delivery import RECORD_HEADERS, Delivery, Outgoing
from mock_data_gen.funnel import BID_RESPONSE, CLICK, IMPRESSION, WIN, FunnelSimulator
from mock_data_gen.metrics import FunnelStatus, FunnelTopicCounts
from mock_data_gen.settings import Settings

# The bound of the pending heap, in payload bytes plus the per-event overhead below: as large as
# the producer's own queue (64 MiB). A live run holds about ten events per request per second of
# rate (most are due within a second; impressions on screens wait minutes), ~7 MB at 1,000 rps.
logger = logging.getLogger(__name__)

MAX_PENDING_BYTES: Final = 64 * 1024 * 1024
# What a pending entry costs beyond its payload: the heap tuple, its ints, the key string and the
# bytes object's header, measured with tracemalloc (tests/test_funnel_stream.py).
ENTRY_OVERHEAD_BYTES: Final = 260

_Entry = tuple[int, int, str, str | None, bytes, int]  # emit, order, topic, key, payload, time


Headers = list[tuple[str, str | bytes | None]]


def funnel_headers(event_type: str) -> Headers:
    """A funnel record's headers: its content type, its event type and the generator's version
    (no ``openrtb-version``: a funnel event is the exchange's record, not an OpenRTB object)."""
    return [
        ("content-type", b"application/json"),
        ("funnel-event", event_type.encode()),
        ("generator-version", __version__.encode()),
    ]


class _Events(Outgoing):
    """Funnel events of one topic on their way to the producer, with their type's headers."""

    def __init__(self, topic: str, entries: list[_Entry], headers: Headers) -> None:
        self.topic = topic
        self.headers = [headers] * len(entries)
        self.payloads = [entry[4] for entry in entries]
        self.keys = [entry[3] for entry in entries]
        self.timestamps = [entry[5] for entry in entries]
        self.accepted = 0


class _FunnelDelivery(Delivery):
    """The funnel's producer: counts what it produced and delivered per topic for ``/metrics``.

    It measures no latencies: the service reports the request stream's, and at ~16 funnel events
    a request a histogram bucket and a sample per event were a cost nobody read.
    """

    def __init__(self, settings: Settings, topic: str) -> None:
        super().__init__(settings, topic=topic)
        self.produced_by_topic: Counter[str] = Counter()
        self.delivered_by_topic: Counter[str] = Counter()
        self.bytes_by_topic: Counter[str] = Counter()
        self.failed_by_topic: Counter[str] = Counter()

    def send(self, outgoing: Outgoing) -> bool:
        before = outgoing.accepted
        sent = super().send(outgoing)
        self.produced_by_topic[outgoing.topic or ""] += outgoing.accepted - before
        return sent

    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        topic = msg.topic() or ""
        if err is None:
            self.delivered += 1
            size = len(msg)
            self.bytes_delivered += size
            self.delivered_by_topic[topic] += 1
            self.bytes_by_topic[topic] += size
            if not self.connected:
                self._set_connected(True, brokers_up=None)
            return
        self.failed_by_topic[topic] += 1
        super()._on_delivery(err, msg)


class FunnelStream:
    """Simulates the funnel of delivered requests and produces its events when they come due."""

    def __init__(
        self, settings: Settings, seed: int, *, max_pending_bytes: int = MAX_PENDING_BYTES
    ) -> None:
        self.topics: dict[str, str] = {
            BID_RESPONSE: settings.topic_bid_responses,
            WIN: settings.topic_wins,
            IMPRESSION: settings.topic_impressions,
            CLICK: settings.topic_clicks,
        }
        self._headers = {topic: funnel_headers(kind) for kind, topic in self.topics.items()}
        self._simulator = FunnelSimulator(seed)
        self._live = not settings.simulated
        self.max_pending_bytes = max_pending_bytes
        self._delivery = _FunnelDelivery(settings, topic=settings.topic_bid_responses)
        self._heap: list[_Entry] = []
        self._order = 0
        self._stream_ms = 0  # the latest request's event time
        self.pending_bytes = 0
        self.peak_pending = 0
        self.peak_pending_bytes = 0
        self.early = 0  # produced before their time because the heap was full
        self.flushed_at_stop = 0  # produced before their time because the run stopped
        self._unsent: list[_Events] = []

    @property
    def pending(self) -> int:
        return len(self._heap)

    @property
    def delivery(self) -> Delivery:
        return self._delivery

    def wait_for_topics(self, should_stop: Callable[[], bool], request_partitions: int) -> bool:
        """Block until every funnel topic's metadata can be read (as for the request topic).

        A funnel topic with another partition count than the request topic (one a broker created
        on first use, with its default count) still gets every event, but the events of a request
        no longer land in its partition number: that is logged, once per topic, as a warning.
        """
        delivery = self._delivery
        try:
            for topic in self.topics.values():
                delivery.topic = topic
                if not delivery.wait_for_cluster(should_stop):
                    return False
                if delivery.partitions != request_partitions:
                    log_event(
                        logger,
                        logging.WARNING,
                        "funnel_not_co_partitioned",
                        topic=topic,
                        partitions=delivery.partitions,
                        request_partitions=request_partitions,
                        note="a request's events land in other partition numbers than the "
                        "request; create the funnel's topics with the request topic's partition "
                        "count (setup with FUNNEL=full does)",
                    )
            return True
        finally:
            delivery.topic = self.topics[BID_RESPONSE]

    def add(self, requests: Outgoing, count: int | None = None) -> None:
        """Simulate the funnel of the first ``count`` (default: all) requests of a batch the
        producer accepted; their events wait for their time."""
        heap = self._heap
        topics = self.topics
        simulate = self._simulator.simulate
        payloads, keys, times = requests.payloads, requests.keys, requests.timestamps
        # A record given a fault on purpose (FAULT_*) carries headers of its own: it is not a
        # request as generated (cut off, invalid, a copy, late), and leads to no funnel.
        headers = getattr(requests, "headers", None)
        added = 0
        for index in range(len(payloads) if count is None else count):
            if headers is not None and headers[index] is not RECORD_HEADERS:
                continue
            key = keys[index]
            for event in simulate(payloads[index], times[index]):
                # orjson leaves its output in a buffer of up to 8 KiB; an exact copy is what the
                # heap should hold (measured: 5.5 KB an event kept otherwise, 0.7 KB with it).
                data = bytes(memoryview(event.to_json()))
                added += len(data) + ENTRY_OVERHEAD_BYTES
                heapq.heappush(
                    heap,
                    (event.emit_time_ms, self._order, topics[event.type], key, data,
                     event.event_time_ms),
                )  # fmt: skip
                self._order += 1
            self._stream_ms = max(self._stream_ms, times[index])
        self.pending_bytes += added
        if len(heap) > self.peak_pending:
            self.peak_pending = len(heap)
        self.peak_pending_bytes = max(self.peak_pending_bytes, self.pending_bytes)

    def send_due(self) -> bool:
        """Produce the events whose time has come; False while the producer's queue is full
        (the caller then waits with :meth:`poll` instead of generating more requests)."""
        now = self._stream_ms
        if self._live:
            now = max(now, time.time_ns() // 1_000_000)
        due = self._pop(lambda emit_ms: emit_ms <= now)
        if self.pending_bytes > self.max_pending_bytes:
            before = len(due)
            due += self._pop(lambda _emit_ms: self.pending_bytes > self.max_pending_bytes)
            self.early += len(due) - before
        self._group(due)
        self._delivery.poll(0)
        return self._send_unsent()

    def poll(self, timeout: float) -> None:
        self._delivery.poll(timeout)

    def _pop(self, is_due: Callable[[int], bool]) -> list[_Entry]:
        heap = self._heap
        due: list[_Entry] = []
        while heap and is_due(heap[0][0]):
            entry = heapq.heappop(heap)
            self.pending_bytes -= len(entry[4]) + ENTRY_OVERHEAD_BYTES
            due.append(entry)
        return due

    def _group(self, entries: list[_Entry]) -> None:
        """Queue the entries per topic, keeping their order within each topic."""
        if not entries:
            return
        by_topic: dict[str, list[_Entry]] = {}
        for entry in entries:
            by_topic.setdefault(entry[2], []).append(entry)
        self._unsent += [
            _Events(topic, group, self._headers[topic]) for topic, group in by_topic.items()
        ]

    def _send_unsent(self) -> bool:
        while self._unsent:
            if not self._delivery.send(self._unsent[0]):
                return False
            self._unsent.pop(0)
        return True

    def status(self) -> FunnelStatus:
        """For ``/metrics`` and ``/healthz``."""
        delivery = self._delivery
        return FunnelStatus(
            topics=tuple(
                FunnelTopicCounts(
                    topic=topic,
                    event_type=event_type,
                    produced=delivery.produced_by_topic[topic],
                    delivered=delivery.delivered_by_topic[topic],
                    failed=delivery.failed_by_topic[topic],
                    bytes_delivered=delivery.bytes_by_topic[topic],
                )
                for event_type, topic in self.topics.items()
            ),
            pending=len(self._heap),
            pending_bytes=self.pending_bytes,
            early=self.early,
        )

    def stats(self) -> dict[str, object]:
        delivery = self._delivery
        return {
            "funnel_produced": delivery.produced,
            "funnel_delivered": delivery.delivered,
            "funnel_pending": len(self._heap),
        }

    def finish(
        self, timeout: float, should_abort: Callable[[], bool]
    ) -> tuple[dict[str, object], bool]:
        """Produce every event still waiting, ahead of its time, then flush like the requests.

        Returns the summary's funnel fields and whether every funnel event was delivered.
        """
        deadline = time.monotonic() + timeout
        while self._heap or self._unsent:
            if self._heap:
                before = len(self._heap)
                self._group(self._pop(lambda _emit_ms: True))
                self.flushed_at_stop += before - len(self._heap)
            while not self._send_unsent():
                if should_abort() or time.monotonic() >= deadline:
                    break
                self._delivery.poll(0.05)
            if should_abort() or time.monotonic() >= deadline:
                break
        unsent = len(self._heap) + sum(events.remaining for events in self._unsent)
        delivery = self._delivery
        undelivered = delivery.flush(max(0.0, deadline - time.monotonic()), should_abort)
        ok = unsent == 0 and undelivered == 0 and delivery.failed == 0
        ok = ok and delivery.fatal_error is None
        return {
            "funnel_produced": delivery.produced,
            "funnel_delivered": delivery.delivered,
            "funnel_failed": delivery.failed,
            "funnel_undelivered": undelivered,
            "funnel_unsent": unsent,
            "funnel_flushed_at_stop": self.flushed_at_stop,
            "funnel_early": self.early,
            "funnel_peak_pending": self.peak_pending,
            "funnel_peak_pending_mb": round(self.peak_pending_bytes / 2**20, 1),
        }, ok
