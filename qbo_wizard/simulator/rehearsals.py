"""Which rehearsed failures are on, for which company: the scenarios that stay on until "none",
and the one-off ones (takeover, password change) that revoke connections now or after the next
successful API call."""

from __future__ import annotations

from typing import Any

from qbo_wizard.simulator.companies import Company
from qbo_wizard.simulator.oauth import OAuthServer
from qbo_wizard.simulator.scenarios import EVERYTHING_NORMAL, SCENARIO_NAMES, SCENARIOS_BY_NAME

ALL_COMPANIES = "*"
# The names the "scenario" control action accepts, as its refusal lists them.
CONTROL_SCENARIO_NAMES = (EVERYTHING_NORMAL.name, *SCENARIO_NAMES)


class Rehearsals:
    """The scenarios switched on, by realm ID (or "*" for every company)."""

    def __init__(self, oauth: OAuthServer, companies: dict[str, Company]) -> None:
        self._oauth = oauth
        self._companies = companies
        self._on: dict[str, set[str]] = {}
        self._armed: list[tuple[str, str]] = []  # (realm or "*", event) fired after next API call

    def apply(self, name: str, realm_id: Any, when: Any) -> dict[str, Any]:
        """Switch scenario `name` on for one company (or all), or everything off with "none";
        raises ValueError for an unknown name, company or moment."""
        if name not in CONTROL_SCENARIO_NAMES:
            raise ValueError(
                f"unknown scenario {name!r}; choose one of {', '.join(CONTROL_SCENARIO_NAMES)}"
            )
        target = ALL_COMPANIES if realm_id in (None, "", ALL_COMPANIES) else str(realm_id)
        if target != ALL_COMPANIES and target not in self._companies:
            raise ValueError(f"no practice company has realm ID {target}")
        result: dict[str, Any] = {"ok": True}
        if name == EVERYTHING_NORMAL.name:
            if target == ALL_COMPANIES:
                self.clear()
            else:
                self._on.pop(target, None)
                self._armed = [(r, n) for r, n in self._armed if r != target]
        elif SCENARIOS_BY_NAME[name].lasts == "once":
            if when == "next-call":
                self._armed.append((target, name))
            elif when == "now":
                result["revoked"] = self._fire(target, name)
            else:
                raise ValueError('"when" is "now" or "next-call"')
        else:
            self._on.setdefault(target, set()).add(name)
        return result

    def is_on(self, realm_id: str | None, name: str) -> bool:
        """Whether `name` is on for `realm_id` (None: for every company, as at sign-in)."""
        if name in self._on.get(ALL_COMPANIES, ()):
            return True
        return realm_id is not None and name in self._on.get(realm_id, ())

    def fire_armed(self, realm: str) -> None:
        """After a successful API call to `realm`: fire the one-off scenarios waiting for it."""
        for target, name in list(self._armed):
            if target in (realm, ALL_COMPANIES):
                self._armed.remove((target, name))
                self._fire(realm, name)

    def clear(self) -> None:
        self._on.clear()
        self._armed.clear()

    def summary(self) -> dict[str, Any]:
        """The scenarios on and the ones armed, as the control answers report them."""
        return {
            "scenarios": {realm: sorted(names) for realm, names in self._on.items()},
            "armed": [{"realm_id": realm, "name": name} for realm, name in self._armed],
        }

    def _fire(self, target: str, name: str) -> int:
        reason = "another user connected" if name == "takeover" else "password changed"
        return self._oauth.revoke_realm(None if target == ALL_COMPANIES else target, reason)
