"""Commits against a real (SQLite) catalog: offsets check, unknown outcomes, concurrent writers."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from payloads import payload
from sink_runner import Lakehouse

from iceberg_sink import pyiceberg_compat
from iceberg_sink.arrow_convert import RawRecords, RecordConverter
from iceberg_sink.catalog import json_text_fields, open_table
from iceberg_sink.committer import (
    COMMIT_ID_PROPERTY,
    CommitOutcomeUnknown,
    StalePartitions,
    TableCommitter,
)
from iceberg_sink.data_files import DataFileWriter
from iceberg_sink.offsets import latest_offsets

TOPIC = "bid_requests"
GROUP = "sink"
IDENTIFIER = ("db", "bid_requests")


def _committer(lakehouse: Lakehouse) -> TableCommitter:
    catalog = lakehouse.catalog()
    table = open_table(catalog, IDENTIFIER)
    return TableCommitter(catalog, IDENTIFIER, table, GROUP, TOPIC)


def _files(committer: TableCommitter, partition: int, offsets: range) -> list[Any]:
    """Data files holding records ``offsets`` of ``partition``."""
    converter = RecordConverter(committer.arrow_schema(), json_text_fields(committer.table))
    n = len(offsets)
    records = RawRecords(
        [payload(o) for o in offsets],
        [partition] * n,
        list(offsets),
        [1_767_225_600_000 + o for o in offsets],
        [None] * n,
    )
    writer = DataFileWriter(committer.table, None)
    writer.add(converter.convert(records).table)
    return writer.finish()


def _rows(lakehouse: Lakehouse) -> set[tuple[int, int]]:
    keys = lakehouse.keys("db.bid_requests")
    assert set(keys.values()) <= {1}
    return set(keys)


def test_a_partition_committed_by_another_writer_is_refused(lakehouse: Lakehouse) -> None:
    mine, theirs = _committer(lakehouse), _committer(lakehouse)
    # Both started partition 0 from an empty table; the other writer commits first.
    theirs.commit(_files(theirs, 0, range(0, 10)), {0: 10}, {0: None}, "c1")
    files = _files(mine, 0, range(0, 10)) + _files(mine, 1, range(0, 5))
    with pytest.raises(StalePartitions) as refused:
        mine.commit(files, {0: 10, 1: 5}, {0: None, 1: None}, "c2")
    assert refused.value.table_offsets == {0: 10}
    assert _rows(lakehouse) == {(0, o) for o in range(10)}
    # Without the stale partition the rest lands, and the other writer's offset is kept.
    mine.commit(_files(mine, 1, range(0, 5)), {1: 5}, {1: None}, "c3")
    assert latest_offsets(lakehouse.table().metadata, GROUP) == {TOPIC: {0: 10, 1: 5}}
    assert _rows(lakehouse) == {(0, o) for o in range(10)} | {(1, o) for o in range(5)}
    # A writer whose view of partition 0 is current may go on.
    theirs.commit(_files(theirs, 0, range(10, 12)), {0: 12}, {0: 10}, "c4")
    assert latest_offsets(lakehouse.table().metadata, GROUP) == {TOPIC: {0: 12, 1: 5}}


def test_a_commit_whose_outcome_was_unknown_is_not_appended_twice(lakehouse: Lakehouse) -> None:
    committer = _committer(lakehouse)
    files = _files(committer, 3, range(0, 20))
    first = committer.commit(files, {3: 20}, {3: None}, "same-id")
    # The caller never heard back and tries again with the same batch and commit id.
    again = committer.commit(files, {3: 20}, {3: None}, "same-id")
    assert again.snapshot_id == first.snapshot_id
    table = lakehouse.table()
    assert len(table.metadata.snapshots) == 1
    assert table.current_snapshot().summary[COMMIT_ID_PROPERTY] == "same-id"
    assert _rows(lakehouse) == {(3, o) for o in range(20)}


def _flaky_catalog(lakehouse: Lakehouse, *, lands: bool) -> Any:
    """The real catalog, whose next commit breaks off like a dropped connection: after the
    catalog applied it (``lands``: only the response is lost) or before it got there."""
    catalog = lakehouse.catalog()

    class DroppedConnection(type(catalog)):  # type: ignore[misc]
        broken = True

        def commit_table(self, table: Any, requirements: Any, updates: Any) -> Any:
            if not self.broken:
                return super().commit_table(table, requirements, updates)
            self.broken = False
            if lands:
                super().commit_table(table, requirements, updates)
            raise ConnectionResetError("connection reset by peer")

    return DroppedConnection(catalog.name, **catalog.properties)


@pytest.mark.parametrize("lands", [True, False], ids=["response_lost", "request_lost"])
def test_a_commit_broken_off_mid_request_lands_exactly_once_on_retry(
    lakehouse: Lakehouse, lands: bool
) -> None:
    _committer(lakehouse)  # creates the table
    catalog = _flaky_catalog(lakehouse, lands=lands)
    committer = TableCommitter(catalog, IDENTIFIER, catalog.load_table(IDENTIFIER), GROUP, TOPIC)
    files = _files(committer, 2, range(0, 30))
    with pytest.raises(CommitOutcomeUnknown):
        committer.commit(files, {2: 30}, {2: None}, "broken-off")
    landed = lakehouse.table().metadata.snapshots
    assert len(landed) == (1 if lands else 0)
    # The sink keeps the files and retries the same batch with the same commit id.
    retried = committer.commit(files, {2: 30}, {2: None}, "broken-off")
    table = lakehouse.table()
    (snapshot,) = table.metadata.snapshots
    assert retried.snapshot_id == snapshot.snapshot_id
    if lands:
        # The broken-off commit's snapshot is found and reported, not made again.
        assert snapshot == landed[0]
    assert latest_offsets(table.metadata, GROUP) == {TOPIC: {2: 30}}
    assert _rows(lakehouse) == {(2, o) for o in range(30)}


def test_concurrent_writers_of_different_partitions_all_land(lakehouse: Lakehouse) -> None:
    committers = [_committer(lakehouse) for _ in range(3)]
    batches = 6
    attempts: list[int] = []
    errors: list[BaseException] = []

    def write(partition: int, committer: TableCommitter) -> None:
        try:
            expected: int | None = None
            for batch in range(batches):
                offsets = range(batch * 4, batch * 4 + 4)
                files = _files(committer, partition, offsets)
                result = committer.commit(
                    files, {partition: offsets.stop}, {partition: expected}, f"{partition}-{batch}"
                )
                attempts.append(result.attempts)
                expected = offsets.stop
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(p, c)) for p, c in enumerate(committers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    table = lakehouse.table()
    # One snapshot per commit, each carrying the complete map of the group at that point.
    assert len(table.metadata.snapshots) == len(committers) * batches == len(attempts)
    assert latest_offsets(table.metadata, GROUP) == {TOPIC: dict.fromkeys(range(3), batches * 4)}
    assert _rows(lakehouse) == {(p, o) for p in range(3) for o in range(batches * 4)}


def test_a_snapshot_checked_against_an_old_head_is_never_rebased(lakehouse: Lakehouse) -> None:
    """The offsets check and the append must see the same head, whatever pyiceberg retries."""
    from pyiceberg.exceptions import CommitFailedException

    mine, theirs = _committer(lakehouse), _committer(lakehouse)
    checked = mine.refresh()  # the head this commit's offsets were checked against
    theirs.commit(_files(theirs, 0, range(0, 10)), {0: 10}, {0: None}, "theirs")
    with pytest.raises(CommitFailedException):
        pyiceberg_compat.append_once(
            checked, _files(mine, 1, range(0, 5)), {"kafka.offsets.sink": '{"bid_requests":{}}'}
        )
    table = lakehouse.table()
    assert len(table.metadata.snapshots) == 1
    assert latest_offsets(table.metadata, GROUP) == {TOPIC: {0: 10}}
