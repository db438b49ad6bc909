"""At 80×24 (the screen-share default) the result of every action is on screen without
scrolling: the status line the user waits for, and what it introduces.

The snapshots picture the results whose text is the same on every run; the other results are
checked by what the screen can see.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, TextArea

from qbo_wizard.core.profile import Profile, save_profile
from qbo_wizard.simulator.browser import ConsentingBrowser
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screenshots import SAMPLE_ERROR, open_tab, settle
from qbo_wizard.tui.session import DemoInfo
from qbo_wizard.tui.widgets.explained import ExplainedProblem

from .conftest import StepHost, demo_wizard
from .test_dollar_test_screen import mapped_us_profile, press, status

SCREEN_SHARE = (80, 24)


def in_view(app: Any, selector: str) -> bool:
    widget = app.screen.query_one(selector, Widget)
    return bool(app.screen.can_view_entire(widget))


def partly_in_view(app: Any, widget: Widget) -> bool:
    return bool(app.screen.can_view_partial(widget))


async def test_saved_keys_on_step_5_are_in_view(simulator: SimulatorServer) -> None:
    profile = Profile(
        name="acme",
        environment="simulator",
        simulator_url=simulator.url,
        current_step="credentials",
    )
    app = demo_wizard(simulator, profile)
    async with app.run_test(size=SCREEN_SHARE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status(app, "keys-status").startswith("✓")
        assert in_view(app, "#keys-status")


async def test_connected_on_step_6_is_in_view(
    simulator: SimulatorServer, browser: ConsentingBrowser
) -> None:
    profile = Profile(
        name="acme",
        environment="simulator",
        simulator_url=simulator.url,
        current_step="credentials",
    )
    app = demo_wizard(simulator, profile)
    async with app.run_test(size=SCREEN_SHARE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("n", "o")
        await settle(pilot)
        assert status(app, "connect-status").startswith("✓ Connected to")
        assert in_view(app, "#connect-status")


async def test_the_test_result_on_step_8_is_in_view(simulator: SimulatorServer) -> None:
    app = demo_wizard(simulator, mapped_us_profile(simulator))
    async with app.run_test(size=SCREEN_SHARE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert status(app, "test-status").startswith("✓ Passed")
        assert status(app, "plan-status") == ""  # no stale "Ready… press Run the test" above
        assert in_view(app, "#test-status")
        assert partly_in_view(app, app.screen.query_one("#document-invoice"))


@pytest.fixture
def unconnected() -> Profile:
    profile = Profile(name="acme", current_step="troubleshoot")
    save_profile(profile)
    return profile


async def explain_sample(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await open_tab(pilot, "tab-explain")
    pilot.app.screen.query_one("#error-text", TextArea).text = SAMPLE_ERROR
    await press(pilot, "#explain")
    pilot.app.screen.set_focus(None)  # no cursor in the picture


async def rehearse_password_change(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await open_tab(pilot, "tab-rehearse")
    await press(pilot, "#scenario-password-change")
    pilot.app.screen.set_focus(None)


async def test_an_explanation_on_step_9_is_in_view(unconnected: Profile) -> None:
    app = StepHost(unconnected, "troubleshoot")
    async with app.run_test(size=SCREEN_SHARE) as pilot:
        await explain_sample(pilot)
        assert status(app, "explain-status").startswith("✓")
        assert in_view(app, "#explain-status")
        assert partly_in_view(app, app.screen.query_one(ExplainedProblem))


async def test_the_support_bundle_and_its_saving_on_step_9_are_in_view(
    unconnected: Profile, tmp_path: Path
) -> None:
    app = StepHost(unconnected, "troubleshoot")
    async with app.run_test(size=SCREEN_SHARE) as pilot:
        await settle(pilot)
        await open_tab(pilot, "tab-bundle")
        await press(pilot, "#make-bundle")
        assert in_view(app, "#bundle-status")
        assert partly_in_view(app, app.screen.query_one("#bundle-text"))
        app.screen.query_one("#bundle-path", Input).value = str(tmp_path / "bundle.txt")
        await press(pilot, "#save-bundle")
        assert status(app, "bundle-status").startswith("✓")
        assert "bundle.txt" in status(app, "bundle-status")
        assert in_view(app, "#bundle-status")


async def test_a_rehearsal_confirmation_on_step_9_is_in_view(
    simulator: SimulatorServer, unconnected: Profile
) -> None:
    demo = DemoInfo(home="(test)", simulator_url=simulator.url)
    app = StepHost(unconnected, "troubleshoot", demo=demo)
    async with app.run_test(size=SCREEN_SHARE) as pilot:
        await rehearse_password_change(pilot)
        assert status(app, "scenario-status").startswith("✓")
        assert in_view(app, "#scenario-status")


def test_snapshot_an_explanation_at_80x24(unconnected: Profile, snap_compare: Any) -> None:
    app = StepHost(unconnected, "troubleshoot")
    assert snap_compare(app, terminal_size=SCREEN_SHARE, run_before=explain_sample)


def test_snapshot_a_rehearsal_confirmed_at_80x24(
    simulator: SimulatorServer, unconnected: Profile, snap_compare: Any
) -> None:
    demo = DemoInfo(home="(test)", simulator_url=simulator.url)
    app = StepHost(unconnected, "troubleshoot", demo=demo)
    assert snap_compare(app, terminal_size=SCREEN_SHARE, run_before=rehearse_password_change)
