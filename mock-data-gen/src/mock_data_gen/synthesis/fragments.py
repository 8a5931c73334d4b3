"""Pre-serialised JSON pieces and the few values that are formatted per event.

Requests are assembled by joining byte pieces that were serialised once with orjson at start-up
(a site with its publisher, a user's device, a placement's impression), so per event only ids and
prices are formatted, and those in vectorised or table form.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import orjson

# Floors are kept in whole cents; prices above this are clipped (no open-market floor is higher).
MAX_CENTS: Final = 100_000

_HEX: Final = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# Column of each of the 32 hex digits in the 36-character 8-4-4-4-12 UUID text form.
_UUID_DIGIT_COLUMNS: Final = np.array(
    [c for c in range(36) if c not in (8, 13, 18, 23)], dtype=np.int64
)


def dumps(value: Any) -> bytes:
    """Compact JSON (the single serialiser used for every piece)."""
    return orjson.dumps(value)


def members(obj: dict[str, Any]) -> bytes:
    """An object's members without the surrounding braces, for splicing into a larger object."""
    if not obj:
        raise ValueError("members() needs a non-empty object")
    return orjson.dumps(obj)[1:-1]


def uuid4_texts(raw: np.ndarray) -> bytes:
    """RFC 4122 version-4 UUID texts from random 64-bit words, two words per UUID.

    Returns the concatenation of ``len(raw) // 2`` 36-byte texts (slice ``i*36:(i+1)*36``); the
    version and variant bits are set as RFC 4122 §4.4 requires.
    """
    octets = np.ascontiguousarray(raw, dtype=np.uint64).view(np.uint8).reshape(-1, 16).copy()
    octets[:, 6] = (octets[:, 6] & 0x0F) | 0x40
    octets[:, 8] = (octets[:, 8] & 0x3F) | 0x80
    digits = np.empty((len(octets), 32), dtype=np.uint8)
    digits[:, 0::2] = octets >> 4
    digits[:, 1::2] = octets & 0x0F
    text = np.full((len(octets), 36), ord("-"), dtype=np.uint8)
    text[:, _UUID_DIGIT_COLUMNS] = _HEX[digits]
    return text.tobytes()


def cents_table(limit: int = MAX_CENTS) -> list[bytes]:
    """JSON numbers for 0..limit cents (``[b"0.0", b"0.01", ...]``), indexed by cents."""
    return [cents_text(c) for c in range(limit + 1)]


def cents_text(cents: int) -> bytes:
    """The JSON number of an amount in cents (``b"0.01"``)."""
    return repr(cents / 100).encode()
