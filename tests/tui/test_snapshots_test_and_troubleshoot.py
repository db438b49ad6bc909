"""Snapshots of steps 8 and 9 in use, at fixed sizes (120×40 and 80×24).

Only what is the same on every run is pictured: the test's plan (the simulator's port, dates
and document numbers would change), the explainer with a pasted error, and the rehearsals.
Update after a deliberate change with `pytest <this file> --snapshot-update`.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from qbo_wizard.core.profile import Profile, save_profile
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screenshots import SAMPLE_ERROR, open_tab, settle
from qbo_wizard.tui.session import DemoInfo

from .conftest import StepHost
from .test_dollar_test_screen import mapped_us_profile

WIDE = (120, 40)
NARROW = (80, 24)


@pytest.mark.parametrize("size", [WIDE, NARROW])
def test_the_plan_of_the_test(simulator: SimulatorServer, size: Any, snap_compare: Any) -> None:
    app = StepHost(mapped_us_profile(simulator), "test")
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.fixture
def unconnected() -> Profile:
    profile = Profile(name="acme", current_step="troubleshoot")
    save_profile(profile)
    return profile


def test_an_explained_error(unconnected: Profile, snap_compare: Any) -> None:
    async def explain(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await open_tab(pilot, "tab-explain")
        pilot.app.screen.query_one("#error-text", TextArea).text = SAMPLE_ERROR
        await pilot.click("#explain")
        await settle(pilot)
        pilot.app.screen.set_focus(None)  # no cursor in the picture

    app = StepHost(unconnected, "troubleshoot")
    assert snap_compare(app, terminal_size=WIDE, run_before=explain)


@pytest.mark.parametrize("size", [WIDE, NARROW])
def test_the_rehearsals_offered_in_demo_mode(
    unconnected: Profile, size: Any, snap_compare: Any
) -> None:
    async def rehearse(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await open_tab(pilot, "tab-rehearse")
        pilot.app.screen.set_focus(None)

    demo = DemoInfo(home="(test)", simulator_url="http://127.0.0.1:9")
    app = StepHost(unconnected, "troubleshoot", demo=demo)
    assert snap_compare(app, terminal_size=size, run_before=rehearse)
