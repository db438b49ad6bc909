"""Suggest a likely item or account for each line, from its name hints and the account types.

A suggestion is only a proposal the screen shows next to the line ("Suggested: Cost of Goods
Sold:Carrier Costs, because its name matches 'Carrier Costs'"); nothing is chosen or saved
until the user accepts it. Only choices that pass the mapping rules are ever suggested. When no
existing item fits an invoice line, the suggestion is to create a Service item bound to the
best-matching income account.
"""

from __future__ import annotations

import functools
import operator
import queue
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from qbo_wizard.core.line_kinds import line_kind
from qbo_wizard.core.mapping.company_lists import Account, CompanyLists, Item
from qbo_wizard.core.mapping.integrations import Integration, IntegrationLine
from qbo_wizard.core.mapping.rules import (
    BILL_ACCOUNT_TYPES_ALLOWED,
    INCOME_ACCOUNT_TYPES,
    bill_account_findings,
    invoice_item_findings,
)
from qbo_wizard.core.mapping.targets import free_item_name

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


@dataclass(frozen=True, eq=False)
class _Names:
    """A record's name as matching reads it, normalised once per record (not once per line and
    hint: a 40,000-account chart would otherwise be normalised millions of times).

    An index made for known hints keeps only what those hints can match (see `_Vocabulary`):
    records alike in that respect share one `_Names`, so a line rates each kind of name once.
    Compared by identity: equal-looking ones are shared, not compared.
    """

    keys: tuple[str, ...]
    path_words: frozenset[str] | tuple[str, ...]
    own_words: frozenset[str] | tuple[str, ...]
    type_key: str
    own_beyond: bool = False
    """Whether its own name has words `own_words` leaves out (beyond the hints' words)."""


def _words_of_key(key: str) -> tuple[str, ...]:
    """`_words` of a text, from its `_key`: each word once, interned. Kept for every record of
    a 40,000-account chart, so a small tuple of shared strings, not a set of new ones."""
    return tuple(dict.fromkeys([sys.intern(_singular(w)) for w in key.replace(":", " ").split()]))


def _names(name: str, full_name: str, account_type: str = "") -> _Names:
    own_key, full_key = _key(name), _key(full_name)
    return _Names(
        (own_key, full_key),
        _words_of_key(full_key),
        _words_of_key(own_key),
        _key(account_type) if account_type else "",
    )


@dataclass(frozen=True)
class _Vocabulary:
    """What some hints can match in a name: their words (with the words that only say what kind
    of account a name is) and their whole keys. Rating a name against those hints needs only
    these parts of it, so an index for them keeps nothing else."""

    hints: frozenset[str]
    keys: frozenset[str]
    surface: dict[str, str]
    """Each way a word of these may be written in a name (`fee`, `fees`), to the word."""

    @classmethod
    def of(cls, hints: Iterable[str]) -> _Vocabulary:
        found = _hints(tuple(dict.fromkeys(hints)))
        words = set(_GENERIC_WORDS).union(*(hint.words for hint in found))
        written = {*words, *(word + "s" for word in words)}
        surface = {form: sys.intern(_singular(form)) for form in written}
        return cls(
            frozenset(hint.text for hint in found),
            frozenset(hint.wanted for hint in found),
            {form: word for form, word in surface.items() if word in words},
        )

    def words(self, key: str) -> tuple[frozenset[str], bool]:
        """The words of a key these hints can match, and whether it has others too."""
        written = key.replace(":", " ").split()
        surface = self.surface
        found = frozenset([surface[w] for w in written if w in surface])
        return found, any(w not in surface for w in written)


@dataclass(frozen=True)
class _Hint:
    """One name hint, normalised once."""

    text: str
    wanted: str
    words: frozenset[str]
    subject: frozenset[str]


@functools.lru_cache(maxsize=1024)
def _hint(text: str) -> _Hint:
    """A hint normalised, once per process (the lines of an integration share many)."""
    words = frozenset(_words(text))
    return _Hint(text, _key(text), words, words - _GENERIC_WORDS)


def _hints(hints: tuple[str, ...]) -> tuple[_Hint, ...]:
    return tuple(map(_hint, hints))


def _rate(hints: tuple[_Hint, ...], names: _Names) -> tuple[int, int, str]:
    """How well a record answers the hints, as (preference, quality, hint); (0, 0, "") for
    no match. Earlier hints first, then the quality of the match: hints are in order of
    preference, so a record matching an earlier hint at all beats one matching a later hint
    exactly; "Cost of Goods Sold" as a late hint is the fallback.
    """
    count = len(hints)
    for rank, hint in enumerate(hints):
        if hint.wanted in names.keys:
            return (count - rank, _EXACT, hint.text)
        # Words may come from the parent ("Carrier Costs:Linehaul" for "Carrier Linehaul"), but
        # the record's own name must share one: a parent's name alone says nothing about it.
        if not hint.subject.isdisjoint(names.own_words):
            if hint.words.issubset(names.path_words):
                return (count - rank, _ALL_WORDS, hint.text)
            if hint.subject != hint.words and hint.subject.issubset(names.path_words):
                return (count - rank, _SAME_SUBJECT, hint.text)
        if names.type_key and hint.wanted == names.type_key:
            return (count - rank, _TYPE_ONLY, hint.text)
    return _NO_MATCH


_NO_MATCH = (0, 0, "")


def _match(hints: tuple[str, ...], name: str, full_name: str, account_type: str = "") -> Score:
    """How well one record answers the hints, as a `Score` (see `_rate`)."""
    return Score(*_rate(_hints(hints), _names(name, full_name, account_type)))


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


class NameIndex:
    """Which records could match a hint at all: those whose whole name is the hint, whose own
    name shares a word of its subject, or (accounts) whose type is the hint; with every
    record's name normalised once. Built once for all the lines, so a line looks only at its
    candidates.

    It can be filled page by page while the lists are read (`add_accounts`, `add_items`): the
    reading waits its turn under Intuit's limits between pages, so that work is done in the
    waits and only the rating is left once the last page is in.

    Made for known hints (`hints`: those of every line to match), it keeps of each name only
    what they can match, and records alike in that respect share one `_Names`; without, it
    keeps every word and answers for any hints.
    """

    def __init__(self, hints: Iterable[str] | None = None) -> None:
        self.vocabulary = _Vocabulary.of(hints) if hints is not None else None
        self._shared: dict[tuple[object, ...], _Names] = {}
        self.lists: CompanyLists | None = None
        self.accounts: list[Account] = []
        self.items: list[Item] = []
        self._account_names: list[_Names] = []
        self._item_names: list[_Names] = []
        self._accounts_by_word: dict[str, list[int]] = {}
        self._items_by_word: dict[str, list[int]] = {}
        self._accounts_by_type: dict[str, list[int]] = {}
        self._account_position: dict[str, int] = {}
        self._items_by_income: dict[str, list[int]] = {}
        self._item_income: list[int] = []  # per item, its income account's position, or -1

    @classmethod
    def of(cls, lists: CompanyLists, hints: Iterable[str] | None = None) -> NameIndex:
        """The index of lists read in one go (from the cache, or handed in)."""
        index = cls(hints)
        index.add_accounts(lists.accounts)
        index.add_items(lists.items)
        index.lists = lists
        return index

    def add_accounts(self, accounts: Iterable[Account]) -> None:
        """Index the next accounts of the list, in list order."""
        for account in accounts:
            position = len(self.accounts)
            self.accounts.append(account)
            names = self._names_of(account.name, account.full_name, account.account_type)
            self._account_names.append(names)
            self._add_words(self._accounts_by_word, position, names)
            if names.type_key:
                self._accounts_by_type.setdefault(names.type_key, []).append(position)
            self._account_position[account.id] = position

    def add_items(self, items: Iterable[Item]) -> None:
        """Index the next items of the list, in list order."""
        for item in items:
            position = len(self.items)
            self.items.append(item)
            names = self._names_of(item.name, item.full_name)
            self._item_names.append(names)
            self._add_words(self._items_by_word, position, names)
            if item.income_account_id:
                self._items_by_income.setdefault(item.income_account_id, []).append(position)
            income = self._account_position.get(item.income_account_id or "", -1)
            self._item_income.append(income)

    def _names_of(self, name: str, full_name: str, account_type: str = "") -> _Names:
        vocabulary = self.vocabulary
        if vocabulary is None:
            return _names(name, full_name, account_type)
        own_key, full_key = _key(name), _key(full_name)
        keys = tuple(key for key in (own_key, full_key) if key in vocabulary.keys)
        type_key = _key(account_type) if account_type else ""
        if type_key not in vocabulary.keys:
            type_key = ""
        own_words, own_beyond = vocabulary.words(own_key)
        path_words = vocabulary.words(full_key)[0]
        shape = (keys, path_words, own_words, type_key, own_beyond)
        names = self._shared.get(shape)
        if names is None:
            names = self._shared[shape] = _Names(keys, path_words, own_words, type_key, own_beyond)
        return names

    def answers(self, hints: Iterable[str]) -> bool:
        """Whether this index can rate names against these hints (it kept what they match)."""
        return self.vocabulary is None or self.vocabulary.hints.issuperset(hints)

    def indexes(self, lists: CompanyLists) -> bool:
        """Whether this index holds exactly these lists' records, in their order (it then
        answers for them)."""
        if self.lists is lists:
            return True
        same = (
            len(self.accounts) == len(lists.accounts)
            and len(self.items) == len(lists.items)
            and all(map(operator.is_, self.accounts, lists.accounts))
            and all(map(operator.is_, self.items, lists.items))
        )
        if same:
            self.lists = lists
        return same

    @staticmethod
    def _add_words(found: dict[str, list[int]], position: int, names: _Names) -> None:
        """Record a position by each word of its own name, and by each of its two keys (a key
        has spaces, a word never does, so they cannot be confused)."""
        for word in {*names.own_words, *names.keys}:
            found.setdefault(word, []).append(position)

    def account_names(self, position: int) -> _Names:
        return self._account_names[position]

    def item_names(self, position: int) -> _Names:
        return self._item_names[position]

    @staticmethod
    def _candidates(
        hints: tuple[_Hint, ...], by_word: dict[str, list[int]], extra: dict[str, list[int]]
    ) -> set[int]:
        found: set[int] = set()
        for hint in hints:
            found.update(by_word.get(hint.wanted, ()))
            found.update(extra.get(hint.wanted, ()))
            for word in hint.subject:
                found.update(by_word.get(word, ()))
        return found

    def account_candidates(self, hints: tuple[_Hint, ...]) -> list[int]:
        """Positions of the accounts that can score on these hints, in list order."""
        return sorted(self._candidates(hints, self._accounts_by_word, self._accounts_by_type))

    def item_candidates(self, hints: tuple[_Hint, ...]) -> list[int]:
        """Positions of the items that can score on these hints by their own name or through
        their income account, in list order."""
        found = self._candidates(hints, self._items_by_word, {})
        for position in self.account_candidates(hints):
            found.update(self._items_by_income.get(self.accounts[position].id, ()))
        return sorted(found)

    def income_position(self, position: int) -> int | None:
        """Where the item's income account is in the list, when it was indexed before the item
        (None: found by `position_of`, if at all)."""
        found = self._item_income[position]
        return found if found >= 0 else None

    def position_of(self, account: Account) -> int | None:
        """Where this very account is in the list (None for one that is not)."""
        position = self._account_position.get(account.id)
        if position is not None and self.accounts[position] is account:
            return position
        return None


class IndexedInTheBackground:
    """Fills a `NameIndex` in a thread of its own from the pages handed to it, so the worker
    reading the lists goes straight on to its next request: the index is built while this
    process waits for QuickBooks' answers and for its turn under Intuit's limits, not between
    them (doing it between them would delay every later request by as much).

    Pages are indexed in the order given. `finished` waits for the last one and gives the
    index, or None when indexing failed (the suggestions then build their own).
    """

    def __init__(self, hints: Iterable[str] | None = None) -> None:
        self._index = NameIndex(hints)
        self._pages: queue.SimpleQueue[tuple[Callable[[list[Any]], None], list[Any]] | None]
        self._pages = queue.SimpleQueue()
        self._failed = False
        self._thread = threading.Thread(target=self._fill, name="name-index", daemon=True)
        self._thread.start()

    def add_accounts(self, accounts: Iterable[Account]) -> None:
        self._pages.put((self._index.add_accounts, list(accounts)))

    def add_items(self, items: Iterable[Item]) -> None:
        self._pages.put((self._index.add_items, list(items)))

    def _fill(self) -> None:
        while (page := self._pages.get()) is not None:
            add, records = page
            if self._failed:
                continue  # an index missing a page must not be used; drain until the end
            try:
                add(records)
            except Exception:  # the suggestions build their own index (and meet the error)
                self._failed = True

    def finished(self) -> NameIndex | None:
        """The index of every page handed in (None when indexing failed). This object lets go
        of it, so the caller alone decides how long it lives."""
        self._pages.put(None)
        self._thread.join()
        index, self._index = self._index, NameIndex()
        return None if self._failed else index


def _best_account(
    accounts: Iterable[tuple[Account, tuple[int, int, str]]],
    bonus: dict[str, int],
    allowed: Callable[[Account], bool] = lambda account: True,
) -> tuple[Account, Score] | None:
    """The best-matching account that is `allowed` (checked only for one that would win),
    from accounts with their ratings (see `_rate`)."""
    best: tuple[tuple[tuple[int, int], int, int, str], Account, tuple[int, int, str]] | None
    best = None
    for account, rated in accounts:
        if not rated[0] or (best is not None and rated[:2] < best[0][0]):
            continue
        # Among equal matches: the usual account type, then the shorter (more general) name.
        rank = (
            rated[:2],
            bonus.get(account.account_type, 0),
            -len(account.full_name),
            account.id,
        )
        if (best is None or rank > best[0]) and allowed(account):
            best = (rank, account, rated)
    return (best[1], Score(*best[2])) if best else None


def _index_for(lists: CompanyLists, index: NameIndex | None, hints: Iterable[str]) -> NameIndex:
    """`index` when it is of these lists and kept what `hints` match, else a new one for them."""
    hints = tuple(hints)
    if index is not None and index.indexes(lists) and index.answers(hints):
        return index
    return NameIndex.of(lists, hints)


class _Ratings(dict[_Names, tuple[int, int, str]]):
    """`_rate` of each name against one line's hints, worked out once per `_Names` (records
    alike in what the hints can match share one)."""

    def __init__(self, hints: tuple[_Hint, ...]) -> None:
        super().__init__()
        self.hints = hints

    def __missing__(self, names: _Names) -> tuple[int, int, str]:
        rated = self[names] = _rate(self.hints, names)
        return rated


def suggest_bill_account(
    line: IntegrationLine, lists: CompanyLists, index: NameIndex | None = None
) -> Suggestion | None:
    """The account a bill line most likely belongs to, among those the rules allow."""
    index = _index_for(lists, index, line.hints)
    hints = _hints(line.hints)
    accounts, names, rate = index.accounts, index.account_names, _Ratings(hints)
    candidates = (
        (accounts[n], rate[names(n)])
        for n in index.account_candidates(hints)
        if accounts[n].active and accounts[n].account_type in BILL_ACCOUNT_TYPES_ALLOWED
    )

    def allowed(account: Account) -> bool:
        return not bill_account_findings(line.id, account, account.id)

    found = _best_account(candidates, _BILL_TYPE_BONUS, allowed)
    if found is None:
        return None
    account, score = found
    reason = score.reason(account.account_type)
    return Suggestion(line.id, account.id, account.full_name, reason)


def _usable(line: IntegrationLine, lists: CompanyLists, item: Item) -> bool:
    """Whether the rules let the line use the item (checked only for one that would win)."""
    return item.active and not any(
        f.severity == "refused" for f in invoice_item_findings(line.id, item, item.id, lists)
    )


def suggest_invoice_item(
    line: IntegrationLine, lists: CompanyLists, index: NameIndex | None = None
) -> Suggestion | None:
    """The item an invoice line most likely uses, or a Service item to create for it."""
    index = _index_for(lists, index, line.hints)
    hints = _hints(line.hints)
    best: tuple[tuple[tuple[int, int], int, int], Item, tuple[int, int, str], str] | None
    best = None
    # Only the candidate accounts can match at all: each rated once, for the items whose sales
    # post to them and for the new-item proposal below.
    # The words a name may have beyond each hint's and still not be narrower than it.
    hint_words = {hint.text: hint.words | _GENERIC_WORDS for hint in hints}
    account_positions = index.account_candidates(hints)
    rate = _Ratings(hints)
    account_rates = {n: rate[index.account_names(n)] for n in account_positions}
    own_rates: dict[_Names, tuple[int, int, str]] = {}
    for position in index.item_candidates(hints):
        item = index.items[position]
        if not item.active:
            continue
        names = index.item_names(position)
        rated = own_rates.get(names)
        if rated is None:
            rated = rate[names]
            if (
                rated[0]
                and rated[1] < _EXACT
                and (names.own_beyond or not hint_words[rated[2]].issuperset(names.own_words))
            ):
                # The name says more than the hint it matched ("LTL Freight" for "Freight
                # Income"): another, narrower service, never a confident suggestion.
                rated = _NO_MATCH
            own_rates[names] = rated
        through_income = False
        at = index.income_position(position)
        income = lists.account(item.income_account_id) if at is None else index.accounts[at]
        if income is not None:
            # Its income account matching counts too, a step below the item's own name.
            if at is None:
                at = index.position_of(income)
            if at is not None:
                account_rated = account_rates.get(at, _NO_MATCH)
            else:
                account_rated = _rate(
                    hints, _names(income.name, income.full_name, income.account_type)
                )
            lowered = (account_rated[0], account_rated[1] - 1, account_rated[2])
            if account_rated[0] and lowered[:2] > rated[:2]:
                rated, through_income = lowered, True
        if not rated[0]:
            continue
        rank = (rated[:2], -len(item.full_name), -int(item.id) if item.id.isdigit() else 0)
        if (best is None or rank > best[0]) and _usable(line, lists, item):
            reason = Score(*rated).reason()
            if through_income:
                assert income is not None
                reason = f"its sales post to '{income.full_name}', matching '{rated[2]}'"
            best = (rank, item, rated, reason)
    accounts = index.accounts
    income_accounts = (
        (accounts[n], account_rates[n])
        for n in account_positions
        if accounts[n].active and accounts[n].account_type in INCOME_ACCOUNT_TYPES
    )
    found = _best_account(income_accounts, _INCOME_TYPE_BONUS)
    # An existing item wins unless an income account answers the hints strictly better; then
    # the proposal is a new Service item posting there.
    if best is not None and (found is None or Score(*best[2]) >= found[1]):
        _, item, _, reason = best
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


def suggest(
    line: IntegrationLine, lists: CompanyLists, index: NameIndex | None = None
) -> Suggestion | None:
    """A proposal for one line, or None when nothing fits well enough to propose."""
    if line_kind(line.kind).target_noun == "item":
        return suggest_invoice_item(line, lists, index)
    return suggest_bill_account(line, lists, index)


def integration_hints(integration: Integration) -> tuple[str, ...]:
    """Every hint of the integration's lines: what an index for its suggestions must answer."""
    return tuple(dict.fromkeys(hint for line in integration.lines for hint in line.hints))


def suggest_all(
    integration: Integration, lists: CompanyLists, index: NameIndex | None = None
) -> dict[str, Suggestion]:
    """Proposals for every line that has one; never applied or saved by this function.

    Every name is normalised once for all the lines, and each line looks only at the records
    that share a word with its hints, so the time grows with the lists, not lines × lists.
    `index` is these lists' `NameIndex` when it was filled while they were read (one of other
    records is not used).
    """
    index = _index_for(lists, index, integration_hints(integration))
    found = {}
    for line in integration.lines:
        proposal = suggest(line, lists, index)
        if proposal is not None:
            found[line.id] = proposal
    return found
