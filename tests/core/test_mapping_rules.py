"""The mapping rules: every forbidden choice is refused with its reason, nothing bad is saved."""

from __future__ import annotations

import pytest

from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import load_saved_mapping, mapping_path
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.mapping.rules import ItemRefused, MappingRefused

from .company_data import NoNetwork, ridgeline

FREIGHT = load_integration("freight-brokerage")


def _draft(country: str = "US") -> MappingDraft:
    return MappingDraft(FREIGHT, ridgeline(country))


@pytest.mark.parametrize(
    ("account_id", "account_type", "words"),
    [
        ("3", "Accounts Payable", "error 6000"),
        ("2", "Accounts Receivable", "what customers owe"),
        ("1", "Bank", "money is paid"),
        ("4", "Credit Card", "card charges"),
        ("5", "Equity", "owners' stake"),
        ("6", "Non-Posting", "do not take amounts"),
    ],
)
def test_bill_lines_refuse_balance_sheet_control_accounts(
    account_id: str, account_type: str, words: str
) -> None:
    draft = _draft()
    findings = draft.choose("carrier-linehaul", account_id)
    assert [f.severity for f in findings] == ["refused"]
    article = "an" if account_type[0] in "AE" else "a"
    assert f"is {article} {account_type} account" in findings[0].reason
    assert words in findings[0].reason
    assert "Pick the expense or cost of goods sold account" in findings[0].fix
    with pytest.raises(MappingRefused) as caught:
        draft.save("acme")
    assert "Carrier linehaul" in str(caught.value) and words in str(caught.value)
    assert not mapping_path("acme").exists()


@pytest.mark.parametrize("account_id", ["20", "21", "22", "27"])
def test_bill_lines_accept_cost_of_goods_sold_expense_and_other_expense(account_id: str) -> None:
    assert _draft().choose("carrier-linehaul", account_id) == []


@pytest.mark.parametrize(
    ("account_id", "words"),
    [("23", "Fixed Asset"), ("24", "Other Current Asset"), ("26", "not a cost account")],
)
def test_bill_lines_on_asset_or_liability_accounts_save_with_a_warning(
    account_id: str, words: str
) -> None:
    draft = _draft()
    findings = draft.choose("carrier-fuel", account_id)
    assert [f.severity for f in findings] == ["warning"]
    assert words in findings[0].reason
    draft.save("acme")  # a warning never blocks saving
    saved = load_saved_mapping("acme")
    assert saved is not None and saved.lines["carrier-fuel"].target is not None
    assert saved.lines["carrier-fuel"].target.id == account_id


def test_an_inactive_or_unknown_account_is_refused() -> None:
    draft = _draft()
    (inactive,) = draft.choose("carrier-linehaul", "25")
    assert inactive.code == "account-inactive" and "inactive" in inactive.reason
    (unknown,) = draft.choose("carrier-linehaul", "999")
    assert unknown.code == "account-missing" and "deleted or made inactive" in unknown.reason


@pytest.mark.parametrize(
    ("item_id", "code", "words"),
    [
        ("102", "item-category", "categories (error 2500)"),
        ("103", "item-inactive", "inactive"),
        ("104", "item-type", "inventory item"),
        ("105", "income-account-type", "is an Expense account"),
        ("106", "item-no-income-account", "nowhere to record the sale"),
        ("107", "income-account-inactive", "'Old Income' is inactive"),
        ("999", "item-missing", "deleted or made inactive"),
    ],
)
def test_invoice_lines_refuse_items_that_cannot_post(item_id: str, code: str, words: str) -> None:
    draft = _draft()
    findings = draft.choose("linehaul", item_id)
    refused = [f for f in findings if f.severity == "refused"]
    assert refused and refused[0].code == code
    assert words in refused[0].reason
    assert refused[0].fix
    with pytest.raises(MappingRefused):
        draft.save("acme")
    assert not mapping_path("acme").exists()


def test_invoice_lines_accept_service_and_non_inventory_items_on_income_accounts() -> None:
    draft = _draft()
    assert draft.choose("linehaul", "100") == []  # Service on Income
    assert draft.choose("fuel-surcharge", "108") == []  # NonInventory on Other Income


def test_outside_the_us_every_line_needs_an_active_tax_code() -> None:
    draft = _draft(country="CA")
    (missing,) = draft.choose("linehaul", "100")
    assert missing.code == "tax-code-required" and "error 6000" in missing.reason
    (inactive,) = draft.choose_tax_code("linehaul", "3")
    assert inactive.code == "tax-code-inactive"
    assert draft.choose_tax_code("linehaul", "1") == []
    (bill_missing,) = draft.choose("carrier-linehaul", "21")
    assert bill_missing.code == "tax-code-required" and "the bill" in bill_missing.reason
    draft.choose("fuel-surcharge", "101")
    (purchase_only,) = draft.choose_tax_code("fuel-surcharge", "4")
    assert purchase_only.severity == "warning" and "no sales rate" in purchase_only.reason


def test_a_us_company_needs_no_tax_code() -> None:
    draft = _draft(country="US")
    assert draft.choose("linehaul", "100") == []


def test_pickers_offer_only_choices_the_rules_allow() -> None:
    draft = _draft()
    accounts = {m.entry.name for m in draft.picker_for("carrier-linehaul").filter("").matches}
    assert "Carrier Costs" in accounts and "Trucks" in accounts  # allowed, and allowed-with-warning
    forbidden = {
        "Accounts Payable (A/P)",
        "Checking",
        "Visa",
        "Owner's Equity",
        "Old Carrier Costs",
    }
    assert not accounts & forbidden
    assert "Equipment Loan" not in accounts  # allowed with a warning, but only offered on request
    unusual = {m.entry.name for m in draft.picker_for("carrier-linehaul", True).filter("").matches}
    assert "Equipment Loan" in unusual and not unusual & forbidden
    items = {m.entry.name: m.entry.label for m in draft.picker_for("linehaul").filter("").matches}
    assert set(items) == {"Freight", "Fuel Surcharge", "Late Fees"}
    assert items["Freight"] == "Freight → Freight Income"  # the income account is shown
    income = {m.entry.name for m in draft.income_account_picker().filter("").matches}
    assert income == {"Freight Income", "Fuel Surcharge Income", "Late Fee Income"}


def test_a_complete_mapping_is_saved_and_reloaded_with_names_for_people() -> None:
    lists = ridgeline()
    draft = MappingDraft(FREIGHT, lists)
    for line in FREIGHT.lines:
        if line.kind == "invoice":
            draft.choose(line.id, "100" if line.id != "fuel-surcharge" else "101")
        else:
            draft.choose(line.id, "21")
    draft.set_unused("truck-ordered-not-used")
    assert draft.complete
    draft.save("acme")
    text = mapping_path("acme").read_text()
    assert "Cost of Goods Sold:Carrier Costs" in text and "Freight Income" in text
    saved = load_saved_mapping("acme")
    assert saved is not None and saved.realm_id == lists.realm_id
    assert saved.integration == "freight-brokerage"
    again = MappingDraft(FREIGHT, ridgeline(), saved)
    for line in FREIGHT.lines:
        if line.id != "truck-ordered-not-used":
            assert again.choices[line.id] == draft.choices[line.id]
    assert again.choices["truck-ordered-not-used"].unused
    assert saved.lines["truck-ordered-not-used"].unused
    linehaul = saved.lines["linehaul"]
    assert linehaul.target is not None and linehaul.income_account is not None
    assert (linehaul.target.name, linehaul.income_account.name) == ("Freight", "Freight Income")


def test_unmapped_lines_may_be_saved_and_are_listed() -> None:
    draft = _draft()
    draft.choose("linehaul", "100")
    draft.save("acme")
    assert not draft.complete
    assert "carrier-linehaul" in [line.id for line in draft.unmapped()]


@pytest.mark.parametrize(
    ("name", "account_id", "words"),
    [
        ("", "10", "Give the new item a name"),
        ("Freight:Fuel", "10", "cannot contain ':'"),
        ("freight", "10", "already exists"),
        ("Linehaul", "22", "sales must post to an Income or Other Income account"),
        ("Linehaul", "28", "inactive"),
        ("Linehaul", "3", "Accounts Payable account"),
    ],
)
def test_a_new_service_item_is_refused_before_anything_is_sent(
    name: str, account_id: str, words: str
) -> None:
    draft = _draft()
    with pytest.raises(ItemRefused) as caught:
        draft.create_service_item(NoNetwork(), name, account_id)
    assert words in str(caught.value)


def test_what_a_bill_line_may_never_use_is_listed_with_the_reason_in_brief() -> None:
    unavailable = _draft().unavailable_picker_for("carrier-linehaul")
    labels = {entry.key: entry.label for entry in unavailable.entries}
    assert set(labels) == {"1", "2", "3", "4", "5", "6", "25", "28"}  # refused types, inactive
    assert labels["3"].endswith("— a bill line here causes error 6000")
    assert labels["25"].endswith("— inactive: QuickBooks refuses it (610)")
    assert unavailable.filter("payable").matches[0].entry.key == "3"


def test_what_an_invoice_line_may_never_use_is_listed_with_the_reason_in_brief() -> None:
    unavailable = _draft().unavailable_picker_for("linehaul")
    labels = {entry.key: entry.label for entry in unavailable.entries}
    assert labels == {
        "102": "Transportation — a category: invoices cannot use it (2500)",
        "103": "Old Freight — inactive: QuickBooks refuses it (610)",
        "104": "Pallets — not a Service or Non-inventory item",
        "105": "Misc Charge — its income account is not an Income account",
        "106": "Detention Charge — has no income account",
        "107": "Legacy — its income account is inactive",
    }
