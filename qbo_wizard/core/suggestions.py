"""Suggest a likely item or account for each line, from its name hints and the account types.

A suggestion is only a proposal the screen shows next to the line ("Suggested: Cost of Goods
Sold:Carrier Costs, because its name matches 'Carrier Costs'"); nothing is chosen or saved
until the user accepts it. Only choices that pass the mapping rules are ever suggested. When no
existing item fits an invoice line, the suggestion is to create a Service item bound to the
best-matching income account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from qbo_wizard.core.company_lists import Account, CompanyLists, Item
from qbo_wizard.core.integrations import Integration, IntegrationLine
from qbo_wizard.core.mapping import (
    BILL_ACCOUNT_TYPES_ALLOWED,
    INCOME_ACCOUNT_TYPES,
    bill_account_findings,
    free_item_name,
    invoice_item_findings,
)

# Words that say what kind of account something is, not what it is about: "Fuel Surcharge
# Income" and "Fuel Surcharge Revenue" are about the same thing.
_GENERIC_WORDS = {
    "income", "revenue", "revenues", "sales", "expense", "expenses", "cost", "costs", "paid",
    "charge", "charges", "fee", "fees", "of", "and", "&", "the",
}  # fmt: skip

# How well a name answers one hint, best first.
_EXACT, _ALL_WORDS, _SAME_SUBJECT, _TYPE_ONLY = 4, 3, 2, 1
_QUALITY_WORDS = {
    _EXACT: "its name matches '{hint}'",
    _ALL_WORDS: "its name contains '{hint}'",
    _SAME_SUBJECT: "its name is about the same thing as '{hint}'",
    _TYPE_ONLY: "it is a {type} account, as '{hint}' suggests",
}

# A small nudge towards the usual home of each kind of line, among equally good matches.
_BILL_TYPE_BONUS = {"Cost of Goods Sold": 2, "Expense": 1}
_INCOME_TYPE_BONUS = {"Income": 1}


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
    new_item_name: str | None = None
    income_account_id: str | None = None

    @property
    def creates_item(self) -> bool:
        return self.target_id is None


def _key(text: str) -> str:
    return " ".join(text.replace(":", " : ").lower().split())


def _singular(word: str) -> str:
    # "Accessorials" and "Accessorial" name the same thing; a plain plural is enough here.
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> set[str]:
    return {_singular(word) for word in _key(text).replace(":", " ").split()}


def _narrower_than_hint(name: str, hint: str) -> bool:
    """True when a name says more than the hint it matched: a different, narrower service
    ("LTL Freight" for the hint "Freight Income"), never a confident suggestion."""
    return bool(_words(name) - _GENERIC_WORDS - _words(hint))


def _match(hints: tuple[str, ...], name: str, full_name: str, account_type: str = "") -> Score:
    """How well a record answers the hints: earlier hints first, then the quality of the match.

    Hints are in order of preference, so a record matching an earlier hint at all beats one
    matching a later hint exactly; "Cost of Goods Sold" as a late hint is the fallback.
    """
    keys = (_key(name), _key(full_name))
    path_words = _words(full_name)
    own_words = _words(name)
    for rank, hint in enumerate(hints):
        wanted = _key(hint)
        hint_words = _words(hint)
        subject = hint_words - _GENERIC_WORDS
        # Words may come from the parent ("Carrier Costs:Linehaul" for "Carrier Linehaul"), but
        # the record's own name must share one: a parent's name alone says nothing about it.
        own = bool(subject & own_words)
        if wanted in keys:
            quality = _EXACT
        elif own and hint_words <= path_words:
            quality = _ALL_WORDS
        elif own and subject != hint_words and subject <= path_words:
            quality = _SAME_SUBJECT
        elif account_type and wanted == _key(account_type):
            quality = _TYPE_ONLY
        else:
            continue
        return Score(len(hints) - rank, quality, hint)
    return Score(0, 0, "")


@dataclass(frozen=True, order=True)
class Score:
    """Comparable match strength: hint preference, then match quality (0, 0 = no match)."""

    preference: int
    quality: int
    hint: str = field(compare=False)

    def __bool__(self) -> bool:
        return self.preference > 0

    def reason(self, account_type: str = "") -> str:
        return _QUALITY_WORDS[self.quality].format(hint=self.hint, type=account_type)


def _best_account(
    hints: tuple[str, ...], accounts: Iterable[Account], bonus: dict[str, int]
) -> tuple[Account, Score] | None:
    best: tuple[tuple[Score, int, int, str], Account, Score] | None = None
    for account in accounts:
        score = _match(hints, account.name, account.full_name, account.account_type)
        if not score:
            continue
        # Among equal matches: the usual account type, then the shorter (more general) name.
        rank = (score, bonus.get(account.account_type, 0), -len(account.full_name), account.id)
        if best is None or rank > best[0]:
            best = (rank, account, score)
    return (best[1], best[2]) if best else None


def suggest_bill_account(line: IntegrationLine, lists: CompanyLists) -> Suggestion | None:
    """The account a bill line most likely belongs to, among those the rules allow."""
    allowed = (
        a
        for a in lists.accounts
        if a.active
        and a.account_type in BILL_ACCOUNT_TYPES_ALLOWED
        and not bill_account_findings(line.id, a, a.id)
    )
    found = _best_account(line.hints, allowed, _BILL_TYPE_BONUS)
    if found is None:
        return None
    account, score = found
    reason = score.reason(account.account_type)
    return Suggestion(line.id, account.id, account.full_name, reason)


def _usable_items(line: IntegrationLine, lists: CompanyLists) -> Iterable[Item]:
    for item in lists.items:
        if item.active and not any(
            f.severity == "refused" for f in invoice_item_findings(line.id, item, item.id, lists)
        ):
            yield item


def suggest_invoice_item(line: IntegrationLine, lists: CompanyLists) -> Suggestion | None:
    """The item an invoice line most likely uses, or a Service item to create for it."""
    best: tuple[tuple[Score, int, int], Item, str] | None = None
    for item in _usable_items(line, lists):
        score = _match(line.hints, item.name, item.full_name)
        if score and score.quality < _EXACT and _narrower_than_hint(item.name, score.hint):
            score = Score(0, 0, "")  # "LTL Freight" for "Freight Income": another service
        reason = score.reason() if score else ""
        income = lists.account(item.income_account_id)
        if income is not None:
            # Its income account matching counts too, a step below the item's own name.
            by_income = _match(line.hints, income.name, income.full_name)
            by_income = Score(by_income.preference, by_income.quality - 1, by_income.hint)
            if by_income and by_income > score:
                score = by_income
                reason = f"its sales post to '{income.full_name}', matching '{score.hint}'"
        if not score:
            continue
        rank = (score, -len(item.full_name), -int(item.id) if item.id.isdigit() else 0)
        if best is None or rank > best[0]:
            best = (rank, item, reason)
    income_accounts = (
        a for a in lists.accounts if a.active and a.account_type in INCOME_ACCOUNT_TYPES
    )
    found = _best_account(line.hints, income_accounts, _INCOME_TYPE_BONUS)
    # An existing item wins unless an income account answers the hints strictly better; then
    # the proposal is a new Service item posting there.
    if best is not None and (found is None or best[0][0] >= found[1]):
        _, item, reason = best
        return Suggestion(line.id, item.id, item.full_name, reason)
    if found is None:
        return None
    account, score = found
    name = free_item_name(lists, line.label)
    return Suggestion(
        line.id,
        None,
        name,
        f"no item fits as well; create a Service item '{name}' posting to "
        f"'{account.full_name}' ({score.reason(account.account_type)})",
        new_item_name=name,
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
