#!/usr/bin/env python3
"""The practice QuickBooks with two extra companies sized for the scaling benchmarks.

Run by the benchmarks as a child process: `python benchmarks/scaled.py [--throttle]`. It serves
the simulator's own companies plus:

- `SMALL_REALM`: 10,000 accounts and 5,000 items (the mapping-step benchmark's company);
- `BIG_REALM`: 40,000 accounts and 20,000 items (four times as much, for the scaling figure).

Both are a freight broker's US chart (the large practice company's) with lane sub-accounts under
revenue and carrier costs, and one Service item per revenue lane. The first line on standard
output is the simulator's info JSON, as `qbo-wizard simulator` prints it; the process serves
until its standard input closes or it is terminated.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `benchmarks` as a package

if TYPE_CHECKING:
    from qbo_wizard.simulator.books import Books

SMALL_REALM = "9341452962840010"
BIG_REALM = "9341452962840040"
SIZES = {SMALL_REALM: (10_000, 5_000), BIG_REALM: (40_000, 20_000)}
CITIES = ("ATL", "BNA", "BOS", "CHI", "CLE", "DAL", "DEN", "DET", "HOU", "LAX", "MEM", "MIA")


def seed_scaled(books: Books, accounts: int, items: int) -> None:
    """The large practice chart grown to `accounts` accounts, with `items` items."""
    from qbo_wizard.simulator.companies import (
        US_CHART,
        US_ITEMS,
        _seed_accounts,
        _seed_items,
        create_lane_account,
    )

    ids = _seed_accounts(books, US_CHART)
    _seed_items(books, US_ITEMS, ids)
    revenue = ids["Freight Revenue:Truckload"]
    costs = ids["Carrier Costs:Linehaul"]
    revenue_lanes: list[tuple[str, str]] = []
    for number in range(accounts - len(US_CHART)):
        lane_index = number // 2
        origin = CITIES[lane_index % len(CITIES)]
        destination = CITIES[(lane_index // len(CITIES) + lane_index + 1) % len(CITIES)]
        is_revenue = number % 2 == 0
        lane = f"Lane {lane_index + 1:05d} {origin}-{destination}"
        parent = revenue if is_revenue else costs
        record = create_lane_account(books, lane, number, parent, is_revenue)
        if is_revenue and record["Active"]:
            revenue_lanes.append((lane, record["Id"]))
    for number in range(items - len(US_ITEMS)):
        lane, account_id = revenue_lanes[number % len(revenue_lanes)]
        books.create(
            "Item",
            {
                "Name": f"{lane} freight {number // len(revenue_lanes) + 1}",
                "Type": "Service",
                "IncomeAccountRef": {"value": account_id},
                "UnitPrice": 100 + number % 900,
            },
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main(argv: list[str]) -> int:
    from qbo_wizard.simulator.companies import LARGE_REALM
    from qbo_wizard.simulator.server import SimulatorServer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--throttle", action="store_true", help="enforce Intuit's limits")
    options = parser.parse_args(argv)
    server = SimulatorServer(port=0, throttle=options.throttle, loopback_port=_free_port())
    template = server.companies[LARGE_REALM]
    for realm, (accounts, items) in SIZES.items():

        def seed(books: Books, accounts: int = accounts, items: int = items) -> None:
            seed_scaled(books, accounts, items)

        server.companies[realm] = replace(
            template, realm_id=realm, name=f"Scaled Freight {accounts // 1000}k", seed=seed
        )
    server.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    print(json.dumps(server.info), flush=True)
    try:
        sys.stdin.read()  # until the benchmark closes the pipe
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
