"""Connecting a profile to one QuickBooks company, and disconnecting it.

Three ways in, chosen by `choose_method` (callers may override):

- `loopback` — development keys, browser on this computer: Intuit redirects the browser to
  `http://localhost:<port>/callback`, where `callback.LoopbackListener` is waiting.
- `paste-url` — production keys (Intuit refuses `http://` and localhost redirects for them),
  SSH sessions, a browser-served UI: the user approves in any browser, lands on a registered
  HTTPS page (Intuit's OAuth Playground redirect page by default) and pastes that address back.
- `paste-tokens` — a refresh token and realm ID copied from the OAuth Playground.

Each ends in a `PendingConnection`: tokens in memory, proven by a live CompanyInfo call, not
yet saved. `save_connection` stores it, refusing (`CompanyChanged`) when the company differs
from the one the profile was set up for, unless the caller confirmed the change: mappings
belong to a company. Nothing is written to the keyring or the profile before that point, so
every failure leaves the stored connection as it was; and `save_connection` orders its own
writes so the keyring and the profile never name different companies.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from qbo_wizard.core.connection import intuit
from qbo_wizard.core.connection.api import FixedToken, QboApi, QboApiError
from qbo_wizard.core.connection.callback import (
    LOOPBACK_TIMEOUT_SECONDS,
    CallbackResult,
    LoopbackListener,
    PageText,
)
from qbo_wizard.core.connection.credentials import (
    MissingCredentials,
    clean_pasted,
    forget_credentials,
    load_credentials,
    vault_for,
)
from qbo_wizard.core.connection.environments import (
    DEFAULT_LOOPBACK_PORT,
    PLAYGROUND_REDIRECT_URI,
    Endpoints,
    EnvironmentProblem,
    endpoints_for,
    loopback_redirect_uri,
)
from qbo_wizard.core.connection.keyring_entries import TOKENS_ENTRY
from qbo_wizard.core.connection.remote import running_over_ssh
from qbo_wizard.core.connection.tokens import (
    StoredTokensUnreadable,
    TokenSet,
    TokenStore,
    record_expiries,
    refresh_lock,
)
from qbo_wizard.core.connection.vault import Vault, VaultUnavailable
from qbo_wizard.core.paths import profile_dir
from qbo_wizard.core.problems import ConfigFileError, Fix, UsageError, WizardError
from qbo_wizard.core.profile import KeySet, Profile
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.core.progress import record_connected, record_disconnected
from qbo_wizard.core.steps import step_ref
from qbo_wizard.core.timestamps import utc_timestamp

METHODS = ("loopback", "paste-url", "paste-tokens")
_REFRESH_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{20,2048}")
_REALM_ID = re.compile(r"[0-9]{1,32}")
_MAX_PASTE_CHARS = 20_000  # far longer than a token (at most about 2,000) with any labels


class ConnectProblem(WizardError):
    """Connecting did not work; nothing was saved."""


class MethodNotAllowed(ConnectProblem, UsageError):
    """The chosen connect method cannot work with these keys."""


class CompanyChanged(WizardError):
    """The sign-in chose a different company from the one the profile was set up for."""

    def __init__(
        self, saved_realm: str, saved_name: str | None, new_realm: str, new_name: str
    ) -> None:
        self.saved_realm = saved_realm
        self.saved_name = saved_name
        self.new_realm = new_realm
        self.new_name = new_name
        saved = f"{saved_name} (company ID {saved_realm})" if saved_name else saved_realm
        super().__init__(
            f"This sign-in chose {new_name} (company ID {new_realm}), but this profile was set "
            f"up for {saved}. The mapping of line items belongs to a company, so nothing was "
            "saved. If the new company is right, confirm the change ",
            Fix(
                "(on the command line: `qbo-wizard login --allow-company-change`)",
                "(the wizard asks you to)",
            ),
            " and check the mapping afterwards; otherwise sign in again and pick the original "
            "company on Intuit's page.",
        )


@dataclass(frozen=True)
class Company:
    """The company a connection reaches, as CompanyInfo describes it."""

    realm_id: str
    name: str
    country: str | None
    environment: str


@dataclass(frozen=True)
class PendingConnection:
    """A proven but unsaved connection (tokens are kept out of repr)."""

    profile_name: str
    method: str
    tokens: TokenSet
    company: Company
    intuit_tid: str | None = None

    def company_change(self) -> CompanyChanged | None:
        """The `CompanyChanged` that saving would raise, or None when the company is the same."""
        profile = profile_store(self.profile_name).read()
        if profile.realm_id and profile.realm_id != self.company.realm_id:
            return CompanyChanged(
                profile.realm_id, profile.company_name, self.company.realm_id, self.company.name
            )
        return None


@dataclass
class Authorization:
    """One sign-in attempt: its consent URL, the `state` that must come back, the client."""

    profile_name: str
    method: str
    key_set: KeySet
    redirect_uri: str
    state: str = field(repr=False)
    url: str = field(repr=False)
    endpoints: Endpoints
    client: intuit.WizardAuthClient = field(repr=False)
    #: Fingerprints of the codes already sent to Intuit with this attempt (a code works once).
    used_codes: set[str] = field(default_factory=set, repr=False)

    @property
    def loopback_port(self) -> int:
        """The port of a loopback redirect URI."""
        return urlsplit(self.redirect_uri).port or 80


def choose_method(profile: Profile) -> str:
    """The connect method that works here: loopback only for development keys, locally."""
    if profile.key_set == "production" or running_over_ssh():
        return "paste-url"
    return "loopback"


def loopback_port_for(profile: Profile) -> int:
    """The registered loopback port: the simulator says which; for Intuit, the documented one."""
    if profile.environment == "simulator":
        uris = (endpoints_for(profile).redirect_uris or {}).get(profile.key_set, ())
        for uri in uris:
            parts = urlsplit(uri)
            if parts.scheme == "http" and parts.hostname == "localhost" and parts.port:
                return int(parts.port)
    return DEFAULT_LOOPBACK_PORT


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


_PRODUCTION_REDIRECT_RULE = (
    "Intuit accepts only https:// redirect addresses for production keys, and never localhost "
    "or an IP address, so a production sign-in cannot come straight back to this computer."
)


def check_redirect_uri(uri: str, key_set: KeySet) -> str:
    """Refuse a redirect URI that Intuit would refuse for this key set, saying why."""
    parts = urlsplit(uri.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MethodNotAllowed(f"{uri!r} is not a web address (it should start with https://).")
    if key_set == "production":
        host = parts.hostname.lower()
        if parts.scheme != "https" or host == "localhost" or _is_ip(host):
            raise MethodNotAllowed(
                f"{uri} cannot be used with production keys. {_PRODUCTION_REDIRECT_RULE} Use "
                f"{PLAYGROUND_REDIRECT_URI} (add it to the app's production redirect URIs) or "
                "your own https:// page, and paste the address the browser lands on."
            )
    return uri.strip()


def start_authorization(
    profile_name: str,
    method: str,
    *,
    redirect_uri: str | None = None,
    port: int | None = None,
) -> Authorization:
    """Prepare one sign-in: pick the redirect URI, make a fresh `state`, build the consent URL."""
    if method not in ("loopback", "paste-url"):
        raise MethodNotAllowed(f"{method!r} does not use Intuit's sign-in page.")
    profile = profile_store(profile_name).read()
    credentials = load_credentials(profile_name)
    if method == "loopback":
        if profile.key_set == "production":
            raise MethodNotAllowed(
                f"Production keys cannot use the loopback method. {_PRODUCTION_REDIRECT_RULE} ",
                Fix("Use `--method paste-url`", "Use the paste-back way"),
                ": approve in the browser, then paste the address it lands on (Intuit's OAuth "
                f"Playground page {PLAYGROUND_REDIRECT_URI}, added to the app's production "
                "redirect URIs).",
            )
        uri = loopback_redirect_uri(port or loopback_port_for(profile))
    else:
        uri = check_redirect_uri(redirect_uri or PLAYGROUND_REDIRECT_URI, profile.key_set)
    endpoints = endpoints_for(profile)
    client = intuit.make_client(endpoints, credentials.client_id, credentials.client_secret, uri)
    state = intuit.new_state()
    return Authorization(
        profile_name=profile_name,
        method=method,
        key_set=profile.key_set,
        redirect_uri=uri,
        state=state,
        url=intuit.authorization_url(client, state),
        endpoints=endpoints,
        client=client,
    )


def _explained(
    profile_name: str, failure: intuit.OAuthCallFailed, invalid_grant: str
) -> WizardError:
    """The plain-words error for a failed token call while connecting (and log it)."""
    intuit.record(profile_name, failure)
    reference = f" Intuit's reference: {failure.intuit_tid}." if failure.intuit_tid else ""
    if failure.error == "invalid_grant":
        return ConnectProblem(invalid_grant + reference)
    if failure.error == "invalid_client":
        return ConnectProblem(
            "Intuit no longer accepts the saved app keys (invalid_client). Enter them again ",
            Fix("with `qbo-wizard credentials`", f"on {step_ref('credentials')}"),
            ", then connect again." + reference,
        )
    return failure


def read_company(
    profile_name: str, endpoints: Endpoints, tokens: TokenSet, *, what: str = "sign-in"
) -> Company:
    """Prove a connection with a live CompanyInfo call; `ConnectProblem` if QuickBooks refuses."""
    api = QboApi(
        endpoints=endpoints,
        realm_id=tokens.realm_id,
        tokens=FixedToken(tokens.access_token),
        profile_name=profile_name,
    )
    try:
        info = api.company_info()
    except QboApiError as error:
        raise ConnectProblem(
            f"The {what} worked at Intuit, but reading the company's details failed, so "
            f"nothing was saved. {error}"
        ) from None
    address: Any = info.get("CompanyAddr") or {}
    country = info.get("Country") or (address.get("Country") if isinstance(address, dict) else None)
    name = info.get("CompanyName") or info.get("LegalName") or f"company {tokens.realm_id}"
    return Company(
        realm_id=tokens.realm_id,
        name=str(name),
        country=str(country) if country else None,
        environment=endpoints.environment,
    )


def finish_with_code(authorization: Authorization, result: CallbackResult) -> PendingConnection:
    """Exchange the callback's code (exactly once) and prove the connection; nothing is saved.

    A code already sent to Intuit with this attempt is refused here, without asking Intuit
    again, unless the earlier try never got an answer (then Intuit may not have seen it).
    """
    name = authorization.profile_name
    fingerprint = hashlib.sha256(result.code.encode("utf-8")).hexdigest()
    if fingerprint in authorization.used_codes:
        raise ConnectProblem(
            "This sign-in code was already exchanged for tokens, and a code works only once. "
            "Nothing was changed; to connect again, start the sign-in again."
        )
    authorization.used_codes.add(fingerprint)
    try:
        response = intuit.exchange_code(authorization.client, result.code, result.realm_id)
    except intuit.OAuthCallFailed as failure:
        if failure.network:
            authorization.used_codes.discard(fingerprint)
        raise _explained(
            name,
            failure,
            "Intuit refused the sign-in code (invalid_grant). A code works once and only for "
            "a few minutes, and only with the redirect address it was issued for: it was "
            "probably used already, or it expired. Nothing was saved; start the sign-in again.",
        ) from None
    tokens = TokenSet.from_response(response, result.realm_id, time.time())
    company = read_company(name, authorization.endpoints, tokens)
    return PendingConnection(name, authorization.method, tokens, company, response.intuit_tid)


def open_loopback(
    authorization: Authorization, *, timeout: float = LOOPBACK_TIMEOUT_SECONDS
) -> LoopbackListener:
    """Start listening on the authorization's loopback redirect (before the browser opens).

    Call `cancel()` on the result from any thread to stop waiting.
    """
    return LoopbackListener(authorization.state, authorization.loopback_port, timeout=timeout)


def wait_for_loopback(
    authorization: Authorization, listener: LoopbackListener
) -> PendingConnection:
    """Wait for the browser's return trip, exchange the code once, prove the connection.

    The browser tab is told which company was signed in (or that it failed); nothing is saved.
    """
    pending: list[PendingConnection] = []

    def exchange(result: CallbackResult) -> PageText:
        pending.append(finish_with_code(authorization, result))
        return (
            "Signed in",
            f"qbo-wizard received the sign-in for {pending[0].company.name}. You can close "
            "this tab and go back to qbo-wizard.",
        )

    listener.wait(exchange)
    return pending[0]


def check_pasted_tokens(refresh_token_text: str, realm_id_text: str) -> tuple[str, str]:
    """The refresh token and realm ID from what was pasted, cleaned and checked for shape.

    Raises `ConnectProblem` with a plain message for anything else, whatever was pasted
    (megabytes, control characters, another encoding); the message never repeats the token.
    """
    if len(refresh_token_text) > _MAX_PASTE_CHARS:
        raise ConnectProblem(
            "What was pasted as the refresh token is far longer than any token. Copy only the "
            "'Refresh token' value from the OAuth Playground."
        )
    if len(realm_id_text) > _MAX_PASTE_CHARS:
        raise ConnectProblem(
            "What was pasted as the company ID (realm ID) is far longer than any ID. Copy only "
            "the 'Realm ID' value from the OAuth Playground."
        )
    refresh_token = clean_pasted(refresh_token_text)
    realm_id = clean_pasted(realm_id_text)
    if not _REFRESH_TOKEN.fullmatch(refresh_token):
        raise ConnectProblem(
            "That does not look like a refresh token (they are long runs of letters and "
            "digits, usually starting with 'AB'). Copy the 'Refresh token' value from the OAuth "
            "Playground again."
        )
    if not _REALM_ID.fullmatch(realm_id):
        raise ConnectProblem(
            "The company ID (realm ID) should be a number, such as 9130347596240616. The OAuth "
            "Playground shows it as 'Realm ID' next to the tokens."
        )
    return refresh_token, realm_id


def connect_with_tokens(
    profile_name: str, refresh_token_text: str, realm_id_text: str
) -> PendingConnection:
    """Take a refresh token and realm ID (from the OAuth Playground) and prove them.

    The refresh token is used once to get a fresh pair (Intuit may retire it at that moment),
    then CompanyInfo is read. Nothing is saved here.
    """
    refresh_token, realm_id = check_pasted_tokens(refresh_token_text, realm_id_text)
    profile = profile_store(profile_name).read()
    credentials = load_credentials(profile_name)
    endpoints = endpoints_for(profile)
    client = intuit.make_client(endpoints, credentials.client_id, credentials.client_secret)
    try:
        response = intuit.refresh(client, refresh_token)
    except intuit.OAuthCallFailed as failure:
        raise _explained(
            profile_name,
            failure,
            "Intuit refused that refresh token (invalid_grant). It may have been replaced "
            "already (each refresh can issue a new one, and the old one then stops working), "
            "be older than 100 days, or come from another app's keys or the other key set "
            f"({profile.key_set} keys are saved for this profile). Get a fresh one from the "
            "OAuth Playground with the same app selected. Nothing was saved.",
        ) from None
    tokens = TokenSet.from_response(response, realm_id, time.time())
    company = read_company(profile_name, endpoints, tokens, what="token check")
    return PendingConnection(profile_name, "paste-tokens", tokens, company, response.intuit_tid)


class ConnectionNotSaved(WizardError):
    """A proven connection could not be stored; the message says exactly what was kept."""


def save_connection(pending: PendingConnection, *, allow_company_change: bool = False) -> Profile:
    """Store a proven connection so that the keyring and profile.yaml always name one company.

    Under the refresh lock: the new profile.yaml is staged first (a full disk or a read-only
    folder stops here, with nothing written); then the tokens go to the keyring; then the
    staged profile is put in place. Should that last step fail, the keyring's previous entry
    is put back, so neither file is left naming the other company.
    """
    change = pending.company_change()
    if change is not None and not allow_company_change:
        raise change
    name = pending.profile_name
    company = f"{pending.company.name} (company ID {pending.company.realm_id})"
    with profile_store(name).edit() as edit:
        profile = edit.profile
        previous_company = profile.company_name or profile.realm_id
        profile.realm_id = pending.company.realm_id
        profile.company_name = pending.company.name
        profile.country = pending.company.country
        profile.connect_method = pending.method
        profile.connected_at = utc_timestamp()
        record_expiries(profile, pending.tokens)
        record_connected(profile)
        try:
            staged = edit.stage()
        except ConfigFileError as error:
            raise ConnectionNotSaved(
                f"The sign-in to {company} worked, but nothing was saved: {error} "
                + _kept_before(previous_company, pending.method)
            ) from None
        store = TokenStore(name)
        try:
            previous_entry = store.vault.get(TOKENS_ENTRY)
            store.save(pending.tokens)
        except BaseException:
            staged.discard()
            raise
        try:
            staged.commit()
        except ConfigFileError as error:
            raise ConnectionNotSaved(
                *_undo_tokens(store, previous_entry, company, str(error), previous_company)
            ) from None
    return profile


def _kept_before(previous_company: str | None, method: str) -> str:
    kept = (
        f"The profile stays connected to {previous_company} as before."
        if previous_company
        else "The profile is not connected, as before."
    )
    if method == "paste-tokens":
        kept += (
            " The pasted refresh token may have been replaced by this check, so copy a fresh "
            "one from the OAuth Playground when you try again."
        )
    return kept


def _undo_tokens(
    store: TokenStore,
    previous_entry: str | None,
    company: str,
    problem: str,
    previous_company: str | None,
) -> tuple[str | Fix, ...]:
    """Put the keyring back as it was after profile.yaml refused the new company; say what
    is kept."""
    try:
        if previous_entry is None:
            store.delete()
        else:
            store.vault.set(TOKENS_ENTRY, previous_entry)
    except VaultUnavailable as refused:
        return (
            f"The connection to {company} is saved in the keyring, but profile.yaml could not "
            f"be updated ({problem}), and the keyring's previous entry could not be put back "
            f"({refused}). ",
            Fix(
                f"Run `qbo-wizard login --profile {store.profile_name}` again",
                f"Connect again on {step_ref('connect')}",
            ),
            " once both work.",
        )
    return (
        f"The sign-in to {company} worked, but profile.yaml could not be updated ({problem}), "
        "so the keyring was put back as it was. " + _kept_before(previous_company, ""),
    )


@dataclass(frozen=True)
class DisconnectReport:
    """What `disconnect` did, in words the CLI and the TUI can show as they are."""

    revoked: bool
    had_connection: bool
    forgot_keys: bool
    problem: str | None = None

    def summary(self) -> str:
        """One or two plain sentences."""
        parts: list[str] = []
        if self.revoked:
            parts.append("Disconnected the app from the company at Intuit.")
        elif self.had_connection:
            parts.append(
                "Could not disconnect at Intuit, so the app may still appear under Apps in "
                "QuickBooks (an admin can disconnect it there)"
                + (f": {self.problem}" if self.problem else ".")
            )
        else:
            parts.append("There was no stored connection to disconnect at Intuit.")
        parts.append(
            "Removed the stored tokens and the app keys from this computer."
            if self.forgot_keys
            else "Removed the stored tokens from this computer (the app keys are kept)."
        )
        return " ".join(parts)


def disconnect(profile_name: str, *, forget_keys: bool = True) -> DisconnectReport:
    """Revoke the connection at Intuit, then wipe the profile's keyring entries.

    The local wipe happens even when Intuit cannot be reached or refuses; the report says so.
    """
    vault = vault_for(profile_name)
    store = TokenStore(profile_name, vault)
    staged = None
    profiles = profile_store(profile_name)
    if profiles.exists():
        # Staged before anything is wiped: a read-only or full folder stops here, so the
        # keyring is never emptied while profile.yaml still says it is connected.
        profile = profiles.read()
        profile.connected_at = None
        profile.access_token_expires_at = None
        profile.refresh_token_expires_at = None
        profile.refresh_token_hard_expires_at = None
        if forget_keys:
            profile.client_id_hint = None
        record_disconnected(profile, keys_forgotten=forget_keys)
        try:
            staged = profiles.stage(profile)
        except ConfigFileError as error:
            raise ConnectProblem(
                f"Nothing was disconnected or removed: {error} The connection and the keys "
                "are kept as they were."
            ) from None
    try:
        report = _revoke_and_wipe(profile_name, vault, store, forget_keys)
    except BaseException:
        if staged is not None:
            staged.discard()
        raise
    if staged is not None:
        staged.commit()
    return report


def _revoke_and_wipe(
    profile_name: str, vault: Vault, store: TokenStore, forget_keys: bool
) -> DisconnectReport:
    """Revoke at Intuit (best effort), then remove the keyring entries; say what happened."""
    try:
        tokens = store.load()
    except StoredTokensUnreadable:
        tokens = None
    revoked = False
    problem: str | None = None
    if tokens is not None:
        try:
            credentials = load_credentials(profile_name)
            client = intuit.make_client(
                endpoints_for(profile_store(profile_name).read()),
                credentials.client_id,
                credentials.client_secret,
            )
            intuit.revoke(client, tokens.refresh_token)
            revoked = True
        except intuit.OAuthCallFailed as failure:
            intuit.record(profile_name, failure)
            problem = str(failure)
        except (MissingCredentials, EnvironmentProblem) as failure:
            problem = str(failure)
    if profile_dir(profile_name).exists():
        with refresh_lock(profile_name):  # never under a refresh that is writing new tokens
            store.delete()
    else:
        store.delete()
    if forget_keys:
        forget_credentials(vault)
    return DisconnectReport(
        revoked=revoked,
        had_connection=tokens is not None,
        forgot_keys=forget_keys,
        problem=problem,
    )
