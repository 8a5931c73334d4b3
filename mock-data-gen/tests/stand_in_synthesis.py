"""A small generator honouring the GENERATOR CONTRACT of ``mock_data_gen.synthesis``.

The service tests run against it until the realistic generator is available; it is installed in a
child process as ``mock_data_gen.synthesis`` (see ``service_process.py``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import orjson


@dataclass(frozen=True, slots=True)
class BidRequestRecord:
    request_id: str
    user_id: str
    publisher_id: str
    event_time_ms: int
    payload: bytes


class BidRequestGenerator:
    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)

    def generate(self, event_time_ms: int) -> BidRequestRecord:
        rng = self._rng
        request_id = f"{rng.getrandbits(128):032x}"
        user_id = f"u{rng.randrange(5000):05d}"
        publisher_id = f"pub-{rng.randrange(50)}"
        request = {
            "id": request_id,
            "imp": [{"id": "1", "banner": {"w": 300, "h": 250}, "bidfloor": 0.5}],
            "site": {"id": "s1", "domain": "example.com", "publisher": {"id": publisher_id}},
            "device": {"ua": "Mozilla/5.0 (X11; Linux x86_64)", "ip": "192.0.2.1"},
            "user": {"id": user_id},
            "at": 1,
            "tmax": 120,
            "cur": ["USD"],
            "ext": {"pad": "x" * rng.randrange(400, 900)},
        }
        return BidRequestRecord(
            request_id, user_id, publisher_id, event_time_ms, orjson.dumps(request)
        )

    def generate_batch(self, event_times_ms: Sequence[int]) -> list[BidRequestRecord]:
        return [self.generate(t) for t in event_times_ms]
