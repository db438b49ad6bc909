"""The app's keys (client ID and client secret): clean what was pasted, check it, store it.

Pasted values pick up stray spaces, line breaks, quotes and labels ("Client ID: …"); those are
removed, because Intuit keys contain only letters and digits and a stray space is a known cause
of `invalid_client`. The shape is then checked with plain messages, and the keys are tried live
against Intuit's token endpoint: a refresh with a made-up refresh token is answered
`invalid_client` when the keys are wrong and `invalid_grant` when they are right. Only keys that
pass are stored, in the keyring; the profile file keeps a masked hint of the client ID.
No message here ever contains a secret, or any part of one.

Saving new keys never loses a working connection: under the profile's refresh lock, with Ctrl+C
held, the new profile.yaml is staged (so a full or read-only folder stops before anything
changes), the secret is written, then the client ID, and only then are the old connection's
tokens removed. If the keyring refuses the second write, the previous secret is put back, so
the ID of one app is not left beside the secret of another.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass, field

from qbo_wizard.core.connection import intuit
from qbo_wizard.core.connection.environments import (
    Endpoints,
    describe,
    endpoints_for,
    intuit_environment,
    normalise_simulator_url,
    simulator_info,
)
from qbo_wizard.core.connection.interrupts import interrupts_held
from qbo_wizard.core.connection.keyring_entries import CLIENT_ID, CLIENT_SECRET, forget_tokens
from qbo_wizard.core.connection.vault import Vault, VaultUnavailable
from qbo_wizard.core.problems import ConfigFileError, Fix, WizardError
from qbo_wizard.core.profile import KeySet, Profile, mask_hint
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.core.progress import record_keys_saved
from qbo_wizard.core.redact import remember_secret
from qbo_wizard.core.steps import step_ref

# Intuit client IDs are about 50 letters and digits starting with "AB"; secrets about 40.
# The accepted ranges are wider on purpose: a key of an unexpected length is tried live.
_CLIENT_ID_LENGTH = (30, 80)
_CLIENT_SECRET_LENGTH = (20, 80)
_KEY_CHARACTERS = re.compile(r"[A-Za-z0-9]+")
_LABEL = re.compile(
    r"^\s*(?:client[\s_-]*(?:id|secret)|secret|id)\s*[:=]\s*", re.IGNORECASE | re.UNICODE
)
_WRAPPERS = "\"'`<>«»‘’“”[]()"
_LABEL_ROUNDS = 4
_MAX_PASTE_CHARS = 10_000  # a key with its label, quotes and stray line breaks is far shorter
# A made-up refresh token for the live check: never a real one, so nothing can be consumed.
_PROBE_REFRESH_TOKEN = "qbo-wizard-key-check-not-a-real-token"  # noqa: S105


class CredentialProblem(WizardError):
    """The keys were refused; `field` names which one (`client_id`, `client_secret` or None),
    and `other_key_set` the key set they belong to when they are the other set's keys (each
    way in says in its own words how to switch)."""

    def __init__(
        self, message: str, field_name: str | None = None, *, other_key_set: KeySet | None = None
    ) -> None:
        super().__init__(message)
        self.field = field_name
        self.other_key_set = other_key_set


class MissingCredentials(WizardError):
    """No keys are stored for the profile yet."""


@dataclass(frozen=True)
class Credentials:
    """One app's keys. The secret is left out of repr so it cannot reach a log or traceback."""

    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)

    def __post_init__(self) -> None:
        # Whatever this process writes from now on (logs, messages, bundles) is scrubbed of them.
        remember_secret(self.client_id)
        remember_secret(self.client_secret)

    @property
    def hint(self) -> str:
        """The masked client ID (`ABcd…wxYZ`), safe to show."""
        return mask_hint(self.client_id)


@dataclass(frozen=True)
class CheckedCredentials:
    """Cleaned keys whose shape passed, plus anything worth telling the user."""

    credentials: Credentials
    warnings: tuple[str, ...] = ()


def clean_pasted(text: str) -> str:
    """`text` without labels, wrapping quotes or brackets, and without any whitespace.

    Also drops invisible characters that come with copying from a web page or a terminal
    (zero-width spaces, byte-order marks, soft hyphens, control characters).
    """
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc"))
    # A label inside quotes inside a label is the most a real paste has; a fixed number of
    # rounds keeps megabytes of pasted labels from taking minutes.
    for _ in range(_LABEL_ROUNDS):
        previous = text
        text = _LABEL.sub("", text.strip(), count=1).strip().strip(_WRAPPERS)
        if text == previous:
            break
    return "".join(ch for ch in text if not ch.isspace())


def _describe_bad_characters(value: str, show: bool) -> str:
    bad = [ch for ch in value if not ("0" <= ch <= "9" or "a" <= ch.lower() <= "z")]
    if not show:
        return "other characters (punctuation, symbols or accented letters)"
    names = []
    for ch in dict.fromkeys(bad):
        if ch.isprintable() and ch.isascii():
            names.append(f"'{ch}'")
        else:
            names.append(f"U+{ord(ch):04X}")
        if len(names) == 3:
            break
    return "the character(s) " + ", ".join(names)


def _check_one(value: str, label: str, field_name: str, bounds: tuple[int, int]) -> None:
    if not value:
        raise CredentialProblem(
            f"Nothing was entered for the {label}. Copy it from the Intuit Developer portal "
            "(your app → Keys and credentials, with 'Show credentials' on).",
            field_name,
        )
    if not _KEY_CHARACTERS.fullmatch(value):
        shown = _describe_bad_characters(value, show=field_name == CLIENT_ID)
        raise CredentialProblem(
            f"The {label} should contain only letters and digits, but what was entered also "
            f"has {shown}. Copy it again from the Intuit Developer portal.",
            field_name,
        )
    low, high = bounds
    typical = "about 50" if field_name == CLIENT_ID else "about 40"
    if len(value) < low:
        raise CredentialProblem(
            f"The {label} is only {len(value)} characters long; Intuit's are {typical}. "
            "Part of it may be missing: copy the whole value again.",
            field_name,
        )
    if len(value) > high:
        raise CredentialProblem(
            f"The {label} is {len(value)} characters long; Intuit's are {typical}. "
            "Something else may have been pasted with it: copy only the value.",
            field_name,
        )


def check_shape(client_id_text: str, client_secret_text: str) -> CheckedCredentials:
    """Clean both pasted values and check they look like Intuit keys.

    Raises `CredentialProblem` with a plain message; never echoes any part of the secret.
    """
    for text, label, field_name in (
        (client_id_text, "client ID", CLIENT_ID),
        (client_secret_text, "client secret", CLIENT_SECRET),
    ):
        if len(text) > _MAX_PASTE_CHARS:  # checked before cleaning, which looks at each character
            raise CredentialProblem(
                f"What was entered for the {label} is far longer than any key "
                f"({len(text):,} characters). Copy only the value from the Intuit Developer "
                "portal.",
                field_name,
            )
    client_id = clean_pasted(client_id_text)
    client_secret = clean_pasted(client_secret_text)
    if client_id and client_id == client_secret:
        raise CredentialProblem(
            "The client ID and the client secret are the same. The same value was probably "
            "pasted twice: copy each one from its own field.",
            CLIENT_SECRET,
        )
    if (
        client_id
        and client_secret
        and not client_id.startswith("AB")
        and client_secret.startswith("AB")
        and len(client_secret) > len(client_id)
    ):
        raise CredentialProblem(
            "The client ID and client secret look swapped: Intuit's client ID is the longer one "
            "starting with 'AB'. Enter the client ID first, then the secret.",
            CLIENT_ID,
        )
    _check_one(client_id, "client ID", CLIENT_ID, _CLIENT_ID_LENGTH)
    _check_one(client_secret, "client secret", CLIENT_SECRET, _CLIENT_SECRET_LENGTH)
    warnings: list[str] = []
    if not client_id.startswith("AB"):
        warnings.append(
            "Intuit client IDs usually start with 'AB'. If the check below fails, make sure "
            "the Client ID was copied (not the App ID or a company ID)."
        )
    return CheckedCredentials(Credentials(client_id, client_secret), tuple(warnings))


def _key_set_words(key_set: KeySet) -> str:
    return "Production" if key_set == "production" else "Development"


def verify_live(
    endpoints: Endpoints, credentials: Credentials, key_set: KeySet, profile_name: str
) -> None:
    """Ask Intuit whether the keys are right, without connecting anything.

    A refresh with a made-up refresh token: `invalid_grant` means Intuit knows the keys;
    `invalid_client` means it does not. Raises `CredentialProblem` for wrong keys and
    `intuit.OAuthCallFailed` (plain message) when the answer was anything else.
    """
    try:
        client = intuit.make_client(endpoints, credentials.client_id, credentials.client_secret)
        intuit.refresh(client, _PROBE_REFRESH_TOKEN)
    except intuit.OAuthCallFailed as failure:
        if failure.error == "invalid_grant":
            return  # the keys are right; only the made-up token was refused
        intuit.record(profile_name, failure, source="credentials")
        if failure.error == "invalid_client" or failure.status == 401:
            raise CredentialProblem(
                "Intuit did not accept this client ID and secret (invalid_client). Copy both "
                f"again from your app's Keys and credentials page, {_key_set_words(key_set)} "
                "tab, with 'Show credentials' on. Check that they come from the same app and "
                "the same tab, and that the secret was not regenerated since. Nothing was saved."
            ) from None
        if failure.network:
            raise
        reference = f" Intuit's reference: {failure.intuit_tid}." if failure.intuit_tid else ""
        raise intuit.OAuthCallFailed(
            f"Intuit answered the key check unexpectedly ({failure.code}). Nothing was saved; "
            "try again in a few minutes." + reference,
            error=failure.error,
            status=failure.status,
            intuit_tid=failure.intuit_tid,
        ) from None
    # A made-up refresh token was accepted: whatever answered is not Intuit's token endpoint.
    raise intuit.OAuthCallFailed(
        "The token endpoint accepted a made-up refresh token, so it cannot be trusted to check "
        "keys. Nothing was saved."
    )


def _check_simulator_key_set(url: str, key_set: KeySet, credentials: Credentials) -> None:
    """A simulator says which keys are which: refuse the other key set's keys up front.

    Intuit cannot be asked this; with Intuit the mix-up shows at the first API call (3100).
    """
    other: KeySet = "production" if key_set == "development" else "development"
    keys = simulator_info(url).get("keys") or {}
    if credentials.client_id == (keys.get(other) or {}).get("client_id"):
        raise CredentialProblem(
            f"These are the practice QuickBooks' {other} keys, but {key_set} keys were asked "
            f"for. {_key_set_words(key_set)} keys reach only "
            f"{'sandbox' if key_set == 'development' else 'real'} companies, so mixing them up "
            f"fails at the first QuickBooks call. Enter the {key_set} keys, or switch to "
            f"{other} keys. Nothing was saved.",
            CLIENT_ID,
            other_key_set=other,
        )


def vault_for(profile_name: str) -> Vault:
    """The profile's keyring, checked to be usable (and an encrypted file unlocked) before
    anything is asked or written."""
    vault = Vault(profile_name)
    vault.open()
    return vault


def stored_credentials(vault: Vault) -> Credentials | None:
    """The keys in this keyring service, or None unless both are there."""
    client_id = vault.get(CLIENT_ID)
    client_secret = vault.get(CLIENT_SECRET)
    if not client_id or not client_secret:
        return None
    return Credentials(client_id, client_secret)


def load_credentials(profile_name: str) -> Credentials:
    """The stored keys of a profile, or `MissingCredentials` naming the command to run."""
    found = stored_credentials(vault_for(profile_name))
    if found is None:
        raise MissingCredentials(
            f"No app keys are saved for profile {profile_name!r} yet. ",
            Fix(
                f"Run `qbo-wizard credentials --profile {profile_name}` first.",
                f"Enter them on {step_ref('credentials')} first.",
            ),
        )
    return found


def forget_credentials(vault: Vault) -> None:
    """Remove the keys from this keyring service."""
    for name in (CLIENT_ID, CLIENT_SECRET):
        vault.delete(name)


class KeysNotSaved(WizardError):
    """The keyring refused the new keys part-way, and the previous ones could not be put back."""


def _write_pair(vault: Vault, credentials: Credentials, previous: Credentials | None) -> None:
    """Secret first, then ID; if the ID is refused, put the previous secret back."""
    vault.set(CLIENT_SECRET, credentials.client_secret)
    try:
        vault.set(CLIENT_ID, credentials.client_id)
        return
    except VaultUnavailable as refused:
        problem = refused
    restored = False
    with contextlib.suppress(VaultUnavailable):
        if previous is not None:
            vault.set(CLIENT_SECRET, previous.client_secret)
        else:
            vault.delete(CLIENT_SECRET)
        restored = True
    if restored:
        raise problem
    raise KeysNotSaved(
        "The keyring took the new client secret but then refused the client ID, and the "
        "previous secret could not be put back, so the saved keys no longer belong together. "
        "Once the keyring works again, enter the keys again ",
        Fix("with `qbo-wizard credentials`", f"on {step_ref('credentials')}"),
        f". The connection's tokens were not touched. ({problem})",
    )


def apply_target(profile: Profile, key_set: KeySet, simulator_url: str | None) -> bool:
    """Give the profile its key set and target (not saved); True if the target changed."""
    environment = "simulator" if simulator_url else intuit_environment(key_set)
    url = normalise_simulator_url(simulator_url) if simulator_url else None
    changed = (profile.environment, profile.key_set, profile.simulator_url) != (
        environment,
        key_set,
        url,
    )
    profile.environment = environment
    profile.key_set = key_set
    profile.simulator_url = url
    return changed


def store_credentials(
    profile_name: str,
    key_set: KeySet,
    credentials: Credentials,
    simulator_url: str | None = None,
    *,
    verify: bool = True,
) -> Profile:
    """Verify (unless told not to) and store keys for a profile; returns the saved profile.

    When the keys or the target change, the old connection's tokens are removed: they belong
    to the old app or environment and would only fail.
    """
    vault = vault_for(profile_name)
    profiles = profile_store(profile_name)
    profile = profiles.read()
    apply_target(profile, key_set, simulator_url)
    endpoints = endpoints_for(profile)
    if profile.simulator_url:
        _check_simulator_key_set(profile.simulator_url, key_set, credentials)
    if verify:
        verify_live(endpoints, credentials, key_set, profile_name)
    # Under the refresh lock, so no refresh with the old keys can save tokens in between; Ctrl+C
    # waits until the keyring is consistent again. profile.yaml is staged before the keyring
    # is touched, so a full disk or a read-only folder stops everything with nothing changed.
    with profiles.edit() as edit, interrupts_held():
        profile = edit.profile  # read again: another writer may have saved since
        target_changed = apply_target(profile, key_set, simulator_url)
        previous = stored_credentials(vault)
        keys_changed = previous is not None and previous.client_id != credentials.client_id
        forget_connection = target_changed or keys_changed
        if forget_connection:
            # The old connection belongs to the old app or environment and would only fail.
            profile.connected_at = None
            profile.access_token_expires_at = None
            profile.refresh_token_expires_at = None
            profile.refresh_token_hard_expires_at = None
        profile.client_id_hint = credentials.hint
        record_keys_saved(profile, connection_forgotten=forget_connection)
        staged = edit.stage()
        try:
            _write_pair(vault, credentials, previous)
            if forget_connection:
                forget_tokens(profile_name, vault)  # only now that the new keys are safe
        except BaseException:
            staged.discard()
            raise
        try:
            staged.commit()
        except ConfigFileError as error:
            removed = " and the old connection's tokens were removed" if forget_connection else ""
            raise KeysNotSaved(
                f"The new keys are saved in the keyring{removed}, but profile.yaml could not be "
                f"updated: {error} ",
                Fix(
                    f"Run `qbo-wizard credentials --profile {profile_name}` again",
                    f"Save {step_ref('credentials')} again",
                ),
                " once the folder can be written to.",
            ) from None
    return profile


def summary(profile: Profile) -> str:
    """One line saying which keys are stored, for confirmations."""
    return (
        f"Saved the {profile.key_set} keys (client ID {profile.client_id_hint}) "
        f"for {describe(profile)}."
    )
