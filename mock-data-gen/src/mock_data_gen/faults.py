"""Faults on purpose: a chosen fraction of the events is sent broken, late, twice or oversized.

Pipeline owners test their dead-letter, de-duplication and late-data paths with this. Each kind is
a fraction of the generated events (``FaultFractions``; at most one fault an event, so the
fractions add up to 1 at most); every record a fault touched carries the header ``fault`` naming
its kind, and most a ``fault-detail`` saying what exactly was done:

``malformed-json``  the value cut off at a random byte (a producer that died mid-write): never
                    JSON, since a proper prefix of a compact JSON object lacks its closing brace.
``schema-invalid``  valid JSON that breaks the OpenRTB request in one of two mistakes seen in
                    practice: ``imp[0].bidfloor`` as a string (``"0.35"``), or no ``imp`` at all.
                    Both are refused by the table the setup creates (``bidfloor`` is a double
                    column, ``imp`` a required one), so a sink dead-letters them.
``duplicate``       the record sent a second time right after the first: same key, value,
                    timestamp and headers (both copies carry ``fault: duplicate``), as an
                    at-least-once upstream does after a retry. Kafka gives the copy its own offset.
``late``            the record's timestamp (its event time) 2 to 10 minutes behind, the value
                    unchanged: the event of a client that buffered it.
``oversize``        a valid request grown to ``OVERSIZE_BYTES`` by an incompressible
                    ``ext.padding`` string: just under the default record limits of the producer
                    (``message.max.bytes``, 1,000,000) and the broker (1,048,588), so it is
                    delivered and is a row like any other; a topic or producer with a lower limit
                    refuses it, which the run reports as failed deliveries.

Which events are hit depends only on the seed and the event's index in the run, not on how the
run is cut into batches: event ``i`` draws ``u = frac(offset + i / golden ratio)`` (a Weyl
sequence, computed exactly in 64-bit integers) and the kind is the fraction's interval ``u``
falls in. The sequence is evenly spread, so over any run the realised fraction of each kind is
within a few events of the configured one (random draws would be off by their sampling error),
and faults come spread through the stream rather than in clumps. What is done to a hit event
(where a value is cut, how late, which mistake) comes from a hash of the seed and its index.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from typing import Any

import numpy as np
import orjson

FAULT_HEADER = "fault"
DETAIL_HEADER = "fault-detail"
# Record value size of an oversize fault (see the module doc for why this size).
OVERSIZE_BYTES = 900_000
LATE_MIN_MS = 2 * 60_000
LATE_MAX_MS = 10 * 60_000
_MASK = (1 << 64) - 1
# 2**64 divided by the golden ratio, made odd: the Weyl sequence's step visits every 64-bit value.
_WEYL_STEP = 0x9E3779B97F4A7C15

Header = tuple[str, str | bytes | None]


@dataclass(frozen=True, slots=True)
class FaultFractions:
    """The fraction of generated events given each fault; the header value is the kind's name
    with dashes (``malformed_json`` -> ``malformed-json``)."""

    malformed_json: float = 0.0
    schema_invalid: float = 0.0
    duplicate: float = 0.0
    late: float = 0.0
    oversize: float = 0.0

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in fields(cls))

    @classmethod
    def problem(cls, values: Mapping[str, float]) -> str | None:
        """What is wrong with these fractions, or None: each in [0, 1], together at most 1."""
        for name, value in values.items():
            if not 0 <= value <= 1:
                return f"{name}={value!r}: expected a fraction from 0 to 1"
        total = sum(values.values())
        if total > 1 + 1e-9:
            return (
                f"the fault fractions add up to {total:g}; expected at most 1 (an event gets at "
                "most one fault)"
            )
        return None

    @property
    def any(self) -> bool:
        return any(value > 0 for value in astuple(self))


def header_value(name: str) -> bytes:
    return name.replace("_", "-").encode()


def _mix(seed: int, index: int) -> int:
    """A 64-bit hash of (seed, index) (splitmix64's finaliser): the details of one fault."""
    z = (seed * 0xBF58476D1CE4E5B9 + index * _WEYL_STEP + 0x632BE59BD9B5A5B5) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


@dataclass(slots=True)
class Faulted:
    """A batch after injection: one entry a record (duplicates add records); ``headers`` is the
    full header list of each record."""

    payloads: list[bytes]
    keys: list[Any]
    timestamps: list[int]
    headers: list[list[Header]]


class FaultInjector:
    """Applies ``fractions`` to batches of records, by the index of their first event."""

    def __init__(self, fractions: FaultFractions, seed: int) -> None:
        self.fractions = fractions
        self._seed = seed & _MASK
        self._offset = np.uint64(_mix(seed, -1) & _MASK)
        pairs = zip(fractions.names(), astuple(fractions), strict=True)
        self._kinds = [name for name, value in pairs if value > 0]
        cumulative = np.cumsum([getattr(fractions, name) for name in self._kinds])
        # Interval ends in 64-bit units: u < bounds[k] falls in kind k (the first one it is below).
        self._bounds = np.array([min(int(c * 2.0**64), _MASK) for c in cumulative], dtype=np.uint64)
        self.injected: dict[str, int] = dict.fromkeys(fractions.names(), 0)

    def kinds_of(self, first_index: int, count: int) -> np.ndarray:
        """Per event ``first_index + j``: the index into the configured kinds, or ``len(kinds)``
        for an event that stays as it is."""
        index = np.arange(first_index, first_index + count, dtype=np.uint64)
        with np.errstate(over="ignore"):
            u = self._offset + index * np.uint64(_WEYL_STEP)  # wraps modulo 2**64, as meant
        return np.searchsorted(self._bounds, u, side="right")

    def events_for_records(self, first_index: int, events: int, records: int) -> int:
        """How many of the ``events`` events from ``first_index`` it takes to make ``records``
        records, a duplicated event making two (all of them when they make fewer): the last may
        make one more than ``records``."""
        if "duplicate" not in self._kinds:
            return min(events, records)
        doubled = self.kinds_of(first_index, events) == self._kinds.index("duplicate")
        made = np.cumsum(1 + doubled)
        return min(int(np.searchsorted(made, records)) + 1, events)

    def inject(
        self,
        first_index: int,
        payloads: Sequence[bytes],
        keys: Sequence[Any],
        timestamps: Sequence[int],
        headers: list[Header],
    ) -> Faulted | None:
        """The records with faults applied, or None when no event of the batch is hit."""
        kinds = self.kinds_of(first_index, len(payloads))
        hit = np.flatnonzero(kinds < len(self._kinds))
        if not len(hit):
            return None
        out = Faulted(list(payloads), list(keys), list(timestamps), [headers] * len(payloads))
        duplicates: list[int] = []
        for position in hit.tolist():
            name = self._kinds[kinds[position]]
            self.injected[name] += 1
            detail = _mix(self._seed, first_index + position)
            marked = [*headers, (FAULT_HEADER, header_value(name))]
            if name == "malformed_json":
                value = out.payloads[position]
                cut = 1 + detail % (len(value) - 1)
                out.payloads[position] = value[:cut]
                marked.append((DETAIL_HEADER, f"cut at byte {cut} of {len(value)}".encode()))
            elif name == "schema_invalid":
                out.payloads[position], what = _break_schema(out.payloads[position], detail)
                marked.append((DETAIL_HEADER, what.encode()))
            elif name == "late":
                behind = LATE_MIN_MS + detail % (LATE_MAX_MS - LATE_MIN_MS + 1)
                out.timestamps[position] -= behind
                marked.append((DETAIL_HEADER, f"{behind} ms behind".encode()))
            elif name == "oversize":
                out.payloads[position] = _grow(out.payloads[position], detail)
                marked.append((DETAIL_HEADER, f"grown to {OVERSIZE_BYTES} bytes".encode()))
            else:
                duplicates.append(position)
            out.headers[position] = marked
        # Inserted from the back, so the positions still ahead stay valid.
        for position in reversed(duplicates):
            out.payloads.insert(position + 1, out.payloads[position])
            out.keys.insert(position + 1, out.keys[position])
            out.timestamps.insert(position + 1, out.timestamps[position])
            out.headers.insert(position + 1, out.headers[position])
        return out


def _break_schema(value: bytes, detail: int) -> tuple[bytes, str]:
    request = orjson.loads(value)
    if detail % 2 == 0:
        imp = request["imp"][0]
        # The floor the sender meant, written as a string, as some JavaScript wrappers do.
        imp["bidfloor"] = f"{float(imp.get('bidfloor', 0.5)):.2f}"
        what = "imp[0].bidfloor is a string"
    else:
        del request["imp"]
        what = "imp is missing"
    return orjson.dumps(request), what


def _grow(value: bytes, detail: int) -> bytes:
    request = orjson.loads(value)
    ext = request.get("ext") or {}
    ext["padding"] = ""
    request["ext"] = ext
    fill = OVERSIZE_BYTES - len(orjson.dumps(request))
    # Random base64 text: JSON-safe, and compression cannot shrink it below the limits.
    raw = random.Random(detail).randbytes(fill * 3 // 4 + 3)
    ext["padding"] = base64.b64encode(raw)[:fill].decode()
    return orjson.dumps(request)
