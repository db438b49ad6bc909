"""Running the $1.00 check: find the parties, post each document with its saved request id,
void or delete them afterwards, and record the outcome for the status home."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import cast

from qbo_wizard.core.connection.api import QboApi, QboApiError
from qbo_wizard.core.connection.intuit import OAuthCallFailed
from qbo_wizard.core.connection.tokens import ReconnectRequired, TokensNotSaved
from qbo_wizard.core.dollar_test.plan import (
    DollarCheckPlan,
    PlannedLine,
    ProductionConfirmationRequired,
    confirmation_matches,
    plan_dollar_check,
)
from qbo_wizard.core.dollar_test.record import (
    CompanyRecord,
    RecordedDocument,
    exclusive_run,
    load_record,
    number_value,
    pending_cleanup,
    save_record,
    text_value,
)
from qbo_wizard.core.dollar_test.results import (
    DOCUMENT_KINDS,
    CleanupOutcome,
    CleanupStatus,
    DocumentKind,
    DocumentResult,
    DollarCheckProblem,
    DollarCheckProgress,
    DollarCheckResult,
    PartyRef,
    ProgressCallback,
    Stage,
    problem_from_error,
)
from qbo_wizard.core.health.errorlog import record_failure
from qbo_wizard.core.line_kinds import line_kind
from qbo_wizard.core.problems import ConfigFileError, WizardError
from qbo_wizard.core.profile import MAPPING_FILE, Profile
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.core.progress import record_dollar_test
from qbo_wizard.core.steps import StepId
from qbo_wizard.core.timestamps import utc_timestamp

CHECK_AMOUNT = 1.00
LINE_DESCRIPTION = "qbo-wizard $1.00 connection test"
PRIVATE_NOTE = "qbo-wizard $1.00 connection test; safe to void or delete."
# Test documents carry their own numbers, so they never take one from the company's invoice
# sequence (no gap in real invoice numbers) and are easy to spot in lists and reports.
DOC_NUMBER_PREFIX = "QBW-TEST-"
MAX_NAME_TRIES = 9  # "name", "name 2", … "name 9"
RESEND_ADVICE = (
    "Run the test again when the connection is back: it sends the same request id, so "
    "QuickBooks returns the document it may already have made instead of making a second one."
)


def _already_logged(error: BaseException, api: QboApi) -> bool:
    """The API client, the token keeper and the OAuth calls record their own failures."""
    if isinstance(error, QboApiError):
        return api.profile_name is not None
    return isinstance(error, (ReconnectRequired, TokensNotSaved, OAuthCallFailed))


def _log(profile_name: str, problem: DollarCheckProblem) -> None:
    record_failure(
        profile_name,
        source="test",
        code=problem.code,
        message=problem.message,
        intuit_tid=problem.intuit_tid,
    )


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
            self.on_progress(
                DollarCheckProgress(stage, message, min(self.done, self.total), self.total)
            )

    def save(self) -> None:
        save_record(self.profile_name, self.records)

    def problem(
        self, error: BaseException, line_id: str | None = None, step: StepId | None = None
    ) -> DollarCheckProblem:
        problem = problem_from_error(error, line_id=line_id, step_hint=step)
        if not _already_logged(error, self.api):
            _log(self.profile_name, problem)
        return problem

    # parties

    def party(self, kind: DocumentKind) -> PartyRef:
        """The test customer or carrier: the remembered one, one found by name, or a new one."""
        entity = line_kind(kind).party_entity
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
        base = line_kind(kind).check_party_name
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
        line = planned.mapping.posting_line(CHECK_AMOUNT, LINE_DESCRIPTION)
        body = {
            line_kind(kind).party_ref_field: {"value": party.id},
            "Line": [line],
            "DocNumber": doc_number_for(entry.request_id),
            "PrivateNote": PRIVATE_NOTE,
        }
        base = DocumentResult(
            kind=kind, status="failed", line_id=planned.line_id, line_label=planned.label
        )
        try:
            made = self.api.create(line_kind(kind).entity, body, entry.request_id)
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
        amount = number_value(made.get("TotalAmt"))
        currency_ref = made.get("CurrencyRef")
        currency = text_value(currency_ref.get("value")) if isinstance(currency_ref, dict) else None
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
        facts = line_kind(kind)
        voids = facts.cleanup_verb == "void"  # a voided document stays, at zero
        for attempt in (1, 2):
            if attempt == 1 and posted_sync_token is not None:
                sync_token = posted_sync_token
            else:
                try:
                    current = self.api.get(facts.entity, document_id)
                except QboApiError as error:
                    if _is_missing(error):
                        return "already-gone"
                    raise
                if voids and number_value(current.get("TotalAmt")) == 0:
                    return "voided"  # voided earlier (an answer lost on the way, or by hand)
                sync_token = str(current.get("SyncToken", "0"))
            try:
                if voids:
                    self.api.void_invoice(document_id, sync_token)
                else:
                    self.api.delete(facts.entity, document_id, sync_token)
            except QboApiError as error:
                if error.code == "5010" and attempt == 1:
                    continue  # someone changed it meanwhile: read it again, once
                if _is_missing(error):
                    return "already-gone"
                raise
            return cast(CleanupStatus, facts.cleanup_done)
        raise AssertionError("unreachable")  # pragma: no cover

    def clean_all(self, entries: list[RecordedDocument]) -> tuple[CleanupOutcome, ...]:
        outcomes: list[CleanupOutcome] = []
        for entry in entries:
            if outcomes and outcomes[-1].problem and outcomes[-1].problem.connection_wide:
                number = entry.number or entry.id or ""
                outcomes.append(CleanupOutcome(entry.kind, entry.id or "", number, "not-tried"))
                continue
            facts = line_kind(entry.kind)
            self.progress(
                cast(Stage, facts.cleanup_verb),
                f"{facts.cleanup_doing} test {facts.document} {entry.number or entry.id}",
            )
            outcomes.append(self.clean(entry))
        return tuple(outcomes)


def run_dollar_check(
    profile_name: str,
    *,
    api: QboApi | None = None,
    plan: DollarCheckPlan | None = None,
    cleanup: bool = True,
    confirm_production: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> DollarCheckResult:
    """Post the $1.00 invoice and bill, then (with `cleanup`) void and delete them.

    Finishes an earlier run's interrupted cleanup first. Raises only
    `ProductionConfirmationRequired` (nothing was written), `DollarCheckAlreadyRunning`, and
    `WizardError`s met before the profile's connection could be opened, or while saving the
    outcome to the profile (`RefreshBusy` when another program holds the profile for over a
    minute); everything else is in the result, with every failure also in the error log.
    """
    api = api or QboApi.for_profile(profile_name)
    started = utc_timestamp()
    with exclusive_run(profile_name):
        try:
            plan = plan or plan_dollar_check(profile_name, api)
        except WizardError as error:
            damaged_mapping = isinstance(error, ConfigFileError) and error.path.name == MAPPING_FILE
            problem = problem_from_error(error, step_hint="map" if damaged_mapping else None)
            if not _already_logged(error, api):
                _log(profile_name, problem)
            result = DollarCheckResult(profile_name, started_at=started, problem=problem)
            return _finish(result, api.realm_id)
        if plan.production and not confirmation_matches(confirm_production, plan.company_name):
            raise ProductionConfirmationRequired(plan.company_name, confirm_production)
        base = DollarCheckResult(profile_name, plan.company_name, plan.realm_id, started_at=started)
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
    run: _Run, plan: DollarCheckPlan, cleanup: bool
) -> tuple[list[DocumentResult], dict[DocumentKind, PartyRef], DollarCheckProblem | None]:
    """Post the invoice, then the bill; a connection-wide failure stops what is left."""
    results: list[DocumentResult] = []
    parties: dict[DocumentKind, PartyRef] = {}
    blocker: DollarCheckProblem | None = None
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
        facts = line_kind(kind)
        run.progress(
            cast(Stage, facts.party_entity.lower()), f"Finding the test {facts.party_role}"
        )
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


def clean_up_check_documents(
    profile_name: str,
    *,
    api: QboApi | None = None,
    on_progress: ProgressCallback | None = None,
) -> DollarCheckResult:
    """Void / delete every test document still recorded for the connected company.

    Used by `qbo-wizard test --cleanup-only` and by the screen when the user kept the documents
    to look at them and now wants them gone.
    """
    api = api or QboApi.for_profile(profile_name)
    started = utc_timestamp()
    with exclusive_run(profile_name):
        records = load_record(profile_name)
        pending = [
            d for d in records.get(api.realm_id, CompanyRecord()).documents if d.state == "posted"
        ]
        run = _Run(profile_name, api, on_progress, len(pending))
        outcomes = run.clean_all([_same(run, d) for d in pending])
        profile = profile_store(profile_name).read()
        result = DollarCheckResult(
            profile_name,
            profile.company_name or "",
            api.realm_id,
            started_at=started,
            earlier_cleanup=outcomes,
        )
        return _finish(result, api.realm_id, cleanup_only=True)


def _finish(
    result: DollarCheckResult, realm_id: str, cleanup_only: bool = False
) -> DollarCheckResult:
    """Stamp the end time and record the outcome in the profile for the status home.

    The profile is read and written under the profile lock that token refreshes, commands and
    the wizard's own saves take, so none of their changes is lost to this one.
    """
    result = replace(result, finished_at=utc_timestamp())
    try:
        left = pending_cleanup(result.profile_name, realm_id) if realm_id else []
    except ConfigFileError:
        left = []  # the record is damaged; the result's problem names the file
    with profile_store(result.profile_name).change() as profile:
        _record_outcome(profile, result, pending=bool(left), cleanup_only=cleanup_only)
    return result


def _record_outcome(
    profile: Profile, result: DollarCheckResult, *, pending: bool, cleanup_only: bool
) -> None:
    """`profile.last_test` (and the step's progress) after a run or a cleanup on its own."""
    if cleanup_only:
        last = dict(profile.last_test)
        last.update(
            pending_cleanup=pending,
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
            "pending_cleanup": pending,
        }
        record_dollar_test(profile, passed=result.ok)
