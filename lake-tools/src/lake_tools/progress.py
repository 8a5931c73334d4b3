"""A progress line every few seconds while a command reads data files, so a long read is seen."""

from __future__ import annotations

import logging
import time

from platform_common.logs import log_event

logger = logging.getLogger("lake_tools.progress")
EVERY_SECONDS = 5.0


class Progress:
    """Counts files and rows read; logs ``event=progress`` at most every ``EVERY_SECONDS``."""

    def __init__(self, what: str, total_files: int) -> None:
        self.what = what
        self.total_files = total_files
        self.files = 0
        self.rows = 0
        self._started = self._last = time.monotonic()

    def file_done(self) -> None:
        self.files += 1
        now = time.monotonic()
        if now - self._last >= EVERY_SECONDS:
            self._last = now
            self._log("progress", now)

    def finish(self) -> None:
        now = time.monotonic()
        if now - self._started >= EVERY_SECONDS:
            self._log("read_done", now)

    def _log(self, event: str, now: float) -> None:
        log_event(
            logger,
            logging.INFO,
            event,
            what=self.what,
            files=f"{self.files}/{self.total_files}",
            rows=self.rows,
            seconds=round(now - self._started, 1),
        )
