"""Suggestions: a likely item or account per line by name and type; never chosen for the user."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import mapping_path
from qbo_wizard.core.mapping.integrations import Integration, load_integration
from qbo_wizard.core.mapping.suggestions import NameIndex, integration_hints, suggest, suggest_all

from .company_data import ridgeline, ridgeline_accounts, ridgeline_items

FREIGHT = load_integration("freight-brokerage")
SERVICES = load_integration("professional-services")


def test_carrier_bill_lines_are_pointed_at_carrier_costs_not_accounts_payable() -> None:
    found = suggest_all(FREIGHT, ridgeline())
    carrier = found["carrier-linehaul"]
    assert carrier.target_name == "Cost of Goods Sold:Carrier Costs"
    assert "Carrier Costs" in carrier.reason
    for line in FREIGHT.lines_of_kind("bill"):
        assert found[line.id].target_id not in {"3", "25"}  # never A/P, never inactive


def test_invoice_lines_get_an_item_whose_sales_fit_the_line() -> None:
    found = suggest_all(FREIGHT, ridgeline())
    assert found["linehaul"].target_name == "Freight"
    assert found["fuel-surcharge"].target_name == "Fuel Surcharge"
    # The item named after detention has no income account, so it is never proposed.
    assert found["detention"].target_id != "106"


def test_a_type_hint_finds_an_account_of_that_type_when_no_name_matches() -> None:
    accounts = [
        replace(a, name="Trucking Paid Out", full_name="Trucking Paid Out") if a.id == "21" else a
        for a in ridgeline_accounts()
        if a.id != "20"
    ]
    proposal = suggest(FREIGHT.line("carrier-detention"), ridgeline(accounts=accounts))
    assert proposal is not None and proposal.target_name == "Trucking Paid Out"
    assert "Cost of Goods Sold account" in proposal.reason


def test_with_no_fitting_item_the_proposal_is_a_new_service_item() -> None:
    items = [i for i in ridgeline_items() if i.id not in {"100", "101"}]
    proposal = suggest(FREIGHT.line("linehaul"), ridgeline(items=items))
    assert proposal is not None and proposal.creates_item
    assert proposal.new_item_name == "Linehaul"
    assert proposal.income_account_id == "10"  # Freight Income
    assert "create a Service item 'Linehaul'" in proposal.reason


def test_nothing_is_proposed_when_nothing_fits() -> None:
    lists = ridgeline(items=[], accounts=[a for a in ridgeline_accounts() if a.id in {"1", "3"}])
    assert suggest_all(SERVICES, lists) == {}


def test_suggestions_are_never_chosen_or_saved() -> None:
    lists = ridgeline()
    draft = MappingDraft(FREIGHT, lists)
    suggest_all(FREIGHT, lists)
    assert all(choice.target_id is None for choice in draft.choices.values())
    assert not mapping_path("acme").exists()


def test_each_name_is_normalised_once_however_many_lines_there_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 40,000 accounts, normalising every name again for every line and hint took seconds."""
    from qbo_wizard.core.mapping import suggestions

    lists = ridgeline()
    normalised: list[str] = []
    original = suggestions._key

    def counting(text: str) -> str:
        normalised.append(text)
        return original(text)

    monkeypatch.setattr(suggestions, "_key", counting)
    found = suggest_all(FREIGHT, lists)
    assert found["linehaul"].target_name == "Freight"
    # A few per record (its name, full name and type, to index and then to match), whatever
    # the number of lines; two per hint (its words and its whole text).
    names = 5 * len(lists.accounts) + 4 * len(lists.items)
    hints = sum(len(line.hints) for line in FREIGHT.lines)
    assert len(normalised) <= names + 2 * hints


@pytest.mark.parametrize("integration", [FREIGHT, SERVICES], ids=lambda i: i.id)
def test_an_index_kept_for_the_hints_proposes_what_one_of_every_word_does(
    integration: Integration,
) -> None:
    """An index made for the integration's hints keeps only the words they can match."""
    lists = ridgeline()
    kept = NameIndex.of(lists, integration_hints(integration))
    everything = NameIndex.of(lists)
    assert kept.answers(integration_hints(integration))
    assert not kept.answers(("Some Other Hint",))
    assert suggest_all(integration, lists, kept) == suggest_all(integration, lists, everything)
    for line in integration.lines:
        assert suggest(line, lists, kept) == suggest(line, lists, everything)


def test_a_name_saying_more_than_an_index_keeps_is_still_narrower() -> None:
    """ "LTL Freight" says more than "Freight Income" even when "LTL" is no hint's word."""
    items = [
        replace(i, name="LTL Freight", full_name="LTL Freight") if i.id == "100" else i
        for i in ridgeline_items()
    ]
    lists = ridgeline(items=items)
    kept = NameIndex.of(lists, integration_hints(FREIGHT))
    assert suggest_all(FREIGHT, lists, kept) == suggest_all(FREIGHT, lists, NameIndex.of(lists))
    assert suggest_all(FREIGHT, lists, kept)["linehaul"].target_id != "100"
