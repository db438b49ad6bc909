"""Walking the steps: next/back, jumps, checklist ticks that persist, quitting and resuming."""

from __future__ import annotations

import pytest
from textual.widgets import Button, ContentSwitcher, Static

from qbo_wizard.core.profile import Profile, load_profile
from qbo_wizard.core.step_content import LOOPBACK_REDIRECT_URI, PLAYGROUND_REDIRECT_URI
from qbo_wizard.core.steps import STEPS
from qbo_wizard.tui.screens.base import StepScreen
from qbo_wizard.tui.screenshots import settle
from qbo_wizard.tui.widgets.tick_box import TickBox

from .conftest import wizard


def banner(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one("#banner-title", Static).content)


async def test_first_run_walks_all_nine_steps_with_next_and_back() -> None:
    app = wizard()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for step in STEPS:
            assert banner(app) == f"Step {step.number} of 9 · {step.title}"
            assert isinstance(app.screen, StepScreen)
            await pilot.press("n")
            await settle(pilot)
        assert banner(app) == "Step 9 of 9 · Troubleshoot"  # Next does nothing on the last step
        assert app.screen.active_bindings.get("n") is None
        await pilot.press("b", "b")
        await settle(pilot)
        assert banner(app) == "Step 7 of 9 · Map your line items"
    profile = load_profile("acme")
    assert profile.current_step == "map"
    # Steps left with unticked items are flagged; placeholder steps are not marked done.
    assert profile.step_state("create-app") == "needs-attention"
    assert profile.step_state("questionnaire") == "not-started"  # optional with development keys
    assert profile.step_state("map") == "not-started"


async def test_back_is_not_offered_on_step_1() -> None:
    app = wizard()
    async with app.run_test() as pilot:
        await settle(pilot)
        keys = {b.binding.key for b in app.screen.active_bindings.values() if b.enabled}
        assert "b" not in keys
        assert {"n", "g", "q"} <= keys


async def test_number_keys_and_go_to_step_jump() -> None:
    app = wizard()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        assert banner(app) == "Step 7 of 9 · Map your line items"
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert banner(app) == "Step 4 of 9 · Production settings"
        await pilot.press("g", "escape")
        await settle(pilot)
        assert banner(app) == "Step 4 of 9 · Production settings"


async def test_ticks_persist_and_resume_after_quit() -> None:
    app = wizard()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        app.screen.query_one("#tick-sign-in", TickBox).focus()
        await pilot.press("space")
        await settle(pilot)
        # Saved at once, before leaving the step or quitting.
        assert load_profile("acme").checklists["create-app"] == ["sign-in"]
        assert "1 of 6 done" in str(app.screen.query_one("#checklist-progress").render())
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0

    again = wizard(load_profile("acme"))
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert banner(again) == "Step 2 of 9 · Create the Intuit app"
        assert again.screen.query_one("#tick-sign-in", TickBox).value is True
        assert again.screen.query_one("#tick-new-app", TickBox).value is False


async def test_ticking_everything_marks_the_step_done() -> None:
    app = wizard(Profile(name="acme", current_step="overview"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for box in app.screen.query(TickBox):
            box.focus()
            await pilot.press("space")
        await pilot.press("n")
        await settle(pilot)
        assert "✓1" in str(app.screen.query_one("#step-strip").render())
    assert load_profile("acme").step_state("overview") == "done"


async def test_key_set_choice_switches_the_explanation_and_is_saved() -> None:
    app = wizard()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        switcher = app.screen.query_one("#choice-details", ContentSwitcher)
        assert switcher.current == "about-development"
        await pilot.click("#choose-production")
        await settle(pilot)
        assert switcher.current == "about-production"
        assert "production keys" in str(app.screen.query_one("#banner-badges").render())
        await pilot.press("3")
        await settle(pilot)
        assert not app.screen.query(".callout.-note").filter(".skip")  # no skip note now
    assert load_profile("acme").key_set == "production"


async def test_production_steps_can_be_skipped_with_development_keys() -> None:
    app = wizard(Profile(name="acme", current_step="questionnaire"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [box.border_title for box in app.screen.query(".callout")]
        assert "ℹ Good to know: You can skip this step for now" in titles
        await pilot.press("n")
        await settle(pilot)
    assert load_profile("acme").step_state("questionnaire") == "not-started"


async def test_narrow_terminal_keeps_the_step_banner_and_a_step_strip() -> None:
    app = wizard(Profile(name="acme", current_step="connect"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert banner(app) == "Step 6 of 9 · Connect to QuickBooks"
        assert app.screen.query_one("#step-strip").display
        assert not app.screen.query_one("#step-list").display
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert app.screen.query_one("#step-list").display
        assert not app.screen.query_one("#step-strip").display


async def test_a_failed_save_is_said_on_screen_and_nothing_is_half_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qbo_wizard.core import profile_store

    def disk_full(profile: Profile) -> None:
        raise OSError(28, "No space left on device")

    app = wizard()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(profile_store, "save_profile", disk_full)
        app.screen.query_one("#tick-qbo-admin", TickBox).focus()
        await pilot.press("space")
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert "Your progress could not be saved: No space left on device" in messages


async def test_values_for_the_portal_are_copied_exactly() -> None:
    app = wizard(Profile(name="acme", current_step="create-app"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for item, value in (
            ("dev-redirect", LOOPBACK_REDIRECT_URI),
            ("playground-redirect", PLAYGROUND_REDIRECT_URI),
        ):
            app.screen.query_one(f"#item-{item} .copy-button", Button).focus()
            await pilot.press("enter")
            assert app.clipboard == value


async def test_links_open_locally_but_are_copied_over_ssh(no_browser: list[str]) -> None:
    local = wizard(Profile(name="acme", current_step="create-app"))
    async with local.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click("#item-sign-in .link-button")
        assert no_browser == ["https://developer.intuit.com/"]

    remote = wizard(Profile(name="acme", current_step="create-app"), over_ssh=True)
    async with remote.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        button = remote.screen.query_one("#item-sign-in .link-button", Button)
        assert str(button.label) == "Copy link"
        await pilot.click("#item-sign-in .link-button")
        assert remote.clipboard == "https://developer.intuit.com/"
    assert no_browser == ["https://developer.intuit.com/"]  # nothing more was opened


async def test_the_command_palette_offers_every_other_step() -> None:
    app = wizard()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Go to step 1 · Before you start" not in commands  # the step already open
        commands["Go to step 8 · Post a $1.00 test"].callback()
        await settle(pilot)
        assert banner(app) == "Step 8 of 9 · Post a $1.00 test"
