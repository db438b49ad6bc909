"""The one way the wizard writes a moment down: UTC, to the second, as `2026-05-01T12:00:00Z`.

Used for every time kept in a file (profile, failure log, mapping, test record) and shown in a
message, so they all read and sort the same way.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_timestamp(moment: float | None = None) -> str:
    """`moment` (Unix time; now if not given) as `2026-05-01T12:00:00Z`."""
    when = time.time() if moment is None else moment
    return datetime.fromtimestamp(when, tz=timezone.utc).strftime(FORMAT)
