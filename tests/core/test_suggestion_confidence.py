"""Suggestions are made only with confidence: never an item for a different, narrower service
("LTL Freight" for a truck ordered but not used)."""

from __future__ import annotations

from qbo_wizard.core.mapping.company_lists import Item
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.mapping.suggestions import suggest_all

from .company_data import ridgeline, ridgeline_items

FREIGHT = load_integration("freight-brokerage")


def test_a_narrower_service_is_never_suggested_for_another_line() -> None:
    items = [item for item in ridgeline_items() if item.name != "Freight"] + [
        Item("120", "LTL Freight", "LTL Freight", "Service", True, "10", "Freight Income")
    ]
    found = suggest_all(FREIGHT, ridgeline(items=items))
    tonu = found.get("truck-ordered-not-used")
    assert tonu is None or tonu.target_name != "LTL Freight"
    if tonu is not None:
        assert tonu.creates_item  # its own new Service item, posting to a freight income account
    assert all(s.target_name != "LTL Freight" for s in found.values())


def test_an_exact_name_is_still_suggested() -> None:
    items = [*ridgeline_items(), Item("121", "TONU", "TONU", "Service", True, "10")]
    found = suggest_all(FREIGHT, ridgeline(items=items))
    assert found["truck-ordered-not-used"].target_name == "TONU"
    assert found["linehaul"].target_name == "Freight"
