"""The type-to-filter picker: finds by name, number or full name, best matches first."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from qbo_wizard.core.mapping.company_lists import Account
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.mapping.picker_index import (
    TIER_PREFIX,
    TIER_SUBSEQUENCE,
    TIER_SUBSTRING,
    TIER_WORD_START,
    TIER_WORDS,
    PickerEntry,
    PickerIndex,
    account_entry,
    measure_keystrokes,
)
from qbo_wizard.core.mapping.targets import eligible_items, items_by_use, unavailable_items

from .company_data import ridgeline, ridgeline_accounts

FREIGHT = load_integration("freight-brokerage")


def _names(index: PickerIndex, query: str, limit: int | None = None) -> list[str]:
    return [m.entry.name for m in index.filter(query, limit=limit).matches]


def _index() -> PickerIndex:
    return PickerIndex(account_entry(a) for a in ridgeline_accounts())


def test_empty_query_lists_everything_in_name_order() -> None:
    index = _index()
    result = index.filter("   ")
    assert result.total == len(ridgeline_accounts())
    full_names = [m.entry.full_name.lower() for m in result.matches]
    assert full_names == sorted(full_names)


def test_prefix_beats_word_start_beats_subsequence() -> None:
    index = PickerIndex(
        [
            PickerEntry("1", "", "Cargo insurance"),  # subsequence of "carr" only: c-a-r-…r
            PickerEntry("2", "", "Old Carrier Costs"),  # "carr" starts a word
            PickerEntry("3", "", "Carrier Costs"),  # "carr" starts the name
        ]
    )
    result = index.filter("carr")
    assert [m.entry.key for m in result.matches] == ["3", "2", "1"]
    assert [m.tier for m in result.matches] == [TIER_PREFIX, TIER_WORD_START, TIER_SUBSEQUENCE]


def test_finds_by_account_number_and_by_fully_qualified_name() -> None:
    index = _index()
    assert _names(index, "4010") == ["Freight Income"]
    assert _names(index, "5000")[0] == "Cost of Goods Sold"
    # "goods sold:carrier" only exists in the full name of the sub-account
    assert _names(index, "goods sold:carrier") == ["Carrier Costs"]
    assert _names(index, "cogs carr") == ["Carrier Costs"]


def test_case_and_extra_spaces_do_not_matter() -> None:
    index = _index()
    assert _names(index, "  FREIGHT   income ") == ["Freight Income"]


def test_words_in_any_order_still_match() -> None:
    index = _index()
    assert "Carrier Costs" in _names(index, "costs carrier")


def test_no_match_is_an_empty_list() -> None:
    index = _index()
    result = index.filter("zzqx")
    assert result.matches == [] and result.total == 0


def test_typing_and_erasing_give_the_same_answers_as_a_fresh_search() -> None:
    index = _index()
    typed = "cost of"
    for n in range(1, len(typed) + 1):
        index.filter(typed[:n])
    for n in range(len(typed), 0, -1):
        fresh = PickerIndex(account_entry(a) for a in ridgeline_accounts())
        assert _names(index, typed[:n]) == _names(fresh, typed[:n])


def test_large_lists_are_cut_to_the_limit_but_counted_in_full() -> None:
    accounts = [
        Account(str(n), f"Lane {n:05d} Carrier", f"Carriers:Lane {n:05d} Carrier", "Expense")
        for n in range(10_000)
    ]
    index = PickerIndex(account_entry(a) for a in accounts)
    result = index.filter("lane 0999", limit=5)
    assert len(result.matches) == 5
    assert result.total > 10  # Lane 09990 … 09999, then looser matches such as Lane 09099
    exact = [m.entry.name for m in index.filter("lane 0999", limit=None).matches[:10]]
    assert exact == [f"Lane 0999{n} Carrier" for n in range(10)]
    broad = index.filter("carrier", limit=50)
    assert broad.total == 10_000 and len(broad.matches) == 50
    # The keystroke benchmark runs every prefix and reports one timing per keystroke.
    assert len(measure_keystrokes(index, "lane 09")) == len("lane 09")
    assert len(measure_keystrokes(index, "lane 09", mode="backspace")) == len("lane 09")


def _ranked_by_the_rules(entries: list[PickerEntry], query: str) -> list[tuple[int, str]]:
    """The ranking spelled out entry by entry: what the index must agree with, however it
    searches (tier, then shorter name, then the list's own order: by full name)."""
    text = " ".join(query.lower().split())
    ranked = []
    for position, entry in enumerate(entries):
        fields = [entry.name.lower(), entry.number.lower(), entry.full_name.lower()]
        letters = [c for c in text if not c.isspace()]
        if any(f.startswith(text) for f in fields):
            tier = TIER_PREFIX
        elif any(re.search(r"(?<![a-z0-9])" + re.escape(text), f) for f in fields):
            tier = TIER_WORD_START
        elif any(text in f for f in fields):
            tier = TIER_SUBSTRING
        elif any(re.search(".*".join(map(re.escape, letters)), f) for f in fields):
            tier = TIER_SUBSEQUENCE
        elif " " in text and all(any(w in f for f in fields) for w in text.split(" ")):
            tier = TIER_WORDS
        else:
            continue
        ranked.append((tier, len(entry.name), position, entry.key))
    return [(tier, key) for tier, _, _, key in sorted(ranked)]


_WORDS = ["lane", "carrier", "costs", "cogs", "fuel", "atl-chi", "4010", "a/p", "line", "haul"]
_ENTRIES = st.lists(
    st.builds(
        PickerEntry,
        key=st.uuids().map(str),
        label=st.just(""),
        name=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3).map(" ".join),
        number=st.sampled_from(["", "4010", "5000", "501"]),
        full_name=st.lists(st.sampled_from(_WORDS), max_size=4).map(":".join),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(_ENTRIES, st.text(alphabet="lanecogst 0-:/4", min_size=1, max_size=8))
def test_every_keystroke_ranks_as_the_rules_say(entries: list[PickerEntry], typed: str) -> None:
    """Typing a query letter by letter (each search narrowing the last), then erasing it,
    shows what the rules give for each prefix: same entries, same order, same tiers, and
    the same count, whether the best few or all are asked for."""
    index = PickerIndex(entries)
    prefixes = [typed[: n + 1] for n in range(len(typed))]
    for query in prefixes + prefixes[::-1]:
        expected = _ranked_by_the_rules(index.entries, query)
        if not " ".join(query.split()):
            continue
        every = index.filter(query, limit=None)
        assert [(m.tier, m.entry.key) for m in every.matches] == expected
        best = index.filter(query, limit=3)
        assert [(m.tier, m.entry.key) for m in best.matches] == expected[:3]
        assert best.total == every.total == len(expected)


def test_pickers_built_together_list_what_each_lists_alone() -> None:
    """Step 7 builds every picker at once, sharing rows and rule checks between them."""
    lists = ridgeline()
    prepared, alone = MappingDraft(FREIGHT, lists), MappingDraft(FREIGHT, lists)
    prepared.prepare_pickers()
    for line in FREIGHT.lines:
        for unusual in (False, True):
            assert (
                prepared.picker_for(line.id, unusual).entries
                == alone.picker_for(line.id, unusual).entries
            )
        assert (
            prepared.unavailable_picker_for(line.id).entries
            == alone.unavailable_picker_for(line.id).entries
        )
    assert prepared.income_account_picker().entries == alone.income_account_picker().entries
    assert eligible_items(lists) == items_by_use(lists)[0]
    assert unavailable_items(lists) == items_by_use(lists)[1]
