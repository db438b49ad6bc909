"""Narrow terminals (80 and 60 columns): the "Go to step" list, wrapped messages, and a
banner that keeps the key set in view."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Label

from qbo_wizard.core.profile import Profile
from qbo_wizard.core.steps import STEPS
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screens.go_to_step import GoToStepScreen
from qbo_wizard.tui.screenshots import settle, visible_text
from qbo_wizard.tui.widgets.secret_input import SecretInput
from qbo_wizard.tui.widgets.step_nav import StepOptions

from .conftest import demo_wizard
from .test_dollar_test_screen import mapped_us_profile


def fully_wrapped(app: Any, label: Label, words: str) -> None:
    """The label says `words` in full, wrapped within the screen's width."""
    assert words in str(label.render())
    assert label.region.right <= app.size.width
    assert label.region.height >= 2
    assert label.region.height == label.virtual_region.height


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (99, 30)])
async def test_go_to_step_lists_every_step_on_narrow_terminals(
    simulator: SimulatorServer, size: tuple[int, int]
) -> None:
    app = demo_wizard(simulator)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, GoToStepScreen)
        options = app.screen.query_one(StepOptions)
        assert options.is_shown()
        assert options.region.height >= len(STEPS)
        shown = visible_text(app.export_screenshot())
        assert all(step.title in shown for step in STEPS)
        await pilot.press("down", "down", "enter")  # choose step 7 (from step 5) in the list
        await settle(pilot)
        assert app.screen.id == "step-map"


@pytest.mark.parametrize("number", [step.number for step in STEPS])
async def test_the_banner_keeps_the_key_set_at_80_and_60_columns(
    simulator: SimulatorServer, number: int
) -> None:
    app = demo_wizard(simulator)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(str(number))
        await settle(pilot)
        badges = str(app.screen.query_one("#banner-badges").render())
        assert badges == "DEMO · profile acme · development keys"
        title = str(app.screen.query_one("#banner-title").render())
        assert app.screen.query_one("#banner-badges").region.width >= len(badges), title
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        badges = str(app.screen.query_one("#banner-badges").render())
        assert badges == "DEMO · acme · dev keys"


async def test_the_reconnect_note_wraps_at_80_columns(simulator: SimulatorServer) -> None:
    app = demo_wizard(simulator, mapped_us_profile(simulator))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        note = app.screen.query_one("#reconnect-note", Label)
        fully_wrapped(app, note, "sign in as an admin and pick the same company")


async def test_a_long_problem_under_the_paste_field_wraps_at_80_columns(
    simulator: SimulatorServer,
) -> None:
    profile = Profile(
        name="acme",
        environment="simulator",
        simulator_url=simulator.url,
        current_step="credentials",
    )
    app = demo_wizard(simulator, profile, over_ssh=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("n", "o")
        await settle(pilot)
        field = app.screen.query_one("#pasted-address", SecretInput)
        field.focus()
        field.value = "https://developer.intuit.com/?code=abc&state=not-this-one&realmId=1"
        await pilot.press("enter")
        await settle(pilot)
        problem = app.screen.query_one("#pasted-address-problem", Label)
        said = str(problem.render())
        assert "state" in said
        fully_wrapped(app, problem, said)


async def test_step_9_tab_names_and_footer_fit_at_60_columns(simulator: SimulatorServer) -> None:
    app = demo_wizard(simulator)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        app.screen.query_one("#step-content").scroll_home(animate=False)
        await settle(pilot)
        shown = visible_text(app.export_screenshot())
        for name in ("Health", "Explain an error", "Support bundle", "Rehearse"):
            assert name in shown, name
        for hint in ("Back", "Go to step", "Quit", "Check again", "Explain"):
            assert hint in shown, hint
