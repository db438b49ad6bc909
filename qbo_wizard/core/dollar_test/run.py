"""Step 8: post a $1.00 test invoice and a $1.00 carrier bill, show the result, tidy up after.

The test proves the whole chain an integration relies on: the connection, the mapped invoice
item (and its tax code outside the US) and the mapped bill account. It is built to be safe:

- **No duplicates.** Each document's `requestid` is written to the profile folder (atomically)
  *before* it is sent. A retry, in this run or a later one, sends the same id and QuickBooks
  answers with the document it already made instead of making another.
- **Clearly named parties.** The invoice goes to "qbo-wizard test customer" and the bill comes
  from "qbo-wizard test carrier", found or created; a name clash (6240: another customer, vendor
  or employee already has the name, or an inactive one does) is met by trying a numbered name.
- **Production asks first.** On a real company the caller must pass the company's name, typed
  by the user, as `confirm_production`; these are real documents in real books.
- **Explained results.** Each document ends ✓ (number, amount, a link that opens it in
  QuickBooks) or ✗ with the error knowledge's title, causes, fix and the step that fixes it;
  a mapping problem also names the mapping line, so step 7 can highlight it.
- **Cleanup.** The invoice is voided (it stays, at zero, for the audit trail) and the bill
  deleted, each with the SyncToken read just before (a 5010 "someone else changed it" gets one
  more read and try). What was posted and not yet cleaned stays in the record, so the next run
  (or `qbo-wizard test --cleanup-only`) finishes an interrupted cleanup.

How a screen uses it (calls marked * talk to QuickBooks and belong in a thread worker;
`on_progress` is then called on that worker's thread, so forward it with `call_from_thread`):

0. * `api = QboApi.for_profile(profile_name)` (reads the keyring); pass it to every call.
1. * `plan = plan_dollar_test(profile_name, api)`: company, the mapping lines that will be used,
   whether production confirmation is needed (`plan.production`, `plan.warning`) and what an
   earlier run left to clean (`plan.pending_cleanup`). Reads only.
2. * `result = run_dollar_test(profile_name, api=api, plan=plan, cleanup=…, confirm_production=…,
   on_progress=…)`: one `DocumentResult` per document, each with its `CleanupOutcome`.
   `ProductionConfirmationRequired` is raised, before anything is written, when the typed name
   does not match; `TestAlreadyRunning` when another window or command is running it. Show
   `document.mark`, `number`, `amount_text()` and `link`, or `problem.headline()`, `cause`,
   `fix` and a jump to `problem.step` with `problem.line_id` highlighted.
3. * `clean_up_test_documents(profile_name, api=api)` when the user kept the documents and
   later asks to void / delete them.

`profile.last_test` (`at`, `ok`, `summary`, document ids, `pending_cleanup`) is what the status
home shows; the request ids and the documents awaiting cleanup are in `test-documents.yaml`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

from qbo_wizard.core.connection.api import QboApi, QboApiError
from qbo_wizard.core.connection.intuit import OAuthCallFailed
from qbo_wizard.core.connection.tokens import ReconnectRequired, TokensNotSaved
from qbo_wizard.core.files import (
    ConfigFileError,
    private_lock,
    read_yaml_mapping,
    write_yaml_mapping,
)
from qbo_wizard.core.health.area_status import AreaStatus, StatusOptions, Verdict, parse_time
from qbo_wizard.core.health.errorlog import record_failure
from qbo_wizard.core.health.explain import explain_error
from qbo_wizard.core.mapping.file import LineMapping, SavedMapping, load_saved_mapping
from qbo_wizard.core.mapping.integrations import Integration, LineKind, load_integration
from qbo_wizard.core.paths import ensure_private_dir, profile_dir
from qbo_wizard.core.problems import (
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_RECONNECT,
    UsageError,
    WizardError,
)
from qbo_wizard.core.profile import MAPPING_FILE, Profile, load_profile, save_profile
from qbo_wizard.core.progress import record_dollar_test
from qbo_wizard.core.steps import StepId, is_step_id
from qbo_wizard.core.timestamps import utc_timestamp

TEST_AMOUNT = 1.00
TEST_CUSTOMER_NAME = "qbo-wizard test customer"
TEST_VENDOR_NAME = "qbo-wizard test carrier"
LINE_DESCRIPTION = "qbo-wizard $1.00 connection test"
PRIVATE_NOTE = "qbo-wizard $1.00 connection test; safe to void or delete."
# Test documents carry their own numbers, so they never take one from the company's invoice
# sequence (no gap in real invoice numbers) and are easy to spot in lists and reports.
DOC_NUMBER_PREFIX = "QBW-TEST-"
RECORD_FILE = "test-documents.yaml"
LOCK_FILE = ".test-run.lock"
RECORD_FORMAT = 1
MAX_NAME_TRIES = 9  # "name", "name 2", … "name 9"
RESEND_ADVICE = (
    "Run the test again when the connection is back: it sends the same request id, so "
    "QuickBooks returns the document it may already have made instead of making a second one."
)

DocumentKind = LineKind  # "invoice" or "bill"
DOCUMENT_KINDS: tuple[DocumentKind, ...] = ("invoice", "bill")
DOCUMENT_ENTITY: dict[DocumentKind, str] = {"invoice": "Invoice", "bill": "Bill"}
PARTY_ENTITY: dict[DocumentKind, str] = {"invoice": "Customer", "bill": "Vendor"}
PARTY_NAME: dict[DocumentKind, str] = {"invoice": TEST_CUSTOMER_NAME, "bill": TEST_VENDOR_NAME}

PostStatus = Literal["posted", "failed", "not-tried", "skipped"]
CleanupStatus = Literal["voided", "deleted", "already-gone", "kept", "failed", "not-tried"]
Stage = Literal["company", "customer", "vendor", "invoice", "bill", "void", "delete"]

_RECORD_HEADER = (
    "qbo-wizard $1.00 test: the request ids of test documents being sent, and the test\n"
    "documents posted but not yet voided or deleted. Written by the wizard before each post,\n"
    "so a retry cannot post twice and a later run can finish an interrupted cleanup."
)


class ProductionConfirmationRequired(UsageError):
    """A real company was about to get test documents without the user typing its name."""

    def __init__(self, company_name: str, typed: str | None) -> None:
        self.company_name = company_name
        self.typed = typed
        opening = (
            "The name typed does not match the company's name. "
            if typed
            else "Confirmation is needed before posting to a real company. "
        )
        super().__init__(
            opening
            + production_warning(company_name)
            + f' To go ahead, run `qbo-wizard test --confirm-production "{company_name}"`.'
        )


class TestAlreadyRunning(WizardError):
    """Another window or command is running the test for this profile right now."""

    __test__ = False  # not a pytest test class, despite the name


def production_warning(company_name: str) -> str:
    """What the user agrees to on a production company, in plain words."""
    return (
        f"'{company_name}' is a real QuickBooks company: the test posts a real $1.00 invoice "
        f"(to '{TEST_CUSTOMER_NAME}') and a real $1.00 bill (from '{TEST_VENDOR_NAME}') in "
        "its books. If you choose cleanup, the invoice is voided afterwards (it stays, at "
        "zero, in the audit trail) and the bill is deleted. Type the company's name to confirm."
    )


def confirmation_matches(typed: str | None, company_name: str) -> bool:
    """True when `typed` is the company's name (case and extra spaces do not matter)."""
    if not typed or not company_name:
        return False
    return " ".join(typed.split()).casefold() == " ".join(company_name.split()).casefold()


def needs_production_confirmation(profile: Profile) -> bool:
    """Production keys reach only real companies, so a production profile needs confirmation."""
    return profile.environment == "production" or profile.key_set == "production"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class TestProblem:
    """Why something failed, from the error knowledge, and where in the wizard to fix it."""

    __test__ = False

    message: str  # the plain sentence the wizard shows first
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

    @property
    def reconnect(self) -> bool:
        return self.exit_code == EXIT_RECONNECT

    def headline(self) -> str:
        """One line: the title with the code, or the message."""
        if self.title:
            return f"{self.title} (error {self.code})" if self.code else self.title
        return self.message

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
    problem: TestProblem | None = None

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
    problem: TestProblem | None = None
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
class TestRunResult:
    """Everything one run did, for the screen, the CLI and `profile.last_test`."""

    __test__ = False

    profile_name: str
    company_name: str = ""
    realm_id: str = ""
    started_at: str = ""
    finished_at: str = ""
    documents: tuple[DocumentResult, ...] = ()
    earlier_cleanup: tuple[CleanupOutcome, ...] = ()  # documents an earlier run left behind
    customer: PartyRef | None = None
    vendor: PartyRef | None = None
    problem: TestProblem | None = None  # a failure before any document could be tried

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

    def problems(self) -> list[TestProblem]:
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
class TestProgress:
    """A progress report: which part is under way, in plain words, and how far along."""

    __test__ = False

    stage: Stage
    message: str
    index: int  # 1-based
    total: int


ProgressCallback = Callable[[TestProgress], None]


# --------------------------------------------------------------------------- the record


@dataclass
class RecordedDocument:
    """A test document being sent (`sending`) or posted and not yet cleaned (`posted`)."""

    kind: DocumentKind
    request_id: str
    state: Literal["sending", "posted"]
    cleanup: Literal["wanted", "keep"]
    line_id: str = ""
    started_at: str = ""
    id: str | None = None
    number: str | None = None
    amount: float | None = None
    currency: str | None = None

    def to_yaml(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "request_id": self.request_id,
            "state": self.state,
            "cleanup": self.cleanup,
            "line_id": self.line_id,
            "started_at": self.started_at,
        }
        for key in ("id", "number", "amount", "currency"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class CompanyRecord:
    """What the test remembers about one company (realm)."""

    customer: PartyRef | None = None
    vendor: PartyRef | None = None
    documents: list[RecordedDocument] = field(default_factory=list)

    def party(self, kind: DocumentKind) -> PartyRef | None:
        return self.customer if kind == "invoice" else self.vendor

    def set_party(self, kind: DocumentKind, party: PartyRef) -> None:
        remembered = PartyRef(party.id, party.name)
        if kind == "invoice":
            self.customer = remembered
        else:
            self.vendor = remembered

    def sending(self, kind: DocumentKind) -> RecordedDocument | None:
        return next((d for d in self.documents if d.kind == kind and d.state == "sending"), None)

    def to_yaml(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, party in (("customer", self.customer), ("vendor", self.vendor)):
            if party is not None:
                data[key] = {"id": party.id, "name": party.name}
        data["documents"] = [d.to_yaml() for d in self.documents]
        return data


def record_path(profile_name: str) -> Path:
    """`test-documents.yaml` in the profile folder."""
    return profile_dir(profile_name) / RECORD_FILE


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _read_party(path: Path, raw: object, where: str) -> PartyRef | None:
    if raw is None:
        return None
    ident = _text(raw.get("id")) if isinstance(raw, dict) else None
    if not isinstance(raw, dict) or ident is None:
        raise ConfigFileError(path, f"'{where}' should be {{id: …, name: …}}")
    return PartyRef(ident, _text(raw.get("name")) or "")


def _read_document(path: Path, raw: object, where: str) -> RecordedDocument:
    if not isinstance(raw, dict):
        raise ConfigFileError(path, f"'{where}' should describe one test document")
    kind, state, cleanup = raw.get("kind"), raw.get("state"), raw.get("cleanup", "wanted")
    request_id = _text(raw.get("request_id"))
    if kind not in DOCUMENT_ENTITY or state not in ("sending", "posted") or not request_id:
        raise ConfigFileError(path, f"'{where}' needs kind, state and request_id")
    if state == "posted" and _text(raw.get("id")) is None:
        raise ConfigFileError(path, f"'{where}' is posted but has no id")
    return RecordedDocument(
        kind=kind,
        request_id=request_id,
        state=state,
        cleanup="keep" if cleanup == "keep" else "wanted",
        line_id=_text(raw.get("line_id")) or "",
        started_at=_text(raw.get("started_at")) or "",
        id=_text(raw.get("id")),
        number=_text(raw.get("number")),
        amount=_number(raw.get("amount")),
        currency=_text(raw.get("currency")),
    )


def load_record(profile_name: str) -> dict[str, CompanyRecord]:
    """What the test remembers, per realm ID (empty when nothing was ever posted)."""
    path = record_path(profile_name)
    data = read_yaml_mapping(path)
    if not data:
        return {}
    companies = data.get("companies") or {}
    if not isinstance(companies, dict):
        raise ConfigFileError(path, "'companies' should list realm IDs")
    records = {}
    for realm, raw in companies.items():
        if not isinstance(raw, dict):
            raise ConfigFileError(path, f"'companies.{realm}' should hold named values")
        documents = raw.get("documents") or []
        if not isinstance(documents, list):
            raise ConfigFileError(path, f"'companies.{realm}.documents' should be a list")
        records[str(realm)] = CompanyRecord(
            customer=_read_party(path, raw.get("customer"), f"companies.{realm}.customer"),
            vendor=_read_party(path, raw.get("vendor"), f"companies.{realm}.vendor"),
            documents=[
                _read_document(path, d, f"companies.{realm}.documents[{i}]")
                for i, d in enumerate(documents)
            ],
        )
    return records


def save_record(profile_name: str, records: dict[str, CompanyRecord]) -> None:
    """Write the record atomically (0600)."""
    data = {
        "format": RECORD_FORMAT,
        "companies": {realm: record.to_yaml() for realm, record in records.items()},
    }
    write_yaml_mapping(record_path(profile_name), data, header=_RECORD_HEADER)


@contextmanager
def _exclusive_run(profile_name: str) -> Iterator[None]:
    """One test run per profile at a time (the screen and `qbo-wizard test` may both try)."""
    folder = ensure_private_dir(profile_dir(profile_name))

    def busy() -> TestAlreadyRunning:
        return TestAlreadyRunning(
            f"A $1.00 test is already running for profile '{profile_name}' (in another window "
            "or command). Wait for it to finish, then look at its result."
        )

    with private_lock(folder / LOCK_FILE, 0, busy):
        yield


# --------------------------------------------------------------------------- problems


def problem_from_error(
    error: BaseException, *, line_id: str | None = None, step_hint: StepId | None = None
) -> TestProblem:
    """A failure as the user should see it: explained, with the step (and line) that fixes it."""
    exit_code = getattr(error, "exit_code", EXIT_PROBLEM)
    step: StepId | None = "connect" if exit_code == EXIT_RECONNECT else step_hint
    if not isinstance(error, QboApiError):
        message = str(error) if isinstance(error, WizardError) else f"Unexpected problem: {error}"
        return TestProblem(
            message=message,
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
    return TestProblem(
        message=str(error),
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


def _already_logged(error: BaseException, api: QboApi) -> bool:
    """The API client, the token keeper and the OAuth calls record their own failures."""
    if isinstance(error, QboApiError):
        return api.profile_name is not None
    return isinstance(error, (ReconnectRequired, TokensNotSaved, OAuthCallFailed))


def _log(profile_name: str, problem: TestProblem) -> None:
    record_failure(
        profile_name,
        source="test",
        code=problem.code,
        message=problem.message,
        intuit_tid=problem.intuit_tid,
    )


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class PlannedLine:
    """The mapping line a test document will use."""

    kind: DocumentKind
    line_id: str
    label: str
    target_name: str  # the item (invoice) or account (bill) it posts to
    tax_code_name: str | None
    mapping: LineMapping


@dataclass(frozen=True)
class TestPlan:
    """What the test will do, read before anything is written (for the screen to show)."""

    __test__ = False

    profile_name: str
    realm_id: str
    company_name: str
    country: str
    production: bool
    lines: dict[DocumentKind, PlannedLine]
    skipped: dict[DocumentKind, str]  # kinds the integration does not post here, and why
    problems: dict[DocumentKind, TestProblem]  # kinds that cannot be tried, and why
    pending_cleanup: tuple[RecordedDocument, ...]
    problem: TestProblem | None = None  # nothing can be tried (no mapping, other company)

    @property
    def warning(self) -> str | None:
        """The production warning to show, or None for sandbox and practice companies."""
        return production_warning(self.company_name) if self.production else None


def _integration(saved: SavedMapping) -> Integration | None:
    try:
        return load_integration(saved.integration)
    except WizardError:
        return None  # a user's own profile file that moved: the mapping alone still works


def _choose_line(
    kind: DocumentKind, saved: SavedMapping, integration: Integration | None
) -> tuple[PlannedLine | None, str | None, TestProblem | None]:
    """The first mapped line of this kind; or why there is none (skipped, or a problem)."""
    order = [line.id for line in integration.lines] if integration else []
    order += [line_id for line_id in saved.lines if line_id not in order]
    labels = {line.id: line.label for line in integration.lines} if integration else {}
    kinds = {line.id: line.kind for line in integration.lines} if integration else {}
    candidates = [
        line_id
        for line_id in order
        if (saved.lines[line_id].kind if line_id in saved.lines else kinds.get(line_id)) == kind
    ]
    for line_id in candidates:
        entry = saved.lines.get(line_id)
        if entry and not entry.unused and entry.target is not None and entry.target.id:
            planned = PlannedLine(
                kind=kind,
                line_id=line_id,
                label=labels.get(line_id, line_id),
                target_name=entry.target.name or entry.target.id,
                tax_code_name=entry.tax_code.name if entry.tax_code else None,
                mapping=entry,
            )
            return planned, None, None
    waiting = [
        line_id
        for line_id in candidates
        if line_id not in saved.lines or not saved.lines[line_id].unused
    ]
    if not waiting:
        what = "invoice" if kind == "invoice" else "bill"
        return None, f"The integration sends no {what} lines for this company.", None
    first = waiting[0]
    noun = "item" if kind == "invoice" else "account"
    problem = TestProblem(
        message=f"No {kind} line is mapped yet, so there is nothing to post the $1.00 {kind} "
        f"with. Map '{labels.get(first, first)}' to an {noun} in step 7.",
        step="map",
        line_id=first,
    )
    return None, None, problem


def plan_dollar_test(profile_name: str, api: QboApi | None = None) -> TestPlan:
    """Read the company and the mapping and say what the test will do (one QuickBooks call).

    The CompanyInfo read is the step's one look before anything is posted: a connection
    QuickBooks no longer accepts is explained here, not halfway through the test."""
    api = api or QboApi.for_profile(profile_name)
    profile = load_profile(profile_name)
    info = api.company_info()
    company_name = str(info.get("CompanyName") or profile.company_name or "")
    country = str(info.get("Country") or profile.country or "")
    records = load_record(profile_name)
    pending = tuple(
        d for d in records.get(api.realm_id, CompanyRecord()).documents if d.state == "posted"
    )
    plan = TestPlan(
        profile_name=profile_name,
        realm_id=api.realm_id,
        company_name=company_name,
        country=country,
        production=needs_production_confirmation(profile),
        lines={},
        skipped={},
        problems={},
        pending_cleanup=pending,
    )
    saved = load_saved_mapping(profile_name)
    if saved is None or saved.realm_id != api.realm_id:
        if saved is None:
            message = "The line items are not mapped yet; map them in step 7 first."
        else:
            other = saved.company_name or f"company {saved.realm_id}"
            message = (
                f"The saved mapping was made for {other}, not for {company_name}. Map this "
                "company's line items in step 7 (or import the mapping there) first."
            )
        return replace(plan, problem=TestProblem(message=message, step="map"))
    integration = _integration(saved)
    lines: dict[DocumentKind, PlannedLine] = {}
    skipped: dict[DocumentKind, str] = {}
    problems: dict[DocumentKind, TestProblem] = {}
    for kind in DOCUMENT_KINDS:
        planned, why_skipped, missing = _choose_line(kind, saved, integration)
        if planned is not None:
            lines[kind] = planned
        elif why_skipped is not None:
            skipped[kind] = why_skipped
        elif missing is not None:
            problems[kind] = missing
    return replace(plan, lines=lines, skipped=skipped, problems=problems)


# --------------------------------------------------------------------------- the run


def doc_number_for(request_id: str) -> str:
    """`QBW-TEST-` and six characters of the request id (QuickBooks allows 21 characters)."""
    return DOC_NUMBER_PREFIX + request_id[:6].upper()


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _is_missing(error: QboApiError) -> bool:
    return error.code == "610" or error.status == 404


class _Run:
    """One run's state: the API, the record, progress numbering."""

    def __init__(
        self,
        profile_name: str,
        api: QboApi,
        on_progress: ProgressCallback | None,
        total: int,
    ) -> None:
        self.profile_name = profile_name
        self.api = api
        self.on_progress = on_progress
        self.total = total
        self.done = 0
        self.records = load_record(profile_name)
        self.company = self.records.setdefault(api.realm_id, CompanyRecord())
        # The SyncToken each document was posted with, so cleanup needs no read first.
        self.sync_tokens: dict[str, str] = {}

    def progress(self, stage: Stage, message: str) -> None:
        self.done += 1
        if self.on_progress is not None:
            self.on_progress(TestProgress(stage, message, min(self.done, self.total), self.total))

    def save(self) -> None:
        save_record(self.profile_name, self.records)

    def problem(
        self, error: BaseException, line_id: str | None = None, step: StepId | None = None
    ) -> TestProblem:
        problem = problem_from_error(error, line_id=line_id, step_hint=step)
        if not _already_logged(error, self.api):
            _log(self.profile_name, problem)
        return problem

    # parties

    def party(self, kind: DocumentKind) -> PartyRef:
        """The test customer or carrier: the remembered one, one found by name, or a new one."""
        entity = PARTY_ENTITY[kind]
        remembered = self.company.party(kind)
        if remembered is not None:
            try:
                found = self.api.get(entity, remembered.id)
            except QboApiError as error:
                if not _is_missing(error):
                    raise
            else:
                if found.get("Active", True) is not False:
                    return PartyRef(str(found["Id"]), str(found.get("DisplayName", "")))
        base = PARTY_NAME[kind]
        for attempt in range(1, MAX_NAME_TRIES + 1):
            name = base if attempt == 1 else f"{base} {attempt}"
            # Created straight away (one call); only when the name is taken (6240) is the
            # record of that name looked up, and used if it is an active one of this kind.
            try:
                made = self.api.create(entity, {"DisplayName": name}, uuid.uuid4().hex)
            except QboApiError as error:
                if error.code != "6240":
                    raise
                rows = self.api.query_all(entity, where=f"DisplayName = '{_quote(name)}'")
                active = [r for r in rows if r.get("Active", True) is not False]
                if not active:
                    continue  # another customer, vendor or employee (or an inactive one)
                party = PartyRef(str(active[0]["Id"]), name)
            else:
                party = PartyRef(str(made["Id"]), str(made.get("DisplayName", name)), True)
            self.company.set_party(kind, party)
            self.save()
            return party
        raise WizardError(
            f"Could not find or create a {entity.lower()} for the test: the names '{base}' to "
            f"'{base} {MAX_NAME_TRIES}' are all taken by other (or inactive) records. Rename or "
            "reactivate one of them in QuickBooks, then run the test again."
        )

    # posting

    def post(
        self,
        planned: PlannedLine,
        party: PartyRef,
        cleanup: bool,
    ) -> DocumentResult:
        kind = planned.kind
        entry = self.company.sending(kind)
        resent = entry is not None
        if entry is None:
            entry = RecordedDocument(
                kind=kind,
                request_id=uuid.uuid4().hex,
                state="sending",
                cleanup="wanted" if cleanup else "keep",
                line_id=planned.line_id,
                started_at=utc_timestamp(),
            )
            self.company.documents.append(entry)
        else:
            entry.cleanup = "wanted" if cleanup else "keep"
        self.save()  # the request id is on disk before QuickBooks hears of it
        line = planned.mapping.posting_line(TEST_AMOUNT, LINE_DESCRIPTION)
        party_field = "CustomerRef" if kind == "invoice" else "VendorRef"
        body = {
            party_field: {"value": party.id},
            "Line": [line],
            "DocNumber": doc_number_for(entry.request_id),
            "PrivateNote": PRIVATE_NOTE,
        }
        base = DocumentResult(
            kind=kind, status="failed", line_id=planned.line_id, line_label=planned.label
        )
        try:
            made = self.api.create(DOCUMENT_ENTITY[kind], body, entry.request_id)
        except WizardError as error:
            problem = self.problem(error, planned.line_id)
            status = error.status if isinstance(error, QboApiError) else None
            if status is not None and 400 <= status < 500:
                # QuickBooks refused it: nothing was made, so the request id has done its job.
                self.company.documents.remove(entry)
            else:
                # No answer, or a server error: QuickBooks may have made it. The saved request
                # id makes the next try return that document rather than a second one.
                problem = replace(problem, fix=(*problem.fix, RESEND_ADVICE))
            self.save()
            return replace(base, problem=problem)
        document_id = str(made.get("Id", ""))
        number = str(made.get("DocNumber") or document_id)
        amount = _number(made.get("TotalAmt"))
        currency_ref = made.get("CurrencyRef")
        currency = _text(currency_ref.get("value")) if isinstance(currency_ref, dict) else None
        entry.state, entry.id, entry.number = "posted", document_id, number
        entry.amount, entry.currency = amount, currency
        if made.get("SyncToken") is not None:
            self.sync_tokens[document_id] = str(made["SyncToken"])
        self.save()
        return replace(
            base,
            status="posted",
            document_id=document_id,
            number=number,
            amount=amount,
            currency=currency,
            link=self.api.endpoints.web_link(kind, document_id),
            resent=resent,
        )

    # cleanup

    def clean(self, entry: RecordedDocument) -> CleanupOutcome:
        assert entry.id is not None  # posted entries always have one
        number = entry.number or entry.id
        try:
            status = self._void_or_delete(entry.kind, entry.id, self.sync_tokens.get(entry.id))
        except WizardError as error:
            return CleanupOutcome(entry.kind, entry.id, number, "failed", self.problem(error))
        self.company.documents.remove(entry)
        self.save()
        return CleanupOutcome(entry.kind, entry.id, number, status)

    def _void_or_delete(
        self, kind: DocumentKind, document_id: str, posted_sync_token: str | None = None
    ) -> CleanupStatus:
        """Void the invoice or delete the bill with its current SyncToken: the one it was just
        posted with, else (and after a 5010: someone changed it) the one read from QuickBooks."""
        entity = DOCUMENT_ENTITY[kind]
        for attempt in (1, 2):
            if attempt == 1 and posted_sync_token is not None:
                sync_token = posted_sync_token
            else:
                try:
                    current = self.api.get(entity, document_id)
                except QboApiError as error:
                    if _is_missing(error):
                        return "already-gone"
                    raise
                if kind == "invoice" and _number(current.get("TotalAmt")) == 0:
                    return "voided"  # voided earlier (an answer lost on the way, or by hand)
                sync_token = str(current.get("SyncToken", "0"))
            try:
                if kind == "invoice":
                    self.api.void_invoice(document_id, sync_token)
                else:
                    self.api.delete(entity, document_id, sync_token)
            except QboApiError as error:
                if error.code == "5010" and attempt == 1:
                    continue  # someone changed it meanwhile: read it again, once
                if _is_missing(error):
                    return "already-gone"
                raise
            return "voided" if kind == "invoice" else "deleted"
        raise AssertionError("unreachable")  # pragma: no cover

    def clean_all(self, entries: list[RecordedDocument]) -> tuple[CleanupOutcome, ...]:
        outcomes: list[CleanupOutcome] = []
        for entry in entries:
            if outcomes and outcomes[-1].problem and outcomes[-1].problem.connection_wide:
                number = entry.number or entry.id or ""
                outcomes.append(CleanupOutcome(entry.kind, entry.id or "", number, "not-tried"))
                continue
            stage: Stage = "void" if entry.kind == "invoice" else "delete"
            verb = "Voiding" if entry.kind == "invoice" else "Deleting"
            self.progress(stage, f"{verb} test {entry.kind} {entry.number or entry.id}")
            outcomes.append(self.clean(entry))
        return tuple(outcomes)


def run_dollar_test(
    profile_name: str,
    *,
    api: QboApi | None = None,
    plan: TestPlan | None = None,
    cleanup: bool = True,
    confirm_production: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> TestRunResult:
    """Post the $1.00 invoice and bill, then (with `cleanup`) void and delete them.

    Finishes an earlier run's interrupted cleanup first. Raises only
    `ProductionConfirmationRequired` (nothing was written), `TestAlreadyRunning`, and
    `WizardError`s met before the profile's connection could be opened; everything after that
    is in the result, with every failure also in the profile's error log.
    """
    api = api or QboApi.for_profile(profile_name)
    started = utc_timestamp()
    with _exclusive_run(profile_name):
        try:
            plan = plan or plan_dollar_test(profile_name, api)
        except WizardError as error:
            damaged_mapping = isinstance(error, ConfigFileError) and error.path.name == MAPPING_FILE
            problem = problem_from_error(error, step_hint="map" if damaged_mapping else None)
            if not _already_logged(error, api):
                _log(profile_name, problem)
            result = TestRunResult(profile_name, started_at=started, problem=problem)
            return _finish(result, api.realm_id)
        if plan.production and not confirmation_matches(confirm_production, plan.company_name):
            raise ProductionConfirmationRequired(plan.company_name, confirm_production)
        base = TestRunResult(profile_name, plan.company_name, plan.realm_id, started_at=started)
        if plan.problem is not None:
            _log(profile_name, plan.problem)
            return _finish(replace(base, problem=plan.problem), api.realm_id)
        total = 1 + len(plan.pending_cleanup) + len(plan.lines) * (3 if cleanup else 2)
        run = _Run(profile_name, api, on_progress, total)
        run.progress("company", f"Connected to {plan.company_name}")
        wanted = [_same(run, d) for d in plan.pending_cleanup if d.cleanup == "wanted"]
        earlier = run.clean_all(wanted)
        base = replace(base, earlier_cleanup=earlier)
        failures = [o.problem for o in earlier if o.problem is not None]
        stopped = next((p for p in failures if p.connection_wide), None)
        if stopped is not None:
            return _finish(replace(base, problem=stopped), api.realm_id)
        results, parties, blocker = _post_documents(run, plan, cleanup)
        if cleanup:
            results = _clean_posted(run, results, tried=blocker is None)
        else:
            results = [_with_cleanup(r, "kept") for r in results]
        result = replace(
            base,
            documents=tuple(results),
            customer=parties.get("invoice"),
            vendor=parties.get("bill"),
        )
        return _finish(result, api.realm_id)


def _post_documents(
    run: _Run, plan: TestPlan, cleanup: bool
) -> tuple[list[DocumentResult], dict[DocumentKind, PartyRef], TestProblem | None]:
    """Post the invoice, then the bill; a connection-wide failure stops what is left."""
    results: list[DocumentResult] = []
    parties: dict[DocumentKind, PartyRef] = {}
    blocker: TestProblem | None = None
    for kind in DOCUMENT_KINDS:
        if kind in plan.skipped:
            results.append(DocumentResult(kind, "skipped"))
            continue
        if kind in plan.problems:
            problem = plan.problems[kind]
            _log(run.profile_name, problem)
            results.append(DocumentResult(kind, "failed", problem.line_id, problem=problem))
            continue
        planned = plan.lines[kind]
        blank = DocumentResult(kind, "not-tried", planned.line_id, planned.label)
        if blocker is not None:
            results.append(blank)
            continue
        who, stage = ("customer", "customer") if kind == "invoice" else ("carrier", "vendor")
        run.progress(cast(Stage, stage), f"Finding the test {who}")
        try:
            parties[kind] = run.party(kind)
        except WizardError as error:
            problem = run.problem(error)
            results.append(replace(blank, status="failed", problem=problem))
            blocker = problem if problem.connection_wide else None
            continue
        run.progress(kind, f"Posting the $1.00 {kind} ({planned.label})")
        result = run.post(planned, parties[kind], cleanup)
        results.append(result)
        if result.problem is not None and result.problem.connection_wide:
            blocker = result.problem
    return results, parties, blocker


def _with_cleanup(result: DocumentResult, status: CleanupStatus) -> DocumentResult:
    if result.status != "posted" or result.document_id is None:
        return result
    outcome = CleanupOutcome(result.kind, result.document_id, result.number or "", status)
    return replace(result, cleanup=outcome)


def _clean_posted(run: _Run, results: list[DocumentResult], tried: bool) -> list[DocumentResult]:
    """Void / delete what this run posted (or mark it not tried when the connection failed)."""
    if not tried:
        return [_with_cleanup(r, "not-tried") for r in results]
    posted = {(r.kind, r.document_id) for r in results if r.status == "posted"}
    entries = [d for d in run.company.documents if d.state == "posted" and (d.kind, d.id) in posted]
    outcomes = {(o.kind, o.document_id): o for o in run.clean_all(entries)}
    cleaned = []
    for result in results:
        outcome = outcomes.get((result.kind, result.document_id or ""))
        if outcome is not None:
            cleaned.append(replace(result, cleanup=outcome))
        else:
            cleaned.append(_with_cleanup(result, "not-tried"))
    return cleaned


def _same(run: _Run, planned: RecordedDocument) -> RecordedDocument:
    """The record's own entry for a document the plan listed (the plan holds a copy)."""
    for entry in run.company.documents:
        if entry.kind == planned.kind and entry.request_id == planned.request_id:
            return entry
    return planned


def clean_up_test_documents(
    profile_name: str,
    *,
    api: QboApi | None = None,
    on_progress: ProgressCallback | None = None,
) -> TestRunResult:
    """Void / delete every test document still recorded for the connected company.

    Used by `qbo-wizard test --cleanup-only` and by the screen when the user kept the documents
    to look at them and now wants them gone.
    """
    api = api or QboApi.for_profile(profile_name)
    started = utc_timestamp()
    with _exclusive_run(profile_name):
        records = load_record(profile_name)
        pending = [
            d for d in records.get(api.realm_id, CompanyRecord()).documents if d.state == "posted"
        ]
        run = _Run(profile_name, api, on_progress, len(pending))
        outcomes = run.clean_all([_same(run, d) for d in pending])
        profile = load_profile(profile_name)
        result = TestRunResult(
            profile_name,
            profile.company_name or "",
            api.realm_id,
            started_at=started,
            earlier_cleanup=outcomes,
        )
        return _finish(result, api.realm_id, cleanup_only=True)


def pending_cleanup(profile_name: str, realm_id: str | None = None) -> list[RecordedDocument]:
    """Test documents posted and not yet voided or deleted (for one company, or all)."""
    records = load_record(profile_name)
    chosen = records.values() if realm_id is None else [records.get(realm_id, CompanyRecord())]
    return [d for record in chosen for d in record.documents if d.state == "posted"]


def _finish(result: TestRunResult, realm_id: str, cleanup_only: bool = False) -> TestRunResult:
    """Stamp the end time and record the outcome in the profile for the status home."""
    result = replace(result, finished_at=utc_timestamp())
    profile = load_profile(result.profile_name)  # read fresh: a token refresh may have saved it
    try:
        left = pending_cleanup(result.profile_name, realm_id) if realm_id else []
    except ConfigFileError:
        left = []  # the record is damaged; the result's problem names the file
    if cleanup_only:
        last = dict(profile.last_test)
        last.update(
            pending_cleanup=bool(left),
            cleaned_at=result.finished_at,
            cleanup=[o.to_json() for o in result.earlier_cleanup],
        )
        if not result.cleanup_ok:
            last["cleanup_problem"] = result.problems()[0].headline()
        else:
            last.pop("cleanup_problem", None)
        profile.last_test = last
    else:
        profile.last_test = {
            "at": result.finished_at,
            "ok": result.ok,
            "summary": result.summary(),
            "exit_code": result.exit_code,
            "realm_id": result.realm_id,
            "company_name": result.company_name,
            "documents": [
                {
                    "kind": d.kind,
                    "status": d.status,
                    "id": d.document_id,
                    "number": d.number,
                    "amount": d.amount,
                    "link": d.link,
                    "cleanup": d.cleanup.status if d.cleanup else None,
                }
                for d in result.documents
            ],
            "pending_cleanup": bool(left),
        }
        record_dollar_test(profile, passed=result.ok)
    save_profile(profile)
    return result


# --------------------------------------------------------------------------- status home


def last_test_status(profile: Profile, options: StatusOptions) -> AreaStatus:
    """The status home's last test row: passed or failed, when, and any cleanup still due."""
    test = profile.last_test
    if not test:
        return AreaStatus("last-test", "problem", "No test posted yet.", "test")
    at = parse_time(str(test.get("at", "")))
    when = f" on {at:%d %b %Y}" if at else ""
    left = (
        " Test documents are still in QuickBooks: clean them up in step 8."
        if test.get("pending_cleanup")
        else ""
    )
    if test.get("ok") is True:
        verdict: Verdict = "warning" if left else "ok"
        return AreaStatus("last-test", verdict, f"Passed{when}.{left}", "test")
    summary = str(test.get("summary", "")).strip() or "see step 8 for what went wrong."
    return AreaStatus("last-test", "problem", options.ids(f"Failed{when}: {summary}{left}"), "test")
