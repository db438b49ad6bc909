"""Intuit's request limits for one company: more than 10 requests in a second or 500 in a minute
are throttled (error 3001, HTTP 429)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

PER_SECOND_LIMIT = 10
PER_MINUTE_LIMIT = 500


class RequestPacer:
    """Counts each company's recent API requests and says when the next one is over a limit."""

    def __init__(self, enabled: bool, clock: Callable[[], float]) -> None:
        self.enabled = enabled
        # Seconds on the clock the limits are measured on: real time, unless a test holds it
        # still so that a burst of requests is a burst however slow the machine is.
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def over_limit(self, realm: str) -> bool:
        """Whether a request to `realm` now is throttled; a request let through is counted."""
        if not self.enabled:
            return False
        now = self._clock()
        hits = self._hits.setdefault(realm, deque())
        while hits and now - hits[0] >= 60:
            hits.popleft()
        last_second = 0
        for moment in reversed(hits):
            if now - moment >= 1:
                break
            last_second += 1
        if last_second >= PER_SECOND_LIMIT or len(hits) >= PER_MINUTE_LIMIT:
            return True
        hits.append(now)
        return False

    def forget(self) -> None:
        """Start counting afresh (after the limits are switched, or a reset)."""
        self._hits.clear()
