"""Type-to-filter for long lists (10,000 accounts), fast enough to run on every keystroke.

Each entry is matched on its name, its account number and its fully-qualified name
(`Cost of Goods Sold:Carrier Costs`). Lower-case copies are made once, when the index is
built; each keystroke then does only C-speed string operations per entry, and a query that
extends the previous one only looks at the previous matches.

Ranking, best first: a field starts with the query (prefix), the query starts a word inside a
field (word start), the query appears anywhere (substring), the query's letters appear in order
within one field (subsequence), and finally every word of the query appears somewhere (words).
Ties go to the shorter name, then alphabetical order.
"""

from __future__ import annotations

import heapq
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from qbo_wizard.core.mapping.company_lists import Account, TaxCode

_SEP = "\x1f"  # between the fields of one entry; never typed, never in a QuickBooks name

TIER_PREFIX = 0
TIER_WORD_START = 1
TIER_SUBSTRING = 2
TIER_SUBSEQUENCE = 3
TIER_WORDS = 4
TIER_NAMES = ("prefix", "word start", "substring", "subsequence", "words")

DEFAULT_LIMIT = 200
#: Longest query looked at: QuickBooks names are at most 100 characters a level, five levels
#: deep, so a longer one (a paste gone wrong) matches nothing, at no cost.
MAX_QUERY_CHARS = 600
_REMEMBERED_QUERIES = 32  # recent results kept, so backspace costs nothing

Scored = list[tuple[int, int, int]]  # (tier, name length, entry index), sortable


@dataclass(frozen=True)
class PickerEntry:
    """One choosable row: `key` is what the caller gets back (a QuickBooks id)."""

    key: str
    label: str
    name: str
    number: str = ""
    full_name: str = ""


@dataclass(frozen=True)
class PickerMatch:
    """A matching entry and how well it matched (see TIER_*; lower is better)."""

    entry: PickerEntry
    tier: int

    @property
    def how(self) -> str:
        return TIER_NAMES[self.tier]


@dataclass(frozen=True)
class PickerResult:
    """The best matches (at most the limit asked for) and how many matched in all."""

    query: str
    matches: list[PickerMatch]
    total: int


def _normalise(query: str) -> str:
    return " ".join(query.lower().split())


def _subsequence_pattern(query: str) -> re.Pattern[str]:
    """Letters of the query in order, all inside one field (never across the separator)."""
    letters = [c for c in query if not c.isspace()]
    parts = [re.escape(letters[0])] if letters else []
    for letter in letters[1:]:
        # `[^x…]*x` finds the first x without backtracking: linear in the field's length.
        parts.append(f"[^{re.escape(letter)}{_SEP}]*{re.escape(letter)}")
    return re.compile("".join(parts))


class PickerIndex:
    """A filterable list. Build once per list; call `filter` on every keystroke."""

    def __init__(self, entries: Iterable[PickerEntry]) -> None:
        ordered = sorted(entries, key=lambda e: (e.full_name or e.name).lower())
        self.entries: list[PickerEntry] = ordered
        self._haystacks = [
            _SEP + _SEP.join((e.name.lower(), e.number.lower(), e.full_name.lower()))
            for e in ordered
        ]
        self._name_lengths = [len(e.name) for e in ordered]
        self._recent: dict[str, Scored] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def _candidates(self, query: str) -> Iterable[int]:
        # Anything matching "carr" also matches "car": narrow from the longest remembered prefix.
        best = ""
        for earlier in self._recent:
            if len(earlier) > len(best) and query.startswith(earlier):
                best = earlier
        if best:
            return [index for _, _, index in self._recent[best]]
        return range(len(self.entries))

    def _remember(self, query: str, scored: Scored) -> None:
        self._recent.pop(query, None)
        self._recent[query] = scored
        while len(self._recent) > _REMEMBERED_QUERIES:
            del self._recent[next(iter(self._recent))]

    def filter(self, query: str, limit: int | None = DEFAULT_LIMIT) -> PickerResult:
        """Entries matching `query`, best first; all entries in name order for an empty query.

        Never raises, whatever the query; one longer than `MAX_QUERY_CHARS` matches nothing.
        """
        if len(query) > MAX_QUERY_CHARS * 4:  # not worth even normalising
            return PickerResult(query, [], 0)
        text = _normalise(query)
        if len(text) > MAX_QUERY_CHARS:
            return PickerResult(query, [], 0)
        if not text:
            shown = self.entries if limit is None else self.entries[:limit]
            return PickerResult(query, [PickerMatch(e, TIER_PREFIX) for e in shown], len(self))
        scored = self._recent.get(text)
        if scored is None:
            scored = self._score(text)
        self._remember(text, scored)
        best = scored if limit is None or len(scored) <= limit else heapq.nsmallest(limit, scored)
        if best is scored:
            best = sorted(scored)
        entries = self.entries
        return PickerResult(
            query, [PickerMatch(entries[i], tier) for tier, _, i in best], len(scored)
        )

    def _score(self, text: str) -> Scored:
        at_field_start = _SEP + text
        word_start = re.compile(r"(?<![a-z0-9])" + re.escape(text))
        subsequence = _subsequence_pattern(text).search
        words = text.split(" ") if " " in text else None
        haystacks = self._haystacks
        lengths = self._name_lengths
        scored: Scored = []
        for index in self._candidates(text):
            hay = haystacks[index]
            if text in hay:
                if at_field_start in hay:
                    tier = TIER_PREFIX
                elif word_start.search(hay):
                    tier = TIER_WORD_START
                else:
                    tier = TIER_SUBSTRING
            elif subsequence(hay):
                tier = TIER_SUBSEQUENCE
            elif words is not None and all(word in hay for word in words):
                tier = TIER_WORDS
            else:
                continue
            scored.append((tier, lengths[index], index))
        return scored


def account_entry(account: Account) -> PickerEntry:
    """A picker row for an account: number, fully-qualified name and type."""
    return PickerEntry(account.id, account.display, account.name, account.number, account.full_name)


def tax_code_entry(code: TaxCode) -> PickerEntry:
    """A picker row for a tax code: its name, and its description to match on."""
    label = f"{code.name} — {code.description}" if code.description else code.name
    return PickerEntry(code.id, label, code.name, "", code.description)


def measure_keystrokes(
    index: PickerIndex, typed: str, mode: Literal["type", "backspace"] = "type"
) -> list[float]:
    """Milliseconds `filter` takes after each keystroke while `typed` is typed (or erased).

    For benchmarks and for checking a slow machine by hand; unit tests do not assert timings.
    """
    steps: Sequence[str] = [typed[: n + 1] for n in range(len(typed))]
    if mode == "backspace":
        steps = [typed[:n] for n in range(len(typed) - 1, -1, -1)]
        index.filter(typed)
    timings = []
    for query in steps:
        started = time.perf_counter()
        index.filter(query)
        timings.append((time.perf_counter() - started) * 1000)
    return timings
