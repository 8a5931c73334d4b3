"""What a table that ``iceberg-sink`` lands records in holds beside the records' own columns.

``mock-data-gen setup`` creates such a table; the sink reads all of this from the catalog and
imports nothing of the generator:

* **Provenance columns**, required: ``event_time`` (timestamptz, the Kafka record timestamp),
  ``kafka_partition`` (int) and ``kafka_offset`` (long); together the last two identify a record.
* **The table property** ``json-text-fields``: the string columns whose members the records carry
  as JSON objects (or arrays, numbers, ...) that are stored as their compact JSON text, such as the
  OpenRTB ``ext`` objects, whose shape is exchange-defined. Comma-separated dotted paths, as the
  table's schema names its columns: a struct's member is ``parent.member``, a list's element is
  ``element`` (``imp.element.ext`` is the ``ext`` of every ``imp[]``). Absent or empty: none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

EVENT_TIME = "event_time"
KAFKA_PARTITION = "kafka_partition"
KAFKA_OFFSET = "kafka_offset"
PROVENANCE_COLUMNS = (EVENT_TIME, KAFKA_PARTITION, KAFKA_OFFSET)

JSON_TEXT_FIELDS_PROPERTY = "json-text-fields"


def format_json_text_fields(paths: Iterable[str]) -> str:
    """The ``json-text-fields`` property value for the columns ``paths``, in their order."""
    listed = list(dict.fromkeys(paths))
    for path in listed:
        if not path or "," in path or path != path.strip() or "" in path.split("."):
            raise ValueError(f"{path!r} cannot be listed in {JSON_TEXT_FIELDS_PROPERTY}")
    return ",".join(listed)


def parse_json_text_fields(properties: Mapping[str, str]) -> tuple[str, ...]:
    """The columns a table's ``properties`` say hold JSON text (none if the property is absent)."""
    value = properties.get(JSON_TEXT_FIELDS_PROPERTY, "")
    return tuple(dict.fromkeys(path.strip() for path in value.split(",") if path.strip()))
