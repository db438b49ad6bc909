"""Step 7's rules: which items and accounts a line may post to, each with a plain reason and a fix.

Invoice lines post through an **Item**: the item's income account is where the sale lands, so
the line needs an active Service or Non-inventory item whose income account is an active Income
or Other Income account. Bill lines post to an **account**: never Accounts Payable (the bill
already credits it; a line on it is the carrier-bill error 6000), Accounts Receivable, Bank,
Credit Card, Equity or Non-Posting. Companies outside the US need a tax code on every line.

Every rule gives a plain reason and a fix. The mapping being edited is `draft.MappingDraft`,
which applies these rules to each choice as it is made; what a picker offers and new Service
items are in `targets`; re-checking a saved mapping against the live company is
`check.validate_saved_mapping`; export and import are in `transfer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from qbo_wizard.core.line_kinds import line_kind
from qbo_wizard.core.mapping.company_lists import Account, CompanyLists, Item, TaxCode
from qbo_wizard.core.mapping.integrations import Integration, IntegrationLine
from qbo_wizard.core.problems import UsageError, WizardError

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

# Bill-line choices QuickBooks accepts but that keep the cost off the expenses (a Fixed Asset
# or prepaid account, or a non-cost type): kept only after the user confirms.
CONFIRM_BEFORE_KEEPING = frozenset(
    {"account-type-fixed-asset", "account-type-current-asset", "account-type-unusual"}
)

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
    wizard_fix: str = ""  # `fix` in the wizard's words, when the fix names a command

    @property
    def breaks(self) -> bool:
        return self.severity in ("refused", "changed")

    def fix_for(self, *, in_wizard: bool) -> str:
        """What to do, worded for the wizard's screens or for the command line."""
        return (self.wizard_fix or self.fix) if in_wizard else self.fix

    def as_text(self, *, in_wizard: bool = False) -> str:
        fix = self.fix_for(in_wizard=in_wizard)
        return f"{self.reason}. {fix}." if fix else f"{self.reason}."


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
    facts = line_kind(line.kind)
    document = facts.document
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
    rates = code.sales_rates if facts.tax_side == "sales" else code.purchase_rates
    if rates == 0 and (code.sales_rates or code.purchase_rates):
        side = facts.tax_side
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


def line_findings(
    line: IntegrationLine, target_id: str, tax_code_id: str | None, lists: CompanyLists
) -> list[Finding]:
    """Every rule for one chosen line: the item or account, then the tax code."""
    if line_kind(line.kind).target_noun == "item":
        found = invoice_item_findings(line.id, lists.item(target_id), target_id, lists)
    else:
        found = bill_account_findings(line.id, lists.account(target_id), target_id)
    code = lists.tax_code(tax_code_id)
    return found + tax_code_findings(line, code, tax_code_id, lists)
