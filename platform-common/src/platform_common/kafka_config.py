"""``KAFKA_EXTRA_CONFIG``: extra librdkafka properties as ``key=value,key=value``, read alike by
every service (SASL, TLS, ...), parsed here and masked here for the start-up log line.

Each service names the properties it sets itself (``reserved``), with the reason, so that the
extra properties cannot undo what its guarantees depend on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PROPERTY_KEY = re.compile(r"^[a-z][a-z0-9._]*$")
_SECRET_KEY = re.compile(r"password|secret|token|sasl\.jaas|private", re.IGNORECASE)


def parse_extra_config(text: str, reserved: Mapping[str, str]) -> dict[str, str]:
    """Parse ``key=value,key=value`` librdkafka properties; raises ``ValueError`` on bad entries
    and on the ``reserved`` keys (mapped to why they cannot be set, e.g. "is set by the sink")."""
    properties: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = entry.partition("=")
        key = key.strip()
        if not sep or not _PROPERTY_KEY.match(key):
            raise ValueError(f"entry {entry.split('=')[0]!r} is not key=value")
        if key in reserved:
            raise ValueError(f"{key} {reserved[key]}")
        properties[key] = value.strip()
    return properties


def mask_extra_config(properties: Mapping[str, str]) -> str:
    """``key=value,...`` with the values of secret-looking keys replaced by ``***``."""
    return ",".join(
        f"{key}={'***' if _SECRET_KEY.search(key) else value}" for key, value in properties.items()
    )
