"""One area's verdict in the status report, and what every area's check is given.

The checks live with the feature that knows the area (connection and token expiry in the doctor,
the mapping in its check, the last $1.00 test in its record); they all speak these types, and the
report in `status` calls them, so this module imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from qbo_wizard.core.display import short_realm, shorten_realm_ids
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.steps import StepId

AreaId = Literal["credentials", "connection", "token-expiry", "mapping", "last-test"]
Verdict = Literal["ok", "warning", "problem", "unknown"]

AREA_TITLES: dict[AreaId, str] = {
    "credentials": "Keys",
    "connection": "Connection",
    "token-expiry": "Token expiry",
    "mapping": "Mapping",
    "last-test": "Last test",
}


@dataclass(frozen=True)
class StatusOptions:
    """How far a check may go."""

    live: bool = False
    """True to talk to Intuit (or the simulator); False for what the profile and keyring say."""
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    short_ids: bool = False
    """Shorten company (realm) IDs to their last digits, for presenter mode."""
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Results the checks of one report share (e.g. one doctor run for several rows)."""

    def realm(self, realm_id: str | None) -> str:
        """A realm ID as this report shows it."""
        return short_realm(realm_id) if self.short_ids else (realm_id or "—")

    def ids(self, text: str) -> str:
        """`text` with every company (realm) ID in it shown as this report shows IDs."""
        return shorten_realm_ids(text) if self.short_ids else text


@dataclass(frozen=True)
class AreaStatus:
    """The verdict on one area, in plain words, and the step that fixes it."""

    area: AreaId
    verdict: Verdict
    why: str
    fix_step: StepId | None = None
    wizard_why: str = ""  # `why` in the wizard's words (steps, keys), when they differ

    @property
    def why_in_wizard(self) -> str:
        """The reason as the wizard's screens show it."""
        return self.wizard_why or self.why

    @property
    def title(self) -> str:
        """The area's name as shown to the user."""
        return AREA_TITLES[self.area]


StatusCheck = Callable[[Profile, StatusOptions], AreaStatus]
"""One area's check: the profile and how far to go in, the verdict out."""


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time from a profile (UTC when it names no zone); None if there is none."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def first_sentence(message: str) -> str:
    """The first sentence of a (possibly long) plain-words message, for a one-line status."""
    head = message.strip().split("\n", 1)[0]
    end = head.find(". ")
    return head if end < 0 else head[: end + 1]
