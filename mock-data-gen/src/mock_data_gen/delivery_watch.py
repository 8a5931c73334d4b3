"""How deliveries are going, as the ``run`` service watches them: the rate events are produced at
over the last few seconds, and whether Kafka still acknowledges them (a stall, logged once)."""

from __future__ import annotations

import logging
import time
from collections import deque

from platform_common.logs import log_event

from mock_data_gen.delivery import Delivery

_RATE_WINDOW_SECONDS = 5.0


class RateMeter:
    """Events per second over the last ``window`` seconds, from periodic (time, count) samples."""

    def __init__(self, window: float = _RATE_WINDOW_SECONDS) -> None:
        self._window = window
        self._samples: deque[tuple[float, int]] = deque()

    def sample(self, now: float, count: int) -> None:
        self._samples.append((now, count))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self._window:
            self._samples.popleft()

    def rate(self) -> float:
        samples = list(self._samples)
        if len(samples) < 2 or samples[-1][0] <= samples[0][0]:
            return 0.0
        (t0, c0), (t1, c1) = samples[0], samples[-1]
        return (c1 - c0) / (t1 - t0)


class StallWatch:
    """When deliveries last progressed, and a log line (on ``logger``) when they stall for longer
    than ``unhealthy_after`` seconds and when they resume."""

    def __init__(self, unhealthy_after: float, logger: logging.Logger) -> None:
        self._unhealthy_after = unhealthy_after
        self._logger = logger
        # When deliveries last progressed (an acknowledgement arrived, or nothing was waiting), as
        # seen by the main loop; /healthz fails once that is UNHEALTHY_AFTER_SECONDS ago.
        self._progress_at = time.monotonic()
        self._delivered_seen = 0
        self._stall_logged = False

    def restart(self, now: float) -> None:
        """Count from ``now``, when producing begins."""
        self._progress_at = now

    def stalled_seconds(self, now: float, queue_depth: int) -> float:
        """How long events have waited without progress (0 while none wait)."""
        return max(0.0, now - self._progress_at) if queue_depth else 0.0

    def watch(self, now: float, delivery: Delivery) -> None:
        """Note whether deliveries progressed since the last look; log a stall and its end once."""
        if delivery.delivered != self._delivered_seen or not delivery.queue_depth:
            if self._stall_logged:
                self._stall_logged = False
                log_event(
                    self._logger,
                    logging.INFO,
                    "delivery_resumed",
                    stalled_s=round(now - self._progress_at, 1),
                )
            self._delivered_seen = delivery.delivered
            self._progress_at = now
        elif not self._stall_logged and now - self._progress_at > self._unhealthy_after:
            self._stall_logged = True
            log_event(
                self._logger,
                logging.WARNING,
                "delivery_stalled",
                queue=delivery.queue_depth,
                stalled_s=round(now - self._progress_at, 1),
                connected=delivery.connected,
                note="nothing acknowledged within UNHEALTHY_AFTER_SECONDS; /healthz answers 503",
            )
