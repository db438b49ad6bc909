"""Picker: per keystroke, the filter and the list rebuilt on screen, over 20,000 entries.

The product side is the real picker screen (`tui.screens.picker.PickerScreen`) in a headless
Textual app: each keystroke is timed through `show_matches`, which filters and rebuilds the
option list the user sees (the part the first picker figure left out). The baseline scores
the same typing with `textual.fuzzy.Matcher`, as Textual's command palette does.
"""

from __future__ import annotations

import gc
import heapq
import time
from typing import TYPE_CHECKING

from benchmarks.common import Result, percentile

if TYPE_CHECKING:
    from qbo_wizard.core.mapping.company_lists import Account

# Eight characters each, as a user types them into the account picker.
QUERIES = ("linehaul", "lane 042", "truckloa", "atl-chi ", "carrier ", "fuel sur")
FRAME_MS = 16.0  # one frame at 60 Hz, rounded down


ENTRIES = 20_000


def large_chart_accounts(count: int | None = None) -> list[Account]:
    """A freight broker's chart of `count` accounts (20,000 by default), as the product's
    `Account` records, straight from the practice QuickBooks' books (no HTTP)."""
    from benchmarks.scaled import seed_scaled
    from qbo_wizard.core.mapping.company_lists import Account
    from qbo_wizard.simulator.books import Books
    from qbo_wizard.simulator.clock import SimulatedClock

    books = Books(country="US", currency=("USD", "United States Dollar"), clock=SimulatedClock())
    seed_scaled(books, count or ENTRIES, 0)
    return [Account.from_qbo(row) for row in books.all("Account")]


def product_keystrokes(accounts: list[Account], queries: tuple[str, ...]) -> list[float]:
    """Milliseconds per keystroke typing each query into a fresh picker screen: the filter and
    the option list rebuilt (`PickerScreen.show_matches`), in a headless Textual app."""
    import asyncio

    from textual.app import App

    from qbo_wizard.core.mapping.picker_index import PickerIndex, account_entry
    from qbo_wizard.tui.screens.picker import PickerRequest, PickerScreen

    timings: list[float] = []

    async def type_queries() -> None:
        app: App[None] = App()
        async with app.run_test(size=(80, 24)) as pilot:
            for query in queries:
                index = PickerIndex(account_entry(a) for a in accounts)
                screen = PickerScreen(
                    PickerRequest(title="Account", prompt="Pick one", index=index, noun="accounts")
                )
                await app.push_screen(screen)
                await pilot.pause()
                for typed in range(1, len(query) + 1):
                    gc.collect()  # garbage of the previous keystroke is not charged to this one
                    started = time.perf_counter()
                    screen.show_matches(query[:typed])
                    timings.append((time.perf_counter() - started) * 1000)
                    await pilot.pause()  # drawn before the next keystroke, as when typing
                app.pop_screen()
                await pilot.pause()

    asyncio.run(type_queries())
    return timings


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


def picker_keystroke(
    repetitions: int,
    queries: tuple[str, ...] = QUERIES,
    count: int | None = None,
    baseline_queries: int | None = None,
) -> Result:
    """p95 of every keystroke of every query, `repetitions` times, product and fuzzy alternating
    (the fuzzy baseline types only the first `baseline_queries` queries, when given: it takes
    most of a second a keystroke)."""
    from qbo_wizard.core.mapping.picker_index import account_entry

    accounts = large_chart_accounts(count)
    labels = [account_entry(a).label for a in accounts]
    baseline_typed = queries[:baseline_queries] if baseline_queries else queries
    product: list[float] = []
    fuzzy: list[float] = []
    for repetition in range(repetitions):
        gc.collect()
        if repetition % 2 == 0:
            product += product_keystrokes(accounts, queries)
            gc.collect()
            for query in baseline_typed:
                fuzzy += fuzzy_keystrokes(labels, query)
        else:
            for query in baseline_typed:
                fuzzy += fuzzy_keystrokes(labels, query)
            gc.collect()
            product += product_keystrokes(accounts, queries)
    return Result(
        name="picker_keystroke",
        title=f"Picker keystroke p95, list rebuilt ({len(accounts):,} entries)",
        value=percentile(product, 0.95),
        baseline=percentile(fuzzy, 0.95),
        unit="ms",
        target=FRAME_MS,
        target_of="absolute",
        note=(
            f"95th percentile of {len(product)} keystrokes: {len(queries)} eight-character "
            f"queries ({', '.join(repr(q) for q in queries)}) typed {repetitions}x into a fresh "
            "picker screen each time, headless; each keystroke timed through "
            "`PickerScreen.show_matches` (filter, then the option list cleared and refilled "
            "with the best 200 and the count line updated), drawn before the next. Target: "
            "under one 60 Hz frame (16 ms), absolute. Baseline: the same typing scored with "
            "textual.fuzzy.Matcher over every label (best 200 kept), as Textual's command "
            "palette does, without drawing anything."
        ),
        extra={
            "keystrokes": len(product),
            "entries": len(accounts),
            "max_ms": round(max(product), 2),
            "median_ms": round(percentile(product, 0.5), 2),
            "baseline_median_ms": round(percentile(fuzzy, 0.5), 2),
            "baseline_keystrokes": len(fuzzy),
        },
    )
