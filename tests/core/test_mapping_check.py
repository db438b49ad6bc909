"""Re-checking a saved mapping: what QuickBooks changed since is flagged, with the fix."""

from __future__ import annotations

from dataclasses import replace

from qbo_wizard.core.mapping.check import accept_changes, validate_saved_mapping
from qbo_wizard.core.mapping.company_lists import Account, CompanyLists
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import SavedMapping, load_saved_mapping
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.mapping.report import check_saved_mapping

from .company_data import NoNetwork, ridgeline, ridgeline_accounts, ridgeline_items

SERVICES = load_integration("professional-services")


def _save_complete(lists: CompanyLists) -> SavedMapping:
    draft = MappingDraft(SERVICES, lists)
    draft.choose("time", "100")
    draft.choose("fixed-fee", "100")
    draft.choose("billable-expenses", "108")
    draft.choose("subcontractor-time", "21")
    draft.choose("subcontractor-expenses", "22")
    return draft.save("acme")


def _accounts_with(account_id: str, **changes: object) -> list[Account]:
    return [
        replace(a, **changes) if a.id == account_id else a  # type: ignore[arg-type]
        for a in ridgeline_accounts()
    ]


def test_an_unchanged_company_passes() -> None:
    saved = _save_complete(ridgeline())
    report = check_saved_mapping("acme", saved, SERVICES, ridgeline())
    assert report.ok
    assert [r.status for r in report.lines] == ["ok"] * 5
    assert report.summary() == "All 5 mapped lines will post."


def test_an_account_made_inactive_breaks_its_line_with_the_fix() -> None:
    saved = _save_complete(ridgeline())
    later = ridgeline(accounts=_accounts_with("21", active=False))
    report = check_saved_mapping("acme", saved, SERVICES, later)
    assert not report.ok
    (broken,) = report.broken
    assert broken.line.id == "subcontractor-time"
    (finding,) = broken.findings
    assert finding.code == "account-inactive"
    assert "Make it active in QuickBooks" in finding.fix
    assert report.summary() == "1 line broken."


def test_a_deleted_item_and_an_account_turned_into_accounts_payable_are_broken() -> None:
    saved = _save_complete(ridgeline())
    items = [i for i in ridgeline_items() if i.id != "108"]
    later = ridgeline(items=items, accounts=_accounts_with("22", account_type="Accounts Payable"))
    report = check_saved_mapping("acme", saved, SERVICES, later)
    codes = {r.line.id: [f.code for f in r.findings] for r in report.broken}
    assert codes["billable-expenses"] == ["item-missing"]
    assert "account-type-refused" in codes["subcontractor-expenses"]
    assert "account-type-changed" in codes["subcontractor-expenses"]


def test_a_changed_type_and_a_changed_income_account_need_a_look_then_can_be_accepted() -> None:
    saved = _save_complete(ridgeline())
    items = [replace(i, income_account_id="11") if i.id == "100" else i for i in ridgeline_items()]
    later = ridgeline(items=items, accounts=_accounts_with("21", account_type="Expense"))
    report = check_saved_mapping("acme", saved, SERVICES, later)
    findings = {f.code: f for r in report.broken for f in r.findings}
    assert set(findings) == {"income-account-changed", "account-type-changed"}
    assert "now posts its sales to 'Fuel Surcharge Income' instead of 'Freight Income'" in (
        findings["income-account-changed"].reason
    )
    assert "was a Cost of Goods Sold account" in findings["account-type-changed"].reason
    assert "--update" in findings["account-type-changed"].fix
    accept_changes("acme", report)
    again = load_saved_mapping("acme")
    assert again is not None
    assert check_saved_mapping("acme", again, SERVICES, later).ok


def test_a_renamed_account_is_only_a_note() -> None:
    saved = _save_complete(ridgeline())
    later = ridgeline(accounts=_accounts_with("22", full_name="Project Supplies"))
    report = check_saved_mapping("acme", saved, SERVICES, later)
    assert report.ok
    (line,) = [r for r in report.lines if r.findings]
    assert line.findings[0].severity == "note"
    assert "now called 'Project Supplies'" in line.findings[0].reason


def test_unmapped_lines_and_another_company_are_reported_not_raised() -> None:
    draft = MappingDraft(SERVICES, ridgeline())
    draft.choose("time", "100")
    saved = draft.save("acme")
    report = check_saved_mapping("acme", saved, SERVICES, ridgeline())
    assert not report.ok
    assert report.summary() == "4 lines not mapped yet."
    elsewhere = check_saved_mapping("acme", saved, SERVICES, ridgeline(realm_id="999"))
    assert not elsewhere.ok and "mapping import" in elsewhere.problems[0]


def test_validate_without_a_saved_mapping_says_so() -> None:
    report = validate_saved_mapping(NoNetwork(), "acme", lists=ridgeline())
    assert not report.ok
    assert "No mapping has been saved yet" in report.summary()
    assert report.to_json()["ok"] is False


def test_the_json_report_lists_every_line_with_its_findings() -> None:
    _save_complete(ridgeline())
    later = ridgeline(accounts=_accounts_with("21", active=False))
    data = validate_saved_mapping(NoNetwork(), "acme", lists=later).to_json()
    assert data["ok"] is False and data["integration"] == "professional-services"
    by_id = {line["id"]: line for line in data["lines"]}
    assert by_id["subcontractor-time"]["status"] == "broken"
    assert by_id["subcontractor-time"]["findings"][0]["code"] == "account-inactive"
    assert by_id["time"]["status"] == "ok"
