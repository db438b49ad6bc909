#!/usr/bin/env python3
"""How long the mapping picker takes per keystroke over a 10,000-account chart.

Run: `.venv/bin/python benchmarks/picker_keystrokes.py [--accounts N]`. Prints one JSON object:
for each typed query, the slowest and the median keystroke in milliseconds, typing forwards and
erasing with backspace. A frame at 60 Hz is 16.7 ms; the picker should stay well under it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from qbo_wizard.core.mapping.company_lists import Account
from qbo_wizard.core.mapping.picker_index import PickerIndex, account_entry, measure_keystrokes

CITIES = ("ATL", "BNA", "CHI", "DAL", "DEN", "HOU", "LAX", "MEM", "PHX", "SEA", "SLC", "STL")
QUERIES = ("carrier costs", "lane 0420", "4010", "linehaul atl", "cogs", "zzz", "f")


def chart(size: int) -> list[Account]:
    """A freight broker's chart: revenue and carrier-cost lanes, numbered like real charts."""
    accounts = [
        Account("1", "Freight Revenue", "Freight Revenue", "Income", number="4000"),
        Account("2", "Carrier Costs", "Carrier Costs", "Cost of Goods Sold", number="5000"),
        Account("3", "Accounts Payable (A/P)", "Accounts Payable (A/P)", "Accounts Payable"),
    ]
    for n in range(size - len(accounts)):
        lane = f"Lane {n // 2 + 1:04d} {CITIES[n % 12]}-{CITIES[(n // 12 + n + 1) % 12]}"
        parent = "Freight Revenue" if n % 2 == 0 else "Carrier Costs:Linehaul"
        kind = "Income" if n % 2 == 0 else "Cost of Goods Sold"
        accounts.append(Account(str(n + 10), lane, f"{parent}:{lane}", kind, number=str(10000 + n)))
    return accounts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    size = parser.parse_args().accounts
    started = time.perf_counter()
    index = PickerIndex(account_entry(a) for a in chart(size))
    built_ms = (time.perf_counter() - started) * 1000
    results: dict[str, object] = {"accounts": len(index), "index_build_ms": round(built_ms, 2)}
    for query in QUERIES:
        typing = measure_keystrokes(index, query)
        erasing = measure_keystrokes(index, query, mode="backspace")
        results[query] = {
            "typing_max_ms": round(max(typing), 2),
            "typing_median_ms": round(statistics.median(typing), 2),
            "backspace_max_ms": round(max(erasing), 2),
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
