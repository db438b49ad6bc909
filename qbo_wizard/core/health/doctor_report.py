"""What a doctor run found: one typed result per check, and the report they add up to.

The checks themselves are in `doctor_checks`, the runner and the status rows in `doctor`; screens,
commands and the support bundle read these types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from qbo_wizard.core.problems import EXIT_OK, EXIT_PROBLEM, EXIT_RECONNECT
from qbo_wizard.core.steps import StepId, step_by_id

Verdict = Literal["ok", "warning", "problem", "reconnect", "skipped"]
CheckKind = Literal["offline", "live"]
OverallResult = Literal["ok", "warnings", "problems", "reconnect"]

VERDICTS: tuple[Verdict, ...] = ("ok", "warning", "problem", "reconnect", "skipped")


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
