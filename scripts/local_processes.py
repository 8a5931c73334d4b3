"""The processes scripts/local_run.py starts and how they are stopped, the stop signals it receives,
the waits in between, and its messages (on stderr, prefixed with ``SCRIPT``).

Every process started here runs in a session of its own, so Ctrl+C in the terminal reaches the
script alone; ``Signals`` decides what a stop signal does (passed on to the process that
``forward_to`` names, or kept to stop everything). ``Supervisor`` starts the processes and stops
them, one that does not stop in time is killed. Long waits report progress every few seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import NoReturn

SCRIPT = "run-local.sh"  # the name messages start with; demo.py sets its own
# The virtual environment this runs from: run-local.sh starts $VENV/bin/python.
BIN = Path(sys.prefix) / "bin"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

PROGRESS_EVERY_SECONDS = 5.0
# How long a child may take to stop before it is killed: the sink's ICEBERG_SINK_SHUTDOWN_TIMEOUT
# plus this margin (closing its consumer and producer), the generator FLUSH_TIMEOUT_SECONDS plus it.
STOP_MARGIN_SECONDS = 15.0


def say(message: str) -> None:
    print(f"{SCRIPT}: {message}", file=sys.stderr, flush=True)


class Failure(Exception):
    """Something the run needs failed; the message says what, and where to look."""


class Interrupted(Exception):
    """A stop signal arrived while no generator was running to pass it on to."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


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


class Supervisor:
    """The processes started here, each in a session of its own, and how each is stopped."""

    def __init__(self) -> None:
        self.signals = Signals()
        self.children: list[Child] = []
        self.mdg = str(BIN / "mock-data-gen")

    def start(
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

    def wait_for_exit(self, child: Child) -> int:
        """Wait until ``child`` exits by itself; a stop signal stops everything."""
        wait_until(
            lambda: not child.running, seconds=None, waiting_for=child.name, signals=self.signals
        )
        return child.status

    def stop(self, child: Child) -> int:
        """Stop ``child`` if it runs, killing it if it takes too long; return its exit code."""
        (status,) = self.stop_together([child])
        return status

    def stop_together(self, children: list[Child]) -> list[int]:
        """Stop each of ``children`` that runs, all at once (each is sent its stop signal once),
        killing one that takes longer than its ``stop_seconds``; return their exit codes."""
        start = time.monotonic()
        stopping = [child for child in children if child.running]
        for child in stopping:
            child.process.send_signal(child.stop_signal)
        for child in stopping:
            self._wait_for_stop(child, start + child.stop_seconds)
        return [child.status for child in children]

    @staticmethod
    def _wait_for_stop(child: Child, deadline: float) -> None:
        why = f" ({child.why_stopping_takes_time})" if child.why_stopping_takes_time else ""
        if not wait_until(
            lambda: not child.running,
            seconds=max(0.0, deadline - time.monotonic()),
            waiting_for=f"{child.name} to stop{why}",
            signals=None,
        ):
            say(f"{child.name} did not stop within {child.stop_seconds:g} s: killing it")
            child.process.kill()
            child.process.wait()


def become(program: str, *args: str) -> NoReturn:
    """Replace this process with ``program``: its exit code and signals are the script's."""
    try:
        os.execv(program, [program, *args])
    except OSError as exc:
        say(f"error: could not run {program}: {exc}")
        sys.exit(EXIT_FAILURE)
