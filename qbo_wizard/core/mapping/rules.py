"""Step 7: map each integration line to QuickBooks, with rules that keep known failures out.

Invoice lines post through an **Item**: the item's income account is where the sale lands, so
the line needs an active Service or Non-inventory item whose income account is an active Income
or Other Income account. Bill lines post to an **account**: never Accounts Payable (the bill
already credits it; a line on it is the carrier-bill error 6000), Accounts Receivable, Bank,
Credit Card, Equity or Non-Posting. Companies outside the US need a tax code on every line.

Every rule gives a plain reason and a fix. `MappingDraft` is what the step-7 screen edits: it
checks each choice as it is made and refuses to save a forbidden one. Re-checking a saved
mapping against the live company is `mapping_check.validate_saved_mapping`; export and import
are in `mapping_transfer`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any, Literal

from qbo_wizard.core.mapping.company_lists import (
    Account,
    CompanyLists,
    Item,
    QboClient,
    TaxCode,
    cache_created_item,
)
from qbo_wizard.core.mapping.file import (
    LineMapping,
    SavedMapping,
    SavedRef,
    mapping_path,
    save_mapping_file,
)
from qbo_wizard.core.mapping.integrations import Integration, IntegrationLine
from qbo_wizard.core.mapping.picker_index import (
    PickerEntry,
    PickerIndex,
    account_entry,
    tax_code_entry,
)
from qbo_wizard.core.problems import UsageError, WizardError
from qbo_wizard.core.timestamps import utc_timestamp

# Intuit's exact AccountType strings (qbo-facts §2.4) and the mapping filters (§3).
BILL_ACCOUNT_TYPES_ALLOWED = ("Expense", "Other Expense", "Cost of Goods Sold")
BILL_ACCOUNT_TYPES_WITH_WARNING = ("Fixed Asset", "Other Current Asset")
INCOME_ACCOUNT_TYPES = ("Income", "Other Income")
INVOICE_ITEM_TYPES = ("Service", "NonInventory")

_BILL_PICK = "Pick the expense or cost of goods sold account this cost belongs to"

# Why a bill line may never post to these account types, in plain words.
BILL_ACCOUNT_TYPES_REFUSED: dict[str, str] = {
    "Accounts Payable": (
        "Accounts Payable is the other side of every bill: QuickBooks already records the "
        "bill's total there. A bill line on it makes QuickBooks refuse the bill (error 6000), "
        "the failure carrier bills hit most often"
    ),
    "Accounts Receivable": (
        "Accounts Receivable holds what customers owe you; a supplier's bill line cannot post there"
    ),
    "Bank": (
        "a bank account only moves when money is paid; the bill records the cost, and paying "
        "the bill later takes the money from the bank"
    ),
    "Credit Card": (
        "a credit card account records card charges and payments, not the cost on a bill; pay "
        "the bill from the card later if that is how it is settled"
    ),
    "Equity": "equity accounts hold the owners' stake in the business; costs never post there",
    "Non-Posting": (
        "non-posting accounts (estimates, purchase orders) do not take amounts from a bill"
    ),
}

# The same reasons in a few words, for a list that shows why a choice is not offered.
BILL_ACCOUNT_TYPES_REFUSED_BRIEFLY: dict[str, str] = {
    "Accounts Payable": "a bill line here causes error 6000",
    "Accounts Receivable": "holds what customers owe, not costs",
    "Bank": "money leaves the bank when the bill is paid, not on the bill",
    "Credit Card": "records card charges and payments, not a bill's costs",
    "Equity": "the owners' stake; costs never post here",
    "Non-Posting": "takes no amounts from a bill",
}
REFUSED_BRIEFLY: dict[str, str] = {
    "account-inactive": "inactive: QuickBooks refuses it (610)",
    "item-inactive": "inactive: QuickBooks refuses it (610)",
    "item-category": "a category: invoices cannot use it (2500)",
    "item-type": "not a Service or Non-inventory item",
    "item-no-income-account": "has no income account",
    "income-account-missing": "its income account is gone or inactive",
    "income-account-inactive": "its income account is inactive",
    "income-account-type": "its income account is not an Income account",
}

Severity = Literal["refused", "changed", "warning", "note"]


@dataclass(frozen=True)
class Finding:
    """One thing to tell the user about a line, with what to do about it.

    `refused` breaks a rule (the choice cannot be saved, or no longer works); `changed` means
    QuickBooks changed since the mapping was saved and it needs a look; `warning` is allowed
    but unusual; `note` is for information only.
    """

    line_id: str
    code: str
    reason: str
    fix: str = ""
    severity: Severity = "refused"

    @property
    def breaks(self) -> bool:
        return self.severity in ("refused", "changed")

    def as_text(self) -> str:
        return f"{self.reason}. {self.fix}." if self.fix else f"{self.reason}."


class MappingRefused(WizardError):
    """A save was refused because at least one line breaks a rule; nothing was written."""

    def __init__(self, integration: Integration, findings: list[Finding]) -> None:
        self.findings = findings
        labels = {line.id: line.label for line in integration.lines}
        details = "\n".join(
            f"  - {labels.get(f.line_id, f.line_id)}: {f.as_text()}" for f in findings
        )
        super().__init__(f"The mapping was not saved; fix these lines first:\n{details}")


class ItemRefused(UsageError):
    """A new Service item could not be created as asked; the reason says why."""


# --- rules -------------------------------------------------------------------------------------


def a_or_an(words: str) -> str:
    """`an Accounts Payable`, `a Bank`: the article that reads right before an account type."""
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}"


def bill_account_findings(line_id: str, account: Account | None, account_id: str) -> list[Finding]:
    """Whether a bill line may post to this account (None: not in the company's list)."""
    if account is None:
        return [
            Finding(
                line_id,
                "account-missing",
                f"Account {account_id} is not in the company's chart of accounts: it was "
                "deleted or made inactive",
                _BILL_PICK + ", or make the account active again in QuickBooks",
            )
        ]
    findings = []
    if not account.active:
        findings.append(
            Finding(
                line_id,
                "account-inactive",
                f"'{account.full_name}' is inactive, and QuickBooks rejects any line on an "
                "inactive account (error 610 or 2500)",
                "Make it active in QuickBooks (Chart of accounts, include inactive, Make active) "
                "or pick another account",
            )
        )
    kind = account.account_type
    if kind in BILL_ACCOUNT_TYPES_REFUSED:
        findings.append(
            Finding(
                line_id,
                "account-type-refused",
                f"'{account.full_name}' is {a_or_an(kind)} account: "
                f"{BILL_ACCOUNT_TYPES_REFUSED[kind]}",
                _BILL_PICK + ", for example 'Cost of Goods Sold' or a carrier costs account",
            )
        )
    elif kind == "Fixed Asset":
        findings.append(
            Finding(
                line_id,
                "account-type-fixed-asset",
                f"'{account.full_name}' is a Fixed Asset account, meant for things kept for "
                "years (trucks, equipment); the bill will post, but the cost will not show as "
                "an expense",
                "Keep it only if your accountant wants this cost capitalised",
                severity="warning",
            )
        )
    elif kind == "Other Current Asset":
        findings.append(
            Finding(
                line_id,
                "account-type-current-asset",
                f"'{account.full_name}' is an Other Current Asset account (prepaid costs); the "
                "bill will post, but the cost stays on the balance sheet until someone moves it",
                "Keep it only if your accountant wants this cost held as prepaid",
                severity="warning",
            )
        )
    elif kind not in BILL_ACCOUNT_TYPES_ALLOWED:
        findings.append(
            Finding(
                line_id,
                "account-type-unusual",
                f"'{account.full_name}' is {a_or_an(kind or 'untyped')} account, not a cost "
                "account; QuickBooks will accept the bill, but the cost will not appear as an "
                "expense",
                _BILL_PICK + ", unless your accountant asked for this one",
                severity="warning",
            )
        )
    return findings


def income_account_findings(
    line_id: str, account: Account | None, account_id: str | None, item_name: str = ""
) -> list[Finding]:
    """Whether an item's income account can take sales (also used when creating an item)."""
    whose = f"The item '{item_name}' has" if item_name else "This is"
    if not account_id:
        return [
            Finding(
                line_id,
                "item-no-income-account",
                f"{whose} no income account, so QuickBooks has nowhere to record the sale",
                "Give the item an income account in QuickBooks, or pick or create another item",
            )
        ]
    if account is None:
        return [
            Finding(
                line_id,
                "income-account-missing",
                f"{whose.replace('This is', 'This has')} an income account ({account_id}) that is "
                "no longer in the chart of accounts (deleted or made inactive)",
                "Make the account active again, or pick or create another item",
            )
        ]
    findings = []
    if not account.active:
        findings.append(
            Finding(
                line_id,
                "income-account-inactive",
                f"The income account '{account.full_name}' is inactive, so QuickBooks rejects "
                "invoices that post to it (error 610 or 2500)",
                "Make the account active in QuickBooks, or pick or create another item",
            )
        )
    if account.account_type not in INCOME_ACCOUNT_TYPES:
        findings.append(
            Finding(
                line_id,
                "income-account-type",
                f"The income account '{account.full_name}' is {a_or_an(account.account_type)} "
                "account; sales must post to an Income or Other Income account",
                "Pick an item whose income account is an Income account, or create a Service "
                "item bound to one",
            )
        )
    return findings


def invoice_item_findings(
    line_id: str, item: Item | None, item_id: str, lists: CompanyLists
) -> list[Finding]:
    """Whether an invoice line may use this item (None: not in the company's list)."""
    if item is None:
        return [
            Finding(
                line_id,
                "item-missing",
                f"Item {item_id} is not in the company's products and services: it was deleted "
                "or made inactive",
                "Pick another item, create a Service item, or make it active again in QuickBooks",
            )
        ]
    findings = []
    if not item.active:
        findings.append(
            Finding(
                line_id,
                "item-inactive",
                f"The item '{item.full_name}' is inactive, and QuickBooks rejects invoices that "
                "use it (error 610 or 2500)",
                "Make it active in QuickBooks (Products and services) or pick another item",
            )
        )
    if item.item_type == "Category":
        findings.append(
            Finding(
                line_id,
                "item-category",
                f"'{item.full_name}' is a category, which only groups products in QuickBooks; "
                "invoices cannot use categories (error 2500)",
                "Pick a Service or Non-inventory item, or create a Service item",
            )
        )
        return findings
    if item.item_type not in INVOICE_ITEM_TYPES:
        kind = {"Inventory": "an inventory item (it tracks stock)", "Group": "a bundle"}.get(
            item.item_type, f"a {item.item_type or 'untyped'} item"
        )
        findings.append(
            Finding(
                line_id,
                "item-type",
                f"'{item.full_name}' is {kind}; an integration's charge line needs a Service or "
                "Non-inventory item",
                "Pick a Service or Non-inventory item, or create a Service item",
            )
        )
        return findings
    income = lists.account(item.income_account_id)
    findings.extend(income_account_findings(line_id, income, item.income_account_id, item.name))
    return findings


def tax_code_findings(
    line: IntegrationLine, code: TaxCode | None, code_id: str | None, lists: CompanyLists
) -> list[Finding]:
    """Whether a line's tax code is present where required, active, and fits the line."""
    document = "invoice" if line.kind == "invoice" else "bill"
    if not code_id:
        if not lists.tax_codes_required:
            return []
        return [
            Finding(
                line.id,
                "tax-code-required",
                f"Companies outside the US need a tax code on every line; without one "
                f"QuickBooks refuses the {document} (error 6000, for example 'make sure "
                "transactions have a GST/HST rate')",
                "Pick the tax code this line is charged at (the standard rate, zero-rated or "
                "exempt, as your accountant advises)",
            )
        ]
    if code is None:
        return [
            Finding(
                line.id,
                "tax-code-missing",
                f"Tax code {code_id} is not in the company's tax codes any more",
                "Pick one of the company's current tax codes",
            )
        ]
    if not code.active:
        return [
            Finding(
                line.id,
                "tax-code-inactive",
                f"The tax code '{code.name}' is inactive, so QuickBooks rejects lines that use it",
                "Pick an active tax code",
            )
        ]
    rates = code.sales_rates if line.kind == "invoice" else code.purchase_rates
    if rates == 0 and (code.sales_rates or code.purchase_rates):
        side = "sales" if line.kind == "invoice" else "purchase"
        return [
            Finding(
                line.id,
                "tax-code-side",
                f"The tax code '{code.name}' has no {side} rate, so it may not suit a "
                f"{document} line",
                f"Check with your accountant, or pick a code with a {side} rate",
                severity="warning",
            )
        ]
    return []


# --- the draft the screen edits --------------------------------------------------------------


@dataclass
class LineChoice:
    """What the user picked for one line so far."""

    target_id: str | None = None
    tax_code_id: str | None = None
    unused: bool = False


class MappingDraft:
    """The mapping being edited: choices per line, checked as they are made, saved when valid.

    Every `choose…` returns the line's findings so the reason can be shown next to the line at
    once; `save` refuses (and writes nothing) while a line breaks a rule. Lines may be left
    unmapped and saved later. How the step-7 screen uses it (calls marked * do network I/O and
    belong in a thread worker):

    1. `builtin_integrations()` or `load_integration(path)` (core.integrations): which lines.
    2. * `company_lists_for(client, profile, refresh=…, on_progress=…)` (core.company_lists).
    3. `MappingDraft(integration, lists, load_saved_mapping(profile))`.
    4. `suggest_all(integration, lists)` (core.suggestions): one proposal per line, shown and
       applied only when the user accepts (`choose`, or * `create_service_item` first).
    5. `picker_for(line_id).filter(text)` on every keystroke; `income_account_picker()` and
       `tax_code_picker()` likewise.
    6. `choose`, `choose_tax_code`, `set_unused` → findings to show inline.
    7. `save(profile)`, catching `MappingRefused` (its `findings` name each line).
    """

    def __init__(
        self, integration: Integration, lists: CompanyLists, saved: SavedMapping | None = None
    ) -> None:
        self.integration = integration
        self.lists = lists
        self.choices: dict[str, LineChoice] = {line.id: LineChoice() for line in integration.lines}
        self._pickers: dict[str, PickerIndex] = {}
        if saved is not None and saved.realm_id == lists.realm_id:
            for line_id, entry in saved.lines.items():
                if line_id in self.choices:
                    self.choices[line_id] = LineChoice(
                        entry.target.id if entry.target and entry.target.id else None,
                        entry.tax_code.id if entry.tax_code and entry.tax_code.id else None,
                        entry.unused,
                    )

    # choosing
    def choose(self, line_id: str, target_id: str | None) -> list[Finding]:
        """Set the item (invoice line) or account (bill line); returns the line's findings."""
        choice = self.choices[line_id]
        choice.target_id = target_id or None
        if target_id:
            choice.unused = False
        return self.findings_for(line_id)

    def choose_tax_code(self, line_id: str, tax_code_id: str | None) -> list[Finding]:
        self.choices[line_id].tax_code_id = tax_code_id or None
        return self.findings_for(line_id)

    def set_unused(self, line_id: str, unused: bool = True) -> None:
        """Mark a line the integration never sends for this company (no choice needed)."""
        self.choices[line_id].unused = unused

    # checking
    def findings_for(self, line_id: str) -> list[Finding]:
        line = self.integration.line(line_id)
        choice = self.choices[line_id]
        if choice.unused or choice.target_id is None:
            return []
        return line_findings(line, choice.target_id, choice.tax_code_id, self.lists)

    def findings(self) -> list[Finding]:
        return [f for line in self.integration.lines for f in self.findings_for(line.id)]

    def refused(self) -> list[Finding]:
        return [f for f in self.findings() if f.severity == "refused"]

    def unmapped(self) -> list[IntegrationLine]:
        """Lines with no choice yet (and not marked unused)."""
        return [
            line
            for line in self.integration.lines
            if not self.choices[line.id].unused and self.choices[line.id].target_id is None
        ]

    @property
    def complete(self) -> bool:
        return not self.unmapped() and not self.refused()

    # picking
    def picker_for(self, line_id: str, include_unusual: bool = False) -> PickerIndex:
        """The filterable list of choices for a line: items or accounts that pass the rules.

        Bill lines are offered cost accounts (and Fixed Asset / Other Current Asset, which save
        with a warning); `include_unusual` adds the other types that are allowed with a warning,
        such as Income for a broker who nets carrier pay against revenue.
        """
        kind = self.integration.line(line_id).kind
        key = f"{kind}+unusual" if include_unusual and kind == "bill" else kind
        if key not in self._pickers:
            if kind == "invoice":
                entries = eligible_items(self.lists)
            else:
                entries = eligible_accounts(self.lists, include_unusual)
            self._pickers[key] = PickerIndex(entries)
        return self._pickers[key]

    def unavailable_picker_for(self, line_id: str) -> PickerIndex:
        """What a line may not use, each entry labelled with why (shown, but not choosable)."""
        kind = self.integration.line(line_id).kind
        key = f"{kind}-unavailable"
        if key not in self._pickers:
            if kind == "invoice":
                entries = unavailable_items(self.lists)
            else:
                entries = unavailable_accounts(self.lists)
            self._pickers[key] = PickerIndex(entries)
        return self._pickers[key]

    def income_account_picker(self) -> PickerIndex:
        """Active Income / Other Income accounts, for creating a Service item."""
        if "income" not in self._pickers:
            self._pickers["income"] = PickerIndex(income_accounts(self.lists))
        return self._pickers["income"]

    def tax_code_picker(self) -> PickerIndex:
        """The company's active tax codes (needed on every line outside the US)."""
        if "tax" not in self._pickers:
            codes = self.lists.tax_codes
            self._pickers["tax"] = PickerIndex(tax_code_entry(c) for c in codes if c.active)
        return self._pickers["tax"]

    def create_service_item(
        self,
        client: QboClient,
        name: str,
        income_account_id: str,
        request_id: str | None = None,
        profile_name: str | None = None,
    ) -> Item:
        """Create a Service item bound to an income account; it joins the item list at once.

        With `profile_name`, the profile's cached lists are updated too.
        """
        item = create_service_item(client, self.lists, name, income_account_id, request_id)
        self._pickers.pop("invoice", None)
        self._pickers.pop("invoice-unavailable", None)
        if profile_name is not None:
            cache_created_item(profile_name, self.lists, item)
        return item

    # saving
    def build(self) -> SavedMapping:
        """The mapping as it would be saved; MappingRefused if a line breaks a rule."""
        refused = self.refused()
        if refused:
            raise MappingRefused(self.integration, refused)
        lines = {}
        for line in self.integration.lines:
            choice = self.choices[line.id]
            lines[line.id] = _line_mapping(line, choice, self.lists)
        return SavedMapping(
            integration=self.integration.reference,
            realm_id=self.lists.realm_id,
            company_name=self.lists.company_name,
            country=self.lists.country,
            saved_at=utc_timestamp(),
            lines=lines,
        )

    def save(self, profile_name: str) -> SavedMapping:
        """Check every line and write `mapping.yaml`; nothing is written when a line is refused."""
        mapping = self.build()
        save_mapping_file(mapping_path(profile_name), mapping)
        return mapping


def line_findings(
    line: IntegrationLine, target_id: str, tax_code_id: str | None, lists: CompanyLists
) -> list[Finding]:
    """Every rule for one chosen line: the item or account, then the tax code."""
    if line.kind == "invoice":
        found = invoice_item_findings(line.id, lists.item(target_id), target_id, lists)
    else:
        found = bill_account_findings(line.id, lists.account(target_id), target_id)
    code = lists.tax_code(tax_code_id)
    return found + tax_code_findings(line, code, tax_code_id, lists)


def _account_ref(account: Account | None, account_id: str) -> SavedRef:
    if account is None:
        return SavedRef(account_id, "")
    return SavedRef(account.id, account.full_name, account.account_type)


def _line_mapping(line: IntegrationLine, choice: LineChoice, lists: CompanyLists) -> LineMapping:
    if choice.unused:
        return LineMapping(line.id, line.kind, unused=True)
    code = lists.tax_code(choice.tax_code_id)
    tax = SavedRef(code.id, code.name) if code else None
    if choice.target_id is None:
        return LineMapping(line.id, line.kind, tax_code=tax)
    if line.kind == "bill":
        account = lists.account(choice.target_id)
        return LineMapping(line.id, line.kind, _account_ref(account, choice.target_id), None, tax)
    item = lists.item(choice.target_id)
    if item is None:
        return LineMapping(line.id, line.kind, SavedRef(choice.target_id, ""), None, tax)
    income = None
    if item.income_account_id:
        income = _account_ref(lists.account(item.income_account_id), item.income_account_id)
    target = SavedRef(item.id, item.full_name, item.item_type)
    return LineMapping(line.id, line.kind, target, income, tax)


def eligible_accounts(lists: CompanyLists, include_unusual: bool = False) -> list[PickerEntry]:
    """Active accounts to offer a bill line: cost accounts, then those saved with a warning."""
    offered = BILL_ACCOUNT_TYPES_ALLOWED + BILL_ACCOUNT_TYPES_WITH_WARNING
    return [
        account_entry(a)
        for a in lists.accounts
        if a.active
        and a.account_type not in BILL_ACCOUNT_TYPES_REFUSED
        and (include_unusual or a.account_type in offered)
    ]


def unavailable_accounts(lists: CompanyLists) -> list[PickerEntry]:
    """Accounts a bill line may never use, each labelled with the reason in a few words."""
    entries = []
    for account in lists.accounts:
        if not account.active:
            why = REFUSED_BRIEFLY["account-inactive"]
        elif account.account_type in BILL_ACCOUNT_TYPES_REFUSED_BRIEFLY:
            why = BILL_ACCOUNT_TYPES_REFUSED_BRIEFLY[account.account_type]
        else:
            continue
        entry = account_entry(account)
        entries.append(replace(entry, label=f"{entry.label} — {why}"))
    return entries


def income_accounts(lists: CompanyLists) -> list[PickerEntry]:
    """Active Income / Other Income accounts: where a new Service item's sales can post."""
    return [
        account_entry(a)
        for a in lists.accounts
        if a.active and a.account_type in INCOME_ACCOUNT_TYPES
    ]


def eligible_items(lists: CompanyLists) -> list[PickerEntry]:
    """Items an invoice line may use, each labelled with the income account its sales go to."""
    entries = []
    for item in lists.items:
        findings = invoice_item_findings("", item, item.id, lists)
        if any(f.severity == "refused" for f in findings):
            continue
        income = lists.account(item.income_account_id)
        income_name = income.full_name if income else (item.income_account_name or "")
        label = f"{item.full_name} → {income_name}"
        entries.append(PickerEntry(item.id, label, item.name, "", item.full_name))
    return entries


def unavailable_items(lists: CompanyLists) -> list[PickerEntry]:
    """Items an invoice line may not use, each labelled with the reason in a few words."""
    entries = []
    for item in lists.items:
        refused = [
            f for f in invoice_item_findings("", item, item.id, lists) if f.severity == "refused"
        ]
        if refused:
            why = REFUSED_BRIEFLY.get(refused[0].code, refused[0].reason)
            label = f"{item.full_name} — {why}"
            entries.append(PickerEntry(item.id, label, item.name, "", item.full_name))
    return entries


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
