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

import re
import time
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, chain, compress, filterfalse, islice, repeat
from operator import add, attrgetter, contains, not_
from re import Match
from typing import Literal, Protocol

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


class PickerChoice(Protocol):
    """One choosable row: `key` is what the caller gets back (a QuickBooks id), `label` what
    the row shows; the name, number and full name are what typing matches. An `Account` is
    one itself (its label made only when its row is shown); other rows are `PickerEntry`."""

    @property
    def key(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def number(self) -> str: ...

    @property
    def full_name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class PickerEntry:
    """A choosable row with its label made beforehand (items, tax codes, accounts shown with
    why they may not be used). Slotted: a large company's item pickers hold tens of thousands."""

    key: str
    label: str
    name: str
    number: str = ""
    full_name: str = ""


@dataclass(frozen=True)
class PickerMatch:
    """A matching entry and how well it matched (see TIER_*; lower is better)."""

    entry: PickerChoice
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
    # str.split also drops the separators \x1c-\x1f, so a query never contains _SEP.
    return " ".join(query.lower().split())


def _haystack(entry: PickerChoice) -> str:
    fields = (entry.name.lower(), entry.number.lower(), entry.full_name.lower())
    text = _SEP + _SEP.join(fields)
    # One entry is one line of the text searched at once: no line break inside an entry.
    return text.replace("\n", " ") if "\n" in text else text


def _subsequence_pattern(query: str) -> re.Pattern[str]:
    """Letters of the query in order, all inside one field (never across the separator or
    into the next entry's line). Each field is tried once, from its start: taking each letter
    at its first place after the previous one finds them in order if any choice does, and the
    possessive `*+` never backs off, so the search is linear in the text's length."""
    letters = [c for c in query if not c.isspace()]
    steps = (f"[^{re.escape(letter)}{_SEP}\n]*+{re.escape(letter)}" for letter in letters)
    return re.compile(_SEP + "".join(steps))


@dataclass(frozen=True)
class _Found:
    """Every entry matching one query, as ranks (positions in the ranking order, ascending):
    the query inside a field (prefix, word start or elsewhere: told apart only for the few
    shown), its letters in order within a field, or its words anywhere."""

    substring: list[int]
    in_order: list[int]
    words: list[int]

    @property
    def total(self) -> int:
        return len(self.substring) + len(self.in_order) + len(self.words)

    @cached_property
    def ranks(self) -> list[int]:
        """All of them, in ranking order (the candidates of a longer query)."""
        return sorted(chain(self.substring, self.in_order, self.words))


class PickerIndex:
    """A filterable list. Build once per list; call `filter` on every keystroke.

    Entries are kept in ranking order (shorter name first, then alphabetical), so the matches
    of one tier come out already sorted and the best few are taken without sorting them all.
    Each keystroke runs a handful of C-level passes over the candidates (`map` with `in`,
    `compress`, one regular expression over the joined text of the entries the substring test
    missed) instead of Python code per entry: about 1 µs per 10 entries.
    """

    def __init__(self, entries: Iterable[PickerChoice]) -> None:
        ordered = sorted(entries, key=lambda e: (e.full_name or e.name).lower())
        self.entries: list[PickerChoice] = ordered
        # Positions in `entries`, by rank: packed, as a large chart's pickers hold tens of
        # thousands (an int object each would take five times the space).
        name_lengths = list(map(len, map(attrgetter("name"), ordered)))
        self._ranked = array("I", sorted(range(len(ordered)), key=name_lengths.__getitem__))
        self._hays: list[str] | None = None  # lower-case search text, in ranking order
        self._text = ""  # the same, one line each, joined: searched at once for the best few
        self._ends: list[int] = []  # where each line of `_text` ends
        self._recent: dict[str, _Found] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def prepare(self) -> None:
        """Make the search text now (the first search would): lists built but never searched
        (a picker not opened) keep none of it."""
        if self._hays is None:
            entries = self.entries
            self._hays = [_haystack(entries[i]) for i in self._ranked]
            self._text = "\n".join(self._hays) + "\n"
            self._ends = list(accumulate(map(add, map(len, self._hays), repeat(1))))

    def _candidates(self, query: str) -> list[int] | None:
        """Ranks that can still match (None: all). Anything matching "carr" also matches "car":
        narrow from the longest remembered prefix."""
        best = ""
        for earlier in self._recent:
            if len(earlier) > len(best) and query.startswith(earlier):
                best = earlier
        return self._recent[best].ranks if best else None

    def _remember(self, query: str, found: _Found) -> None:
        self._recent.pop(query, None)
        self._recent[query] = found
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
        found = self._recent.get(text)
        if found is None:
            found = self._find(text)
        self._remember(text, found)
        entries = self.entries
        ranked = self._ranked
        return PickerResult(
            query,
            [PickerMatch(entries[ranked[r]], tier) for tier, r in self._best(text, found, limit)],
            found.total,
        )

    def _find(self, text: str) -> _Found:
        self.prepare()
        hays = self._hays
        assert hays is not None
        narrowed = self._candidates(text)
        ranks: Sequence[int] = range(len(hays)) if narrowed is None else narrowed
        pool = hays if narrowed is None else list(map(hays.__getitem__, narrowed))
        inside = list(map(contains, pool, repeat(text)))
        substring = list(compress(ranks, inside))
        missed = list(compress(ranks, map(not_, inside)))
        if not missed:
            return _Found(substring, [], [])
        # Letters in order: one search over the joined text of the entries still unmatched,
        # each hit mapped back to its entry by where its line ends.
        lines = list(map(hays.__getitem__, missed))
        ends = list(accumulate(map(add, map(len, lines), repeat(1))))
        pattern = re.compile(_subsequence_pattern(text).pattern + "[^\n]*")
        hits = map(Match.start, pattern.finditer("\n".join(lines)))
        in_order = list(map(missed.__getitem__, map(bisect_right, repeat(ends), hits)))
        # Every word somewhere (any order, any field): only for what nothing else matched.
        words: list[int] = []
        if " " in text:
            taken = set(in_order)
            words = list(compress(missed, map(not_, map(taken.__contains__, missed))))
            for word in reversed(text.split(" ")):  # the word being typed narrows most
                words = list(
                    compress(words, map(contains, map(hays.__getitem__, words), repeat(word)))
                )
        return _Found(substring, in_order, words)

    def _lines(self, pattern: str) -> Iterator[int]:
        """Ranks of the entries whose line `pattern` matches, once each, in ranking order."""
        search = re.compile(pattern + "[^\n]*")  # the rest of the line: one hit per entry
        hits = map(Match.start, search.finditer(self._text))
        return map(bisect_right, repeat(self._ends), hits)

    def _best(self, text: str, found: _Found, limit: int | None) -> list[tuple[int, int]]:
        """(tier, rank) of the best `limit` matches (all when None), best first. Prefixes and
        word starts are told apart from other substrings only as far as the best few need:
        every line holding them holds the query, so they are searched for in the whole text
        (in C, stopping once enough are found) rather than entry by entry."""
        wanted = found.total if limit is None else min(limit, found.total)
        best: list[tuple[int, int]] = []
        if found.substring:
            escaped = re.escape(text)
            prefixes = list(islice(self._lines(re.escape(_SEP) + escaped), wanted))
            best += zip(repeat(TIER_PREFIX), prefixes)
            if len(best) < wanted:
                shown = set(prefixes)
                # the query, then a look back for what precedes it: a literal first, so fast
                word_start = f"{escaped}(?<=[^a-z0-9]{escaped})"
                starts = filterfalse(shown.__contains__, self._lines(word_start))
                best += zip(repeat(TIER_WORD_START), islice(starts, wanted - len(best)))
            if len(best) < wanted:
                shown = {rank for _, rank in best}
                others = filterfalse(shown.__contains__, found.substring)
                best += zip(repeat(TIER_SUBSTRING), islice(others, wanted - len(best)))
        for tier, ranks in ((TIER_SUBSEQUENCE, found.in_order), (TIER_WORDS, found.words)):
            if len(best) < wanted:
                best += zip(repeat(tier), islice(ranks, wanted - len(best)))
        return best


def account_entry(account: Account) -> PickerChoice:
    """A picker row for an account: the account itself, labelled with its number, fully-qualified
    name and type when shown (a large chart's labels are never all held at once)."""
    return account


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
