"""The clock the practice QuickBooks measures its request limits on, held still by tests.

Intuit allows 10 requests a second per company. Measured on real time, whether a burst of
requests crosses that line depends on how busy the machine is; measured on this clock, which
stands still until a test moves it, the eleventh request is always refused. A client under test
waits on it with `sleep=clock.sleep`, which moves it forward by the wait and records the wait.
"""

from __future__ import annotations

import time


class RequestClock:
    """Seconds that pass only when a test says so (or, after `follow_real_time`, as time does)."""

    def __init__(self) -> None:
        self._seconds = 1_000.0
        self._following_since: float | None = None
        self.waits: list[float] = []

    def __call__(self) -> float:
        if self._following_since is None:
            return self._seconds
        return self._seconds + (time.monotonic() - self._following_since)

    def advance(self, seconds: float) -> None:
        self._seconds += seconds

    def sleep(self, seconds: float) -> None:
        """A client's wait before a retry: it passes at once, on this clock only."""
        self.waits.append(seconds)
        self.advance(seconds)

    def follow_real_time(self) -> None:
        """From now on, move with real time, for code under test that really sleeps."""
        self._seconds = self()
        self._following_since = time.monotonic()
