"""``sample --funnel full``: the generated requests and every funnel event they lead to, one JSON
object per line, tagged with its type.

Each line is ``{"type": ..., "event_time_ms": ..., "data": ...}`` where ``data`` is the request
(type ``bid_request``) or the funnel event's payload (``bid_response``, ``win``, ``impression``,
``click``; see ``mock_data_gen.funnel.events``); a click reported after its event time also has
``emit_time_ms``. Lines come in the order they would be produced: by the time they are reported,
ties in the order they arose. Events wait in a heap until the stream reaches their time, so
memory holds only the events of the last hour or so (the longest delay: a late click).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterator

from mock_data_gen.funnel import FunnelSimulator


def _line(kind: str, event_ms: int, emit_ms: int, data: bytes) -> bytes:
    emitted = b"" if emit_ms == event_ms else b'"emit_time_ms":%d,' % emit_ms
    return b'{"type":"%s","event_time_ms":%d,%s"data":%s}\n' % (
        kind.encode(),
        event_ms,
        emitted,
        data,
    )


class FunnelLines:
    """Turns batches of generated requests into the funnel's lines, in production order."""

    def __init__(self, seed: int) -> None:
        self._simulator = FunnelSimulator(seed)
        self._times: deque[list[int]] = deque()
        self._pending: list[tuple[int, int, bytes]] = []  # (emit time, arrival order, line)
        self._order = 0

    def recording(self, batches: Iterator[list[int]]) -> Iterator[list[int]]:
        """Passes the batches of event times on, keeping each for the payloads made from it."""
        for batch in batches:
            self._times.append(batch)
            yield batch

    def lines(self, payloads: list[bytes]) -> bytes:
        """The lines due up to the last of these requests: them and their earlier events."""
        parts = []
        for payload, time_ms in zip(payloads, self._times.popleft(), strict=True):
            parts += self._due(time_ms)
            parts.append(_line("bid_request", time_ms, time_ms, payload))
            for event in self._simulator.simulate(payload, time_ms):
                line = _line(event.type, event.event_time_ms, event.emit_time_ms, event.to_json())
                heapq.heappush(self._pending, (event.emit_time_ms, self._order, line))
                self._order += 1
        return b"".join(parts)

    def rest(self) -> bytes:
        """The events still waiting once the requests have ended."""
        return b"".join(self._due(None))

    def _due(self, until_ms: int | None) -> list[bytes]:
        due = []
        while self._pending and (until_ms is None or self._pending[0][0] <= until_ms):
            due.append(heapq.heappop(self._pending)[2])
        return due
