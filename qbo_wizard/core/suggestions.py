"""Suggest a likely item or account for each line, from its name hints and the account types.

A suggestion is only a proposal the screen shows next to the line ("Suggested: Cost of Goods
Sold:Carrier Costs, because its name matches 'Carrier Costs'"); nothing is chosen or saved
until the user accepts it. Only choices that pass the mapping rules are ever suggested. When no
existing item fits an invoice line, the suggestion is to create a Service item bound to the
best-matching income account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qbo_wizard.core.company_lists import Account, CompanyLists, Item
from qbo_wizard.core.integrations import Integration, IntegrationLine
from qbo_wizard.core.mapping import (
    BILL_ACCOUNT_TYPES_ALLOWED,
    INCOME_ACCOUNT_TYPES,
    bill_account_findings,
    invoice_item_findings,
)

MIN_SCORE = 30  # below this a match is a guess, and a wrong guess costs more than none

# A small nudge towards the usual home of each kind of line.
_BILL_TYPE_BONUS = {"Cost of Goods Sold": 6, "Expense": 4, "Other Expense": 1}
_INCOME_TYPE_BONUS = {"Income": 4, "Other Income": 0}


@dataclass(frozen=True)
class Suggestion:
    """A proposed choice for one line, with the reason in words.

    `target_id` is an existing item (invoice line) or account (bill line). For an invoice line
    with no fitting item, `target_id` is None and the proposal is to create a Service item named
    `new_item_name` whose sales post to `income_account_id`.
    """

    line_id: str
    target_id: str | None
    target_name: str
    reason: str
    score: int
    new_item_name: str | None = None
    income_account_id: str | None = None

    @property
    def creates_item(self) -> bool:
        return self.target_id is None


def _key(text: str) -> str:
    return " ".join(text.replace(":", " : ").lower().split())


def _words(text: str) -> set[str]:
    return {w for w in _key(text).replace(":", " ").split() if w}


def _name_score(hints: tuple[str, ...], name: str, full_name: str) -> tuple[int, str]:
    """How well a name answers the hints (earlier hints weigh more), and which hint matched."""
    best, why = 0, ""
    key_name, key_full = _key(name), _key(full_name)
    name_words = _words(full_name)
    for rank, hint in enumerate(hints):
        wanted = _key(hint)
        penalty = 3 * rank
        if wanted in (key_full, key_name):
            score = 100
        elif f" {wanted} " in f" {key_full} ":
            score = 70
        elif _words(hint) <= name_words:
            score = 50
        else:
            continue
        if score - penalty > best:
            best, why = score - penalty, hint
    return best, why


def _type_score(hints: tuple[str, ...], account_type: str) -> tuple[int, str]:
    """A hint naming the account type itself ('Cost of Goods Sold') matches any such account."""
    for rank, hint in enumerate(hints):
        if _key(hint) == _key(account_type):
            return 35 - 3 * rank, hint
    return 0, ""


def _best_account(
    hints: tuple[str, ...], accounts: Iterable[Account], bonus: dict[str, int]
) -> tuple[Account | None, int, str]:
    best: Account | None = None
    best_score, best_reason = 0, ""
    for account in accounts:
        by_name, hint = _name_score(hints, account.name, account.full_name)
        by_type, type_hint = _type_score(hints, account.account_type)
        score = max(by_name, by_type)
        if score == 0:
            continue
        score += bonus.get(account.account_type, 0)
        if by_name >= by_type:
            reason = f"its name matches '{hint}'"
        else:
            reason = f"it is a {account.account_type} account, as '{type_hint}' suggests"
        # Ties go to the shorter (more general) name, then alphabetical order.
        if best is None or (score, -len(account.full_name), account.full_name) > (
            best_score,
            -len(best.full_name),
            best.full_name,
        ):
            best, best_score, best_reason = account, score, reason
    return best, best_score, best_reason


def suggest_bill_account(line: IntegrationLine, lists: CompanyLists) -> Suggestion | None:
    """The account a bill line most likely belongs to, among those the rules allow."""
    allowed = (
        a
        for a in lists.accounts
        if a.active
        and a.account_type in BILL_ACCOUNT_TYPES_ALLOWED
        and not bill_account_findings(line.id, a, a.id)
    )
    account, score, reason = _best_account(line.hints, allowed, _BILL_TYPE_BONUS)
    if account is None or score < MIN_SCORE:
        return None
    return Suggestion(line.id, account.id, account.full_name, reason, score)


def _usable_items(line: IntegrationLine, lists: CompanyLists) -> Iterable[Item]:
    for item in lists.items:
        if item.active and not any(
            f.severity == "refused" for f in invoice_item_findings(line.id, item, item.id, lists)
        ):
            yield item


def suggest_invoice_item(line: IntegrationLine, lists: CompanyLists) -> Suggestion | None:
    """The item an invoice line most likely uses, or a Service item to create for it."""
    best: Item | None = None
    best_score, best_reason = 0, ""
    for item in _usable_items(line, lists):
        score, hint = _name_score(line.hints, item.name, item.full_name)
        reason = f"its name matches '{hint}'"
        income = lists.account(item.income_account_id)
        if income is not None:
            # An item whose income account matches counts too, a little less than its own name.
            by_income, income_hint = _name_score(line.hints, income.name, income.full_name)
            by_income = by_income * 3 // 4
            if by_income > score:
                score = by_income
                reason = f"its sales post to '{income.full_name}', which matches '{income_hint}'"
        if score > best_score or (
            score == best_score and best is not None and len(item.full_name) < len(best.full_name)
        ):
            best, best_score, best_reason = item, score, reason
    if best is not None and best_score >= MIN_SCORE:
        return Suggestion(line.id, best.id, best.full_name, best_reason, best_score)
    income_accounts = (
        a for a in lists.accounts if a.active and a.account_type in INCOME_ACCOUNT_TYPES
    )
    account, score, reason = _best_account(line.hints, income_accounts, _INCOME_TYPE_BONUS)
    if account is None or score < MIN_SCORE:
        return None
    return Suggestion(
        line.id,
        None,
        line.label,
        f"no item fits yet; create a Service item '{line.label}' posting to "
        f"'{account.full_name}' ({reason})",
        score,
        new_item_name=line.label,
        income_account_id=account.id,
    )


def suggest(line: IntegrationLine, lists: CompanyLists) -> Suggestion | None:
    """A proposal for one line, or None when nothing fits well enough to propose."""
    if line.kind == "invoice":
        return suggest_invoice_item(line, lists)
    return suggest_bill_account(line, lists)


def suggest_all(integration: Integration, lists: CompanyLists) -> dict[str, Suggestion]:
    """Proposals for every line that has one; never applied or saved by this function."""
    found = {}
    for line in integration.lines:
        proposal = suggest(line, lists)
        if proposal is not None:
            found[line.id] = proposal
    return found
