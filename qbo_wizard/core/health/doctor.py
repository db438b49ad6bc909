"""Health checks for one profile: what works, what does not, and the next thing to run.

`run_doctor` is what `qbo-wizard doctor`, the support bundle and the step-9 screen call. It runs
the checks in `CHECKS` in order and returns a `DoctorReport` of typed `CheckResult`s.

- **Offline checks** need only this computer: the profile file, the keyring, the keys and the
  stored connection in it, whether the environment and the key set agree, and how long the
  access token, Intuit's rolling 100-day window and its 5-year limit have left.
- **Live checks** talk to Intuit (or the practice QuickBooks): a token refresh (only when one
  is due, since Intuit asks apps not to refresh early; `force_refresh` makes one anyway), a
  CompanyInfo call for the saved company, whether the keys belong to that company's
  environment, and whether the saved mapping still holds against the live lists.

A check whose prerequisite failed is skipped with the reason, so one root cause shows once
instead of as a cascade. Problems and reconnects are noted in the profile's error log (unless
the failing call has noted them already), without secrets.

Verdicts: `ok`; `warning` (works, but needs attention soon); `problem` (something must be
fixed); `reconnect` (QuickBooks no longer accepts the connection: invalid_grant, revoked,
another user took it over); `skipped` (with the reason). `DoctorReport.exit_code` is 0 when
nothing needs fixing (warnings allowed), 1 for problems, 4 when a reconnect is required.

For a screen: call `run_doctor` from a thread worker; `on_progress` is called from that thread
before and after each check (and while the mapping check reads long lists), so hand its
`DoctorProgress` to the UI thread; `cancelled` is polled between checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal

from qbo_wizard.core.connection.api import QboApi, QboApiError, brief_waits
from qbo_wizard.core.connection.credentials import CLIENT_ID, CLIENT_SECRET
from qbo_wizard.core.connection.environments import describe, intuit_environment, simulator_info
from qbo_wizard.core.connection.intuit import OAuthCallFailed
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
from qbo_wizard.core.files import ConfigFileError
from qbo_wizard.core.handoff.record import ONE_HOLDER_WHY, HandoffRecord, handoff_record
from qbo_wizard.core.health.errorlog import recent_failures, record_failure
from qbo_wizard.core.health.status import AreaId, AreaStatus, StatusOptions
from qbo_wizard.core.mapping.check import validate_saved_mapping
from qbo_wizard.core.paths import list_profiles, validate_profile_name
from qbo_wizard.core.problems import EXIT_OK, EXIT_PROBLEM, EXIT_RECONNECT, WizardError
from qbo_wizard.core.profile import Profile, load_profile, mask_hint, profile_exists
from qbo_wizard.core.steps import StepId, step_by_id

Verdict = Literal["ok", "warning", "problem", "reconnect", "skipped"]
CheckKind = Literal["offline", "live"]
OverallResult = Literal["ok", "warnings", "problems", "reconnect"]

VERDICTS: tuple[Verdict, ...] = ("ok", "warning", "problem", "reconnect", "skipped")

#: The refresh check refreshes when the access token has less than this many seconds left.
REFRESH_DUE_SECONDS = 300.0
_DAY = 86400.0
# QuickBooks answers these when the keys may not reach the company (often the other key set).
_WRONG_ENVIRONMENT_CODES = {"130", "3100", "7001"}


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check, in plain words, with what to do next.

    `step` is the wizard step that fixes it (a step id) and `command` the command to run; either
    may be None. `code` and `intuit_tid` come from a failed call to Intuit, when there was one.
    `blocked_by` is set on a skipped check: the id of the check that has to be fixed first.
    """

    id: str
    title: str
    kind: CheckKind
    verdict: Verdict
    why: str
    step: StepId | None = None
    command: str | None = None
    details: tuple[str, ...] = ()
    code: str | None = None
    intuit_tid: str | None = None
    blocked_by: str | None = None

    @property
    def needs_action(self) -> bool:
        """True when the user has something to fix (a problem or a reconnect)."""
        return self.verdict in ("problem", "reconnect")

    @property
    def next_action(self) -> str:
        """What to do next, in words: the command, and the wizard step that does the same."""
        parts = []
        if self.command:
            parts.append(f"run `{self.command}`")
        if self.step:
            step = step_by_id(self.step)
            parts.append(f"wizard step {step.number}: {step.title}")
        if not parts:
            return ""
        return parts[0] if len(parts) == 1 else f"{parts[0]} (or {parts[1]})"

    def to_json(self) -> dict[str, Any]:
        """The check as one JSON object (see the README for the shape)."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "verdict": self.verdict,
            "why": self.why,
            "details": list(self.details),
            "step": self.step,
            "command": self.command,
            "code": self.code,
            "intuit_tid": self.intuit_tid,
            "blocked_by": self.blocked_by,
        }


@dataclass
class DoctorReport:
    """Every check's result for one profile, and the exit code they add up to."""

    profile_name: str
    live: bool
    checks: list[CheckResult] = field(default_factory=list)
    checked_at: str = field(
        default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    )

    def check(self, check_id: str) -> CheckResult:
        """The result of one check by id (KeyError if it is not in the report)."""
        for result in self.checks:
            if result.id == check_id:
                return result
        raise KeyError(check_id)

    @property
    def result(self) -> OverallResult:
        """`reconnect` outranks `problems`, which outrank `warnings`."""
        verdicts = {c.verdict for c in self.checks}
        if "reconnect" in verdicts:
            return "reconnect"
        if "problem" in verdicts:
            return "problems"
        return "warnings" if "warning" in verdicts else "ok"

    @property
    def exit_code(self) -> int:
        """0 nothing to fix (warnings allowed), 1 problems found, 4 reconnect required."""
        return {"reconnect": EXIT_RECONNECT, "problems": EXIT_PROBLEM}.get(self.result, EXIT_OK)

    def summary(self) -> str:
        """One sentence about the whole report."""
        count: dict[str, int] = {v: sum(c.verdict == v for c in self.checks) for v in VERDICTS}
        passed = f"{count['ok']} of {len(self.checks)} checks passed"
        labels = {"reconnect": "reconnect", "problem": "problem", "warning": "warning"}
        extras = [
            f"{count[v]} {label}{'s' if count[v] != 1 else ''}"
            for v, label in labels.items()
            if count[v]
        ]
        if count["skipped"]:
            extras.append(f"{count['skipped']} skipped")
        tail = f" ({', '.join(extras)})" if extras else ""
        if self.result == "reconnect":
            first = next(c for c in self.checks if c.verdict == "reconnect")
            return f"Reconnect required: {first.next_action}. {passed}{tail}."
        if self.result == "problems":
            return f"Problems found: {passed}{tail}."
        return f"Healthy: {passed}{tail}."

    def to_json(self) -> dict[str, Any]:
        """The whole report as one JSON object (see the README for the shape)."""
        return {
            "profile": self.profile_name,
            "checked_at": self.checked_at,
            "live": self.live,
            "result": self.result,
            "exit_code": self.exit_code,
            "summary": self.summary(),
            "checks": [c.to_json() for c in self.checks],
        }


@dataclass(frozen=True)
class DoctorProgress:
    """Where a running doctor is: `result` is None while check `index` (0-based) runs."""

    check_id: str
    title: str
    index: int
    total: int
    result: CheckResult | None = None
    detail: str = ""


ProgressCallback = Callable[[DoctorProgress], None]


@dataclass(frozen=True)
class _Outcome:
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
class _Context:
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

    def connect_again(self, verdict: Verdict, why: str) -> _Outcome:
        """An outcome fixed by connecting again (`qbo-wizard login`, wizard step 6)."""
        return _Outcome(verdict, why, step="connect", command=self.command("login"))


_CheckFunction = Callable[[_Context], _Outcome]


@dataclass(frozen=True)
class _Check:
    id: str
    title: str
    kind: CheckKind
    run: _CheckFunction
    needs: tuple[str, ...] = ()


def _first_sentence(message: str) -> str:
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


def _failure(error: WizardError, *, step: StepId | None, command: str | None) -> _Outcome:
    """The outcome for a call that raised: reconnect when its exit code says so."""
    verdict: Verdict = "reconnect" if error.exit_code == EXIT_RECONNECT else "problem"
    code = getattr(error, "code", None)
    tid = getattr(error, "intuit_tid", None)
    why = _first_sentence(str(error))
    if isinstance(error, ReconnectRequired):
        code = "invalid_client" if "invalid_client" in str(error) else "invalid_grant"
        why = _RECONNECT_WHY[code]
    # API and OAuth failures are written to the error log by the call that failed.
    logged = isinstance(error, (QboApiError, OAuthCallFailed, ReconnectRequired, TokensNotSaved))
    return _Outcome(
        verdict,
        why,
        step=step,
        command=command,
        code=str(code) if code is not None else None,
        intuit_tid=str(tid) if tid else None,
        logged=logged,
    )


# --- offline checks ------------------------------------------------------------------------


def _check_profile(ctx: _Context) -> _Outcome:
    name = ctx.profile_name
    if not profile_exists(name):
        others = [p for p in list_profiles() if p != name and profile_exists(p)]
        known = f" Profiles on this computer: {', '.join(others)}." if others else ""
        return _Outcome(
            "problem",
            f"Profile {name!r} has not been set up on this computer.{known}",
            step="overview",
            command=f"qbo-wizard --profile {name}",
        )
    try:
        profile = load_profile(name)
    except ConfigFileError as error:
        where = f"{error.path}, line {error.line}" if error.line else str(error.path)
        return _Outcome(
            "problem",
            f"{where}: {error.problem}. Fix it in a text editor, or move it aside and set the "
            "profile up again.",
        )
    ctx.profile = profile
    if profile.environment == "simulator" and not profile.simulator_url:
        return _Outcome(
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
    return _Outcome("ok", f"{profile.path.name} is readable: {company}{realm}.")


def keyring_backend_description() -> str:
    """Where secrets are kept here, in words ("Secret Service (GNOME Keyring or compatible)",
    "encrypted file ~/.local/share/python_keyring/cryptfile_pass.cfg"), never a class path
    alone."""
    return describe_keyring()


def _check_keyring(ctx: _Context) -> _Outcome:
    vault = Vault(ctx.profile_name)
    try:
        choice = vault.choice()
        ctx.client_id = vault.get(CLIENT_ID)  # a real read: a locked keyring shows here
    except VaultUnavailable as error:
        why, ways_forward = error.short()
        return _Outcome("problem", why, details=ways_forward)
    if choice.plaintext:
        return _Outcome(
            "warning",
            f"Secrets are kept in clear text in a {choice.description}: anyone who can read "
            "that file can use this QuickBooks connection. It works because you named this "
            f"backend in {BACKEND_ENV_VAR}; on a server, choose the encrypted-file keyring "
            f"instead ({BACKEND_ENV_VAR}={ENCRYPTED_FILE_BACKEND}).",
        )
    return _Outcome("ok", f"Reachable: {choice.description}.")


def _check_keys(ctx: _Context) -> _Outcome:
    profile = ctx.profile
    assert profile is not None
    secret = Vault(ctx.profile_name).get(CLIENT_SECRET)
    if not ctx.client_id or not secret:
        missing = "client ID" if not ctx.client_id else "client secret"
        return _Outcome(
            "problem",
            f"No {missing} is saved in the keyring for this profile.",
            step="credentials",
            command=ctx.command("credentials"),
        )
    hint = mask_hint(ctx.client_id)
    if profile.client_id_hint and profile.client_id_hint != hint:
        return _Outcome(
            "warning",
            f"The keyring holds the client ID {hint}, but the profile was set up with "
            f"{profile.client_id_hint}; enter the keys again if they were changed by hand.",
            step="credentials",
            command=ctx.command("credentials"),
        )
    return _Outcome("ok", f"{profile.key_set.capitalize()} keys saved (client ID {hint}).")


def _check_tokens(ctx: _Context) -> _Outcome:
    profile = ctx.profile
    assert profile is not None
    try:
        tokens = TokenStore(ctx.profile_name).load()
    except StoredTokensUnreadable as error:
        return ctx.connect_again("reconnect", _first_sentence(str(error)))
    handed = handoff_record(profile)
    if handed is not None and handed.holds(tokens):  # see `_check_handoff`
        return _Outcome("skipped", _handed_sentence(handed), blocked_by="handoff")
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
    return _Outcome("ok", f"Connected to {company} (realm {tokens.realm_id}){since}.")


def _handed_sentence(record: HandoffRecord) -> str:
    holder = record.holder_sentence()
    return (
        f"{holder[:1].upper()}{holder[1:]}: their systems hold and refresh the connection now, "
        "so this computer no longer uses it."
    )


def _check_handoff(ctx: _Context) -> _Outcome:
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
        return _Outcome("ok", f"{_handed_sentence(record)} {ONE_HOLDER_WHY}")
    if hosted is None or tokens is None:
        return _Outcome("ok", "Not handed over: this computer holds the connection.")
    if record is None and hosted.practice:  # the demo offers it after the $1.00 test
        return _Outcome(
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
    return _Outcome("warning", why, command=ctx.command("handoff"))


def _check_environment(ctx: _Context) -> _Outcome:
    profile = ctx.profile
    assert profile is not None
    if profile.environment != "simulator":
        expected = intuit_environment(profile.key_set)
        if profile.environment != expected:
            reach = "sandbox" if profile.key_set == "development" else "real"
            return _Outcome(
                "problem",
                f"The profile is set to {profile.environment} companies but holds "
                f"{profile.key_set} keys, which reach only {reach} companies.",
                step="credentials",
                command=ctx.command(f"credentials --key-set {profile.key_set}"),
            )
    return _Outcome("ok", f"Set for {describe(profile)}.")


def _stored(ctx: _Context) -> TokenSet:
    assert ctx.tokens is not None, "runs only after the stored-connection check passed"
    return ctx.tokens


def _check_access_token(ctx: _Context) -> _Outcome:
    left = _stored(ctx).access_valid_for(ctx.now)
    if left > 0:
        return _Outcome("ok", f"Valid for another {_minutes(left)}.")
    return _Outcome(
        "ok",
        "Expired, as access tokens do after an hour; a new one is fetched on next use.",
    )


def _expiry(ctx: _Context, expires_at: float | None, hard: bool) -> _Outcome:
    if expires_at is None:
        what = "5-year limit" if hard else "100-day expiry"
        return _Outcome("ok", f"Intuit did not send the connection's {what}; nothing to watch.")
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
        return _Outcome(
            "warning",
            f"The connection expires in {_days(left)} ({when}) unless it is used; any "
            "refresh renews the 100 days.",
            command=ctx.command("doctor --refresh"),
        )
    if hard:
        return _Outcome("ok", f"Intuit's 5-year limit ends {when} ({_days(left)} left).")
    return _Outcome("ok", f"Good until {when} ({_days(left)}); every refresh renews it.")


def _check_refresh_window(ctx: _Context) -> _Outcome:
    return _expiry(ctx, _stored(ctx).refresh_expires_at, hard=False)


def _check_hard_limit(ctx: _Context) -> _Outcome:
    return _expiry(ctx, _stored(ctx).refresh_hard_expires_at, hard=True)


# --- live checks ---------------------------------------------------------------------------


def _check_refresh(ctx: _Context) -> _Outcome:
    left = _stored(ctx).access_valid_for(time.time())
    if not ctx.force_refresh and left >= REFRESH_DUE_SECONDS:
        return _Outcome(
            "skipped",
            f"Not due: the access token is valid for another {_minutes(left)}, and Intuit asks "
            "apps not to refresh early (the doctor's --refresh option forces one).",
        )
    keeper = TokenKeeper(ctx.profile_name)
    try:
        ctx.tokens = keeper.tokens(REFRESH_DUE_SECONDS, force=ctx.force_refresh)
    except WizardError as error:
        return _failure(error, step="connect", command=ctx.command("login"))
    reference = f" (intuit_tid {keeper.last_intuit_tid})" if keeper.last_intuit_tid else ""
    return _Outcome(
        "ok",
        f"Intuit refreshed the connection and the new tokens are saved in the keyring{reference}.",
        intuit_tid=keeper.last_intuit_tid,
    )


def _check_company(ctx: _Context) -> _Outcome:
    profile = ctx.profile
    assert profile is not None
    try:
        api = ctx.api = QboApi.for_profile(ctx.profile_name, sleep=ctx.sleep)
        info = api.company_info()
    except QboApiError as error:
        ctx.company_error = error
        if error.code in _WRONG_ENVIRONMENT_CODES:
            return _Outcome(
                "problem",
                f"QuickBooks would not read the company (error {error.code}); see "
                f"'{_TITLES['environment-live']}'.",
                step="credentials",
                command=ctx.command("credentials"),
                code=error.code,
                intuit_tid=error.intuit_tid,
                logged=True,
            )
        return _failure(error, step="connect", command=ctx.command("login"))
    except WizardError as error:
        return _failure(error, step="connect", command=ctx.command("login"))
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
    return _Outcome("ok", f"{name} (realm {api.realm_id}) answered: the saved company{renamed}.")


def _check_environment_live(ctx: _Context) -> _Outcome:
    profile = ctx.profile
    assert profile is not None
    error = ctx.company_error
    if error is not None and error.code in _WRONG_ENVIRONMENT_CODES:
        return _Outcome(
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
        return _Outcome(
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
            return _Outcome(
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
            return _Outcome(
                "problem",
                f"The company is a {found} company, but {profile.key_set} keys reach only "
                f"{wanted} companies.",
                step="credentials",
                command=ctx.command("credentials"),
            )
    return _Outcome(
        "ok",
        f"{profile.key_set.capitalize()} keys reached a {wanted} company, as they should.",
    )


def _check_mapping(ctx: _Context) -> _Outcome:
    def progress(loaded: int, total: int | None) -> None:
        ctx.report_detail(f"read {loaded:,} records" + (f" of {total:,}" if total else ""))

    assert ctx.api is not None, "runs only after the company check passed"
    try:
        report = validate_saved_mapping(ctx.api, ctx.profile_name, on_progress=progress)
    except WizardError as error:
        return _failure(error, step="map", command=ctx.command("mapping check"))
    check_command = ctx.command("mapping check")
    if report.saved is None:
        return _Outcome(
            "warning", "No mapping saved yet: map the line items in step 7.", step="map"
        )
    if report.problems:
        return _Outcome(
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
        return _Outcome(
            "problem", report.summary(), step="map", command=check_command, details=details
        )
    if not report.ok:
        unmapped = tuple(f"{r.line.label}: not mapped yet." for r in report.broken)
        return _Outcome("warning", report.summary(), step="map", details=unmapped)
    return _Outcome("ok", report.summary())


_OFFLINE_BASE = ("profile", "keyring")
_CONNECTED = (*_OFFLINE_BASE, "keys", "tokens", "environment", "refresh-window", "hard-limit")

CHECKS: tuple[_Check, ...] = (
    _Check("profile", "Profile settings", "offline", _check_profile),
    _Check("keyring", "Keyring", "offline", _check_keyring),
    _Check("keys", "App keys", "offline", _check_keys, _OFFLINE_BASE),
    _Check("tokens", "Stored connection", "offline", _check_tokens, _OFFLINE_BASE),
    _Check("handoff", "Hand-off", "offline", _check_handoff, _OFFLINE_BASE),
    _Check("environment", "Environment and keys", "offline", _check_environment, ("profile",)),
    _Check("access-token", "Access token", "offline", _check_access_token, ("tokens",)),
    _Check("refresh-window", "100-day window", "offline", _check_refresh_window, ("tokens",)),
    _Check("hard-limit", "5-year limit", "offline", _check_hard_limit, ("tokens",)),
    _Check("refresh", "Token refresh", "live", _check_refresh, _CONNECTED),
    _Check("company", "Company answers", "live", _check_company, (*_CONNECTED, "refresh")),
    _Check(
        "environment-live",
        "Keys match company",
        "live",
        _check_environment_live,
        (*_CONNECTED, "refresh"),
    ),
    _Check("mapping", "Mapping", "live", _check_mapping, (*_CONNECTED, "company")),
)
CHECK_IDS: tuple[str, ...] = tuple(c.id for c in CHECKS)
_TITLES = {c.id: c.title for c in CHECKS}


def _blocker(check: _Check, done: dict[str, CheckResult]) -> tuple[str, str] | None:
    """(id of the check to fix first, the reason to show) when a prerequisite failed."""
    for need in check.needs:
        prior = done[need]
        if prior.needs_action:
            return need, f"Skipped until '{prior.title}' is fixed."
        if prior.verdict == "skipped" and prior.blocked_by is not None:
            return prior.blocked_by, prior.why
    return None


# A finding already among this many latest log records is not written again, so a doctor run
# every few minutes by a scheduler cannot push the real API failures out of the small log.
_REPEAT_LOOKBACK = 50


def _record(profile_name: str, result: CheckResult) -> None:
    if not profile_exists(profile_name):  # never create a folder for a profile not there
        return
    code = result.code or result.id
    message = f"{result.title}: {result.why}"
    for earlier in recent_failures(profile_name, _REPEAT_LOOKBACK):
        if (earlier.get("source"), earlier.get("code"), earlier.get("message")) == (
            "doctor",
            code,
            message,
        ):
            return
    record_failure(
        profile_name, source="doctor", code=code, message=message, intuit_tid=result.intuit_tid
    )


def run_doctor(
    profile_name: str,
    *,
    live: bool = True,
    force_refresh: bool = False,
    on_progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    only: Collection[str] | None = None,
) -> DoctorReport:
    """Check one profile's health; never raises for what it finds.

    Args:
        profile_name: The profile to check (`InvalidProfileName` if it cannot be one).
        live: False to run the offline checks only (the live ones are skipped with a reason).
        force_refresh: Refresh the tokens even when the access token is still good.
        on_progress: Called before and after each check, from the calling thread.
        cancelled: Polled between checks; once it returns True the rest are skipped.
        now: The time to judge expiry dates against (Unix seconds); default the current time.
        sleep: How to wait between retries of a throttled call (tests pass a no-op).
        only: Check ids to run (with the checks they need); None runs them all.

    Returns:
        A `DoctorReport` with one `CheckResult` per check run, in `CHECKS` order.
    """
    validate_profile_name(profile_name)
    report = DoctorReport(profile_name, live=live)
    done: dict[str, CheckResult] = {}
    chosen = [check for check in CHECKS if only is None or check.id in _with_needs(only)]
    total = len(chosen)
    current: list[DoctorProgress] = []

    def emit(progress: DoctorProgress) -> None:
        if on_progress is not None:
            on_progress(progress)

    def detail(text: str) -> None:
        if current:
            emit(replace(current[0], detail=text))

    ctx = _Context(
        profile_name,
        now=time.time() if now is None else now,
        force_refresh=force_refresh,
        sleep=sleep,
        report_detail=detail,
    )
    for index, check in enumerate(chosen):
        starting = DoctorProgress(check.id, check.title, index, total)
        current[:] = [starting]
        emit(starting)
        result = _run_one(check, ctx, done, live, cancelled)
        done[check.id] = result
        report.checks.append(result)
        emit(replace(starting, result=result))
    current.clear()
    report.checks[:] = _after_refusal(report.checks)
    return report


# Checks that read only what is stored: once Intuit refuses the connection, a good verdict
# of theirs no longer holds, so they say so too (one story on every row).
_HOLD_ONLY_WHILE_ACCEPTED = ("tokens", "access-token", "refresh-window", "hard-limit")


def _after_refusal(checks: list[CheckResult]) -> list[CheckResult]:
    """The checks, with the stored-connection ones turned to reconnect when Intuit refused."""
    refusal = next(
        (c for c in checks if c.id in ("refresh", "company") and c.verdict == "reconnect"), None
    )
    if refusal is None:
        return checks
    return [
        replace(
            check,
            verdict="reconnect",
            why=f"Intuit refused this connection, so this no longer holds: reconnect. "
            f"(Stored: {check.why})",
            step=refusal.step,
            command=refusal.command,
        )
        if check.id in _HOLD_ONLY_WHILE_ACCEPTED and check.verdict == "ok"
        else check
        for check in checks
    ]


def _with_needs(check_ids: Collection[str]) -> set[str]:
    """The checks named and, transitively, every check they need."""
    by_id = {check.id: check for check in CHECKS}
    unknown = set(check_ids) - set(by_id)
    if unknown:
        raise ValueError(f"unknown doctor checks: {', '.join(sorted(unknown))}")
    wanted: set[str] = set()
    pending = list(check_ids)
    while pending:
        check_id = pending.pop()
        if check_id not in wanted:
            wanted.add(check_id)
            pending.extend(by_id[check_id].needs)
    return wanted


def _run_one(
    check: _Check,
    ctx: _Context,
    done: dict[str, CheckResult],
    live: bool,
    cancelled: Callable[[], bool] | None,
) -> CheckResult:
    base = CheckResult(check.id, check.title, check.kind, "skipped", "")
    if cancelled is not None and cancelled():
        return replace(base, why="Skipped: the check was stopped.")
    if check.kind == "live" and not live:
        return replace(base, why="Skipped: offline checks only (--offline).")
    blocker = _blocker(check, done)
    if blocker is not None:
        return replace(base, why=blocker[1], blocked_by=blocker[0])
    try:
        outcome = check.run(ctx)
    except WizardError as error:
        outcome = _failure(error, step=None, command=None)
    except Exception as error:  # a broken check must not hide the others
        outcome = _Outcome("problem", f"Could not be checked ({type(error).__name__}).")
    result = CheckResult(
        check.id,
        check.title,
        check.kind,
        outcome.verdict,
        outcome.why,
        step=outcome.step,
        command=outcome.command,
        details=outcome.details,
        code=outcome.code,
        intuit_tid=outcome.intuit_tid,
        blocked_by=outcome.blocked_by,
    )
    if result.needs_action and not outcome.logged:
        _record(ctx.profile_name, result)
    return result


# --- plain-text rendering (the CLI and the support bundle) ---------------------------------

_VERDICT_WORDS: dict[Verdict, str] = {
    "ok": "ok",
    "warning": "WARNING",
    "problem": "PROBLEM",
    "reconnect": "RECONNECT",
    "skipped": "skipped",
}


def render_text(report: DoctorReport, width: int = 100) -> str:
    """The report as a plain-text table: verdict, check, why, and the next step when needed."""
    import textwrap

    title_width = max(len(c.title) for c in CHECKS)
    indent = " " * (2 + 10 + 1 + title_width + 2)
    wrap_width = max(width, len(indent) + 30)
    lines = [f"Health of profile '{report.profile_name}' ({report.checked_at}):", ""]
    for check in report.checks:
        head = f"  {_VERDICT_WORDS[check.verdict]:<10} {check.title:<{title_width}}  "
        lines.append(
            textwrap.fill(
                check.why,
                width=wrap_width,
                initial_indent=head,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
        for extra in check.details:
            lines.append(
                textwrap.fill(
                    extra,
                    width=wrap_width,
                    initial_indent=indent + "- ",
                    subsequent_indent=indent + "  ",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        if check.verdict in ("problem", "reconnect", "warning") and check.next_action:
            lines.append(
                textwrap.fill(
                    f"Next: {check.next_action}.",
                    width=wrap_width,
                    initial_indent=indent,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        if check.intuit_tid and check.needs_action:
            lines.append(f"{indent}intuit_tid: {check.intuit_tid}")
    closing = f"{report.summary()} Exit code {report.exit_code}."
    lines += ["", textwrap.fill(closing, width=wrap_width, break_long_words=False)]
    return "\n".join(lines)


# --- the status home's rows (named in `status.STATUS_CHECKS`) ------------------------------

#: The checks the status home's connection and token expiry rows are read from.
STATUS_CHECK_IDS = ("company", "refresh-window", "hard-limit")
_EXPIRY_RANK: dict[Verdict, int] = {"reconnect": 3, "problem": 2, "warning": 1}


def status_doctor_report(profile: Profile, options: StatusOptions) -> DoctorReport:
    """The doctor's checks behind the status rows, run once per status report and shared."""
    key = f"doctor:{profile.name}"
    report = options.shared.get(key)
    if not isinstance(report, DoctorReport):
        report = run_doctor(
            profile.name,
            live=options.live,
            now=options.now.timestamp(),
            sleep=brief_waits,  # a status line answers promptly: short waits only
            only=STATUS_CHECK_IDS,
        )
        options.shared[key] = report
    return report


def _not_connected(report: DoctorReport, area: AreaId, options: StatusOptions) -> AreaStatus | None:
    """The row when there is no usable stored connection; None when there is one."""
    tokens = report.check("tokens")
    if tokens.verdict in ("ok", "reconnect"):  # stored (a refused one is the other rows' story)
        return None
    if tokens.blocked_by == "handoff":  # the vendor holds it, as intended
        if area == "token-expiry":
            return AreaStatus(area, "ok", "Kept fresh by its new holder (see Connection).")
        return AreaStatus(area, "ok", _first_sentence(tokens.why))
    if tokens.blocked_by == "keyring":
        return AreaStatus(area, "problem", _first_sentence(report.check("keyring").why))
    if area == "token-expiry":
        return AreaStatus(area, "problem", "No connection yet.", "connect")
    if tokens.blocked_by is not None:  # no readable profile: nothing was ever connected
        return AreaStatus(area, "problem", "Not connected to a company yet.", "connect")
    return AreaStatus(area, "problem", options.ids(_first_sentence(tokens.why)), "connect")


def connection_status(profile: Profile, options: StatusOptions) -> AreaStatus:
    """The status home's connection row, from the doctor's stored-connection and company checks.

    Red with "reconnect" when Intuit no longer accepts the connection; unknown (with step 9)
    when QuickBooks could not be asked (no network, an outage, throttling).
    """
    report = status_doctor_report(profile, options)
    missing = _not_connected(report, "connection", options)
    if missing is not None:
        return missing
    company = f"{profile.company_name or 'The company'} (realm {options.realm(profile.realm_id)})"
    if not options.live:
        return AreaStatus("connection", "ok", f"{company}; not checked live.", "connect")
    for check_id in ("refresh", "company"):
        check = report.check(check_id)
        if check.verdict == "reconnect":
            why = f"QuickBooks no longer accepts the connection to {company}: reconnect."
            return AreaStatus("connection", "problem", why, "connect")
        if check.verdict == "problem":
            why = options.ids(_first_sentence(check.why))
            if check.step in (None, "connect"):  # QuickBooks could not be asked
                return AreaStatus("connection", "unknown", why, "troubleshoot")
            return AreaStatus("connection", "problem", why, check.step)
        if check.verdict == "skipped" and check.blocked_by not in (None, "refresh"):
            blocker = report.check(check.blocked_by or "")
            why = options.ids(_first_sentence(blocker.why))
            return AreaStatus("connection", "problem", why, blocker.step)
    return AreaStatus("connection", "ok", f"{company} answered just now.", "connect")


def token_expiry_status(profile: Profile, options: StatusOptions) -> AreaStatus:
    """The status home's token expiry row: the nearer of Intuit's 100-day and 5-year limits.

    Uses the doctor's own checks, so the warning comes `EXPIRY_WARNING_DAYS` ahead here too.
    """
    report = status_doctor_report(profile, options)
    missing = _not_connected(report, "token-expiry", options)
    if missing is not None:
        return missing
    window, limit = report.check("refresh-window"), report.check("hard-limit")
    worst = max((window, limit), key=lambda check: _EXPIRY_RANK.get(check.verdict, 0))
    if worst.verdict == "reconnect":
        return AreaStatus("token-expiry", "problem", _first_sentence(worst.why), "connect")
    if worst.verdict == "warning":
        return AreaStatus("token-expiry", "warning", _first_sentence(worst.why), worst.step)
    return AreaStatus("token-expiry", "ok", _first_sentence(window.why), "connect")
