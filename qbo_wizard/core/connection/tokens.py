"""The connection's tokens: stored as one keyring entry, refreshed safely across processes.

Intuit may replace the refresh token on any refresh and the old one then stops working, so a
refresh whose answer is not saved loses the connection. The rules here:

- **One entry.** Access token, refresh token, their expiry times and the realm ID are one JSON
  value under the keyring entry `tokens`, so a reader can never see a new access token with an
  old refresh token, or tokens of one company with another company's ID.
- **Refresh only when needed.** A stored access token that stays valid for the time asked
  (five minutes by default) is used as it is; Intuit asks integrations not to refresh early.
- **One refresher at a time.** A refresh takes the profile's lock file (`filelock`, works
  across processes), reads the entry again (another process may have refreshed while this one
  waited, and its answer must be used, not refreshed again), refreshes, and writes the new
  entry to the keyring *before* the new access token is handed to anyone.
- **Expiry tracking.** The rolling 100-day expiry and the 5-year hard expiry (Intuit sends it
  because the wizard asks for it) are kept with the tokens and copied to the profile file as
  dates; fewer than 14 days left gives a warning.
- **`invalid_grant` means reconnect.** It raises `ReconnectRequired` (exit code 4) naming the
  usual causes in plain words; the stored tokens are left exactly as they were.

The one moment a crash can lose a rotation is after Intuit has answered a refresh and before
the keyring write returns (see the README's "crash window"); `crash_point` marks each step so
tests can kill the process at every one of them.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from qbo_wizard.core.connection import intuit
from qbo_wizard.core.connection.credentials import load_credentials
from qbo_wizard.core.connection.environments import endpoints_for
from qbo_wizard.core.connection.interrupts import crash_point, interrupts_held
from qbo_wizard.core.connection.keyring_entries import TOKENS_ENTRY
from qbo_wizard.core.connection.vault import Vault, VaultUnavailable
from qbo_wizard.core.handoff.record import refuse_if_handed_off
from qbo_wizard.core.health.errorlog import record_failure
from qbo_wizard.core.problems import EXIT_RECONNECT, Fix, WizardError
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.profile_lock import LOCK_FILE as LOCK_FILE
from qbo_wizard.core.profile_lock import LOCK_TIMEOUT_SECONDS as LOCK_TIMEOUT_SECONDS
from qbo_wizard.core.profile_lock import RefreshBusy as RefreshBusy
from qbo_wizard.core.profile_lock import refresh_lock as refresh_lock
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.core.redact import remember_secret
from qbo_wizard.core.steps import step_ref
from qbo_wizard.core.timestamps import utc_timestamp

DEFAULT_VALID_FOR_SECONDS = 300.0
ACCESS_TOKEN_LIFETIME_SECONDS = 3600.0
# Asking for longer would refresh on every call (a fresh token is already a little older than
# its full hour), and Intuit asks apps to refresh only when the access token is about to expire.
LONGEST_VALID_FOR_SECONDS = 3300.0
EXPIRY_WARNING_DAYS = 14
_DAY = 86400.0
_FORMAT_VERSION = 1


class NotConnected(WizardError):
    """The profile has no stored connection."""


class StoredTokensUnreadable(WizardError):
    """The keyring entry exists but is not a token set the wizard wrote."""

    exit_code = EXIT_RECONNECT


class TokensNotSaved(WizardError):
    """Intuit refreshed the connection but the keyring would not store the answer."""

    exit_code = EXIT_RECONNECT


RECONNECT_CAUSES = (
    "someone disconnected the app inside QuickBooks (Apps → My apps), or another admin "
    "connected the same app to this company in your place",
    "the connection was not used for 100 days, or reached Intuit's 5-year limit",
    "the user who connected it was removed, lost admin rights, or had their sign-in changed",
    "the same keys were connected again elsewhere (another computer, another profile, or "
    "tokens from the OAuth Playground), which replaced this connection",
    "the keys are from the other key set (development keys reach only sandbox companies, "
    "production keys only real ones)",
)


class ReconnectRequired(WizardError):
    """QuickBooks no longer accepts the stored connection; it must be connected again."""

    exit_code = EXIT_RECONNECT

    def __init__(
        self, profile_name: str, intuit_tid: str | None = None, why: str | Fix = ""
    ) -> None:
        self.profile_name = profile_name
        self.intuit_tid = intuit_tid
        causes = "".join(f"\n  - {cause}" for cause in RECONNECT_CAUSES)
        reference = f"\nIntuit's reference for this answer: {intuit_tid}" if intuit_tid else ""
        super().__init__(
            "QuickBooks no longer accepts this profile's connection",
            why,
            ", so it has to be connected again: ",
            Fix(
                f"run `qbo-wizard login --profile {profile_name}`",
                f"go to {step_ref('connect')} and connect",
            ),
            " (the app keys and the mapping are kept). Nothing was changed on this computer. "
            f"The usual reasons:{causes}{reference}",
        )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class TokenSet:
    """One coherent set of tokens for one company. Tokens are kept out of repr."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    realm_id: str
    access_expires_at: float
    refresh_expires_at: float | None = None
    refresh_hard_expires_at: float | None = None
    issued_at: float = 0.0

    def __post_init__(self) -> None:
        # Whatever this process writes from now on (logs, messages, bundles) is scrubbed of them.
        remember_secret(self.access_token)
        remember_secret(self.refresh_token)

    @classmethod
    def from_response(
        cls,
        response: intuit.TokenResponse,
        realm_id: str,
        now: float,
        previous: TokenSet | None = None,
    ) -> TokenSet:
        """The token set described by a token-endpoint answer received at `now`."""
        data = response.data
        expires_in = _number(data.get("expires_in")) or ACCESS_TOKEN_LIFETIME_SECONDS
        rolling = _number(data.get("x_refresh_token_expires_in"))
        hard = _number(data.get("x_refresh_token_hard_expires_in"))
        hard_at = now + hard if hard is not None else None
        if hard_at is None and previous is not None:
            hard_at = previous.refresh_hard_expires_at  # the cap does not move on refresh
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            realm_id=realm_id,
            access_expires_at=now + expires_in,
            refresh_expires_at=now + rolling if rolling is not None else None,
            refresh_hard_expires_at=hard_at,
            issued_at=now,
        )

    def to_json(self) -> str:
        """The keyring entry's value."""
        return json.dumps(
            {
                "version": _FORMAT_VERSION,
                "realm_id": self.realm_id,
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "access_expires_at": self.access_expires_at,
                "refresh_expires_at": self.refresh_expires_at,
                "refresh_hard_expires_at": self.refresh_hard_expires_at,
                "issued_at": self.issued_at,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> TokenSet:
        """Read a keyring entry; `ValueError` (without the content) if it is not a token set.

        The error is raised outside the parser's `except`, so it does not chain the parser's
        own error, which quotes the whole entry.
        """
        data: Any = None
        parsed = True
        try:
            data = json.loads(text)
        except ValueError:
            parsed = False
        if not parsed:
            raise ValueError("not JSON")
        if not isinstance(data, dict) or data.get("version") != _FORMAT_VERSION:
            raise ValueError("not a token set of this version")
        strings = {k: data.get(k) for k in ("access_token", "refresh_token", "realm_id")}
        if not all(isinstance(v, str) and v for v in strings.values()):
            raise ValueError("a token or the realm ID is missing")
        access_expires_at = _number(data.get("access_expires_at"))
        if access_expires_at is None:
            raise ValueError("the access token's expiry is missing")
        return cls(
            access_token=str(strings["access_token"]),
            refresh_token=str(strings["refresh_token"]),
            realm_id=str(strings["realm_id"]),
            access_expires_at=access_expires_at,
            refresh_expires_at=_number(data.get("refresh_expires_at")),
            refresh_hard_expires_at=_number(data.get("refresh_hard_expires_at")),
            issued_at=_number(data.get("issued_at")) or 0.0,
        )

    def access_valid_for(self, now: float) -> float:
        """Seconds the access token stays valid (negative once expired)."""
        return self.access_expires_at - now

    def expired_access(self) -> TokenSet:
        """The same set with the access token marked expired (after Intuit rejected it)."""
        return replace(self, access_expires_at=0.0)


def iso_date(timestamp: float | None) -> str | None:
    """A UTC timestamp as `2026-05-01T12:00:00Z` (None stays None), for the profile file."""
    return None if timestamp is None else utc_timestamp(timestamp)


def expiry_warnings(tokens: TokenSet, now: float) -> list[str]:
    """Plain warnings when the connection itself (the refresh token) nears its end."""
    limits = (
        (
            tokens.refresh_hard_expires_at,
            "The connection reaches Intuit's 5-year limit in {days} day(s) (on {when}). Connect "
            "again before then with `qbo-wizard login`; using it does not extend this limit.",
        ),
        (
            tokens.refresh_expires_at,
            "The connection expires in {days} day(s) (on {when}) unless it is used: any "
            "refresh renews Intuit's 100-day window.",
        ),
    )
    warnings: list[str] = []
    for expires_at, text in limits:
        if expires_at is None:
            continue
        days = (expires_at - now) / _DAY
        if days < EXPIRY_WARNING_DAYS:
            when = (iso_date(expires_at) or "")[:10]
            warnings.append(text.format(days=f"{max(days, 0):.0f}", when=when))
    return warnings


class TokenStore:
    """The profile's `tokens` keyring entry."""

    def __init__(self, profile_name: str, vault: Vault | None = None) -> None:
        self.profile_name = profile_name
        self.vault = vault if vault is not None else Vault(profile_name)

    def load(self) -> TokenSet | None:
        """The stored token set, or None when the profile has none."""
        text = self.vault.get(TOKENS_ENTRY)
        if text is None:
            return None
        problem = ""
        try:
            return TokenSet.from_json(text)
        except ValueError as exc:
            problem = str(exc)
        raise StoredTokensUnreadable(
            f"The saved connection of profile {self.profile_name!r} cannot be read ({problem}). "
            "Connect again ",
            Fix(
                f"with `qbo-wizard login --profile {self.profile_name}`",
                f"on {step_ref('connect')}",
            ),
            ".",
        )

    def save(self, tokens: TokenSet) -> None:
        """Replace the stored token set in one keyring write."""
        self.vault.set(TOKENS_ENTRY, tokens.to_json())

    def delete(self) -> bool:
        """Remove the stored token set; True if there was one."""
        return self.vault.delete(TOKENS_ENTRY)


def record_expiries(profile: Profile, tokens: TokenSet) -> None:
    """Copy the expiry dates (never the tokens) into the profile's fields."""
    profile.access_token_expires_at = iso_date(tokens.access_expires_at)
    profile.refresh_token_expires_at = iso_date(tokens.refresh_expires_at)
    profile.refresh_token_hard_expires_at = iso_date(tokens.refresh_hard_expires_at)


class TokenKeeper:
    """Hands out valid access tokens for one profile, refreshing safely when needed."""

    def __init__(self, profile_name: str, *, clock: Callable[[], float] = time.time) -> None:
        self.profile_name = profile_name
        self.clock = clock
        self.store = TokenStore(profile_name)
        self.last_intuit_tid: str | None = None
        #: Seconds from Intuit's refresh answer arriving to the keyring write returning: the
        #: only time in which a crash loses the rotated refresh token.
        self.last_unsaved_seconds: float | None = None
        #: Things that went wrong without failing the call (shown on standard error by the CLI).
        self.warnings: list[str] = []

    def current(self) -> TokenSet:
        """The stored token set, or `NotConnected` naming the command to run."""
        tokens = self.store.load()
        # After a sealed hand-off the vendor refreshes this connection; two holders lose it.
        refuse_if_handed_off(self.profile_name, tokens)
        if tokens is None:
            raise NotConnected(
                f"Profile {self.profile_name!r} is not connected to QuickBooks yet. ",
                Fix(
                    f"Run `qbo-wizard login --profile {self.profile_name}` first.",
                    f"Connect it on {step_ref('connect')} first.",
                ),
            )
        return tokens

    def tokens(self, valid_for: float = DEFAULT_VALID_FOR_SECONDS, force: bool = False) -> TokenSet:
        """A stored token set whose access token stays valid for `valid_for` seconds.

        Refreshes (under the lock) only when the stored one would not; `force` refreshes even
        then, unless another process refreshed while this one waited for the lock. Asking for
        more than `LONGEST_VALID_FOR_SECONDS` gets that much.
        """
        valid_for = min(valid_for, LONGEST_VALID_FOR_SECONDS)
        seen = self.current()
        if not force and seen.access_valid_for(self.clock()) >= valid_for:
            return seen
        return self._refresh_unless_done(seen, valid_for)

    def access_token(self, valid_for: float = DEFAULT_VALID_FOR_SECONDS) -> str:
        """A valid access token (see `tokens`)."""
        return self.tokens(valid_for).access_token

    def after_rejection(self, rejected_access_token: str) -> str:
        """A new access token after QuickBooks rejected `rejected_access_token` (401).

        If another process already replaced the rejected token, that replacement is used;
        otherwise the connection is refreshed once.
        """
        seen = self.current()
        if seen.access_token != rejected_access_token:
            return seen.access_token
        return self._refresh_unless_done(seen.expired_access(), math.inf).access_token

    def _refresh_unless_done(self, seen: TokenSet, valid_for: float) -> TokenSet:
        with refresh_lock(self.profile_name):
            crash_point("lock-taken")
            stored = self.current()
            crash_point("re-read")
            replaced = (stored.refresh_token, stored.access_token) != (
                seen.refresh_token,
                seen.access_token,
            )
            # Another process refreshed while this one waited: its answer is the live one.
            if replaced and stored.access_valid_for(self.clock()) >= min(valid_for, 60.0):
                crash_point("before-unlock")
                return stored
            fresh = self._refresh(stored)
            crash_point("before-unlock")
            return fresh

    def _refresh(self, stored: TokenSet) -> TokenSet:
        profile = profile_store(self.profile_name).read()
        credentials = load_credentials(self.profile_name)
        client = intuit.make_client(
            endpoints_for(profile), credentials.client_id, credentials.client_secret
        )
        crash_point("before-refresh-call")
        with interrupts_held():  # from here until the answer is saved, Ctrl+C waits
            try:
                response = intuit.refresh(client, stored.refresh_token)
            except intuit.OAuthCallFailed as failure:
                self._refresh_failed(failure)
                raise
            crash_point("after-intuit-answer")
            fresh = TokenSet.from_response(response, stored.realm_id, self.clock(), stored)
            self._save_or_shout(fresh)
            self.last_unsaved_seconds = time.perf_counter() - client.last_answer_at
            crash_point("after-keyring-write")
        self.last_intuit_tid = response.intuit_tid
        self._note_expiries(fresh)
        crash_point("after-profile-write")
        return fresh

    def _refresh_failed(self, failure: intuit.OAuthCallFailed) -> None:
        """Log a refused refresh; raise `ReconnectRequired` when Intuit says reconnect."""
        intuit.record(self.profile_name, failure)
        if failure.error == "invalid_grant":
            raise ReconnectRequired(
                self.profile_name, failure.intuit_tid, why=" (Intuit said invalid_grant)"
            )
        if failure.error == "invalid_client":
            raise ReconnectRequired(
                self.profile_name,
                failure.intuit_tid,
                why=Fix(
                    " (Intuit no longer accepts the saved app keys: invalid_client; if the "
                    "client secret was regenerated, run `qbo-wizard credentials` first)",
                    " (Intuit no longer accepts the saved app keys: invalid_client; if the "
                    f"client secret was regenerated, enter it on {step_ref('credentials')} first)",
                ),
            )

    def _save_or_shout(self, fresh: TokenSet) -> None:
        try:
            self.store.save(fresh)
        except VaultUnavailable:
            try:
                self.store.save(fresh)  # one more try: a keyring can stall briefly
            except VaultUnavailable as again:
                record_failure(
                    self.profile_name,
                    source="tokens",
                    code="keyring-write",
                    message="refreshed at Intuit but the keyring refused to store the answer",
                )
                raise TokensNotSaved(
                    "Intuit refreshed the connection, but the keyring refused to save the new "
                    "tokens, and Intuit has already retired the old ones. The connection will "
                    f"need to be made again once the keyring works: {again}"
                ) from None

    def _note_expiries(self, tokens: TokenSet) -> None:
        """Copy the new expiry dates to the profile file; a failure is only a warning.

        The dates are a convenience copy (the keyring entry is what counts), so a read-only or
        full config folder must not fail a refresh that has already been saved.
        """
        if not profile_store(self.profile_name).exists():
            return
        try:
            with profile_store(self.profile_name).change() as latest:
                record_expiries(latest, tokens)
        except (OSError, WizardError) as error:
            self.warnings.append(
                "The refreshed connection is saved in the keyring, but its new expiry dates "
                f"could not be copied to the profile file: {error}"
            )


def store_new_connection(profile_name: str, tokens: TokenSet) -> None:
    """Save the tokens of a fresh connection (under the refresh lock, replacing any old set)."""
    with refresh_lock(profile_name):
        TokenStore(profile_name).save(tokens)


@dataclass(frozen=True)
class TokenStatus:
    """What the status screen and doctor show about a connection (no secrets)."""

    connected: bool
    realm_id: str | None = None
    access_expires_at: str | None = None
    refresh_expires_at: str | None = None
    refresh_hard_expires_at: str | None = None
    warnings: tuple[str, ...] = ()


def token_status(profile_name: str, now: float | None = None) -> TokenStatus:
    """The stored connection's expiry picture, read from the keyring without refreshing."""
    tokens = TokenStore(profile_name).load()
    if tokens is None:
        return TokenStatus(connected=False)
    moment = time.time() if now is None else now
    return TokenStatus(
        connected=True,
        realm_id=tokens.realm_id,
        access_expires_at=iso_date(tokens.access_expires_at),
        refresh_expires_at=iso_date(tokens.refresh_expires_at),
        refresh_hard_expires_at=iso_date(tokens.refresh_hard_expires_at),
        warnings=tuple(expiry_warnings(tokens, moment)),
    )
