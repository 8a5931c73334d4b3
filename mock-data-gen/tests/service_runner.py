"""Runs ``mock-data-gen`` in child processes and reads their ``key=value`` log lines."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def parse_line(line: str) -> dict[str, str]:
    """One ``key=value`` log line as a dict (values unquoted)."""
    fields = {}
    for token in shlex.split(line):
        key, _, value = token.partition("=")
        fields[key] = value
    return fields


@dataclass
class ServiceProcess:
    """A running ``mock-data-gen`` child; stderr (the log) goes to ``log_path``."""

    process: subprocess.Popen[bytes]
    log_path: Path
    stdout_path: Path

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines()

    def events_named(self, event: str) -> list[dict[str, str]]:
        return [
            fields
            for fields in (parse_line(line) for line in self.log_lines() if "event=" in line)
            if fields.get("event") == event
        ]

    def wait_for_event(self, event: str, timeout: float = 30.0) -> dict[str, str]:
        """The first log line with ``event=event``; fails if the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.events_named(event)
            if found:
                return found[0]
            if self.process.poll() is not None:
                raise AssertionError(
                    f"exited {self.process.returncode} before {event}:\n{self.log()}"
                )
            time.sleep(0.05)
        raise AssertionError(f"no {event} within {timeout}s:\n{self.log()}")

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0) -> int:
        self.process.send_signal(sig)
        return self.wait(timeout)

    def wait(self, timeout: float = 60.0) -> int:
        return self.process.wait(timeout)

    def summary(self) -> dict[str, str]:
        summaries = self.events_named("summary")
        assert len(summaries) == 1, self.log()
        return summaries[0]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")


class ServiceRunner:
    """Starts service processes with a clean environment plus the given settings."""

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._processes: list[ServiceProcess] = []

    def start(self, *args: str, **settings: str | int | float) -> ServiceProcess:
        env = {
            key: value
            for key, value in os.environ.items()
            # Settings come only from the test, never from the developer's shell.
            if key not in ("KAFKA_BOOTSTRAP_SERVERS", "EVENTS_PER_SECOND", "TOPIC_BID_REQUESTS")
        }
        env.update({"METRICS_PORT": "0", "PYTHONUNBUFFERED": "1"})
        env.update({key: str(value) for key, value in settings.items()})
        index = len(self._processes)
        log_path = self._workdir / f"service-{index}.log"
        stdout_path = self._workdir / f"service-{index}.out"
        command = [sys.executable, "-m", "mock_data_gen", *args]
        with log_path.open("wb") as log, stdout_path.open("wb") as out:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=log)
        started = ServiceProcess(process, log_path, stdout_path)
        self._processes.append(started)
        return started

    def kill_all(self) -> None:
        for started in self._processes:
            if started.process.poll() is None:
                started.process.kill()
                started.process.wait(10)
