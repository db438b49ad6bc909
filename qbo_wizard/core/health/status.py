"""The status of a configured profile: one verdict and one line of why per area.

The wizard's status home shows this on every re-run; a `status` command or an integration can use
it too. Each area is checked by one function named in `STATUS_CHECKS` as `module:function`, so a
feature that knows more points its row at its own check without this module importing it up
front: the connection and token expiry rows read the doctor's checks (`doctor.py`), the last test
row reads what the $1.00 test recorded (`testpost.py`). Checks may block (keyring, network):
call `status_report` off the UI thread.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, cast

from qbo_wizard.core.display import short_realm, shorten_realm_ids
from qbo_wizard.core.problems import WizardError
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

    @property
    def title(self) -> str:
        """The area's name as shown to the user."""
        return AREA_TITLES[self.area]


StatusCheck = Callable[[Profile, StatusOptions], AreaStatus]

# area -> "module:function" of its check, in the order they are shown.
STATUS_CHECKS: dict[AreaId, str] = {
    "credentials": "qbo_wizard.core.health.status:check_credentials",
    "connection": "qbo_wizard.core.health.doctor:connection_status",
    "token-expiry": "qbo_wizard.core.health.doctor:token_expiry_status",
    "mapping": "qbo_wizard.core.mapping.check:check_mapping_status",
    "last-test": "qbo_wizard.core.dollar_test.status:last_check_status",
}


def _resolve(target: str) -> StatusCheck:
    module_name, _, function_name = target.partition(":")
    return cast(StatusCheck, getattr(importlib.import_module(module_name), function_name))


def status_report(profile: Profile, options: StatusOptions | None = None) -> list[AreaStatus]:
    """Run every area's check; a check that fails becomes an `unknown` verdict, never a crash.

    Args:
        profile: The profile to check.
        options: Whether to go live, and the time to judge expiry dates against.

    Returns:
        One `AreaStatus` per area, in `STATUS_CHECKS` order.
    """
    options = options or StatusOptions()
    report: list[AreaStatus] = []
    for area, target in STATUS_CHECKS.items():
        try:
            report.append(_resolve(target)(profile, options))
        except WizardError as error:
            report.append(AreaStatus(area, "problem", str(error)))
        except Exception as error:  # a broken check must not hide the other areas
            report.append(
                AreaStatus(area, "unknown", f"Could not be checked ({type(error).__name__}).")
            )
    return report


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


def check_credentials(profile: Profile, options: StatusOptions) -> AreaStatus:
    """Keys: both are in the keyring (the keyring itself is usable)."""
    from qbo_wizard.core.connection.credentials import MissingCredentials, load_credentials

    try:
        credentials = load_credentials(profile.name)
    except MissingCredentials:
        return AreaStatus("credentials", "problem", "No keys saved yet.", "credentials")
    return AreaStatus(
        "credentials",
        "ok",
        f"{profile.key_set.capitalize()} keys saved (client ID {credentials.hint}).",
        "credentials",
    )
