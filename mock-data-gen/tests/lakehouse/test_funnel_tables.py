"""``setup`` with ``FUNNEL=full``: the funnel's topics (with their dead-letter topics) and a table
per event, derived from the record models; nothing of it without ``FUNNEL=full``."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from kafka_testkit import KafkaCluster
from platform_common.table_contract import parse_json_text_fields
from pyiceberg.catalog import load_catalog

from mock_data_gen.funnel import EVENT_TYPES
from mock_data_gen.lakehouse.funnel_tables import (
    ensure_funnel_tables,
    ensure_funnel_topics,
    funnel_layouts,
)
from mock_data_gen.lakehouse.setup import SetupError, SetupSettings

TOPICS = ("TOPIC_BID_RESPONSES", "TOPIC_WINS", "TOPIC_IMPRESSIONS", "TOPIC_CLICKS")


@pytest.fixture
def local_lakehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite catalog with its warehouse on local files; returns the catalog's URI."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    uri = f"sqlite:///{tmp_path / 'catalog.db'}"
    for name, value in {
        "PYICEBERG_HOME": str(tmp_path),
        "ICEBERG_CATALOG": "lake",
        "PYICEBERG_CATALOG__LAKE__TYPE": "sql",
        "PYICEBERG_CATALOG__LAKE__URI": uri,
        "PYICEBERG_CATALOG__LAKE__WAREHOUSE": warehouse.as_uri(),
        "WAREHOUSE_BUCKET": "",
        "SETUP_TIMEOUT_SECONDS": "10",
    }.items():
        monkeypatch.setenv(name, value)
    return uri


def test_nothing_of_the_funnel_without_funnel_full(local_lakehouse: str) -> None:
    settings = SetupSettings()
    assert settings.funnel == "requests"
    assert ensure_funnel_topics(settings) == []
    assert ensure_funnel_tables(settings) == []


def test_a_table_per_event_named_like_its_topic(
    local_lakehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUNNEL", "full")
    monkeypatch.setenv("TOPIC_WINS", "auction_wins")
    catalog = load_catalog("lake", uri=local_lakehouse)
    catalog.create_namespace("db")

    first = ensure_funnel_tables(SetupSettings())
    second = ensure_funnel_tables(SetupSettings())

    names = ["bid_responses", "auction_wins", "impressions", "clicks"]
    assert [(r.name, r.outcome) for r in first] == [(name, "created") for name in names]
    assert [r.outcome for r in second] == ["exists"] * 4
    for kind, name in zip(EVENT_TYPES, names, strict=True):
        table = catalog.load_table(("db", name))
        layout = funnel_layouts()[kind]
        assert table.schema().as_struct() == layout.schema.as_struct()
        assert table.spec() == layout.partition_spec
        assert str(table.spec().fields[0].transform) == "hour"
        assert parse_json_text_fields(table.properties) == layout.json_column_paths
        assert {"event_time", "kafka_partition", "kafka_offset", "request_id"} <= set(
            table.schema().column_names
        )
    # The bid response's ext objects are JSON text; the other events have none.
    assert (
        "response.seatbid.element.bid.element.ext"
        in funnel_layouts()["bid_response"].json_column_paths
    )
    assert funnel_layouts()["click"].json_column_paths == ()


def test_a_dotted_topic_names_a_table_without_its_dots(
    local_lakehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a sink's ICEBERG_TABLE or in a query, "adtech.wins" would be table "wins" of namespace
    # "adtech": the table of topic adtech.wins is adtech_wins, in the request table's namespace.
    monkeypatch.setenv("FUNNEL", "full")
    for variable in TOPICS:
        monkeypatch.setenv(variable, f"adtech.{variable.removeprefix('TOPIC_').lower()}")
    catalog = load_catalog("lake", uri=local_lakehouse)
    catalog.create_namespace("db")

    results = ensure_funnel_tables(SetupSettings())

    names = ["adtech_bid_responses", "adtech_wins", "adtech_impressions", "adtech_clicks"]
    assert [(r.name, r.outcome) for r in results] == [(name, "created") for name in names]
    assert sorted(catalog.list_tables("db")) == sorted(("db", name) for name in names)


@pytest.mark.integration
def test_the_funnel_topics_and_their_dead_letter_topics(
    kafka_cluster: KafkaCluster, local_lakehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"funnel_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_cluster.bootstrap_servers)
    monkeypatch.setenv("FUNNEL", "full")
    names = []
    for variable in TOPICS:
        name = f"{prefix}_{variable.lower()}"
        monkeypatch.setenv(variable, name)
        names += [name, f"{name}.dlq"]
    # The embedded cluster cannot create topics: the one missing is named in the error.
    for name in names[:-1]:
        kafka_cluster.create_topic(name, 6)
    with pytest.raises(SetupError, match=names[-1]):
        ensure_funnel_topics(SetupSettings())
    kafka_cluster.create_topic(names[-1], 6)
    results = ensure_funnel_topics(SetupSettings())
    assert [(r.name, r.outcome) for r in results] == [(name, "exists") for name in names]
    assert all(r.details == {"partitions": 6} for r in results)
