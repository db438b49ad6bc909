"""The doctor's checks, offline and live, in the order they run.

Each check is a function of a `CheckContext` (what earlier checks learned) returning a
`CheckOutcome`; `CHECKS` names them with their prerequisites. The runner is in `doctor`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from qbo_wizard.core.connection.api import QboApi, QboApiError
from qbo_wizard.core.connection.environments import describe, intuit_environment, simulator_info
from qbo_wizard.core.connection.intuit import OAuthCallFailed
from qbo_wizard.core.connection.keyring_entries import CLIENT_ID, CLIENT_SECRET
from qbo_wizard.core.connection.tokens import (
    EXPIRY_WARNING_DAYS,
    ReconnectRequired,
    StoredTokensUnreadable,
    TokenKeeper,
    TokenSet,
    TokensNotSaved,
    TokenStore,
)
from qbo_wizard.core.connection.vault import (
    BACKEND_ENV_VAR,
    ENCRYPTED_FILE_BACKEND,
    Vault,
    VaultUnavailable,
    describe_keyring,
)
from qbo_wizard.core.handoff.record import ONE_HOLDER_WHY, HandoffRecord, handoff_record
from qbo_wizard.core.health.doctor_report import CheckKind, Verdict
from qbo_wizard.core.mapping.check import validate_saved_mapping
from qbo_wizard.core.paths import list_profiles
from qbo_wizard.core.problems import EXIT_RECONNECT, ConfigFileError, WizardError
from qbo_wizard.core.profile import Profile, mask_hint, profile_exists
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.core.steps import StepId, step_ref

#: The refresh check refreshes when the access token has less than this many seconds left.
REFRESH_DUE_SECONDS = 300.0
_DAY = 86400.0
# QuickBooks answers these when the keys may not reach the company (often the other key set).
_WRONG_ENVIRONMENT_CODES = {"130", "3100", "7001"}


@dataclass(frozen=True)
class CheckOutcome:
    """What a check function found; the runner adds the check's id, title and kind."""

    verdict: Verdict
    why: str
    step: StepId | None = None
    command: str | None = None
    details: tuple[str, ...] = ()
    code: str | None = None
    intuit_tid: str | None = None
    blocked_by: str | None = None
    logged: bool = False  # the failing call already wrote it to the error log


@dataclass
class CheckContext:
    """What the checks learn as they go, so later checks do not read or call it again."""

    profile_name: str
    now: float
    force_refresh: bool
    sleep: Callable[[float], None]
    report_detail: Callable[[str], None]
    profile: Profile | None = None
    client_id: str | None = None
    tokens: TokenSet | None = None
    api: QboApi | None = None
    company_error: QboApiError | None = None  # a failed CompanyInfo call
    company_answered: bool = False

    def command(self, words: str) -> str:
        return f"qbo-wizard {words} --profile {self.profile_name}"

    def connect_again(self, verdict: Verdict, why: str) -> CheckOutcome:
        """An outcome fixed by connecting again (`qbo-wizard login`, wizard step 6)."""
        return CheckOutcome(verdict, why, step="connect", command=self.command("login"))


CheckFunction = Callable[[CheckContext], CheckOutcome]


@dataclass(frozen=True)
class DoctorCheck:
    id: str
    title: str
    kind: CheckKind
    run: CheckFunction
    needs: tuple[str, ...] = ()


def first_sentence_on_one_line(message: str) -> str:
    head = " ".join(message.split())
    end = head.find(". ")
    return head if end < 0 else head[: end + 1]


def _days(seconds: float) -> str:
    days = seconds / _DAY
    whole = int(days)
    return f"{whole} day{'s' if whole != 1 else ''}"


def _date(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


_RECONNECT_WHY = {
    "invalid_grant": "Intuit no longer accepts the connection (invalid_grant): it was revoked, "
    "for example by a password change or a disconnect in QuickBooks, another admin connected "
    "the app in its place, or it went unused for 100 days.",
    "invalid_client": "Intuit no longer accepts the saved app keys (invalid_client): the client "
    "secret may have been regenerated, so enter the keys again, then connect again.",
}


def failure_outcome(
    error: WizardError, *, step: StepId | None, command: str | None
) -> CheckOutcome:
    """The outcome for a call that raised: reconnect when its exit code says so."""
    verdict: Verdict = "reconnect" if error.exit_code == EXIT_RECONNECT else "problem"
    code = getattr(error, "code", None)
    tid = getattr(error, "intuit_tid", None)
    why = first_sentence_on_one_line(str(error))
    if isinstance(error, ReconnectRequired):
        code = "invalid_client" if "invalid_client" in str(error) else "invalid_grant"
        why = _RECONNECT_WHY[code]
    # API and OAuth failures are written to the error log by the call that failed.
    logged = isinstance(error, (QboApiError, OAuthCallFailed, ReconnectRequired, TokensNotSaved))
    return CheckOutcome(
        verdict,
        why,
        step=step,
        command=command,
        code=str(code) if code is not None else None,
        intuit_tid=str(tid) if tid else None,
        logged=logged,
    )


# --- offline checks ------------------------------------------------------------------------


def _check_profile(ctx: CheckContext) -> CheckOutcome:
    name = ctx.profile_name
    if not profile_store(name).exists():
        others = [p for p in list_profiles() if p != name and profile_exists(p)]
        known = f" Profiles on this computer: {', '.join(others)}." if others else ""
        return CheckOutcome(
            "problem",
            f"Profile {name!r} has not been set up on this computer.{known}",
            step="overview",
            command=f"qbo-wizard --profile {name}",
        )
    try:
        profile = profile_store(name).read()
    except ConfigFileError as error:
        where = f"{error.path}, line {error.line}" if error.line else str(error.path)
        return CheckOutcome(
            "problem",
            f"{where}: {error.problem}. Fix it in a text editor, or move it aside and set the "
            "profile up again.",
        )
    ctx.profile = profile
    if profile.environment == "simulator" and not profile.simulator_url:
        return CheckOutcome(
            "problem",
            "The profile is set to use the practice QuickBooks but has no address for it.",
            step="credentials",
            command=ctx.command("credentials --simulator URL"),
        )
    if profile.step_state("connect") == "done" and not profile.realm_id:
        return ctx.connect_again(
            "warning",
            "The profile says it is connected but records no company ID; connect again to "
            "record it.",
        )
    company = profile.company_name or "no company yet"
    realm = f" (realm {profile.realm_id})" if profile.realm_id else ""
    return CheckOutcome("ok", f"{profile.path.name} is readable: {company}{realm}.")


def keyring_backend_description() -> str:
    """Where secrets are kept here, in words ("Secret Service (GNOME Keyring or compatible)",
    "encrypted file ~/.local/share/python_keyring/cryptfile_pass.cfg"), never a class path
    alone."""
    return describe_keyring()


def _check_keyring(ctx: CheckContext) -> CheckOutcome:
    vault = Vault(ctx.profile_name)
    try:
        choice = vault.choice()
        ctx.client_id = vault.get(CLIENT_ID)  # a real read: a locked keyring shows here
    except VaultUnavailable as error:
        why, ways_forward = error.short()
        return CheckOutcome("problem", why, details=ways_forward)
    if choice.plaintext:
        return CheckOutcome(
            "warning",
            f"Secrets are kept in clear text in a {choice.description}: anyone who can read "
            "that file can use this QuickBooks connection. It works because you named this "
            f"backend in {BACKEND_ENV_VAR}; on a server, choose the encrypted-file keyring "
            f"instead ({BACKEND_ENV_VAR}={ENCRYPTED_FILE_BACKEND}).",
        )
    return CheckOutcome("ok", f"Reachable: {choice.description}.")


def _check_keys(ctx: CheckContext) -> CheckOutcome:
    profile = ctx.profile
    assert profile is not None
    secret = Vault(ctx.profile_name).get(CLIENT_SECRET)
    if not ctx.client_id or not secret:
        missing = "client ID" if not ctx.client_id else "client secret"
        return CheckOutcome(
            "problem",
            f"No {missing} is saved in the keyring for this profile.",
            step="credentials",
            command=ctx.command("credentials"),
        )
    hint = mask_hint(ctx.client_id)
    if profile.client_id_hint and profile.client_id_hint != hint:
        return CheckOutcome(
            "warning",
            f"The keyring holds the client ID {hint}, but the profile was set up with "
            f"{profile.client_id_hint}; enter the keys again if they were changed by hand.",
            step="credentials",
            command=ctx.command("credentials"),
        )
    return CheckOutcome("ok", f"{profile.key_set.capitalize()} keys saved (client ID {hint}).")


def _check_tokens(ctx: CheckContext) -> CheckOutcome:
    profile = ctx.profile
    assert profile is not None
    try:
        tokens = TokenStore(ctx.profile_name).load()
    except StoredTokensUnreadable as error:
        return ctx.connect_again("reconnect", first_sentence_on_one_line(str(error)))
    handed = handoff_record(profile)
    if handed is not None and handed.holds(tokens):  # see `_check_handoff`
        return CheckOutcome("skipped", _handed_sentence(handed), blocked_by="handoff")
    if tokens is None:
        return ctx.connect_again(
            "problem",
            "Not connected to a QuickBooks company yet (no tokens in the keyring).",
        )
    ctx.tokens = tokens
    if profile.realm_id and profile.realm_id != tokens.realm_id:
        return ctx.connect_again(
            "problem",
            f"The stored connection is for company {tokens.realm_id}, but the profile was set "
            f"up for {profile.company_name or 'company'} {profile.realm_id}; connect again and "
            "pick the profile's company.",
        )
    company = profile.company_name or "the company"
    since = f", connected {profile.connected_at[:10]}" if profile.connected_at else ""
    return CheckOutcome("ok", f"Connected to {company} (realm {tokens.realm_id}){since}.")


def _handed_sentence(record: HandoffRecord) -> str:
    holder = record.holder_sentence()
    return (
        f"{holder[:1].upper()}{holder[1:]}: their systems hold and refresh the connection now, "
        "so this computer no longer uses it."
    )


def _check_handoff(ctx: CheckContext) -> CheckOutcome:
    """Who holds the connection: this computer, or the hosted integration's vendor (one holder,
    because Intuit rotates the refresh token), and whether a hand-off is due."""
    from qbo_wizard.core.handoff.sealed import hosted_vendor

    profile = ctx.profile
    assert profile is not None
    record = handoff_record(profile)
    hosted = hosted_vendor(profile)
    try:
        tokens = TokenStore(ctx.profile_name).load()
    except StoredTokensUnreadable:
        tokens = None
    if record is not None and record.holds(tokens):
        return CheckOutcome("ok", f"{_handed_sentence(record)} {ONE_HOLDER_WHY}")
    if hosted is None or tokens is None:
        return CheckOutcome("ok", "Not handed over: this computer holds the connection.")
    if record is None and hosted.practice:  # the demo offers it after the $1.00 test
        return CheckOutcome(
            "ok",
            f"Not handed to {hosted.vendor} yet; the demo hands it over after the $1.00 test.",
        )
    if record is None:
        why = (
            f"{hosted.vendor} runs this integration on their servers and has not been handed "
            "the connection yet."
        )
    else:
        why = (
            f"Connected again since it was {record.holder_sentence()}: {hosted.vendor} still "
            "has the old connection and needs the new one."
        )
    return CheckOutcome("warning", why, command=ctx.command("handoff"))


def _check_environment(ctx: CheckContext) -> CheckOutcome:
    profile = ctx.profile
    assert profile is not None
    if profile.environment != "simulator":
        expected = intuit_environment(profile.key_set)
        if profile.environment != expected:
            reach = "sandbox" if profile.key_set == "development" else "real"
            return CheckOutcome(
                "problem",
                f"The profile is set to {profile.environment} companies but holds "
                f"{profile.key_set} keys, which reach only {reach} companies.",
                step="credentials",
                command=ctx.command(f"credentials --key-set {profile.key_set}"),
            )
    return CheckOutcome("ok", f"Set for {describe(profile)}.")


def _stored(ctx: CheckContext) -> TokenSet:
    assert ctx.tokens is not None, "runs only after the stored-connection check passed"
    return ctx.tokens


def _check_access_token(ctx: CheckContext) -> CheckOutcome:
    left = _stored(ctx).access_valid_for(ctx.now)
    if left > 0:
        return CheckOutcome("ok", f"Valid for another {_minutes(left)}.")
    return CheckOutcome(
        "ok",
        "Expired, as access tokens do after an hour; a new one is fetched on next use.",
    )


def _expiry(ctx: CheckContext, expires_at: float | None, hard: bool) -> CheckOutcome:
    if expires_at is None:
        what = "5-year limit" if hard else "100-day expiry"
        return CheckOutcome("ok", f"Intuit did not send the connection's {what}; nothing to watch.")
    left = expires_at - ctx.now
    when = _date(expires_at)
    if left <= 0:
        why = (
            f"The connection reached Intuit's 5-year limit on {when}."
            if hard
            else f"The connection expired on {when}: it was not used for 100 days."
        )
        return ctx.connect_again("reconnect", why)
    if left < EXPIRY_WARNING_DAYS * _DAY:
        if hard:
            return ctx.connect_again(
                "warning",
                f"The connection reaches Intuit's 5-year limit in {_days(left)} ({when}); "
                "connect again before then (using it does not extend this limit).",
            )
        return CheckOutcome(
            "warning",
            f"The connection expires in {_days(left)} ({when}) unless it is used; any "
            "refresh renews the 100 days.",
            command=ctx.command("doctor --refresh"),
        )
    if hard:
        return CheckOutcome("ok", f"Intuit's 5-year limit ends {when} ({_days(left)} left).")
    return CheckOutcome("ok", f"Good until {when} ({_days(left)}); every refresh renews it.")


def _check_refresh_window(ctx: CheckContext) -> CheckOutcome:
    return _expiry(ctx, _stored(ctx).refresh_expires_at, hard=False)


def _check_hard_limit(ctx: CheckContext) -> CheckOutcome:
    return _expiry(ctx, _stored(ctx).refresh_hard_expires_at, hard=True)


# --- live checks ---------------------------------------------------------------------------


def _check_refresh(ctx: CheckContext) -> CheckOutcome:
    left = _stored(ctx).access_valid_for(time.time())
    if not ctx.force_refresh and left >= REFRESH_DUE_SECONDS:
        return CheckOutcome(
            "skipped",
            f"Not due: the access token is valid for another {_minutes(left)}, and Intuit asks "
            "apps not to refresh early (the doctor's --refresh option forces one).",
        )
    keeper = TokenKeeper(ctx.profile_name)
    try:
        ctx.tokens = keeper.tokens(REFRESH_DUE_SECONDS, force=ctx.force_refresh)
    except WizardError as error:
        return failure_outcome(error, step="connect", command=ctx.command("login"))
    reference = f" (intuit_tid {keeper.last_intuit_tid})" if keeper.last_intuit_tid else ""
    return CheckOutcome(
        "ok",
        f"Intuit refreshed the connection and the new tokens are saved in the keyring{reference}.",
        intuit_tid=keeper.last_intuit_tid,
    )


def _check_company(ctx: CheckContext) -> CheckOutcome:
    profile = ctx.profile
    assert profile is not None
    try:
        api = ctx.api = QboApi.for_profile(ctx.profile_name, sleep=ctx.sleep)
        info = api.company_info()
    except QboApiError as error:
        ctx.company_error = error
        if error.code in _WRONG_ENVIRONMENT_CODES:
            return CheckOutcome(
                "problem",
                f"QuickBooks would not read the company (error {error.code}); see "
                f"'{_TITLES['environment-live']}'.",
                step="credentials",
                command=ctx.command("credentials"),
                code=error.code,
                intuit_tid=error.intuit_tid,
                logged=True,
            )
        return failure_outcome(error, step="connect", command=ctx.command("login"))
    except WizardError as error:
        return failure_outcome(error, step="connect", command=ctx.command("login"))
    name = str(info.get("CompanyName") or info.get("LegalName") or "the company")
    if profile.realm_id and api.realm_id != profile.realm_id:  # the tokens check sees it first
        return ctx.connect_again(
            "problem",
            f"QuickBooks answered for company {api.realm_id}, not the saved {profile.realm_id}.",
        )
    ctx.company_answered = True
    renamed = ""
    if profile.company_name and profile.company_name != name:
        renamed = f"; it was called {profile.company_name} when the profile was connected"
    return CheckOutcome(
        "ok", f"{name} (realm {api.realm_id}) answered: the saved company{renamed}."
    )


def _check_environment_live(ctx: CheckContext) -> CheckOutcome:
    profile = ctx.profile
    assert profile is not None
    error = ctx.company_error
    if error is not None and error.code in _WRONG_ENVIRONMENT_CODES:
        return CheckOutcome(
            "problem",
            f"QuickBooks says these keys may not reach this company (error {error.code}): the "
            f"saved {profile.key_set} keys are probably from the other key set, or the app was "
            "disconnected from the company.",
            step="credentials",
            command=ctx.command("credentials"),
            code=error.code,
            intuit_tid=error.intuit_tid,
            logged=True,
        )
    if ctx.api is None or not ctx.company_answered:
        return CheckOutcome(
            "skipped",
            f"Skipped until '{_TITLES['company']}' is fixed.",
            blocked_by="company",
        )
    wanted = intuit_environment(profile.key_set)
    if profile.environment == "simulator" and profile.simulator_url:
        info = simulator_info(profile.simulator_url)
        keys = info.get("keys") or {}
        other = "production" if profile.key_set == "development" else "development"
        if ctx.client_id == (keys.get(other) or {}).get("client_id"):
            return CheckOutcome(
                "problem",
                f"The saved keys are the practice QuickBooks' {other} keys, but the profile "
                f"says {profile.key_set}.",
                step="credentials",
                command=ctx.command(f"credentials --key-set {other}"),
            )
        companies = {str(c.get("realm_id")): c for c in info.get("companies") or []}
        company = companies.get(ctx.api.realm_id) or {}
        found = company.get("environment")
        if found and found != wanted:
            return CheckOutcome(
                "problem",
                f"The company is a {found} company, but {profile.key_set} keys reach only "
                f"{wanted} companies.",
                step="credentials",
                command=ctx.command("credentials"),
            )
    return CheckOutcome(
        "ok",
        f"{profile.key_set.capitalize()} keys reached a {wanted} company, as they should.",
    )


def _check_mapping(ctx: CheckContext) -> CheckOutcome:
    def progress(loaded: int, total: int | None) -> None:
        ctx.report_detail(f"read {loaded:,} records" + (f" of {total:,}" if total else ""))

    assert ctx.api is not None, "runs only after the company check passed"
    try:
        report = validate_saved_mapping(ctx.api, ctx.profile_name, on_progress=progress)
    except WizardError as error:
        return failure_outcome(error, step="map", command=ctx.command("mapping check"))
    check_command = ctx.command("mapping check")
    if report.saved is None:
        return CheckOutcome(
            "warning", f"No mapping saved yet: map the line items in {step_ref('map')}.", step="map"
        )
    if report.problems:
        return CheckOutcome(
            "problem", report.problems[0], step="map", details=tuple(report.problems[1:])
        )
    broken = [r for r in report.lines if r.status == "broken"]
    details = tuple(
        f"{r.line.label} → {r.target_name}: "
        + "; ".join(f.reason for f in r.findings if f.breaks)
        + "."
        for r in broken
    )
    if broken:
        return CheckOutcome(
            "problem", report.summary(), step="map", command=check_command, details=details
        )
    if not report.ok:
        unmapped = tuple(f"{r.line.label}: not mapped yet." for r in report.broken)
        return CheckOutcome("warning", report.summary(), step="map", details=unmapped)
    return CheckOutcome("ok", report.summary())


_OFFLINE_BASE = ("profile", "keyring")
_CONNECTED = (*_OFFLINE_BASE, "keys", "tokens", "environment", "refresh-window", "hard-limit")

CHECKS: tuple[DoctorCheck, ...] = (
    DoctorCheck("profile", "Profile settings", "offline", _check_profile),
    DoctorCheck("keyring", "Keyring", "offline", _check_keyring),
    DoctorCheck("keys", "App keys", "offline", _check_keys, _OFFLINE_BASE),
    DoctorCheck("tokens", "Stored connection", "offline", _check_tokens, _OFFLINE_BASE),
    DoctorCheck("handoff", "Hand-off", "offline", _check_handoff, _OFFLINE_BASE),
    DoctorCheck("environment", "Environment and keys", "offline", _check_environment, ("profile",)),
    DoctorCheck("access-token", "Access token", "offline", _check_access_token, ("tokens",)),
    DoctorCheck("refresh-window", "100-day window", "offline", _check_refresh_window, ("tokens",)),
    DoctorCheck("hard-limit", "5-year limit", "offline", _check_hard_limit, ("tokens",)),
    DoctorCheck("refresh", "Token refresh", "live", _check_refresh, _CONNECTED),
    DoctorCheck("company", "Company answers", "live", _check_company, (*_CONNECTED, "refresh")),
    DoctorCheck(
        "environment-live",
        "Keys match company",
        "live",
        _check_environment_live,
        (*_CONNECTED, "refresh"),
    ),
    DoctorCheck("mapping", "Mapping", "live", _check_mapping, (*_CONNECTED, "company")),
)
CHECK_IDS: tuple[str, ...] = tuple(c.id for c in CHECKS)
_TITLES = {c.id: c.title for c in CHECKS}
