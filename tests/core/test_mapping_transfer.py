"""Export and import: a consultant's mapping reused in another company, remapped by name."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from qbo_wizard.core.mapping.company_lists import CompanyLists
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import load_saved_mapping, mapping_path
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.mapping.transfer import export_mapping, import_mapping
from qbo_wizard.core.problems import ConfigFileError, WizardError

from .company_data import NoNetwork, ridgeline, ridgeline_accounts, ridgeline_items

FREIGHT = load_integration("freight-brokerage")


def _mapped(profile: str = "first") -> None:
    draft = MappingDraft(FREIGHT, ridgeline())
    for line in FREIGHT.lines:
        draft.choose(line.id, "100" if line.kind == "invoice" else "21")
    draft.choose("fuel-surcharge", "101")
    draft.set_unused("truck-ordered-not-used")
    draft.save(profile)


def _other_company(**changes: object) -> CompanyLists:
    """The same names under different ids, as in a second client's company."""
    accounts = [replace(a, id=str(int(a.id) + 500)) for a in ridgeline_accounts()]
    items = [
        replace(
            i,
            id=str(int(i.id) + 500),
            income_account_id=str(int(i.income_account_id) + 500) if i.income_account_id else None,
        )
        for i in ridgeline_items()
    ]
    return ridgeline(realm_id="1234", accounts=accounts, items=items, **changes)


def test_export_writes_the_mapping_and_never_overwrites_by_accident(tmp_path: Path) -> None:
    _mapped()
    target = tmp_path / "ridgeline-mapping.yaml"
    export_mapping("first", target)
    assert "Cost of Goods Sold:Carrier Costs" in target.read_text()
    with pytest.raises(WizardError) as caught:
        export_mapping("first", target)
    assert "already exists" in str(caught.value) and "--force" in str(caught.value)
    export_mapping("first", target, overwrite=True)


def test_export_without_a_mapping_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(WizardError) as caught:
        export_mapping("first", tmp_path / "x.yaml")
    assert "no saved mapping" in str(caught.value)


def test_import_into_another_company_remaps_every_line_by_name(tmp_path: Path) -> None:
    _mapped()
    shared = tmp_path / "shared.yaml"
    export_mapping("first", shared)
    report = import_mapping(NoNetwork(), "second", shared, lists=_other_company())
    assert report.complete
    outcomes = {r.line_id: r.outcome for r in report.lines}
    assert outcomes["linehaul"] == "remapped"
    assert outcomes["truck-ordered-not-used"] == "unused"
    saved = load_saved_mapping("second")
    assert saved is not None and saved.realm_id == "1234"
    linehaul = saved.lines["linehaul"]
    carrier = saved.lines["carrier-linehaul"]
    assert linehaul.target is not None and linehaul.target.id == "600"
    assert carrier.target is not None and carrier.target.id == "521"
    assert carrier.target.name == "Cost of Goods Sold:Carrier Costs"


def test_import_reports_what_it_could_not_match_and_keeps_the_rest(tmp_path: Path) -> None:
    _mapped()
    shared = tmp_path / "shared.yaml"
    export_mapping("first", shared)
    other = _other_company()
    other.accounts[:] = [a for a in other.accounts if a.name != "Carrier Costs"]
    report = import_mapping(NoNetwork(), "second", shared, lists=CompanyLists(**_fields(other)))
    unresolved = {r.line_id: r.detail for r in report.unresolved}
    assert "carrier-linehaul" in unresolved
    assert "no account named 'Cost of Goods Sold:Carrier Costs'" in unresolved["carrier-linehaul"]
    saved = load_saved_mapping("second")
    assert saved is not None and saved.lines["carrier-linehaul"].target is None
    assert saved.lines["linehaul"].target is not None


def test_import_into_a_non_us_company_refuses_lines_without_a_tax_code(tmp_path: Path) -> None:
    _mapped()
    shared = tmp_path / "shared.yaml"
    export_mapping("first", shared)
    report = import_mapping(NoNetwork(), "second", shared, lists=_other_company(country="GB"))
    refused = {r.line_id: r.detail for r in report.lines if r.outcome == "refused"}
    assert "linehaul" in refused and "tax code" in refused["linehaul"]


def test_import_keeps_the_previous_mapping_aside(tmp_path: Path) -> None:
    _mapped("second")
    before = mapping_path("second").read_text()
    _mapped()
    shared = tmp_path / "shared.yaml"
    export_mapping("first", shared)
    report = import_mapping(NoNetwork(), "second", shared, lists=_other_company())
    assert report.backup is not None and report.backup.read_text() == before


def test_a_hand_written_names_only_file_is_imported(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "integration: professional-services\n"
        "realm_id: template\n"
        "lines:\n"
        "  time: {kind: invoice, item: {name: Freight}}\n"
        "  subcontractor-time: {kind: bill, account: {name: 'Cost of Goods Sold: Carrier Costs'}}\n"
    )
    report = import_mapping(NoNetwork(), "second", template, lists=ridgeline())
    outcomes = {r.line_id: r.outcome for r in report.lines}
    assert outcomes["time"] == "remapped" and outcomes["subcontractor-time"] == "remapped"
    assert outcomes["fixed-fee"] == "not-matched"


def test_a_malformed_import_file_names_the_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "integration: freight-brokerage\nrealm_id: '1'\nlines:\n"
        "  linehaul:\n    kind: bill\n    item: {id: '1', name: Freight}\n"
    )
    with pytest.raises(ConfigFileError) as caught:
        import_mapping(NoNetwork(), "second", bad, lists=ridgeline())
    message = str(caught.value)
    assert str(bad) in message and "line 6" in message and "'lines.linehaul.item'" in message
    assert not mapping_path("second").exists()


def _fields(lists: CompanyLists) -> dict[str, object]:
    return {
        "realm_id": lists.realm_id,
        "company_name": lists.company_name,
        "country": lists.country,
        "accounts": lists.accounts,
        "items": lists.items,
        "tax_codes": lists.tax_codes,
    }
