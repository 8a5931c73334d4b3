"""The privacy strings a request carries, read as their IAB specifications define them.

- TCF v2 consent (``user.consent``): only its shape (base64url segments, version 2, long enough
  for the core segment's fixed fields); the fields are not decoded.
"""

from __future__ import annotations

import re

from mock_data_gen.validation.findings import shown

# IAB TCF v2 consent string: base64url segments separated by "."; the core segment opens with the
# 6-bit version (2 encodes as "C") and its fixed fields alone take 213 bits (36 characters).
_TCF_SEGMENTS = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
_TCF_CORE_MIN_CHARS = 36


def tcf_problem(consent: str) -> str | None:
    core = consent.split(".", 1)[0]
    if (
        _TCF_SEGMENTS.fullmatch(consent)
        and core.startswith("C")
        and len(core) >= _TCF_CORE_MIN_CHARS
    ):
        return None
    return (
        "not an IAB TCF v2 consent string (base64url segments separated by '.', the core one "
        f'starting with "C" for version 2), got {shown(consent)}'
    )
