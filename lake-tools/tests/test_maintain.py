"""``lake maintain`` on real tables: expiry keeps each group's newest offsets readable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import LakeRunner, S3Server, local_lakehouse
from lakehouse import Lakehouse, append, generate

from lake_tools.exit_codes import EXIT_OK
from lake_tools.offsets_summary import committed_offsets

Lake = Callable[[Lakehouse], LakeRunner]


@pytest.fixture(params=["local", "s3"])
def lakehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Lakehouse:
    if request.param == "local":
        return local_lakehouse(tmp_path)
    server: S3Server = request.getfixturevalue("s3_server")
    return Lakehouse(
        f"sqlite:///{tmp_path / 'catalog.db'}",
        f"s3://warehouse/maintain-{tmp_path.name}/",
        s3_endpoint=server.endpoint,
    )


def test_expiry_keeps_the_newest_offsets_of_each_group_and_the_way_to_them(
    lakehouse: Lakehouse, lake: Lake
) -> None:
    records = generate(40, partitions=2, rate=1.0)
    table = lakehouse.create_bid_request_table()
    ids = []
    # Group a commits twice, group b once, then a again: b's newest offsets are in the third.
    for chunk, group in zip(
        (records[:10], records[10:20], records[20:30], records[30:]),
        ("a", "a", "b", "a"),
        strict=True,
    ):
        table = append(table, chunk, group=group)
        ids.append(table.current_snapshot().snapshot_id)

    run = lake(lakehouse)("maintain", "--retain-hours", "0")

    assert run.code == EXIT_OK, run.err
    table = lakehouse.table()
    assert [s.snapshot_id for s in table.snapshots()] == ids[2:]
    assert "expired 2 older than" in run.out
    assert f"kept for kafka.offsets.b: snapshot {ids[2]}" in run.out
    # What the sink reads on start-up is still there for both groups.
    assert committed_offsets(table, "b", "bid_requests") != {}
    assert committed_offsets(table, "a", "bid_requests") == {0: 20, 1: 20}
    assert table.scan().count() == 40
    assert "4 of 4 data files are small" in run.out


def test_a_retention_keeps_recent_snapshots_and_dry_run_commits_nothing(
    lakehouse: Lakehouse, lake: Lake
) -> None:
    table = lakehouse.create_bid_request_table()
    records = generate(20, partitions=2, rate=1.0)
    table = append(table, records[:10])
    append(table, records[10:])

    dry = lake(lakehouse)("maintain", "--retain-hours", "0", "--dry-run")
    kept = lake(lakehouse)("maintain", "--retain-hours", "24")

    assert dry.code == EXIT_OK and "would expire 1" in dry.out
    assert kept.code == EXIT_OK and "expired 0" in kept.out
    assert len(lakehouse.table().snapshots()) == 2
    assert "event_time_hour=2026-01-14-20" in kept.out
