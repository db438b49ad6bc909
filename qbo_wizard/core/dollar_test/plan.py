"""What a $1.00 check will do, read before anything is written: the company, the mapping line
each document uses, what an earlier run left to clean, and whether a real company must be named."""

from __future__ import annotations

from dataclasses import dataclass, replace

from qbo_wizard.core.connection.api import QboApi
from qbo_wizard.core.dollar_test.record import CompanyRecord, RecordedDocument, load_record
from qbo_wizard.core.dollar_test.results import DOCUMENT_KINDS, DocumentKind, DollarCheckProblem
from qbo_wizard.core.line_kinds import BILL, INVOICE, line_kind
from qbo_wizard.core.mapping.file import LineMapping, SavedMapping, load_saved_mapping
from qbo_wizard.core.mapping.integrations import Integration, load_integration
from qbo_wizard.core.problems import (
    Fix,
    UsageError,
    WizardError,
)
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.core.steps import step_ref


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
            opening + production_warning(company_name) + " To go ahead, ",
            Fix(
                f'run `qbo-wizard test --confirm-production "{company_name}"`.',
                "type it in the box exactly as shown and press Enter.",
            ),
        )


def production_warning(company_name: str) -> str:
    """What the user agrees to on a production company, in plain words."""
    return (
        f"'{company_name}' is a real QuickBooks company: the test posts a real $1.00 invoice "
        f"(to '{INVOICE.check_party_name}') and a real $1.00 bill (from "
        f"'{BILL.check_party_name}') in "
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
class DollarCheckPlan:
    """What the test will do, read before anything is written (for the screen to show)."""

    profile_name: str
    realm_id: str
    company_name: str
    country: str
    production: bool
    lines: dict[DocumentKind, PlannedLine]
    skipped: dict[DocumentKind, str]  # kinds the integration does not post here, and why
    problems: dict[DocumentKind, DollarCheckProblem]  # kinds that cannot be tried, and why
    pending_cleanup: tuple[RecordedDocument, ...]
    problem: DollarCheckProblem | None = None  # nothing can be tried (no mapping, other company)

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
) -> tuple[PlannedLine | None, str | None, DollarCheckProblem | None]:
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
        what = line_kind(kind).document
        return None, f"The integration sends no {what} lines for this company.", None
    first = waiting[0]
    facts = line_kind(kind)
    problem = DollarCheckProblem(
        message=f"No {facts.document} line is mapped yet, so there is nothing to post the $1.00 "
        f"{facts.document} with. Map '{labels.get(first, first)}' to {facts.target_article} in "
        f"{step_ref('map')}.",
        step="map",
        line_id=first,
    )
    return None, None, problem


def plan_dollar_check(profile_name: str, api: QboApi | None = None) -> DollarCheckPlan:
    """Read the company and the mapping and say what the test will do (one QuickBooks call).

    The CompanyInfo read is the step's one look before anything is posted: a connection
    QuickBooks no longer accepts is explained here, not halfway through the test."""
    api = api or QboApi.for_profile(profile_name)
    profile = profile_store(profile_name).read()
    info = api.company_info()
    company_name = str(info.get("CompanyName") or profile.company_name or "")
    country = str(info.get("Country") or profile.country or "")
    records = load_record(profile_name)
    pending = tuple(
        d for d in records.get(api.realm_id, CompanyRecord()).documents if d.state == "posted"
    )
    plan = DollarCheckPlan(
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
            message = f"The line items are not mapped yet; map them in {step_ref('map')} first."
        else:
            other = saved.company_name or f"company {saved.realm_id}"
            message = (
                f"The saved mapping was made for {other}, not for {company_name}. Map this "
                f"company's line items in {step_ref('map')} (or import the mapping there) first."
            )
        return replace(plan, problem=DollarCheckProblem(message=message, step="map"))
    integration = _integration(saved)
    lines: dict[DocumentKind, PlannedLine] = {}
    skipped: dict[DocumentKind, str] = {}
    problems: dict[DocumentKind, DollarCheckProblem] = {}
    for kind in DOCUMENT_KINDS:
        planned, why_skipped, missing = _choose_line(kind, saved, integration)
        if planned is not None:
            lines[kind] = planned
        elif why_skipped is not None:
            skipped[kind] = why_skipped
        elif missing is not None:
            problems[kind] = missing
    return replace(plan, lines=lines, skipped=skipped, problems=problems)
