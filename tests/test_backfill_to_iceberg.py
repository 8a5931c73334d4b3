"""A backfill of seven simulated days through the sink: 168 hour partitions in the Iceberg table,
each holding the events its hour's traffic level calls for, each record once.

The generator (``mock-data-gen run`` with ``SPEED=max``) and the sink (``iceberg-sink run``) run
as processes, against the embedded Kafka cluster and an SQLite catalog with its warehouse on
local files; the table is created with the setup's own functions, as ``mock-data-gen setup``
does. The mean rate is low (0.025 events per simulated second, about 15,000 events in all) so
that the run takes seconds, not the minutes that seven days at 50 per second would.
"""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from kafka_testkit import KafkaCluster
from mock_data_gen.lakehouse.setup import create_namespace, create_table
from mock_data_gen.lakehouse.table_schema import bid_request_layout
from mock_data_gen.synthesis.diurnal import ACTIVITY
from mock_data_gen.synthesis.geo import MarketTable
from pyiceberg.catalog import load_catalog
from sink_process import sink_until_committed

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
DAYS = 7
MEAN_RATE = 0.025
GROUP = "iceberg-sink"


def _catalog_env(tmp_path: Path) -> dict[str, str]:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    return {
        "PYICEBERG_CATALOG__DEFAULT__URI": f"sqlite:///{tmp_path / 'catalog.db'}",
        "PYICEBERG_CATALOG__DEFAULT__WAREHOUSE": f"file://{warehouse}",
    }


def _expected_hourly_counts() -> list[int]:
    """Events per UTC hour over the seven days: each market's share times its activity at its
    local hour, summed, over that UTC day's mean; event k falls in the hour where the running
    total passes k."""
    markets = MarketTable()
    first_hour = int(START.timestamp()) // 3600
    rates: list[float] = []
    for day in range(DAYS):
        raw = [
            float((markets.base_share * ACTIVITY[markets.local_time(first_hour + h)[1]]).sum())
            for h in range(day * 24, day * 24 + 24)
        ]
        rates += [MEAN_RATE * level / (sum(raw) / 24) for level in raw]
    cumulative = np.cumsum([0.0] + [rate * 3600 for rate in rates])
    whole = [math.ceil(value - 1e-6) for value in cumulative]
    return [b - a for a, b in itertools.pairwise(whole)]


def test_seven_simulated_days_land_as_168_hour_partitions_following_the_day(
    kafka_cluster: KafkaCluster, kafka_topic: str, tmp_path: Path
) -> None:
    catalog_env = _catalog_env(tmp_path)
    catalog = load_catalog(
        "default",
        uri=catalog_env["PYICEBERG_CATALOG__DEFAULT__URI"],
        warehouse=catalog_env["PYICEBERG_CATALOG__DEFAULT__WAREHOUSE"],
    )
    create_namespace(catalog, "db")
    create_table(catalog, ("db", "bid_requests"), bid_request_layout())
    kafka_cluster.create_topic(f"{kafka_topic}.dlq", 6)
    env = {
        **os.environ,
        **catalog_env,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_cluster.bootstrap_servers,
        "TOPIC_BID_REQUESTS": kafka_topic,
        "METRICS_PORT": "0",
    }
    end = START + timedelta(days=DAYS)
    generator = subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "run"],
        env={
            **env,
            "SIMULATED_START": START.isoformat(),
            "SIMULATED_END": end.isoformat(),
            "SPEED": "max",
            "RATE_PROFILE": "diurnal",
            "EVENTS_PER_SECOND": str(MEAN_RATE),
            "SEED": "3",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert generator.returncode == 0, generator.stderr
    expected = _expected_hourly_counts()
    assert "reason=simulated_end" in generator.stderr
    assert f"delivered={sum(expected)} " in generator.stderr

    sink_until_committed(
        env,
        catalog_env["PYICEBERG_CATALOG__DEFAULT__URI"],
        kafka_topic,
        sum(expected),
        GROUP,
        tmp_path / "sink.log",
    )

    table = catalog.load_table("db.bid_requests")
    rows = table.scan(selected_fields=("event_time", "kafka_partition", "kafka_offset")).to_arrow()
    pairs = list(
        zip(rows["kafka_partition"].to_pylist(), rows["kafka_offset"].to_pylist(), strict=True)
    )
    assert len(pairs) == len(set(pairs)) == sum(expected)  # each record once
    partitions = table.inspect.partitions().to_pylist()
    assert len(partitions) == DAYS * 24
    per_hour = Counter(
        int((moment - START).total_seconds()) // 3600 for moment in rows["event_time"].to_pylist()
    )
    counts = [per_hour[h] for h in range(DAYS * 24)]
    assert counts == expected
    assert sorted(p["record_count"] for p in partitions) == sorted(expected)
    ratio = max(counts) / min(counts)
    print(f"168 hour partitions, {sum(counts)} rows; peak-to-trough of the hours {ratio:.2f}")
    assert 1.5 < ratio < 2.0
    # Event times never decrease within a Kafka partition (jitter 0 in a simulated run).
    by_partition: dict[int, list[tuple[int, datetime]]] = {}
    for partition, offset, moment in zip(
        rows["kafka_partition"].to_pylist(),
        rows["kafka_offset"].to_pylist(),
        rows["event_time"].to_pylist(),
        strict=True,
    ):
        by_partition.setdefault(partition, []).append((offset, moment))
    for partition, entries in by_partition.items():
        times = [moment for _, moment in sorted(entries)]
        assert times == sorted(times), partition
