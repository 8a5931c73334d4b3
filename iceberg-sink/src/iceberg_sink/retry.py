"""How the sink retries: tenacity's, with one backoff for everything that waits for a service.

Catalog, storage or Kafka unavailable: exponential backoff from 0.5 s, doubling up to
``ICEBERG_SINK_RETRY_BACKOFF_MAX``, for as long as it takes. A failed commit is retried by the main
loop, which must go on serving the consumer group meanwhile (:class:`RetrySchedule`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tenacity import RetryCallState, Retrying, stop_never, wait_exponential
from tenacity.wait import wait_base

FIRST_BACKOFF_SECONDS = 0.5

# Called by tenacity with the failed attempt's state before each wait (``next_action.sleep``).
BeforeWait = Callable[[RetryCallState], None]


def backoff(max_seconds: float) -> wait_base:
    """0.5 s after the first failure, doubling with each further one, ``max_seconds`` at most."""
    return wait_exponential(multiplier=FIRST_BACKOFF_SECONDS, max=max_seconds)


class RetrySchedule:
    """When to try again something that failed, for a loop that must not sleep meanwhile.

    The main loop retries a failed commit between polls of the consumer (which keep the process
    in its group), so it cannot hand tenacity a function to call and wait for. It steps through
    tenacity's attempts itself instead: :meth:`failed` reports an attempt's error, tenacity decides
    the pause (:func:`backoff`) and calls ``before_wait``, and its sleep only notes ``due_at``.
    One schedule serves one piece of work: a new one starts from the first pause again.
    """

    def __init__(self, max_seconds: float, *, before_wait: BeforeWait) -> None:
        retrying = Retrying(
            wait=backoff(max_seconds),
            stop=stop_never,
            sleep=self._wait_until,
            before_sleep=before_wait,
        )
        self._attempts = iter(retrying)
        self._attempt = next(self._attempts)
        # time.monotonic() from which the next attempt may run.
        self.due_at = 0.0

    def failed(self, error: Exception) -> None:
        """Report that the current attempt failed with ``error``; the next is due at ``due_at``."""
        with self._attempt:
            raise error
        self._attempt = next(self._attempts)

    def _wait_until(self, seconds: float) -> None:
        self.due_at = time.monotonic() + seconds
