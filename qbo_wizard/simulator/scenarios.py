"""The failures the practice QuickBooks can rehearse, by name: one list for the server, the
`simulator` command and anything else that offers them. Imports nothing, so a command's help
can list them without starting a server."""

from __future__ import annotations

SCENARIO_NAMES = (
    "takeover",
    "password-change",
    "already-purchased",
    "outage",
    "throttle",
    "throttle-xml",
)
