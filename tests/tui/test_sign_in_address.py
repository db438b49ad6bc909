"""Step 6 shows where the sign-in address leads without drawing a shortened address that a
browser tab's terminal would turn into a broken link; Open uses the full address."""

from __future__ import annotations

import re

from textual.widgets import Static

from qbo_wizard.core.profile import load_profile
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screenshots import settle
from tests.connected import store_demo_keys

from .conftest import demo_wizard

# What xterm.js (the terminal in a `qbo-wizard serve` tab) underlines as a link.
LINK_LIKE = re.compile(r"(https?|HTTPS?):[/]{2}")


async def test_the_shortened_sign_in_address_is_not_link_like(
    simulator: SimulatorServer, no_browser: list[str]
) -> None:
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"), presenter=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        await pilot.click("#use-paste-url")
        await pilot.press("o")
        await settle(pilot)
        full = app.screen.authorization.url
        client_id = simulator.info["keys"]["development"]["client_id"]
        drawn = str(app.screen.query_one("#paste-url-link .link-text", Static).render())
        assert drawn.startswith("Intuit's sign-in page: 127.0.0.1:")
        assert f"client ID {client_id[:4]}…{client_id[-4:]}" in drawn
        assert client_id not in drawn
        assert LINK_LIKE.search(drawn) is None, drawn
        await pilot.click("#paste-url-link .link-button")
        await settle(pilot)
    assert no_browser[-1] == full  # Open takes the whole address, client ID and state
    assert f"client_id={client_id}" in full
