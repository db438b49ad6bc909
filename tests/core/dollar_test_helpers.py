"""Profiles ready for the $1.00 test: connected to the practice QuickBooks and mapped."""

from __future__ import annotations

from typing import Any

import requests

from qbo_wizard.core.connection.api import QboApi
from qbo_wizard.core.mapping.company_lists import company_lists_for
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import (
    LineMapping,
    SavedMapping,
    SavedRef,
    mapping_path,
    save_mapping_file,
)
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.profile import KeySet
from qbo_wizard.simulator.server import SimulatorServer

from .live_company import connect_profile

FREIGHT = load_integration("freight-brokerage")


def no_wait(seconds: float) -> None:
    """Retries in tests go at once; what is checked is what was sent, not how long it took."""


def connect(
    sim: SimulatorServer, profile: str, realm_id: str, key_set: KeySet = "development"
) -> QboApi:
    """A profile connected to `realm_id` as step 6 leaves it, and its client (no waits)."""
    connect_profile(sim, profile, realm_id, key_set)
    return QboApi.for_profile(profile, sleep=no_wait)


def map_in_step_7(
    api: QboApi, profile: str, item: str, account: str, tax_code: str | None = None
) -> None:
    """Map linehaul to `item` and carrier linehaul to `account` the way step 7 does."""
    lists = company_lists_for(api, profile)
    draft = MappingDraft(FREIGHT, lists)
    item_id = next(i.id for i in lists.items if i.full_name == item)
    account_id = next(a.id for a in lists.accounts if a.full_name == account)
    assert draft.choose("linehaul", item_id) == [] or tax_code
    assert draft.choose("carrier-linehaul", account_id) == [] or tax_code
    if tax_code:
        code_id = next(c.id for c in lists.tax_codes if c.name == tax_code)
        draft.choose_tax_code("linehaul", code_id)
        draft.choose_tax_code("carrier-linehaul", code_id)
    for line in draft.unmapped():
        draft.set_unused(line.id)
    assert draft.refused() == []
    draft.save(profile)


def write_mapping(api: QboApi, profile: str, item: str, account: str) -> None:
    """A mapping.yaml written outside step 7 (by hand, or by an older tool): no rules applied."""
    items = {i["FullyQualifiedName"]: i for i in api.query_all("Item")}
    accounts = {a["FullyQualifiedName"]: a for a in api.query_all("Account")}
    lines = {
        line.id: LineMapping(line.id, line.kind, unused=True)
        for line in FREIGHT.lines
        if line.id not in ("linehaul", "carrier-linehaul")
    }
    chosen_item, chosen_account = items[item], accounts[account]
    lines["linehaul"] = LineMapping(
        "linehaul", "invoice", SavedRef(chosen_item["Id"], item, chosen_item["Type"])
    )
    lines["carrier-linehaul"] = LineMapping(
        "carrier-linehaul",
        "bill",
        SavedRef(chosen_account["Id"], account, chosen_account["AccountType"]),
    )
    mapping = SavedMapping("freight-brokerage", api.realm_id, "", "US", "", lines)
    save_mapping_file(mapping_path(profile), mapping)


def documents_for(
    api: QboApi, entity: str, party_field: str, party_id: str
) -> list[dict[str, Any]]:
    """Every invoice (or bill) of one customer (or vendor), as QuickBooks has them now."""
    return [
        row
        for row in api.query_all(entity)
        if str((row.get(party_field) or {}).get("value")) == party_id
    ]


def open_link(link: str) -> requests.Response:
    return requests.get(link, timeout=10)
