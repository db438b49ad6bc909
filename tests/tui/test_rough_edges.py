"""Rough edges seen at 80×24 and 60×20: what the user waits for, or has just got, stays on
screen, and notices and recipes read as they should."""

from __future__ import annotations

import threading
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from textual.widgets import Label, TextArea

from qbo_wizard.core.connection import oauth
from qbo_wizard.core.connection.vault import ENCRYPTED_FILE_RECIPE, KEYRING_SESSION_RECIPE
from qbo_wizard.core.profile import Profile, load_profile, save_profile
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.app import WizardApp
from qbo_wizard.tui.screenshots import settle
from qbo_wizard.tui.widgets.secret_input import SecretInput

from .conftest import StepHost, demo_wizard
from .test_connect_steps import _sign_in_address_shown, store_demo_keys
from .test_dollar_test_screen import status
from .test_results_in_view import in_view

SCREEN_SHARE = (80, 24)


async def _until(pilot: Any, condition: Any, what: str) -> None:
    """Process messages (never wait on time) until `condition()` holds."""
    for _ in range(2000):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"never happened: {what}")


async def test_waiting_for_the_browser_stays_in_view_once_the_sign_in_link_appears(
    free_port_simulator: SimulatorServer,
    no_browser: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The waiting line is shown (and scrolled to) first; the link and the demo's approve row
    then appear above it. The line must still be on screen."""
    link_may_appear = threading.Event()
    real_start = oauth.start_authorization

    def start_once_waiting_is_shown(*args: Any, **kwargs: Any) -> Any:
        link_may_appear.wait(timeout=60)
        return real_start(*args, **kwargs)

    monkeypatch.setattr(oauth, "start_authorization", start_once_waiting_is_shown)
    simulator = free_port_simulator  # another wizard may be listening on the usual port
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=SCREEN_SHARE) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("o")
        await _until(
            pilot,
            lambda: (
                "Waiting for you to approve" in status(app, "connect-status")
                and in_view(app, "#connect-status")
            ),
            "the waiting line in view",
        )
        link_may_appear.set()
        await _sign_in_address_shown(pilot, app)
        for _ in range(5):
            await pilot.pause()
        assert in_view(app, "#loopback-link")
        assert "Waiting for you to approve" in status(app, "connect-status")
        assert in_view(app, "#connect-status")
        await pilot.press("x")
        await settle(pilot)


async def test_step_9_keeps_its_opening_lines_and_tabs_with_the_checks_result_at_60x20() -> None:
    """When the checks finish on a small screen the result is in view, and so are the step's
    first line and the tab names: the user still sees what they are on."""
    profile = Profile(name="acme", current_step="troubleshoot")
    save_profile(profile)
    app = StepHost(profile, "troubleshoot")
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await _until(pilot, lambda: app.screen.report is not None, "the checks finished")
        for _ in range(5):
            await pilot.pause()
        assert status(app, "doctor-status").startswith("✗ Problems found")
        assert in_view(app, "#doctor-status")
        assert in_view(app, ".intro")
        assert in_view(app, "#trouble-tabs Tabs")


async def test_copy_in_a_browser_tab_shows_one_note_under_the_field_never_over_the_result(
    simulator: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Served in a browser, people press Ctrl+C over and over in the paste field to copy the
    sign-in address. One note says why nothing was copied, right under the field, however
    often, and no pop-up stacks over the step or covers its result."""
    monkeypatch.setattr(WizardApp, "is_web", property(lambda self: True))
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=SCREEN_SHARE) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert status(app, "connect-status").startswith("✓ Sign-in address ready")
        field = app.screen.query_one("#pasted-address", SecretInput)
        field.focus()
        for _ in range(3):
            await pilot.press("ctrl+c")
            await settle(pilot)
        notes = [str(note.render()) for note in app.screen.query(".not-copied-note")]
        assert len(notes) == 1 and notes[0].startswith("Not copied"), notes
        assert not app.screen.query("Toast")  # no pop-up stacked over the step or its result
        assert app.screen.can_view_partial(app.screen.query_one(".not-copied-note"))
        field.blur()
        await settle(pilot)
        assert not app.screen.query(".not-copied-note")


async def test_no_keyring_on_step_5_shows_both_recipes_as_commands_to_copy(
    simulator: SimulatorServer,
) -> None:
    """The ways forward keep their lines and indentation, each in a box whose text can be
    selected and copied as typed, and the refusal itself is in view."""
    keyring.set_keyring(fail.Keyring())
    app = demo_wizard(simulator)
    async with app.run_test(size=SCREEN_SHARE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status(app, "keys-status").startswith("✗ No usable keyring")
        assert in_view(app, "#keys-status")
        boxes = list(app.screen.query(".recipe").results(TextArea))
        assert [box.text for box in boxes] == [KEYRING_SESSION_RECIPE, ENCRYPTED_FILE_RECIPE]
        headings = list(app.screen.query(".recipe-heading").results(Label))
        assert len(headings) == 2
        for heading, box in zip(headings, boxes, strict=True):
            assert box.region.x > heading.region.x  # indented under its heading
            assert box.read_only
        assert "dbus-run-session" not in status(app, "keys-status")  # not run into the prose
