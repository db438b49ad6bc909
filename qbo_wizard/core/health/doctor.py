"""Health checks for one profile: what works, what does not, and the next thing to run.

`run_doctor` is what `qbo-wizard doctor`, the support bundle and the step-9 screen call. It runs
the checks in `CHECKS` (`doctor_checks`) in order and returns a `DoctorReport` of typed
`CheckResult`s (`doctor_report`). The status home's connection and token expiry rows are read
from the same checks here.

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
from dataclasses import replace

from qbo_wizard.core.connection.api import brief_waits
from qbo_wizard.core.health.area_status import AreaId, AreaStatus, StatusOptions
from qbo_wizard.core.health.doctor_checks import (
    CHECKS,
    CheckContext,
    CheckOutcome,
    DoctorCheck,
    failure_outcome,
    first_sentence_on_one_line,
)
from qbo_wizard.core.health.doctor_report import (
    CheckResult,
    DoctorProgress,
    DoctorReport,
    ProgressCallback,
    Verdict,
)
from qbo_wizard.core.health.errorlog import recent_failures, record_failure
from qbo_wizard.core.paths import validate_profile_name
from qbo_wizard.core.problems import WizardError
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.profile_store import profile_store


def _blocker(check: DoctorCheck, done: dict[str, CheckResult]) -> tuple[str, str] | None:
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
    if not profile_store(profile_name).exists():  # never create a folder for a profile not there
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

    ctx = CheckContext(
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
    check: DoctorCheck,
    ctx: CheckContext,
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
        outcome = failure_outcome(error, step=None, command=None)
    except Exception as error:  # a broken check must not hide the others
        outcome = CheckOutcome("problem", f"Could not be checked ({type(error).__name__}).")
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


# --- the status home's rows (listed in `status.STATUS_CHECKS`) ------------------------------

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
        return AreaStatus(area, "ok", first_sentence_on_one_line(tokens.why))
    if tokens.blocked_by == "keyring":
        return AreaStatus(area, "problem", first_sentence_on_one_line(report.check("keyring").why))
    if area == "token-expiry":
        return AreaStatus(area, "problem", "No connection yet.", "connect")
    if tokens.blocked_by is not None:  # no readable profile: nothing was ever connected
        return AreaStatus(area, "problem", "Not connected to a company yet.", "connect")
    return AreaStatus(
        area, "problem", options.ids(first_sentence_on_one_line(tokens.why)), "connect"
    )


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
            why = options.ids(first_sentence_on_one_line(check.why))
            if check.step in (None, "connect"):  # QuickBooks could not be asked
                return AreaStatus("connection", "unknown", why, "troubleshoot")
            return AreaStatus("connection", "problem", why, check.step)
        if check.verdict == "skipped" and check.blocked_by not in (None, "refresh"):
            blocker = report.check(check.blocked_by or "")
            why = options.ids(first_sentence_on_one_line(blocker.why))
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
        return AreaStatus(
            "token-expiry", "problem", first_sentence_on_one_line(worst.why), "connect"
        )
    if worst.verdict == "warning":
        return AreaStatus(
            "token-expiry", "warning", first_sentence_on_one_line(worst.why), worst.step
        )
    return AreaStatus("token-expiry", "ok", first_sentence_on_one_line(window.why), "connect")
