"""The hand-off on screen: after the $1.00 test of a hosted integration, and from the status home
after a reconnect. Only ciphertext is shown; the demo opens it again with secrets masked."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from textual.widgets import Button, Input, Static, TextArea

from qbo_wizard.core.connection.credentials import load_credentials
from qbo_wizard.core.connection.tokens import TokenSet, TokenStore
from qbo_wizard.core.handoff.record import handoff_record
from qbo_wizard.core.handoff.sealed import open_with_practice_identity
from qbo_wizard.core.mapping.integrations import choose_integration
from qbo_wizard.core.profile import load_profile, save_profile
from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screens.handoff import HandoffScreen
from qbo_wizard.tui.screens.status_home import StatusHomeScreen, StatusRow
from qbo_wizard.tui.screens.troubleshoot import TroubleshootScreen
from qbo_wizard.tui.screenshots import settle
from tests.connected import connected_profile
from tests.core.dollar_test_helpers import map_in_step_7, no_wait
from tests.tui.conftest import demo_wizard

SIZE = (120, 40)
US_LINES = ("Truckload Freight", "Carrier Costs:Linehaul")


def visible_text(app: Any) -> str:
    """Everything the current screen draws as text, including the text box."""
    parts = [str(static.render()) for static in app.screen.query(Static) if static.display]
    parts += [area.text for area in app.screen.query(TextArea) if area.display]
    return "\n".join(parts)


async def press(pilot: Any, selector: str) -> None:
    pilot.app.screen.query_one(selector, Button).press()
    await settle(pilot)


def stored() -> TokenSet:
    tokens = TokenStore("acme").load()
    assert tokens is not None
    return tokens


async def test_after_the_test_passes_the_demo_hands_off_and_opens_it_again_masked(
    simulator: SimulatorServer,
) -> None:
    from qbo_wizard.core.connection.api import QboApi

    connected_profile(simulator, current_step="test")
    map_in_step_7(QboApi.for_profile("acme", sleep=no_wait), "acme", *US_LINES)
    tokens = stored()
    keys = load_credentials("acme")
    secrets = [tokens.refresh_token, tokens.access_token, keys.client_id, keys.client_secret]
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")  # from the status home to step 8
        await settle(pilot)
        await pilot.press("r")  # run the $1.00 test
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, HandoffScreen)
        words = visible_text(app)
        assert "Hand the connection to Practice TMS (demo)" in words
        assert "two holders would lose it" in words
        await pilot.click("#as-text")
        await press(pilot, "#handoff-seal")
        box = app.screen.query_one("#handoff-text", TextArea)
        assert box.text.startswith("-----BEGIN AGE ENCRYPTED FILE-----")
        assert open_with_practice_identity(box.text.encode())["refresh_token"] == (
            tokens.refresh_token
        )
        await press(pilot, "#handoff-open-again")
        opened = visible_text(app)
        assert "What Practice TMS (demo) receives" in opened
        assert f"realm_id: {US_REALM}" in opened
        assert "refresh_token: ••••" in opened
        for secret in secrets:
            assert secret not in visible_text(app).replace(box.text, "")
        await press(pilot, "#handoff-finish")
        assert isinstance(app.screen, TroubleshootScreen)
    record = handoff_record(load_profile("acme"))
    assert record is not None and record.vendor == "Practice TMS (demo)"
    assert TokenStore("acme").load() is None


async def test_after_a_reconnect_the_status_home_offers_a_new_hand_off_to_a_file(
    simulator: SimulatorServer, tmp_path: Path
) -> None:
    connected_profile(simulator, last_test={"ok": True, "at": "2026-05-01T12:00:00Z"})
    profile = load_profile("acme")
    choose_integration(profile, "freight-brokerage")
    save_profile(profile)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StatusHomeScreen)
        offer = app.screen.query_one("#do-handoff", Button)
        assert offer.display
        assert str(offer.label) == "Hand the connection to Practice TMS (demo) (v)"
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, HandoffScreen)
        target = tmp_path / "acme.age"
        app.screen.query_one("#handoff-file", Input).value = str(target)
        await press(pilot, "#handoff-seal")
        assert f"The sealed file is at {target}" in visible_text(app)
        await press(pilot, "#handoff-finish")
        await settle(pilot)
        assert isinstance(app.screen, StatusHomeScreen)
        assert not app.screen.query_one("#do-handoff", Button).display
        connection = app.screen.query_one("#status-connection", StatusRow).render_text()
        assert "Handed to Practice TMS (demo) on " in connection
        # The vendor runs the connection now: the $1.00 test is not offered here any more.
        assert not app.screen.query_one("#do-test", Button).display
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, StatusHomeScreen)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert open_with_practice_identity(target.read_bytes())["realm_id"] == US_REALM


async def test_a_file_that_exists_is_kept_and_the_screen_says_so(
    simulator: SimulatorServer, tmp_path: Path
) -> None:
    connected_profile(simulator, last_test={"ok": True, "at": "2026-05-01T12:00:00Z"})
    profile = load_profile("acme")
    choose_integration(profile, "freight-brokerage")
    save_profile(profile)
    taken = tmp_path / "taken.age"
    taken.write_text("keep me")
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        app.screen.query_one("#handoff-file", Input).value = str(taken)
        await press(pilot, "#handoff-seal")
        assert "never replaces a file" in visible_text(app)
        assert not app.screen.query_one("#handoff-seal", Button).disabled
    assert taken.read_text() == "keep me"
    assert handoff_record(load_profile("acme")) is None


async def test_a_connection_quickbooks_refuses_is_not_offered_for_hand_off(
    simulator: SimulatorServer,
) -> None:
    connected_profile(simulator, last_test={"ok": True, "at": "2026-05-01T12:00:00Z"})
    profile = load_profile("acme")
    choose_integration(profile, "freight-brokerage")
    save_profile(profile)
    simulator.control("scenario", name="password-change", realm_id=US_REALM)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StatusHomeScreen)
        assert "reconnect" in app.screen.query_one("#status-connection", StatusRow).render_text()
        assert not app.screen.query_one("#do-handoff", Button).display
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, StatusHomeScreen)
