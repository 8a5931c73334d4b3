"""How the sink retries: tenacity's, with one backoff for everything that waits for a service.

* Catalog, storage or Kafka unavailable: exponential backoff from 0.5 s, doubling up to
  ``ICEBERG_SINK_RETRY_BACKOFF_MAX``, for as long as it takes. Opening the table waits in place
  (:func:`until_stopped`); a failed commit is retried by the main loop, which must go on serving
  the consumer group meanwhile (:class:`RetrySchedule`).
* A commit that lost the race against another writer's (the table moved since it was checked): again
  at once after a random pause of at most 40 ms·2ⁿ⁻¹ (1 s at most), so that replicas which collided
  do not collide again in lockstep; after 20 such losses the commit counts as failed, and is retried
  as above (:func:`on_conflict`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_never,
    stop_when_event_set,
    wait_exponential,
    wait_random_exponential,
)
from tenacity.retry import retry_base
from tenacity.wait import wait_base

FIRST_BACKOFF_SECONDS = 0.5
CONFLICT_ATTEMPTS = 20
_CONFLICT_FIRST_JITTER_SECONDS = 0.04
_CONFLICT_MAX_JITTER_SECONDS = 1.0

# Called by tenacity with the failed attempt's state before each wait (``next_action.sleep``).
BeforeWait = Callable[[RetryCallState], None]


def backoff(max_seconds: float) -> wait_base:
    """0.5 s after the first failure, doubling with each further one, ``max_seconds`` at most."""
    return wait_exponential(multiplier=FIRST_BACKOFF_SECONDS, max=max_seconds)


def until_stopped(
    stop: threading.Event, max_seconds: float, *, retry: retry_base, before_wait: BeforeWait
) -> Retrying:
    """Retries with :func:`backoff`, waiting on ``stop``: once it is set, the call returns None."""

    def wait(seconds: float) -> None:
        stop.wait(seconds)

    return Retrying(
        retry=retry,
        wait=backoff(max_seconds),
        stop=stop_when_event_set(stop),
        sleep=wait,
        before_sleep=before_wait,
        retry_error_callback=lambda _state: None,
    )


def on_conflict(conflict: type[Exception], *, before_wait: BeforeWait) -> Retrying:
    """Retries after ``conflict`` with a growing random pause; raises ``RetryError`` at the end."""
    return Retrying(
        retry=retry_if_exception_type(conflict),
        stop=stop_after_attempt(CONFLICT_ATTEMPTS),
        wait=wait_random_exponential(
            multiplier=_CONFLICT_FIRST_JITTER_SECONDS, max=_CONFLICT_MAX_JITTER_SECONDS
        ),
        before_sleep=before_wait,
    )


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
