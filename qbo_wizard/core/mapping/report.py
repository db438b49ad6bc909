"""What a check of a saved mapping found, line by line, against the company's lists as they are.

`check_saved_mapping` applies the same rules as saving and compares with what was saved: a
deleted or deactivated account or item, an account whose type changed, an item whose income
account changed, a rename. It reads nothing over the network; the lists are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from qbo_wizard.core.line_kinds import line_kind
from qbo_wizard.core.mapping.company_lists import CompanyLists
from qbo_wizard.core.mapping.file import LineMapping, SavedMapping
from qbo_wizard.core.mapping.integrations import Integration, IntegrationLine
from qbo_wizard.core.mapping.rules import Finding, line_findings
from qbo_wizard.core.problems import Fix, say
from qbo_wizard.core.steps import step_ref
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
    # A problem's wording on the wizard's screens, by its wording above, where that names a command.
    wizard_words: dict[str, str] = field(default_factory=dict)
    lists: CompanyLists | None = None  # the company lists it was checked against
    checked_at: str = field(default_factory=utc_timestamp)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(line.needs_attention for line in self.lines)

    @property
    def broken(self) -> list[LineReport]:
        return [line for line in self.lines if line.needs_attention]

    def in_wizard(self, problem: str) -> str:
        """`problem` (one of `problems`) as the wizard's screens say it."""
        return self.wizard_words.get(problem, problem)

    def summary(self, *, in_wizard: bool = False) -> str:
        """One sentence for the status home (in the wizard's words, with `in_wizard`)."""
        if self.problems:
            return self.in_wizard(self.problems[0]) if in_wizard else self.problems[0]
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

    def changes_by_line(self) -> dict[str, list[Finding]]:
        """What changed in QuickBooks since saving (or is worth knowing), per line that has any."""
        changes = {}
        for line in self.lines:
            found = [f for f in line.findings if f.severity in ("changed", "note")]
            if found:
                changes[line.line.id] = found
        return changes

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
    if line_kind(saved.kind).target_noun == "account":
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
                    f"or save {step_ref('map')} again); otherwise pick another account",
                    severity="changed",
                    wizard_fix=f"If the new type is right, accept it (save {step_ref('map')} "
                    "again); otherwise pick another account",
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
                "If that is right, accept it (`qbo-wizard mapping check --update` or save "
                f"{step_ref('map')} "
                "again); otherwise change the item's income account back in QuickBooks or pick "
                "another item",
                severity="changed",
                wizard_fix=f"If that is right, accept it (save {step_ref('map')} again); "
                "otherwise change the item's income account back in QuickBooks or pick another "
                "item",
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
                    wizard_fix=f"If the new type is right, accept it (save {step_ref('map')} "
                    "again); otherwise pick another item",
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
        belongs = (
            f"This mapping belongs to {theirs}, but the profile is connected to {ours}. ",
            Fix(
                "Import it to remap every line by name: qbo-wizard mapping import FILE",
                f"Choose each line's item or account for {ours} here, then save {step_ref('map')}.",
            ),
        )
        report.problems.append(say(*belongs))
        report.wizard_words[report.problems[-1]] = say(*belongs, in_wizard=True)
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


def first_broken(report: MappingReport) -> tuple[LineReport, Finding | None] | None:
    """The first line that needs attention, and the finding that says why (None: not mapped)."""
    for line in report.broken:
        reason = next((f for f in line.findings if f.breaks), None)
        return line, reason
    return None
