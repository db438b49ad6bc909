"""Helpers for driving the wizard headlessly."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App

from qbo_wizard.core.profile import Profile
from qbo_wizard.core.steps import StepId
from qbo_wizard.simulator.browser import ConsentingBrowser
from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.app import WizardApp
from qbo_wizard.tui.launch import practice_prefill
from qbo_wizard.tui.outcomes import StepOutcome
from qbo_wizard.tui.screens import step_screen
from qbo_wizard.tui.session import DemoInfo, ProfileWriter, WizardSession


def wizard(profile: Profile | None = None, **options: Any) -> WizardApp:
    """A wizard on `profile` (a fresh one by default) that behaves like a local terminal."""
    options.setdefault("over_ssh", False)
    return WizardApp(profile or Profile(name="acme"), **options)


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the URLs the wizard asks to open instead of starting a real browser."""
    opened: list[str] = []
    monkeypatch.setattr(WizardApp, "open_url", lambda self, url, **_: opened.append(url))
    return opened


def demo_wizard(sim: SimulatorServer, profile: Profile | None = None, **options: Any) -> WizardApp:
    """The wizard as demo mode opens it: simulator profile, demo keys ready to be entered."""
    demo = demo_info(sim)
    profile = profile or Profile(
        name="acme", environment="simulator", simulator_url=sim.url, current_step="credentials"
    )
    return wizard(profile, demo=demo, **options)


@pytest.fixture
def browser(simulator: SimulatorServer, monkeypatch: pytest.MonkeyPatch) -> ConsentingBrowser:
    """A browser that approves the consent page for the US sandbox company."""
    fake = ConsentingBrowser(US_REALM, only_under=simulator.url)
    monkeypatch.setattr(WizardApp, "open_url", lambda self, url, **_: fake.open(url))
    return fake


class StepHost(App[None]):
    """A bare app that shows one step screen and records what it dismisses with."""

    CSS_PATH = WizardApp.CSS_PATH
    HORIZONTAL_BREAKPOINTS = WizardApp.HORIZONTAL_BREAKPOINTS

    def __init__(
        self,
        profile: Profile,
        step_id: StepId,
        *,
        demo: DemoInfo | None = None,
        presenter: bool = False,
    ) -> None:
        super().__init__()
        self.session = WizardSession(
            profile=profile, writer=ProfileWriter(self), demo=demo, presenter=presenter
        )
        self.step_id: StepId = step_id
        self.outcomes: list[StepOutcome | None] = []
        self.opened: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(step_screen(self.step_id, self.session), self.outcomes.append)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Record the page instead of starting a browser."""
        self.opened.append(url)


def demo_info(sim: SimulatorServer) -> DemoInfo:
    return DemoInfo(
        home="(test)", simulator_url=sim.url, prefill=practice_prefill(sim.info["keys"])
    )
