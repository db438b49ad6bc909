"""The status home's row for the last $1.00 check."""

from __future__ import annotations

from qbo_wizard.core.health.area_status import AreaStatus, StatusOptions, Verdict, parse_time
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.steps import step_ref


def last_check_status(profile: Profile, options: StatusOptions) -> AreaStatus:
    """The status home's last test row: passed or failed, when, and any cleanup still due."""
    test = profile.last_test
    if not test:
        return AreaStatus("last-test", "problem", "No test posted yet.", "test")
    at = parse_time(str(test.get("at", "")))
    when = f" on {at:%d %b %Y}" if at else ""
    left = (
        f" Test documents are still in QuickBooks: clean them up in {step_ref('test')}."
        if test.get("pending_cleanup")
        else ""
    )
    if test.get("ok") is True:
        verdict: Verdict = "warning" if left else "ok"
        return AreaStatus("last-test", verdict, f"Passed{when}.{left}", "test")
    summary = str(test.get("summary", "")).strip() or f"see {step_ref('test')} for what went wrong."
    return AreaStatus("last-test", "problem", options.ids(f"Failed{when}: {summary}{left}"), "test")
