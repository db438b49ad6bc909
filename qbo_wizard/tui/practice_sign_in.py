"""Demo mode's stand-in for the user at Intuit's sign-in page: the practice admin presses Connect.

The one place the wizard's screens reach the practice QuickBooks' sign-in page; the screens get
it through the demo settings (`DemoInfo.approve_sign_in`), so no screen imports the simulator.
"""

from __future__ import annotations


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
