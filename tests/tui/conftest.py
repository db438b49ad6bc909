"""Helpers for driving the wizard headlessly."""

from __future__ import annotations

from typing import Any

import pytest

from qbo_wizard.core.profile import Profile
from qbo_wizard.simulator.browser import ConsentingBrowser
from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.app import WizardApp
from qbo_wizard.tui.session import DemoInfo


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
    keys = sim.info["keys"]["development"]
    demo = DemoInfo(
        home="(test)",
        simulator_url=sim.url,
        prefill={"client_id": keys["client_id"], "client_secret": keys["client_secret"]},
    )
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
