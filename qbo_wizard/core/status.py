"""The status of a configured profile: one verdict and one line of why per area.

The wizard's status home shows this on every re-run; a `status` command or an integration can use
it too. Each area is checked by one function named in `STATUS_CHECKS` as `module:function`, so a
feature that knows more (a live connection test, the mapping rules, the test posting) points its
row at its own check without this module importing it up front. Checks may block (keyring,
network): call `status_report` off the UI thread.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal, cast

from qbo_wizard.core.display import short_realm
from qbo_wizard.core.problems import EXIT_RECONNECT, WizardError
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.steps import StepId

AreaId = Literal["credentials", "connection", "token-expiry", "mapping", "last-test"]
Verdict = Literal["ok", "problem", "unknown"]

AREA_TITLES: dict[AreaId, str] = {
    "credentials": "Keys",
    "connection": "Connection",
    "token-expiry": "Token expiry",
    "mapping": "Mapping",
    "last-test": "Last test",
}

# Warn this many days before the connection's refresh token runs out (Intuit's own in-product
# notice comes 30 days ahead).
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class StatusOptions:
    """How far a check may go."""

    live: bool = False
    """True to talk to Intuit (or the simulator); False for what the profile and keyring say."""
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    short_ids: bool = False
    """Shorten company (realm) IDs to their last digits, for presenter mode."""

    def realm(self, realm_id: str | None) -> str:
        """A realm ID as this report shows it."""
        return short_realm(realm_id) if self.short_ids else (realm_id or "—")


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
    "credentials": "qbo_wizard.core.status:check_credentials",
    "connection": "qbo_wizard.core.status:check_connection",
    "token-expiry": "qbo_wizard.core.status:check_token_expiry",
    "mapping": "qbo_wizard.core.mapping_check:check_mapping_status",
    "last-test": "qbo_wizard.core.status:check_last_test",
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


def _parse_time(value: str | None) -> datetime | None:
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
    from qbo_wizard.core.credentials import MissingCredentials, load_credentials

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


def check_connection(profile: Profile, options: StatusOptions) -> AreaStatus:
    """Connection: tokens are stored, and (live) QuickBooks answers for the same company."""
    from qbo_wizard.core.tokens import token_status

    stored = token_status(profile.name)
    if not stored.connected or not profile.realm_id:
        return AreaStatus("connection", "problem", "Not connected to a company yet.", "connect")
    company = f"{profile.company_name or 'The company'} (realm {options.realm(profile.realm_id)})"
    if not options.live:
        return AreaStatus("connection", "ok", f"{company}; not checked live.", "connect")
    from qbo_wizard.core.api import QboApi

    try:
        # A status line should answer promptly: retry at once rather than back off.
        api = QboApi.for_profile(profile.name, sleep=lambda seconds: None)
        info = api.company_info()
    except WizardError as error:
        from qbo_wizard.core.tokens import ReconnectRequired

        if isinstance(error, ReconnectRequired) or error.exit_code == EXIT_RECONNECT:
            why = f"QuickBooks no longer accepts the connection to {company}: reconnect."
            return AreaStatus("connection", "problem", why, "connect")
        return AreaStatus("connection", "unknown", first_sentence(str(error)), "troubleshoot")
    name = info.get("CompanyName") or profile.company_name or "the company"
    return AreaStatus(
        "connection",
        "ok",
        f"{name} (realm {options.realm(profile.realm_id)}) answered just now.",
        "connect",
    )


def check_token_expiry(profile: Profile, options: StatusOptions) -> AreaStatus:
    """Token expiry: days left before the refresh token (rolling or hard cap) runs out."""
    from qbo_wizard.core.tokens import token_status

    stored = token_status(profile.name)
    if not stored.connected:
        return AreaStatus("token-expiry", "problem", "No connection yet.", "connect")
    ends = [
        moment
        for moment in (
            _parse_time(stored.refresh_expires_at or profile.refresh_token_expires_at),
            _parse_time(stored.refresh_hard_expires_at or profile.refresh_token_hard_expires_at),
        )
        if moment is not None
    ]
    if not ends:
        return AreaStatus("token-expiry", "unknown", "No expiry date recorded.", "connect")
    end = min(ends)
    days = (end - options.now).days
    if end <= options.now:
        return AreaStatus(
            "token-expiry", "problem", f"Expired on {end:%d %b %Y}: reconnect.", "connect"
        )
    if days < EXPIRY_WARNING_DAYS:
        return AreaStatus(
            "token-expiry",
            "problem",
            f"Expires in {days} days ({end:%d %b %Y}): reconnect before then.",
            "connect",
        )
    return AreaStatus(
        "token-expiry",
        "ok",
        f"Good until {end:%d %b %Y} ({days} days); each use extends it.",
        "connect",
    )


def check_last_test(profile: Profile, options: StatusOptions) -> AreaStatus:
    """Last test: the outcome of the most recent $1.00 test posting."""
    test = profile.last_test
    if not test:
        return AreaStatus("last-test", "problem", "No test posted yet.", "test")
    at = _parse_time(str(test.get("at", "")))
    when = f" on {at:%d %b %Y}" if at else ""
    if test.get("ok") is True:
        return AreaStatus("last-test", "ok", f"Passed{when}.", "test")
    summary = str(test.get("summary", "")).strip() or "see step 9 for the error"
    return AreaStatus("last-test", "problem", f"Failed{when}: {summary}", "test")
