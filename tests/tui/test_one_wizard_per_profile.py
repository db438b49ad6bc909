"""A second wizard on a profile shows who has it and its status, read-only; the wizard that has
it open never undoes what a command wrote to the profile meanwhile."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from qbo_wizard.core.profile import Profile, load_profile, save_profile
from qbo_wizard.core.wizard_lock import WizardHolder, WizardLock
from qbo_wizard.tui.screens.status_home import StatusRow
from qbo_wizard.tui.screenshots import settle

from .conftest import wizard


async def test_a_second_wizard_is_told_who_has_the_profile_and_changes_nothing() -> None:
    save_profile(Profile(name="acme", current_step="production-settings"))
    before = load_profile("acme").path.read_bytes()
    first = WizardLock("acme", "browser")
    assert first.acquire() is None
    try:
        holder = WizardLock("acme", "terminal").acquire()
        assert holder is not None
        app = wizard(load_profile("acme"), busy=holder)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            who = str(app.screen.query_one("#busy-who", Static).render())
            assert who.startswith("Profile acme is open in another wizard.")
            assert "a browser tab served by qbo-wizard serve" in who and " since " in who
            rows = [row.render_text() for row in app.screen.query(StatusRow)]
            assert len(rows) == 5 and not any("Checking…" in row for row in rows)
            offered = {key for key, b in app.screen.active_bindings.items() if b.enabled}
            assert "n" not in offered  # no step keys: nothing to change here
            await pilot.press("q")
            await settle(pilot)
        assert app.return_code == 0
    finally:
        first.release()
    assert load_profile("acme").path.read_bytes() == before  # not even re-saved


async def test_the_open_wizard_keeps_what_a_command_saved_meanwhile() -> None:
    save_profile(Profile(name="acme", current_step="production-settings"))
    app = wizard(load_profile("acme"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # Meanwhile, in another terminal, a command changes the profile.
        by_command = load_profile("acme")
        by_command.company_name = "Acme Freight"
        by_command.checklists = {**by_command.checklists, "overview": ["admin-login"]}
        save_profile(by_command)
        await pilot.press("n")
        await settle(pilot)
        assert "Step 5 of 9" in str(app.screen.query_one("#banner-title").render())
        # The wizard's own copy took the command's change in, so later saves keep it too.
        assert app.session.profile.company_name == "Acme Freight"
        await pilot.press("ctrl+q")
        await settle(pilot)
    saved = load_profile("acme")
    assert saved.current_step == "credentials"
    assert saved.company_name == "Acme Freight"
    assert saved.checklists["overview"] == ["admin-login"]


def test_the_read_only_view_at_screen_share_size(snap_compare: Any) -> None:
    profile = Profile(name="acme", current_step="connect", company_name="Acme Freight")
    holder = WizardHolder("browser", None, 4242, "office-pc")  # no time: a stable picture
    app = wizard(profile, busy=holder)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)
