"""The setup's steps for ``FUNNEL=full``: a topic, a dead-letter topic and a table per event.

Only with ``FUNNEL=full`` in the setup's environment (as for ``run``): a stack that streams the
requests alone gets nothing it does not use, and a cluster that cannot create topics (the
embedded one) is not asked for four more. Each topic gets the request topic's partition count
(``TOPIC_PARTITIONS``), so that events keyed like their request land in the same partition number
(design §3.6, co-partitioning). Each table is named like its topic, each dot an underscore (a
dot in a table's name would be read as the end of its namespace: ``topic_table_name``), in the
request table's namespace, derived from the event's record model (``funnel.records``) as the
request table is from ``BidRequest``: the provenance columns, hour partitions on ``event_time``,
and the ``json-text-fields`` property listing the ``ext`` objects of a bid response.
"""

from __future__ import annotations

from functools import cache

from platform_common.settings import dead_letter_topic, topic_table_name

from mock_data_gen.funnel import EVENT_TYPES
from mock_data_gen.lakehouse.setup import (
    SetupSettings,
    StepResult,
    _ensure_kafka_topic,
    connect_catalog,
    ensure_table,
)
from mock_data_gen.lakehouse.table_schema import TableLayout, derive_table_layout


@cache
def funnel_layouts() -> dict[str, TableLayout]:
    """The layout of each funnel event's table, by event type."""
    from mock_data_gen.funnel.records import RECORD_MODELS

    return {
        kind: derive_table_layout(RECORD_MODELS[kind], kind.replace("_", " "))
        for kind in EVENT_TYPES
    }


def funnel_topics(settings: SetupSettings) -> dict[str, str]:
    """The topic of each event type (the names ``run`` writes to)."""
    return dict(
        zip(
            EVENT_TYPES,
            (
                settings.topic_bid_responses,
                settings.topic_wins,
                settings.topic_impressions,
                settings.topic_clicks,
            ),
            strict=True,
        )
    )


def ensure_funnel_topics(settings: SetupSettings) -> list[StepResult]:
    """Each funnel topic and its ``<topic>.dlq`` (nothing unless ``FUNNEL=full``)."""
    if settings.funnel != "full":
        return []
    results = []
    for topic in funnel_topics(settings).values():
        results.append(_ensure_kafka_topic(settings, topic))
        results.append(_ensure_kafka_topic(settings, dead_letter_topic(topic)))
    return results


def ensure_funnel_tables(settings: SetupSettings) -> list[StepResult]:
    """Each funnel event's table, named like its topic (``topic_table_name``; nothing unless
    ``FUNNEL=full``); an existing one gains the columns its model gained, as the request table
    does."""
    if settings.funnel != "full":
        return []
    catalog = connect_catalog(settings)
    namespace = settings.table_identifier[0]
    layouts = funnel_layouts()
    results = []
    for kind, topic in funnel_topics(settings).items():
        table = topic_table_name(topic)
        results.append(ensure_table(settings, catalog, (namespace, table), table, layouts[kind]))
    return results
