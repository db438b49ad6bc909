"""The failures the practice QuickBooks can rehearse: one list for the server, its control panel,
the `simulator` command and any front end that offers them (the server lists them in
`GET /_simulator/info`). Imports nothing, so a command's help can list them without starting a
server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How long a scenario lasts once switched on: "once" revokes live connections and is over,
# "until-cleared" stays on until "none", and "clears" is "none" itself.
Lasting = Literal["once", "until-cleared", "clears"]


@dataclass(frozen=True)
class Scenario:
    """One rehearsable failure: its name in the control API, a one-line title, how long it lasts,
    and whether a guided demo offers it (some only matter to developers of client code)."""

    name: str
    title: str
    lasts: Lasting
    in_demo: bool

    def describe(self) -> dict[str, str | bool]:
        """The scenario as `/_simulator/info` lists it."""
        return {
            "name": self.name,
            "title": self.title,
            "lasts": self.lasts,
            "in_demo": self.in_demo,
        }


EVERYTHING_NORMAL = Scenario("none", "Everything normal", "clears", True)

# In the order a front end shows them; "none" (everything normal) comes last.
SCENARIOS = (
    Scenario("takeover", "Another QuickBooks user takes over the connection", "once", True),
    Scenario(
        "password-change",
        "The connecting user changes their password (tokens revoked)",
        "once",
        True,
    ),
    Scenario(
        "already-purchased",
        '"App already purchased" by another user at consent',
        "until-cleared",
        True,
    ),
    Scenario(
        "outage", "Intuit outage (503 web pages from the load balancer)", "until-cleared", True
    ),
    Scenario("throttle", "Throttling (every API call gets 429)", "until-cleared", True),
    # QuickBooks has answered throttling in XML even to JSON clients.
    Scenario(
        "throttle-xml", "Throttling answered in XML, even to JSON clients", "until-cleared", False
    ),
    EVERYTHING_NORMAL,
)

SCENARIOS_BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}
# The failures themselves, without "none": what `--scenario` accepts.
SCENARIO_NAMES = tuple(s.name for s in SCENARIOS if s is not EVERYTHING_NORMAL)
