"""Copying from a masked field puts nothing on the clipboard, in every mode; the Copy buttons
for values meant to be pasted elsewhere keep working."""

from __future__ import annotations

import pytest

from qbo_wizard.core.profile import Profile
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screenshots import settle
from qbo_wizard.tui.widgets.guidance import CopyValueRow
from qbo_wizard.tui.widgets.secret_input import SecretInput

from .conftest import demo_wizard, wizard

CLIPBOARD_BEFORE = "what the clipboard held before"


@pytest.mark.parametrize("presenter", [True, False], ids=["presenter", "own screen"])
@pytest.mark.parametrize("field_id", ["client-id", "client-secret"])
@pytest.mark.parametrize("keys", [("ctrl+c",), ("ctrl+x",), ("super+c",)])
async def test_a_masked_key_never_reaches_the_clipboard(
    simulator: SimulatorServer, presenter: bool, field_id: str, keys: tuple[str, ...]
) -> None:
    app = demo_wizard(simulator, presenter=presenter)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.copy_to_clipboard(CLIPBOARD_BEFORE)
        field = app.screen.query_one(f"#{field_id}", SecretInput)
        typed = field.value
        assert typed  # demo mode fills in the practice keys
        field.focus()
        field.select_all()
        await pilot.press(*keys)
        await settle(pilot)
        assert app.clipboard == CLIPBOARD_BEFORE
        assert field.value == typed  # cut left the value alone too
        notes = [str(note.render()) for note in app.screen.query(".not-copied-note")]
        assert len(notes) == 1 and notes[0].startswith("Not copied"), notes


async def test_a_pasted_sign_in_address_is_not_copied_back_out(simulator: SimulatorServer) -> None:
    profile = Profile(
        name="acme", environment="simulator", simulator_url=simulator.url, current_step="connect"
    )
    app = demo_wizard(simulator, profile, presenter=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.copy_to_clipboard(CLIPBOARD_BEFORE)
        field = app.screen.query_one("#pasted-address", SecretInput)
        field.value = "http://127.0.0.1/callback?code=CanaryCode00000000&state=s&realmId=1"
        field.focus()
        field.select_all()
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert app.clipboard == CLIPBOARD_BEFORE


async def test_copy_buttons_for_values_to_paste_elsewhere_still_copy() -> None:
    app = wizard(Profile(name="acme", current_step="create-app"), presenter=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        row = app.screen.query(CopyValueRow).first()
        row.scroll_visible(animate=False)
        await settle(pilot)
        await pilot.click(row.query_one(".copy-button"))
        await settle(pilot)
        assert app.clipboard == row.value.value
