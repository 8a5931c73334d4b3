"""Runs ``iceberg-sink run`` as a process until the table's snapshots hold a topic's offsets, for
the tests that send the generator's output through the sink."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from pyiceberg.catalog import load_catalog


def committed_offsets(catalog_uri: str, table: str, group: str, topic: str) -> int:
    """Records of ``topic`` the newest snapshot of ``table`` says ``group`` committed."""
    snapshot = load_catalog("default", uri=catalog_uri).load_table(table).current_snapshot()
    if snapshot is None:
        return 0
    offsets = json.loads(snapshot.summary.additional_properties.get(f"kafka.offsets.{group}", "{}"))
    return sum(offsets.get(topic, {}).values())


def sink_until_committed(
    env: dict[str, str], catalog_uri: str, topic: str, records: int, group: str, log: Path
) -> None:
    """Run the sink (committing every second, as ``group``) until ``db.bid_requests`` holds the
    first ``records`` records of ``topic``, then stop it with SIGTERM: it must exit 0."""
    with log.open("wb") as sink_log:
        sink = subprocess.Popen(
            [sys.executable, "-m", "iceberg_sink", "run"],
            env={**env, "COMMIT_INTERVAL_SECONDS": "1", "ICEBERG_SINK_GROUP": group},
            stdout=subprocess.DEVNULL,
            stderr=sink_log,
        )
    try:
        deadline = time.monotonic() + 90
        while committed_offsets(catalog_uri, "db.bid_requests", group, topic) < records:
            assert sink.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        sink.terminate()
        assert sink.wait(60) == 0, log.read_text()[-3000:]
    finally:
        if sink.poll() is None:
            sink.kill()
            sink.wait(10)
