"""What a step-7 line may be mapped to: the items or accounts its picker offers (and those it
shows as unavailable, with why), and new Service items created without leaving the wizard.
"""

from __future__ import annotations

import uuid
from typing import Any

from qbo_wizard.core.mapping.company_lists import CompanyLists, Item, QboClient
from qbo_wizard.core.mapping.picker_index import PickerChoice, PickerEntry
from qbo_wizard.core.mapping.rules import (
    BILL_ACCOUNT_TYPES_ALLOWED,
    BILL_ACCOUNT_TYPES_REFUSED,
    BILL_ACCOUNT_TYPES_REFUSED_BRIEFLY,
    BILL_ACCOUNT_TYPES_WITH_WARNING,
    INCOME_ACCOUNT_TYPES,
    REFUSED_BRIEFLY,
    ItemRefused,
    income_account_findings,
    invoice_item_findings,
)


def eligible_accounts(lists: CompanyLists, include_unusual: bool = False) -> list[PickerChoice]:
    """Active accounts to offer a bill line: cost accounts, then those saved with a warning.
    Each account is its own row, so the lists of one chart share their rows."""
    offered = BILL_ACCOUNT_TYPES_ALLOWED + BILL_ACCOUNT_TYPES_WITH_WARNING
    return [
        a
        for a in lists.accounts
        if a.active
        and a.account_type not in BILL_ACCOUNT_TYPES_REFUSED
        and (include_unusual or a.account_type in offered)
    ]


def unavailable_accounts(lists: CompanyLists) -> list[PickerChoice]:
    """Accounts a bill line may never use, each labelled with the reason in a few words."""
    entries: list[PickerChoice] = []
    for account in lists.accounts:
        if not account.active:
            why = REFUSED_BRIEFLY["account-inactive"]
        elif account.account_type in BILL_ACCOUNT_TYPES_REFUSED_BRIEFLY:
            why = BILL_ACCOUNT_TYPES_REFUSED_BRIEFLY[account.account_type]
        else:
            continue
        label = f"{account.display} — {why}"
        entries.append(
            PickerEntry(account.id, label, account.name, account.number, account.full_name)
        )
    return entries


def income_accounts(lists: CompanyLists) -> list[PickerChoice]:
    """Active Income / Other Income accounts: where a new Service item's sales can post."""
    return [a for a in lists.accounts if a.active and a.account_type in INCOME_ACCOUNT_TYPES]


def eligible_items(lists: CompanyLists) -> list[PickerChoice]:
    """Items an invoice line may use, each labelled with the income account its sales go to."""
    return items_by_use(lists, unavailable=False)[0]


def unavailable_items(lists: CompanyLists) -> list[PickerChoice]:
    """Items an invoice line may not use, each labelled with the reason in a few words."""
    return items_by_use(lists, eligible=False)[1]


def items_by_use(
    lists: CompanyLists, *, eligible: bool = True, unavailable: bool = True
) -> tuple[list[PickerChoice], list[PickerChoice]]:
    """`eligible_items` and `unavailable_items` (each only when asked), checking the rules once
    per item for both."""
    usable: list[PickerChoice] = []
    refused_entries: list[PickerChoice] = []
    for item in lists.items:
        findings = invoice_item_findings("", item, item.id, lists)
        refused = [f for f in findings if f.severity == "refused"]
        if refused:
            if unavailable:
                why = REFUSED_BRIEFLY.get(refused[0].code, refused[0].reason)
                label = f"{item.full_name} — {why}"
                refused_entries.append(PickerEntry(item.id, label, item.name, "", item.full_name))
        elif eligible:
            income = lists.account(item.income_account_id)
            income_name = income.full_name if income else (item.income_account_name or "")
            label = f"{item.full_name} → {income_name}"
            usable.append(PickerEntry(item.id, label, item.name, "", item.full_name))
    return usable, refused_entries


# --- creating a Service item -----------------------------------------------------------------

ITEM_NAME_MAX = 100


def item_named(lists: CompanyLists, name: str) -> Item | None:
    """The item (active or not, category or not) already using this name, if any."""
    wanted = " ".join(name.split()).lower()
    return next((i for i in lists.items if i.name.lower() == wanted), None)


def free_item_name(lists: CompanyLists, name: str) -> str:
    """`name`, or `name (integration)` when an item already uses it (names must be unique)."""
    if item_named(lists, name) is None:
        return name
    candidate = f"{name} (integration)"
    number = 2
    while item_named(lists, candidate) is not None:
        candidate = f"{name} (integration {number})"
        number += 1
    return candidate


def create_service_item(
    client: QboClient,
    lists: CompanyLists,
    name: str,
    income_account_id: str,
    request_id: str | None = None,
) -> Item:
    """Create a Service item whose sales post to the chosen Income / Other Income account.

    `request_id` makes a retry after a dropped connection safe (QuickBooks answers the same
    request once); pass the same id when retrying the same creation, a new one otherwise.
    """
    clean = " ".join(name.split())
    if not clean:
        raise ItemRefused("Give the new item a name, for example 'Freight'.")
    if len(clean) > ITEM_NAME_MAX:
        raise ItemRefused(f"Item names can be at most {ITEM_NAME_MAX} characters long.")
    if ":" in clean or '"' in clean:
        raise ItemRefused(
            "Item names cannot contain ':' (QuickBooks uses it between a parent and its "
            "sub-items) or '\"'."
        )
    taken = item_named(lists, clean)
    if taken is not None:
        if not taken.active:
            raise ItemRefused(
                f"An inactive item is already called '{taken.name}' and QuickBooks keeps names "
                "unique; make it active in QuickBooks, or choose another name."
            )
        if taken.item_type == "Category":
            raise ItemRefused(
                f"'{taken.name}' is already the name of a category; choose another name."
            )
        raise ItemRefused(
            f"An item named '{taken.name}' already exists; pick it from the list instead."
        )
    account = lists.account(income_account_id)
    problems = income_account_findings("", account, income_account_id)
    if problems:
        raise ItemRefused(problems[0].as_text())
    assert account is not None  # no problems means the account was found
    body: dict[str, Any] = {
        "Name": clean,
        "Type": "Service",
        "IncomeAccountRef": {"value": account.id, "name": account.name},
    }
    created = client.create("Item", body, request_id or uuid.uuid4().hex)
    record = created.get("Item", created) if isinstance(created, dict) else {}
    item = Item.from_qbo(record)
    if item.income_account_id is None:
        item = Item(item.id, item.name, item.full_name, item.item_type, item.active, account.id)
    lists.add_item(item)
    return item
