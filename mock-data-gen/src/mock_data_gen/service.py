"""The ``run`` service: generator -> pacing -> delivery, with signals, stats and a final summary.

Exit codes: 0 when every accepted event was acknowledged by Kafka; 1 when some were not (delivery
errors, still queued when the flush timeout ran out, a fatal producer error) or the service could
not start (e.g. the metrics port is taken). Invalid settings exit with 2 before this module runs.
"""

from __future__ import annotations

import gc
import logging
import math
import signal
import time
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING, Protocol

from platform_common.logs import configure_logging, log_event

from mock_data_gen import __version__
from mock_data_gen.delivery import Delivery, Outgoing, RecordBatch
from mock_data_gen.delivery_watch import RateMeter, StallWatch
from mock_data_gen.exit_codes import EXIT_FAILURE, EXIT_OK
from mock_data_gen.funnel_stream import FunnelStream
from mock_data_gen.metrics import MetricsServer, ServiceStatus
from mock_data_gen.pacing import Pacer
from mock_data_gen.settings import Settings
from mock_data_gen.simulated_clock import SimulatedClock

if TYPE_CHECKING:
    from mock_data_gen.scenario import Scenario

logger = logging.getLogger(__name__)


# Unpaced runs generate this many events per batch: large enough to amortise per-call overhead,
# small enough to keep delivery reports flowing between batches.
UNPACED_BATCH = 500
_RATE_SAMPLE_SECONDS = 0.5
_MAX_IDLE_WAIT_SECONDS = 0.1
_BACKPRESSURE_WAIT_SECONDS = 0.05


class RecordSource(Protocol):
    """The part of ``mock_data_gen.synthesis.BidRequestGenerator`` the service uses."""

    def generate_columns(self, event_times_ms: Sequence[int]) -> RecordBatch: ...


class Service:
    """One run of the producer service; ``run()`` returns the exit code."""

    def __init__(
        self,
        settings: Settings,
        source: RecordSource,
        funnel: FunnelStream | None = None,
        scenario: Scenario | None = None,
    ) -> None:
        self.settings = settings
        self._source = source
        self._funnel = funnel  # FUNNEL=full: the events after each delivered request
        # SCENARIO_FILE as ``run`` read it at start-up: its stages and faults, not read again.
        self._scenario = scenario
        self._delivery = Delivery(
            settings, scenario_faults=None if scenario is None else scenario.faults
        )
        # Live with a flat rate, as the stream always was; a simulated clock or a rate that
        # changes over time replaces it once the cluster is reachable (_start_clock).
        self._pacer = Pacer(settings.events_per_second)
        self._clock: SimulatedClock | None = None
        self._meter = RateMeter()
        self._phase = "connecting"
        self._stop_reason: str | None = None
        self._abort_flush = False
        self._unsent = 0
        # /healthz fails once deliveries have not progressed for UNHEALTHY_AFTER_SECONDS.
        self._stall = StallWatch(settings.unhealthy_after_seconds, logger)

    # -- stopping -----------------------------------------------------------------------------

    def request_stop(self, reason: str) -> None:
        """Stop generating (first call) or give up waiting for the final flush (second call).

        Called from signal handlers and the main loop, which share the main thread: no lock (a
        handler interrupting a locked section would deadlock on it).
        """
        if self._stop_reason is None:
            self._stop_reason = reason
        else:
            self._abort_flush = True

    def _end_run(self, reason: str) -> None:
        """Stop generating for a reason of the run's own (never escalates to aborting the flush)."""
        if self._stop_reason is None:
            self._stop_reason = reason

    def _stopping(self) -> bool:
        return self._stop_reason is not None

    def install_signal_handlers(self) -> None:
        def handler(signum: int, _frame: FrameType | None) -> None:
            # Only flags are set here; the main loop logs, so no lock is taken inside a handler.
            self.request_stop(signal.Signals(signum).name)

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    # -- status ---------------------------------------------------------------------------------

    def status(self) -> ServiceStatus:
        delivery = self._delivery
        phase = self._phase
        if phase == "producing" and delivery.backpressure_since is not None:
            phase = "backpressure"
        now = time.monotonic()
        queue_depth = delivery.queue_depth
        disconnected_since = delivery.disconnected_since
        return ServiceStatus(
            phase=phase,
            connected=delivery.connected,
            produced=delivery.produced,
            delivered=delivery.delivered,
            failed=delivery.failed,
            bytes_delivered=delivery.bytes_delivered,
            queue_depth=queue_depth,
            target_rate=self._pacer.rate,
            actual_rate=self._meter.rate(),
            skipped=self._pacer.skipped,
            stalled_seconds=self._stall.stalled_seconds(now, queue_depth),
            disconnected_seconds=0.0 if disconnected_since is None else now - disconnected_since,
            unhealthy_after_seconds=self.settings.unhealthy_after_seconds,
            funnel=None if self._funnel is None else self._funnel.status(),
        )

    # -- running --------------------------------------------------------------------------------

    def run(self) -> int:
        settings = self.settings
        metrics: MetricsServer | None = None
        if settings.metrics_port:
            try:
                metrics = MetricsServer(
                    settings.metrics_port,
                    self.status,
                    self._delivery.histogram,
                    settings.topic_bid_requests,
                    host=settings.metrics_host,
                )
            except OSError as exc:
                log_event(
                    logger,
                    logging.ERROR,
                    "startup_failed",
                    reason=f"cannot serve metrics on METRICS_HOST={settings.metrics_host} "
                    f"METRICS_PORT={settings.metrics_port}: {exc.strerror or exc}",
                )
                return EXIT_FAILURE
            log_event(
                logger,
                logging.INFO,
                "metrics_listening",
                host=settings.metrics_host,
                port=metrics.port,
            )
        started = time.monotonic()
        try:
            funnel = self._funnel
            if self._delivery.wait_for_cluster(self._stopping) and (
                funnel is None or funnel.wait_for_topics(self._stopping, self._delivery.partitions)
            ):
                self._start_clock()
                self._stall.restart(time.monotonic())
                self._phase = "producing"
                self._produce_until_stopped(started)
            self._phase = "stopping"
            return self._finish(started)
        finally:
            self._phase = "stopped"
            if metrics is not None:
                metrics.close()

    def _start_clock(self) -> None:
        """Start the simulated clock now, when producing begins, if the run has one."""
        settings = self.settings
        if not settings.simulated and settings.rate_profile == "flat" and self._scenario is None:
            return
        clock = SimulatedClock.from_settings(settings, self._scenario)
        self._clock = clock
        self._pacer = Pacer(clock.schedule() if clock.paced else 0)
        log_event(
            logger,
            logging.INFO,
            "simulated_clock" if clock.simulated else "rate_profile",
            start=clock.start.isoformat(),
            end=clock.simulated_time(clock.total).isoformat() if clock.total is not None else None,
            speed=settings.speed,
            rate_profile=settings.rate_profile,
            scenario=settings.scenario_file,
            events=clock.total,
        )

    def _produce_until_stopped(self, started: float) -> None:
        settings = self.settings
        delivery = self._delivery
        pacer = self._pacer
        clock = self._clock
        generate = self._source.generate_columns
        funnel = self._funnel
        max_events = settings.max_events
        # Events to the simulated end (a backfill's range), counted like MAX_EVENTS by index.
        total = math.inf if clock is None or clock.total is None else clock.total
        deadline = started + settings.duration_seconds if settings.duration_seconds else math.inf
        stats_every = settings.stats_interval_seconds or math.inf
        now = time.monotonic()
        next_sample = now
        next_stats = now + stats_every
        last_stats = (now, 0, 0)
        pending: Outgoing | None = None
        while not self._stopping():
            if pending is not None:
                # Backpressure: the queue was full; nothing new is generated until these are in.
                if delivery.send(pending):
                    if funnel is not None:
                        funnel.add(pending)
                    pending = None
                else:
                    delivery.poll(_BACKPRESSURE_WAIT_SECONDS)
            elif funnel is not None and not funnel.send_due():
                # Backpressure on the funnel's topics: no new requests until its queue drains.
                funnel.poll(_BACKPRESSURE_WAIT_SECONDS)
            else:
                batch = pacer.batch_size if pacer.rate else UNPACED_BATCH
                # MAX_EVENTS counts records, and a duplicated event makes two.
                room = None if max_events is None else max_events - delivery.produced
                limit = batch if room is None else min(batch, room)
                if limit <= 0:
                    self._end_run("max_events")
                    break
                if pacer.next_index >= total:
                    assert clock is not None
                    self._end_run(clock.end_reason)
                    break
                wanted = int(min(limit, total - pacer.next_index))
                if room is not None:
                    wanted = delivery.events_for_records(pacer.next_index, wanted, room)
                due = pacer.take(wanted)
                if due:
                    if clock is None:
                        times = [time.time_ns() // 1_000_000] * due
                    else:
                        times = clock.event_times_ms(pacer.next_index - due, due)
                    outgoing = delivery.outgoing(generate(times), pacer.next_index - due)
                    if room is not None:
                        # The last record allowed may be a duplicated event's first copy.
                        outgoing.keep(room)
                    if not delivery.send(outgoing):
                        pending = outgoing
                    elif funnel is not None:
                        funnel.add(outgoing)
                    delivery.poll(0)
                else:
                    wait = min(pacer.seconds_until_due(), _MAX_IDLE_WAIT_SECONDS)
                    # poll() waits in whole milliseconds; rounding up avoids spinning below 1 ms.
                    delivery.poll(math.ceil(wait * 1000) / 1000)
            now = time.monotonic()
            if now >= next_sample:
                self._meter.sample(now, delivery.produced)
                self._stall.watch(now, delivery)
                next_sample = now + _RATE_SAMPLE_SECONDS
            if now >= next_stats:
                last_stats = self._log_stats(now, last_stats)
                next_stats = now + stats_every
            if now >= deadline:
                self._end_run("duration")
            elif delivery.fatal_error is not None:
                self._end_run("fatal_error")
        self._unsent = 0 if pending is None else pending.remaining
        if funnel is not None and pending is not None:
            funnel.add(pending, pending.accepted)  # the funnel of the requests that were sent

    def _log_stats(self, now: float, last: tuple[float, int, int]) -> tuple[float, int, int]:
        delivery = self._delivery
        then, produced_then, delivered_then = last
        elapsed = max(now - then, 1e-9)
        p50, p99 = delivery.sample.drain_percentiles(0.50, 0.99)
        log_event(
            logger,
            logging.INFO,
            "stats",
            rate=round((delivery.produced - produced_then) / elapsed, 1),
            target=round(self._pacer.rate, 1),
            delivered_rate=round((delivery.delivered - delivered_then) / elapsed, 1),
            produced=delivery.produced,
            delivered=delivery.delivered,
            failed=delivery.failed,
            queue=delivery.queue_depth,
            p50_ms=None if p50 is None else round(p50 * 1000, 2),
            p99_ms=None if p99 is None else round(p99 * 1000, 2),
            skipped=self._pacer.skipped,
            connected=delivery.connected,
            **self._simulated_progress(),
            **({} if self._funnel is None else self._funnel.stats()),
        )
        return now, delivery.produced, delivery.delivered

    def _simulated_progress(self) -> dict[str, object]:
        clock = self._clock
        return {} if clock is None else clock.progress(self._pacer.next_index)

    def _finish(self, started: float) -> int:
        delivery = self._delivery
        reason = self._stop_reason or "not_started"
        log_event(
            logger,
            logging.INFO,
            "stopping",
            reason=reason,
            queue=delivery.queue_depth,
            flush_timeout_s=self.settings.flush_timeout_seconds,
        )
        undelivered = delivery.flush(self.settings.flush_timeout_seconds, lambda: self._abort_flush)
        failed = delivery.failed
        ok = failed == 0 and undelivered == 0 and delivery.fatal_error is None
        funnel_summary, funnel_ok = (
            ({}, True)
            if self._funnel is None
            else self._funnel.finish(self.settings.flush_timeout_seconds, lambda: self._abort_flush)
        )
        ok = ok and funnel_ok
        exit_code = EXIT_OK if ok else EXIT_FAILURE
        duration = time.monotonic() - started
        log_event(
            logger,
            logging.INFO if ok else logging.ERROR,
            "summary",
            reason=reason,
            produced=delivery.produced,
            delivered=delivery.delivered,
            failed=failed,
            undelivered=undelivered,
            unsent=self._unsent,
            failure_kinds=",".join(f"{k}:{v}" for k, v in sorted(delivery.failures.items())),
            bytes=delivery.bytes_delivered,
            duration_s=round(duration, 3),
            avg_rate=round(delivery.produced / duration, 1) if duration > 0 else 0.0,
            skipped=self._pacer.skipped,
            **self._simulated_progress(),
            **funnel_summary,
            exit_code=exit_code,
        )
        return exit_code


def run_service(settings: Settings, scenario: Scenario | None) -> int:
    """Configure logging, build the generator, run until stopped; returns the exit code.

    ``scenario`` is the run's ``SCENARIO_FILE``, read and checked by ``run`` before anything
    started (None without one).
    """
    configure_logging(settings.log_level, settings.log_format)
    log_event(logger, logging.INFO, "starting", version=__version__, **settings.describe())
    from mock_data_gen.synthesis import BidRequestGenerator

    started = time.monotonic()
    profile = None if scenario is None else scenario.profile  # its mix, if it has one
    generator = BidRequestGenerator(seed=settings.seed, profile=profile)
    # Built now, each user would otherwise be built on first appearance, and an unpaced run would
    # spend its first few hundred thousand events at about half speed.
    generator.build_all_users()
    # The generator's tables live as long as the process. Freezing them keeps the collector's full
    # passes from walking them again and again: each such pass stalls the loop for 50-100 ms,
    # which shows as a rate dip followed by a catch-up burst.
    gc.collect()
    gc.freeze()
    if settings.funnel == "full":
        # The funnel allocates about fifty short-lived objects a request; at the default threshold
        # (700) the young generation is collected every dozen requests. Every 50,000 allocations,
        # simulating took 255 us a request instead of 312: reference counting frees them anyway.
        gc.set_threshold(50_000, 20, 100)
    log_event(
        logger,
        logging.INFO,
        "generator_ready",
        # The seed in use, drawn at random when SEED is unset: SEED=<it> replays the stream.
        seed=generator.seed,
        seconds=round(time.monotonic() - started, 3),
    )
    funnel = FunnelStream(settings, generator.seed) if settings.funnel == "full" else None
    service = Service(settings, generator, funnel, scenario)
    service.install_signal_handlers()
    return service.run()
