"""Picker: per-keystroke filter time over the 10,000-account chart, against `textual.fuzzy`."""

from __future__ import annotations

import gc
import heapq
import time
from typing import TYPE_CHECKING

from benchmarks.common import Result, percentile

if TYPE_CHECKING:
    from qbo_wizard.core.company_lists import Account

# Eight characters each, as a user types them into the account picker.
QUERIES = ("linehaul", "lane 042", "truckloa", "atl-chi ", "carrier ", "fuel sur")
FRAME_MS = 16.0  # one frame at 60 Hz, rounded down


def large_chart_accounts(count: int | None = None) -> list[Account]:
    """The simulator's 10,000-account company, as the product's `Account` records.

    Read straight from the simulator's books (no HTTP): this benchmark is about filtering.
    `count` keeps only the first accounts (for a quick smoke run).
    """
    from qbo_wizard.core.company_lists import Account
    from qbo_wizard.simulator.clock import SimulatedClock
    from qbo_wizard.simulator.companies import LARGE_REALM, build_companies

    company = next(c for c in build_companies(SimulatedClock()) if c.realm_id == LARGE_REALM)
    rows = company.books.all("Account")
    return [Account.from_qbo(row) for row in rows[:count]]


def product_keystrokes(accounts: list[Account], query: str) -> list[float]:
    """Milliseconds per keystroke typing `query` into a fresh picker (`core.picker`)."""
    from qbo_wizard.core.picker import PickerIndex, account_entry, measure_keystrokes

    index = PickerIndex(account_entry(a) for a in accounts)
    return measure_keystrokes(index, query)


def fuzzy_keystrokes(labels: list[str], query: str, limit: int = 200) -> list[float]:
    """The same typing with Textual's fuzzy matcher (as its command palette uses it): score
    every label on each keystroke, keep the best `limit`."""
    from textual.fuzzy import Matcher

    timings = []
    for typed in range(1, len(query) + 1):
        started = time.perf_counter()
        matcher = Matcher(query[:typed])
        scored = []
        for position, label in enumerate(labels):
            score = matcher.match(label)
            if score > 0:
                scored.append((score, position))
        heapq.nlargest(limit, scored)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def picker(
    repetitions: int, queries: tuple[str, ...] = QUERIES, count: int | None = None
) -> Result:
    """p95 of every keystroke of every query, `repetitions` times, product and fuzzy alternating."""
    from qbo_wizard.core.picker import account_entry

    accounts = large_chart_accounts(count)
    labels = [account_entry(a).label for a in accounts]
    product: list[float] = []
    fuzzy: list[float] = []
    for repetition in range(repetitions):
        for number, query in enumerate(queries):
            gc.collect()  # each side starts clean; garbage of the other is not charged to it
            if (repetition + number) % 2 == 0:
                product += product_keystrokes(accounts, query)
                gc.collect()
                fuzzy += fuzzy_keystrokes(labels, query)
            else:
                fuzzy += fuzzy_keystrokes(labels, query)
                gc.collect()
                product += product_keystrokes(accounts, query)
    result = Result(
        name="picker",
        title=f"Picker keystroke p95 ({len(accounts):,} accounts)",
        value=percentile(product, 0.95),
        baseline=percentile(fuzzy, 0.95),
        unit="ms",
        target=FRAME_MS,
        target_of="value",
        note=(
            f"95th percentile of {len(product)} keystrokes: {len(queries)} eight-character "
            f"queries ({', '.join(repr(q) for q in queries)}) typed {repetitions}x into a fresh "
            "index each time. Target: under one 60 Hz frame (16 ms), absolute. Baseline: the "
            "same typing scored with textual.fuzzy.Matcher over every account label (best 200 "
            "kept), as Textual's command palette does."
        ),
        extra={
            "keystrokes": len(product),
            "max_ms": round(max(product), 2),
            "median_ms": round(percentile(product, 0.5), 2),
            "baseline_median_ms": round(percentile(fuzzy, 0.5), 2),
        },
    )
    return result
