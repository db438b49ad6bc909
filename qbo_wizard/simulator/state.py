"""What every endpoint of one running practice QuickBooks shares: its clock, Intuit's OAuth
server, the companies, the rehearsed failures, the request limits and the request counts, all
used under one lock."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from qbo_wizard.simulator.clock import SimulatedClock
from qbo_wizard.simulator.companies import Company
from qbo_wizard.simulator.oauth import OAuthServer
from qbo_wizard.simulator.pacing import RequestPacer
from qbo_wizard.simulator.rehearsals import Rehearsals


@dataclass
class SimulatorState:
    """One simulator's state. Everything runs under `lock`: the state is small, requests are
    short, and one lock makes every rule (single-use codes, refresh rotation, SyncTokens,
    request ids) race-free even with the threaded server."""

    lock: threading.RLock
    clock: SimulatedClock
    oauth: OAuthServer
    companies: dict[str, Company]
    rehearsals: Rehearsals
    pacer: RequestPacer
    # Requests received, by route ("token", "query", "discovery", …): API budgets are counted
    # here, at the server, rather than trusted to the client under test.
    request_counts: Counter[str]
    url: Callable[[], str]  # the server's root URL, known once it listens
