"""Reading the company lists: no call the mapping does not need, and a cache that grows cheaply."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

from qbo_wizard.core.mapping import company_lists, suggestions
from qbo_wizard.core.mapping.company_lists import (
    Account,
    CompanyLists,
    Item,
    cache_path,
    company_lists_for,
)
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.mapping.session import open_mapping_session
from qbo_wizard.core.mapping.suggestions import NameIndex, suggest_all
from qbo_wizard.core.profile import load_profile, save_profile
from qbo_wizard.simulator.server import SimulatorServer

from .company_data import ridgeline
from .live_company import LARGE_REALM, UK_REALM, US_REALM, connect_profile

FREIGHT = load_integration("freight-brokerage")


def queried(simulator: SimulatorServer) -> int:
    counts: dict[str, int] = simulator.control("request_counts", reset=True)["counts"]
    return counts.get("query", 0) + counts.get("company_info", 0)


def test_a_us_company_known_from_step_6_reads_only_its_accounts_and_items(
    simulator: SimulatorServer,
) -> None:
    api = connect_profile(simulator, "acme", US_REALM)
    profile = load_profile("acme")
    profile.country = "US"  # step 6 keeps the country it read with the company's name
    save_profile(profile)
    simulator.control("request_counts", reset=True)
    lists = company_lists_for(api, "acme", refresh=True)
    assert queried(simulator) == 2  # one page of accounts, one of items
    assert lists.country == "US" and not lists.tax_codes_required
    assert lists.company_name == profile.company_name
    assert lists.tax_codes == []


def test_without_the_country_the_company_is_read_first_and_tax_codes_only_outside_the_us(
    simulator: SimulatorServer,
) -> None:
    api = connect_profile(simulator, "us", US_REALM)
    simulator.control("request_counts", reset=True)
    assert company_lists_for(api, "us", refresh=True).country == "US"
    assert queried(simulator) == 3  # company, accounts, items
    api = connect_profile(simulator, "uk", UK_REALM)
    simulator.control("request_counts", reset=True)
    lists = company_lists_for(api, "uk", refresh=True)
    assert queried(simulator) == 4  # company, accounts, items, tax codes
    assert lists.tax_codes_required and lists.tax_codes


def test_a_created_item_joins_the_cache_without_rewriting_it(simulator: SimulatorServer) -> None:
    api = connect_profile(simulator, "acme", US_REALM)
    lists = company_lists_for(api, "acme", refresh=True)
    written = cache_path("acme").read_bytes()
    draft = MappingDraft(FREIGHT, lists)
    income = next(a.id for a in lists.accounts if a.full_name == "Accessorial Revenue")
    first = draft.create_service_item(api, "Stop-off", income, profile_name="acme")
    second = draft.create_service_item(api, "Lumper", income, profile_name="acme")
    assert cache_path("acme").read_bytes() == written  # the big file is left as it was
    simulator.control("request_counts", reset=True)
    cached = company_lists_for(api, "acme")  # from the cache: no call to QuickBooks
    assert queried(simulator) == 0
    assert cached.cached
    assert cached.item(first.id) == first and cached.item(second.id) == second
    assert len(cached.items) == len(lists.items)
    # Reading the lists again writes one file that includes them.
    fresh = company_lists_for(api, "acme", refresh=True)
    assert fresh.item(first.id) is not None
    again = company_lists_for(api, "acme")
    assert [i.id for i in again.items].count(first.id) == 1


class PageLog(NameIndex):
    """The suggestions' name index, noting the size of each page it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.account_pages: list[int] = []
        self.item_pages: list[int] = []

    def add_accounts(self, accounts: Iterable[Account]) -> None:
        page = list(accounts)
        self.account_pages.append(len(page))
        super().add_accounts(page)

    def add_items(self, items: Iterable[Item]) -> None:
        page = list(items)
        self.item_pages.append(len(page))
        super().add_items(page)


def test_matching_is_prepared_page_by_page_while_a_large_chart_is_read(
    simulator: SimulatorServer,
) -> None:
    api = connect_profile(simulator, "acme", LARGE_REALM)
    index = PageLog()
    lists = company_lists_for(api, "acme", refresh=True, observer=index)
    assert len(lists.accounts) == 10_000
    assert index.account_pages == [1000] * 10 + [0]  # each page as it came, the short one last
    assert sum(index.item_pages) == len(lists.items)
    assert index.indexes(lists)
    # The same proposals as matching the finished lists from scratch.
    assert suggest_all(FREIGHT, lists, index) == suggest_all(FREIGHT, lists)


def test_an_index_of_other_lists_is_never_used_for_suggestions() -> None:
    other = NameIndex.of(ridgeline(items=[]))
    lists = ridgeline()
    assert not other.indexes(lists)
    assert suggest_all(FREIGHT, lists, other) == suggest_all(FREIGHT, lists)


def test_the_step_7_session_matches_with_the_index_filled_while_reading(
    simulator: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = connect_profile(simulator, "acme", LARGE_REALM)
    handed: list[bool] = []
    original = suggestions.suggest_all

    def noting_suggest_all(*args: Any) -> Any:
        _integration, lists, index = args
        handed.append(index is not None and index.indexes(lists))
        return original(*args)

    monkeypatch.setattr(suggestions, "suggest_all", noting_suggest_all)
    session = open_mapping_session(
        lambda: api, "acme", integration_reference=FREIGHT.id, refresh=True, for_editing=True
    )
    assert handed == [True]
    assert session.suggestions == original(FREIGHT, session.lists)


@pytest.mark.parametrize("part", [1, 2, 1000])
def test_the_cache_file_written_in_parts_is_the_whole_lists_json(
    part: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(company_lists, "CACHE_PART", part)
    lists = ridgeline()
    text = "".join(lists.cache_text())
    assert text == json.dumps(lists.to_cache(), separators=(",", ":"), ensure_ascii=False)
    again = CompanyLists.from_cache(json.loads(text))
    assert again.accounts == lists.accounts
    assert again.items == lists.items
    assert again.tax_codes == lists.tax_codes


class _Pages:
    def __init__(self) -> None:
        self.accounts: list[Account] = []
        self.items: list[Item] = []

    def add_accounts(self, accounts: Iterable[Account]) -> None:
        self.accounts.extend(accounts)

    def add_items(self, items: Iterable[Item]) -> None:
        self.items.extend(items)


@pytest.mark.parametrize("realm_id", [LARGE_REALM, UK_REALM])
@pytest.mark.parametrize("scratch", [True, False])
def test_the_cache_file_made_while_the_pages_are_read_is_the_whole_lists_json(
    simulator: SimulatorServer, realm_id: str, scratch: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text made page by page (or, without temporary files, at the end) is the same bytes."""
    if not scratch:

        def no_room(*args: object, **kwargs: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(company_lists.tempfile, "TemporaryFile", no_room)
    api = connect_profile(simulator, "acme", realm_id)
    pages = _Pages()
    lists = company_lists_for(api, "acme", refresh=True, observer=pages)
    assert pages.accounts == lists.accounts and pages.items == lists.items
    written = cache_path("acme").read_text(encoding="utf-8")
    assert written == "".join(lists.cache_text())
    assert written == json.dumps(lists.to_cache(), separators=(",", ":"), ensure_ascii=False)


def test_reading_a_chart_twice_leaves_the_allocator_settled_once() -> None:
    """Fixing glibc's thresholds is done once a process and never fails elsewhere."""
    import sys

    from qbo_wizard.core.mapping import allocator

    allocator.return_large_buffers()
    allocator.return_large_buffers()
    assert allocator._settled == ([True] if sys.platform.startswith("linux") else [])
