"""Paging a long list: one sorted result per query, and every change seen by the next page."""

from __future__ import annotations

from functools import partial
from typing import Any

from qbo_wizard.simulator.books import Books
from qbo_wizard.simulator.clock import SimulatedClock
from qbo_wizard.simulator.companies import LARGE_REALM
from qbo_wizard.simulator.query import parse_query, run_query
from qbo_wizard.simulator.server import SimulatorServer
from tests.simulator.helpers import query

EVERY = "SELECT * FROM Account WHERE Active IN (true, false)"


def _books(accounts: int) -> Books:
    books = Books(country="US", currency=("USD", "United States Dollar"), clock=SimulatedClock())
    for number in range(accounts):
        books.create("Account", {"Name": f"Lane {number:05d}", "AccountType": "Income"})
    return books


def _page(books: Books, start: int, size: int, sorts: list[int]) -> list[str]:
    def records() -> list[dict[str, Any]]:
        sorts.append(1)
        return books.all("Account")

    text = f"{EVERY} ORDERBY Name DESC STARTPOSITION {start} MAXRESULTS {size}"
    result = run_query(parse_query(text), records, None, partial(books.selection, "Account"))
    return [record["Name"] for record in result.records]


def test_the_pages_of_one_query_are_cut_from_one_sorted_result() -> None:
    books = _books(250)
    sorts: list[int] = []
    pages = [_page(books, start, 100, sorts) for start in (1, 101, 201)]
    assert len(sorts) == 1  # gathered and sorted once, not once a page
    names = [name for page in pages for name in page]
    assert names == sorted((f"Lane {n:05d}" for n in range(250)), reverse=True)


def test_a_change_between_pages_is_seen_by_the_next_page() -> None:
    books = _books(150)
    sorts: list[int] = []
    first = _page(books, 1, 100, sorts)
    books.create("Account", {"Name": "Lane 99999", "AccountType": "Income"})
    renamed = books.find("Account", "1")
    assert renamed is not None
    books.update("Account", {**renamed, "Name": "Lane 00000 renamed"})
    rest = _page(books, 1, 200, sorts)
    assert len(sorts) == 2  # the change made the query gather and sort again
    assert rest[0] == "Lane 99999" and "Lane 00000 renamed" in rest
    assert first[0] == "Lane 00149"


def test_paging_the_large_company_over_http_sees_an_account_added_meanwhile(
    simulator: SimulatorServer,
) -> None:
    token = simulator.mint_tokens(LARGE_REALM)["access_token"]
    seen: list[str] = []
    position = 1
    while True:
        text = f"{EVERY} ORDERBY Id STARTPOSITION {position} MAXRESULTS 1000"
        rows = query(simulator, token, LARGE_REALM, text).json()["QueryResponse"].get("Account")
        seen += [row["Id"] for row in rows or []]
        if position == 1:  # someone adds an account while the list is being read
            books = simulator.companies[LARGE_REALM].books
            books.create("Account", {"Name": "Added meanwhile", "AccountType": "Expense"})
        if not rows or len(rows) < 1000:
            break
        position += 1000
    assert len(seen) == len(set(seen)) == 10_001
    assert seen[-1] == "10001"
