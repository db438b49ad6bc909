"""Who holds a profile's connection after a sealed hand-off, and the refusal that keeps it one.

Intuit replaces the refresh token as it is used, and the replaced one stops working: two
holders refreshing the same connection end with one of them (often both) disconnected. So
once the connection has been handed to a hosted integration's vendor, this computer stops using
it. The profile file records the hand-off (`handoff:` with the vendor's name and the time, never
a secret), and every local use of the tokens asks `refuse_if_handed_off` first.

A reconnect made after the hand-off (a password change, a new app) is a new connection that this
computer holds again until it too is handed over: tokens Intuit issued after the ones handed
over are not refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from qbo_wizard.core.problems import ConfigFileError, Fix, WizardError
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.core.steps import step_ref

#: The profile setting that records the last hand-off.
PROFILE_SETTING = "handoff"


class IssuedTokens(Protocol):
    """What the refusal needs to know of a stored token set: when Intuit issued it."""

    @property
    def issued_at(self) -> float: ...


@dataclass(frozen=True)
class HandoffRecord:
    """A hand-off as the profile remembers it (no secrets: names, a time, public keys)."""

    vendor: str
    handed_at: str
    """When it was sealed, as `2026-05-01T12:00:00Z`."""
    recipients: tuple[str, ...] = ()
    """The age public keys it was sealed to."""
    delivered_as: str = ""
    """Where the sealed copy went: a file's path, or `text` (armoured text for a ticket)."""
    tokens_issued_at: float | None = None
    """When Intuit issued the tokens handed over (Unix seconds): a later connection is new."""

    @property
    def day(self) -> str:
        """The date part of `handed_at` (`2026-05-01`)."""
        return self.handed_at[:10]

    def holds(self, tokens: IssuedTokens | None) -> bool:
        """True when the vendor holds the connection, not this computer.

        That is so when no tokens are stored here, or the stored ones were issued no later
        than the ones handed over (they are those very tokens, left by a keyring that would
        not delete them). A record without that time refuses any stored tokens.
        """
        if tokens is None or self.tokens_issued_at is None:
            return True
        return tokens.issued_at <= self.tokens_issued_at

    def holder_sentence(self) -> str:
        """`handed to Acme TMS on 2026-05-01`, as the profile shows it."""
        return f"handed to {self.vendor} on {self.day}"

    def to_yaml_data(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "handed_at": self.handed_at,
            "recipients": list(self.recipients),
            "delivered_as": self.delivered_as,
            "tokens_issued_at": self.tokens_issued_at,
        }


def handoff_record(profile: Profile) -> HandoffRecord | None:
    """The profile's last hand-off, or None if it was never handed over (or the entry is odd)."""
    data = profile.extra.get(PROFILE_SETTING)
    if not isinstance(data, dict):
        return None
    vendor, handed_at = data.get("vendor"), data.get("handed_at")
    if not isinstance(vendor, str) or not vendor.strip() or not isinstance(handed_at, str):
        return None
    recipients = data.get("recipients")
    keys = tuple(str(key) for key in recipients) if isinstance(recipients, list) else ()
    delivered = data.get("delivered_as")
    issued = data.get("tokens_issued_at")
    return HandoffRecord(
        vendor.strip(),
        handed_at,
        keys,
        delivered if isinstance(delivered, str) else "",
        float(issued)
        if isinstance(issued, (int, float)) and not isinstance(issued, bool)
        else None,
    )


def set_handoff_record(profile: Profile, record: HandoffRecord) -> None:
    """Remember a hand-off in the profile (saving the profile is the caller's job)."""
    profile.extra[PROFILE_SETTING] = record.to_yaml_data()


ONE_HOLDER_WHY = (
    "Intuit replaces the refresh token as it is used and the old one stops working, so only "
    "one side may hold and refresh a connection: two holders lose it."
)


class ConnectionHandedOff(WizardError):
    """The connection was handed to a hosted integration's vendor; this computer no longer uses
    it. The message names who holds it and how to take a connection back."""

    def __init__(self, profile_name: str, record: HandoffRecord) -> None:
        self.profile_name = profile_name
        self.record = record
        super().__init__(
            f"Profile {profile_name!r} no longer holds its QuickBooks connection: it was "
            f"{record.holder_sentence()}, whose systems hold and refresh it now. "
            f"{ONE_HOLDER_WHY} Ask {record.vendor} for anything that needs the connection. "
            "To hold a connection here again, connect again ",
            Fix(
                f"(`qbo-wizard login --profile {profile_name}`)",
                f"(on {step_ref('connect')})",
            ),
            ": that is a new connection, which then needs a new hand-off ",
            Fix(
                f"(`qbo-wizard handoff --profile {profile_name}`)",
                "(the status home offers it once the new connection is made)",
            ),
            " before the vendor can use it.",
        )


def refuse_if_handed_off(profile_name: str, tokens: IssuedTokens | None) -> None:
    """Raise `ConnectionHandedOff` when the vendor, not this computer, holds the connection."""
    try:
        profile = profile_store(profile_name).read()
    except ConfigFileError:
        # Unreadable settings cannot say; a hand-off also removed the tokens from this computer.
        return
    record = handoff_record(profile)
    if record is not None and record.holds(tokens):
        raise ConnectionHandedOff(profile_name, record)
