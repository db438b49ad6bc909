"""What a $1.00 check did: each document's result, its cleanup, the problems met and the
progress reports a screen shows while it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

from qbo_wizard.core.connection.api import QboApiError
from qbo_wizard.core.connection.intuit import OAuthCallFailed
from qbo_wizard.core.health.explain import explain_error
from qbo_wizard.core.line_kinds import LINE_KINDS, LineKind
from qbo_wizard.core.problems import (
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_RECONNECT,
    WizardError,
)
from qbo_wizard.core.steps import StepId, is_step_id

DocumentKind = LineKind  # each test document posts one kind of line
DOCUMENT_KINDS: tuple[DocumentKind, ...] = LINE_KINDS

PostStatus = Literal["posted", "failed", "not-tried", "skipped"]
CleanupStatus = Literal["voided", "deleted", "already-gone", "kept", "failed", "not-tried"]
Stage = Literal["company", "customer", "vendor", "invoice", "bill", "void", "delete"]


@dataclass(frozen=True)
class DollarCheckProblem:
    """Why something failed, from the error knowledge, and where in the wizard to fix it."""

    message: str  # the plain sentence shown first (naming a command where one fixes it)
    code: str | None = None
    title: str = ""
    cause: tuple[str, ...] = ()
    fix: tuple[str, ...] = ()
    step: StepId | None = None
    line_id: str | None = None  # the mapping line to highlight in step 7
    intuit_tid: str | None = None
    detail: str | None = None  # what QuickBooks said, secrets scrubbed
    exit_code: int = EXIT_PROBLEM
    # The connection or Intuit itself is failing (no network, reconnect needed, outage,
    # throttled after waiting): every later call would fail the same way.
    connection_wide: bool = False
    wizard_message: str = ""  # `message` in the wizard's words (steps, keys), when they differ

    @property
    def reconnect(self) -> bool:
        return self.exit_code == EXIT_RECONNECT

    @property
    def in_wizard(self) -> str:
        """The plain sentence as the wizard's screens show it."""
        return self.wizard_message or self.message

    def headline(self, *, in_wizard: bool = False) -> str:
        """One line: the title with the code, or the message (in the wizard's words)."""
        if self.title:
            return f"{self.title} (error {self.code})" if self.code else self.title
        return self.in_wizard if in_wizard else self.message

    def to_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "code": self.code,
            "title": self.title,
            "cause": list(self.cause),
            "fix": list(self.fix),
            "step": self.step,
            "line_id": self.line_id,
            "intuit_tid": self.intuit_tid,
            "detail": self.detail,
            "exit_code": self.exit_code,
        }


@dataclass(frozen=True)
class CleanupOutcome:
    """What became of one test document after the test."""

    kind: DocumentKind
    document_id: str
    number: str
    status: CleanupStatus
    problem: DollarCheckProblem | None = None

    @property
    def ok(self) -> bool:
        return self.status not in ("failed", "not-tried")

    def describe(self) -> str:
        name = f"{self.kind} {self.number}"
        words = {
            "voided": f"{name} voided (kept at zero for the audit trail)",
            "deleted": f"{name} deleted",
            "already-gone": f"{name} was already gone from QuickBooks",
            "kept": f"{name} kept, as asked",
            "failed": f"{name} could not be cleaned up yet",
            "not-tried": f"{name} not cleaned up yet",
        }
        return words[self.status]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.document_id,
            "number": self.number,
            "status": self.status,
            "problem": self.problem.to_json() if self.problem else None,
        }


@dataclass(frozen=True)
class DocumentResult:
    """One test document: ✓ with its number, amount and link, or ✗ with the explained error."""

    kind: DocumentKind
    status: PostStatus
    line_id: str | None = None  # the mapping line whose item or account it used
    line_label: str | None = None
    document_id: str | None = None
    number: str | None = None  # DocNumber, or the Id when QuickBooks gave no number
    amount: float | None = None
    currency: str | None = None
    link: str | None = None
    resent: bool = False  # sent again with an earlier attempt's request id
    problem: DollarCheckProblem | None = None
    cleanup: CleanupOutcome | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("posted", "skipped")

    @property
    def mark(self) -> str:
        return "✓" if self.ok else "✗"

    def amount_text(self) -> str:
        if self.amount is None:
            return ""
        return f"{self.amount:.2f} {self.currency}" if self.currency else f"{self.amount:.2f}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "status": self.status,
            "line_id": self.line_id,
            "line_label": self.line_label,
            "id": self.document_id,
            "number": self.number,
            "amount": self.amount,
            "currency": self.currency,
            "link": self.link,
            "resent": self.resent,
            "problem": self.problem.to_json() if self.problem else None,
            "cleanup": self.cleanup.to_json() if self.cleanup else None,
        }


@dataclass(frozen=True)
class PartyRef:
    """The test customer or test carrier used."""

    id: str
    name: str
    created: bool = False


@dataclass(frozen=True)
class DollarCheckResult:
    """Everything one run did, for the screen, the CLI and `profile.last_test`."""

    profile_name: str
    company_name: str = ""
    realm_id: str = ""
    started_at: str = ""
    finished_at: str = ""
    documents: tuple[DocumentResult, ...] = ()
    earlier_cleanup: tuple[CleanupOutcome, ...] = ()  # documents an earlier run left behind
    customer: PartyRef | None = None
    vendor: PartyRef | None = None
    problem: DollarCheckProblem | None = None  # a failure before any document could be tried

    @property
    def posted_ok(self) -> bool:
        return self.problem is None and all(d.ok for d in self.documents)

    @property
    def cleanup_ok(self) -> bool:
        outcomes = [d.cleanup for d in self.documents if d.cleanup] + list(self.earlier_cleanup)
        return all(o.ok for o in outcomes)

    @property
    def ok(self) -> bool:
        return self.posted_ok and self.cleanup_ok

    @property
    def pending_cleanup(self) -> bool:
        outcomes = [d.cleanup for d in self.documents if d.cleanup] + list(self.earlier_cleanup)
        return any(o.status in ("failed", "not-tried") for o in outcomes)

    def problems(self) -> list[DollarCheckProblem]:
        """Every problem met, each once."""
        found = [self.problem] if self.problem else []
        for document in self.documents:
            found += [p for p in (document.problem,) if p]
            if document.cleanup and document.cleanup.problem:
                found.append(document.cleanup.problem)
        found += [o.problem for o in self.earlier_cleanup if o.problem]
        return [p for i, p in enumerate(found) if all(p is not q for q in found[:i])]

    @property
    def exit_code(self) -> int:
        problems = self.problems()
        if any(p.reconnect for p in problems):
            return EXIT_RECONNECT
        return EXIT_OK if self.ok else EXIT_PROBLEM

    def summary(self) -> str:
        """One sentence for the status home and the last line of the CLI."""
        if self.problem is not None:
            return self.problem.headline()
        parts = []
        for document in self.documents:
            if document.status == "posted":
                parts.append(f"{document.kind} {document.number} posted ({document.amount_text()})")
            elif document.status == "failed" and document.problem:
                parts.append(f"{document.kind} failed: {document.problem.headline()}")
            elif document.status == "not-tried":
                parts.append(f"{document.kind} not tried")
        cleaned = [o.describe() for o in self.earlier_cleanup if not self.documents]
        cleaned += [d.cleanup.describe() for d in self.documents if d.cleanup]
        text = "; ".join(parts) or ("" if cleaned else "nothing to do")
        text = "; ".join(p for p in (text, *cleaned) if p)
        return text[0].upper() + text[1:] + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "summary": self.summary(),
            "profile": self.profile_name,
            "company_name": self.company_name,
            "realm_id": self.realm_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "customer": _party_json(self.customer),
            "vendor": _party_json(self.vendor),
            "documents": [d.to_json() for d in self.documents],
            "earlier_cleanup": [o.to_json() for o in self.earlier_cleanup],
            "pending_cleanup": self.pending_cleanup,
            "problem": self.problem.to_json() if self.problem else None,
        }


def _party_json(party: PartyRef | None) -> dict[str, Any] | None:
    if party is None:
        return None
    return {"id": party.id, "name": party.name, "created": party.created}


@dataclass(frozen=True)
class DollarCheckProgress:
    """A progress report: which part is under way, in plain words, and how far along."""

    stage: Stage
    message: str
    index: int  # 1-based
    total: int


ProgressCallback = Callable[[DollarCheckProgress], None]


def problem_from_error(
    error: BaseException, *, line_id: str | None = None, step_hint: StepId | None = None
) -> DollarCheckProblem:
    """A failure as the user should see it: explained, with the step (and line) that fixes it."""
    exit_code = getattr(error, "exit_code", EXIT_PROBLEM)
    step: StepId | None = "connect" if exit_code == EXIT_RECONNECT else step_hint
    if not isinstance(error, QboApiError):
        message = str(error) if isinstance(error, WizardError) else f"Unexpected problem: {error}"
        return DollarCheckProblem(
            message=message,
            wizard_message=error.in_wizard() if isinstance(error, WizardError) else "",
            step=step,
            line_id=line_id if step == "map" else None,
            intuit_tid=getattr(error, "intuit_tid", None),
            exit_code=exit_code,
            connection_wide=exit_code == EXIT_RECONNECT or isinstance(error, OAuthCallFailed),
        )
    explanation = explain_error(
        error.code,
        message=error.message,
        detail=error.detail,
        status=error.status,
        intuit_tid=error.intuit_tid,
    )
    if explanation is not None and is_step_id(explanation.step):
        step = cast(StepId, explanation.step)
    return DollarCheckProblem(
        message=str(error),
        wizard_message=error.in_wizard(),
        code=None if error.code == "network" else error.code,
        title=explanation.title if explanation else "",
        cause=explanation.cause if explanation else (),
        fix=explanation.fix if explanation else (),
        step=step,
        line_id=line_id if step == "map" else None,
        intuit_tid=error.intuit_tid,
        detail=(explanation.detail if explanation else None) or error.detail or None,
        exit_code=exit_code,
        connection_wide=(
            exit_code == EXIT_RECONNECT
            or error.code in ("network", "3001")
            or (error.status or 0) >= 500
        ),
    )
