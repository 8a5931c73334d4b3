"""What the generator hands out: one ``BidRequestRecord`` per request, or a column-wise
``RecordBatch`` of consecutive requests.

The producer service sends batches column by column (payloads, keys, timestamps), so it never
pays for an object per event; the ids it does not key on are only sliced out when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

# Length of a UUID's 8-4-4-4-12 text form, the shape of every request id.
_ID_LENGTH = 36
# Each request draws two UUIDs: its id, then its source.tid.
_IDS_PER_REQUEST = 2 * _ID_LENGTH


@dataclass(frozen=True, slots=True)
class BidRequestRecord:
    """One generated bid request and the keys a sink needs."""

    request_id: str  # == BidRequest.id
    # == user.id; stable pseudonymous id, the default Kafka key. Empty for child-directed (COPPA)
    # requests, which carry no persistent identifier.
    user_id: str
    publisher_id: str  # == site/app/dooh .publisher.id
    event_time_ms: int
    payload: bytes  # the BidRequest as compact UTF-8 JSON


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """Consecutive generated requests, column-wise; index ``i`` of each column is request ``i``."""

    payloads: list[bytes]  # each BidRequest as compact UTF-8 JSON
    user_ids: list[str]  # as BidRequestRecord.user_id ("" for child-directed requests)
    event_times_ms: list[int]
    # Per request, back to back: its id (BidRequest.id) then its source.tid, 36 characters each.
    id_text: str
    properties: list[int]  # the generator's property index of each request
    publisher_of_property: list[str]  # publisher.id by property index

    def __len__(self) -> int:
        return len(self.payloads)

    def request_ids(self) -> list[str]:
        text = self.id_text
        return [text[i : i + _ID_LENGTH] for i in range(0, len(text), _IDS_PER_REQUEST)]

    def publisher_ids(self) -> list[str]:
        publisher = self.publisher_of_property
        return [publisher[p] for p in self.properties]

    def records(self) -> list[BidRequestRecord]:
        return [
            BidRequestRecord(*fields)
            for fields in zip(
                self.request_ids(),
                self.user_ids,
                self.publisher_ids(),
                self.event_times_ms,
                self.payloads,
                strict=True,
            )
        ]
