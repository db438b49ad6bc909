"""Demo mode's reach into the practice QuickBooks: the practice admin pressing Connect at its
sign-in page, and the failures it can rehearse.

The screens get both through the demo settings (`DemoInfo.approve_sign_in`,
`DemoInfo.scenarios`), so no screen imports the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RehearsableScenario:
    """A failure the practice QuickBooks can rehearse, as the Rehearse tab offers it."""

    name: str
    """Its name in the practice QuickBooks' control API (also the button's id)."""
    title: str
    """One line on what it rehearses (used when the step's copy has no wording of its own)."""
    clears: bool
    """True for the one that puts everything back to normal (it applies to every company)."""


def practice_scenarios() -> tuple[RehearsableScenario, ...]:
    """The practice QuickBooks' one list of scenarios a guided demo offers, in button order."""
    from qbo_wizard.simulator.scenarios import SCENARIOS

    return tuple(
        RehearsableScenario(scenario.name, scenario.title, scenario.lasts == "clears")
        for scenario in SCENARIOS
        if scenario.in_demo
    )


class PracticeSignInRefused(Exception):
    """The practice sign-in page refused; `page_text` is what it showed, in plain words."""

    def __init__(self, page_text: str) -> None:
        super().__init__(page_text)
        self.page_text = page_text


def approve_as_practice_admin(sign_in_url: str, key_set: str) -> str:
    """Press Connect on the practice sign-in page at this address, for the practice company the
    key set reaches: production keys the practice production company, development keys the
    practice sandbox (US) one.

    Returns:
        The address the page sends the browser back to (it carries the sign-in code).

    Raises:
        PracticeSignInRefused: The page showed an error instead of sending the browser back.
    """
    # Loaded only when demo mode signs in, so a normal start does not load the simulator.
    from qbo_wizard.simulator.browser import ConsentRefused, approve
    from qbo_wizard.simulator.companies import PRODUCTION_REALM, US_REALM

    realm = PRODUCTION_REALM if key_set == "production" else US_REALM
    try:
        return approve(sign_in_url, realm)
    except ConsentRefused as refusal:
        raise PracticeSignInRefused(refusal.page_text) from refusal
