"""Re-check a saved mapping against the live company: what broke, what changed, what to do.

`validate_saved_mapping` is what `qbo-wizard mapping check`, the status home (through
`check_mapping_status`) and the doctor call. It reads the company's lists (fresh by default),
applies the same rules as saving, and compares with what was saved: a deleted or deactivated
account or item, an account whose type changed, an item whose income account changed. It never
raises for a broken mapping; the report says, line by line, what is wrong and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from qbo_wizard.core.files import ConfigFileError
from qbo_wizard.core.handoff.record import ConnectionHandedOff
from qbo_wizard.core.health.area_status import AreaStatus, StatusOptions, first_sentence
from qbo_wizard.core.mapping.company_lists import (
    CompanyLists,
    ProgressCallback,
    QboClient,
    cached_company_lists,
    company_lists_for,
)
from qbo_wizard.core.mapping.file import (
    LineMapping,
    SavedMapping,
    load_saved_mapping,
    mapping_path,
)
from qbo_wizard.core.mapping.integrations import Integration, IntegrationLine, load_integration
from qbo_wizard.core.mapping.rules import Finding, MappingDraft, line_findings
from qbo_wizard.core.problems import EXIT_RECONNECT, WizardError
from qbo_wizard.core.profile import MAPPING_FILE, Profile
from qbo_wizard.core.timestamps import utc_timestamp

LineStatus = Literal["ok", "warning", "broken", "unmapped", "unused"]


@dataclass
class LineReport:
    """One line of a check: what is saved, what QuickBooks has now, and what to do."""

    line: IntegrationLine
    saved: LineMapping | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> LineStatus:
        if self.saved is not None and self.saved.unused:
            return "unused"
        if self.saved is None or self.saved.target is None:
            return "unmapped"
        if any(f.breaks for f in self.findings):
            return "broken"
        if any(f.severity == "warning" for f in self.findings):
            return "warning"
        return "ok"

    @property
    def needs_attention(self) -> bool:
        return self.status in ("broken", "unmapped")

    @property
    def target_name(self) -> str:
        if self.saved is None or self.saved.target is None:
            return ""
        return self.saved.target.name or self.saved.target.id


@dataclass
class MappingReport:
    """The result of checking a saved mapping; `ok` means every line will post."""

    profile_name: str
    integration: Integration | None
    saved: SavedMapping | None
    lines: list[LineReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # whole-mapping problems, in plain words
    lists: CompanyLists | None = None  # the company lists it was checked against
    checked_at: str = field(default_factory=utc_timestamp)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(line.needs_attention for line in self.lines)

    @property
    def broken(self) -> list[LineReport]:
        return [line for line in self.lines if line.needs_attention]

    def summary(self) -> str:
        """One sentence for the status home."""
        if self.problems:
            return self.problems[0]
        mapped = [r for r in self.lines if r.status not in ("unmapped", "unused")]
        if self.ok:
            warned = sum(r.status == "warning" for r in self.lines)
            tail = f" ({warned} with a warning)" if warned else ""
            return f"All {len(mapped)} mapped lines will post{tail}."
        broken = sum(r.status == "broken" for r in self.lines)
        unmapped = sum(r.status == "unmapped" for r in self.lines)
        parts = []
        if broken:
            parts.append(f"{broken} line{'s' if broken != 1 else ''} broken")
        if unmapped:
            parts.append(f"{unmapped} line{'s' if unmapped != 1 else ''} not mapped yet")
        return ", ".join(parts).capitalize() + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.summary(),
            "profile": self.profile_name,
            "integration": self.integration.reference if self.integration else None,
            "realm_id": self.saved.realm_id if self.saved else None,
            "checked_at": self.checked_at,
            "problems": self.problems,
            "lines": [
                {
                    "id": r.line.id,
                    "label": r.line.label,
                    "kind": r.line.kind,
                    "status": r.status,
                    "target": r.target_name or None,
                    "findings": [
                        {"severity": f.severity, "code": f.code, "reason": f.reason, "fix": f.fix}
                        for f in r.findings
                    ],
                }
                for r in self.lines
            ],
        }


def _compare_with_saved(saved: LineMapping, lists: CompanyLists) -> list[Finding]:
    """What changed in QuickBooks since this line was saved (renames, types, income account)."""
    found: list[Finding] = []
    target = saved.target
    if target is None:
        return found
    line_id = saved.line_id
    if saved.kind == "bill":
        account = lists.account(target.id)
        if account is None:
            return found
        if target.type and account.account_type != target.type:
            found.append(
                Finding(
                    line_id,
                    "account-type-changed",
                    f"'{account.full_name}' was a {target.type} account when the mapping was "
                    f"saved and is now {account.account_type}",
                    "If the new type is right, accept it (`qbo-wizard mapping check --update` "
                    "or save step 7 again); otherwise pick another account",
                    severity="changed",
                )
            )
        if target.name and account.full_name != target.name:
            found.append(_renamed(line_id, "account", target.name, account.full_name))
        return found
    item = lists.item(target.id)
    if item is None:
        return found
    if target.name and item.full_name != target.name:
        found.append(_renamed(line_id, "item", target.name, item.full_name))
    before = saved.income_account
    if before is not None and before.id and item.income_account_id != before.id:
        now = lists.account(item.income_account_id)
        now_name = now.full_name if now else (item.income_account_name or "no account")
        found.append(
            Finding(
                line_id,
                "income-account-changed",
                f"The item '{item.full_name}' now posts its sales to '{now_name}' instead of "
                f"'{before.name or before.id}'",
                "If that is right, accept it (`qbo-wizard mapping check --update` or save step 7 "
                "again); otherwise change the item's income account back in QuickBooks or pick "
                "another item",
                severity="changed",
            )
        )
    elif before is not None and before.type:
        income = lists.account(item.income_account_id)
        if income is not None and income.account_type != before.type:
            found.append(
                Finding(
                    line_id,
                    "income-account-type-changed",
                    f"The income account '{income.full_name}' was {before.type} when the mapping "
                    f"was saved and is now {income.account_type}",
                    "If the new type is right, accept it (`qbo-wizard mapping check --update`); "
                    "otherwise pick another item",
                    severity="changed",
                )
            )
    return found


def _renamed(line_id: str, what: str, before: str, now: str) -> Finding:
    return Finding(
        line_id,
        f"{what}-renamed",
        f"The {what} '{before}' is now called '{now}' in QuickBooks",
        "Nothing to do; the id is unchanged",
        severity="note",
    )


def check_saved_mapping(
    profile_name: str, saved: SavedMapping, integration: Integration, lists: CompanyLists
) -> MappingReport:
    """Check a saved mapping against the company's current lists (no network here)."""
    report = MappingReport(profile_name, integration, saved, lists=lists)
    if saved.realm_id != lists.realm_id:
        theirs = f"'{saved.company_name}'" if saved.company_name else f"company {saved.realm_id}"
        ours = f"'{lists.company_name}'" if lists.company_name else f"company {lists.realm_id}"
        report.problems.append(
            f"This mapping belongs to {theirs}, but the profile is connected to {ours}. Import "
            "it to remap every line by name: qbo-wizard mapping import FILE"
        )
    for line in integration.lines:
        entry = saved.lines.get(line.id)
        line_report = LineReport(line, entry)
        # A mapping made for another company is not checked line by line: its ids mean nothing here.
        checkable = not report.problems and entry is not None and not entry.unused
        if checkable and entry is not None and entry.target is not None:
            tax_id = entry.tax_code.id if entry.tax_code else None
            line_report.findings = line_findings(line, entry.target.id, tax_id, lists)
            line_report.findings += _compare_with_saved(entry, lists)
        report.lines.append(line_report)
    return report


class MappingMissing(WizardError):
    """There is no saved mapping for this profile yet."""


def validate_saved_mapping(
    client: QboClient,
    profile_name: str,
    *,
    refresh: bool = True,
    on_progress: ProgressCallback | None = None,
    lists: CompanyLists | None = None,
) -> MappingReport:
    """Re-check the profile's saved mapping against the live company.

    Reads the company's lists fresh by default (`refresh=False` uses the cached copy when it is
    there; `lists` skips loading altogether). Never raises for a broken mapping: the report says
    what is wrong, line by line, with the fix. A missing mapping is reported, not raised.
    """
    saved = load_saved_mapping(profile_name)
    if saved is None:
        report = MappingReport(profile_name, None, None)
        report.problems.append(
            "No mapping has been saved yet: map the integration's lines in step 7."
        )
        return report
    try:
        integration = load_integration(saved.integration)
    except ConfigFileError as error:
        report = MappingReport(profile_name, None, saved)
        report.problems.append(f"The integration profile cannot be read: {error}")
        return report
    if lists is None:
        lists = company_lists_for(client, profile_name, refresh=refresh, on_progress=on_progress)
    return check_saved_mapping(profile_name, saved, integration, lists)


def accept_changes(profile_name: str, report: MappingReport) -> SavedMapping:
    """Save the mapping again with QuickBooks' current names, types and income accounts.

    For changes that are still within the rules (a rename, a new type that is allowed, an item
    whose new income account is an income account). Lines that break a rule stay refused.
    """
    lists = report.lists
    if report.saved is None or report.integration is None or lists is None:
        raise MappingMissing("There is no saved mapping to update.")
    if report.problems:
        raise WizardError(report.problems[0])
    draft = MappingDraft(report.integration, lists, report.saved)
    return draft.save(profile_name)


def first_broken(report: MappingReport) -> tuple[LineReport, Finding | None] | None:
    """The first line that needs attention, and the finding that says why (None: not mapped)."""
    for line in report.broken:
        reason = next((f for f in line.findings if f.breaks), None)
        return line, reason
    return None


def check_mapping_status(profile: Profile, options: StatusOptions) -> AreaStatus:
    """Mapping (the status home's row): the saved mapping re-checked, with the first fix.

    Live, the lists are read fresh from QuickBooks (as `qbo-wizard mapping check` does);
    otherwise the copy read last time is used when there is one, and nothing goes online.
    """
    if not mapping_path(profile.name).exists():
        return AreaStatus("mapping", "problem", "Line items not mapped yet.", "map")
    try:
        saved = load_saved_mapping(profile.name)
    except ConfigFileError as error:
        return AreaStatus("mapping", "problem", str(error), "map")
    if saved is None:  # removed since the check above
        return AreaStatus("mapping", "problem", "Line items not mapped yet.", "map")
    if options.live:
        from qbo_wizard.core.connection.api import QboApi, brief_waits

        try:
            # A status line should answer promptly: short waits, not the full back-off.
            api = QboApi.for_profile(profile.name, sleep=brief_waits)
            report = validate_saved_mapping(api, profile.name, refresh=True)
        except WizardError as error:
            if isinstance(error, ConnectionHandedOff):  # the vendor holds it; nothing to fix
                why = f"Saved in {MAPPING_FILE}; not checked live ({error.record.vendor} holds "
                return AreaStatus("mapping", "ok", why + "the connection).", "map")
            if error.exit_code == EXIT_RECONNECT:  # the Connection row already says why
                why = "Not checked: QuickBooks has to be connected again first."
                return AreaStatus("mapping", "unknown", why, "connect")
            why = f"Could not be checked: {first_sentence(str(error))}"
            return AreaStatus("mapping", "unknown", why, "map")
    else:
        lists = cached_company_lists(profile.name, saved.realm_id)
        if lists is None:
            return AreaStatus("mapping", "ok", f"Saved in {MAPPING_FILE}; not checked live.", "map")
        try:
            integration = load_integration(saved.integration)
        except ConfigFileError as error:
            return AreaStatus("mapping", "problem", str(error), "map")
        report = check_saved_mapping(profile.name, saved, integration, lists)
    if report.ok:
        return AreaStatus("mapping", "ok", report.summary(), "map")
    why = report.summary()
    broken = first_broken(report)
    if not report.problems and broken is not None:
        line, finding = broken
        if finding is not None:
            why += f" {line.line.label}: {finding.as_text()}"
    return AreaStatus("mapping", "problem", why, "map")
