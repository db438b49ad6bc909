"""The simulator's clock: wall-clock time plus an offset that tests and demos can move forward.

Every expiry the simulator enforces (authorization codes, access tokens, refresh tokens, the
daily refresh-token rotation) is measured on this clock, so a test can jump 101 days ahead
instead of waiting. Request throttling is the one thing measured on real time (or on a clock
the caller gives SimulatorServer, as tests do).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

# Intuit stamps responses with Pacific time; a fixed offset keeps the simulator deterministic.
INTUIT_OFFSET = timezone(timedelta(hours=-7))


class SimulatedClock:
    """Seconds since the epoch, as the simulator sees them."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move simulated time forward (never backward); returns the new time."""
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward")
        self._offset += seconds
        return self.now()

    def reset(self) -> None:
        self._offset = 0.0

    @property
    def offset(self) -> float:
        return self._offset

    def stamp(self) -> str:
        """The `time` field of an Accounting API response, e.g. 2025-03-04T09:17:31.892-07:00."""
        moment = datetime.fromtimestamp(self.now(), INTUIT_OFFSET)
        return moment.isoformat(timespec="milliseconds")

    def record_stamp(self) -> str:
        """A record's MetaData time, in whole seconds as QuickBooks keeps them."""
        moment = datetime.fromtimestamp(self.now(), INTUIT_OFFSET)
        return moment.isoformat(timespec="seconds")

    def today(self) -> str:
        """The simulated date in the company's books (YYYY-MM-DD)."""
        return datetime.fromtimestamp(self.now(), INTUIT_OFFSET).date().isoformat()
