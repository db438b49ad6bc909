"""Helpers for driving the wizard headlessly."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from textual.pilot import Pilot

from qbo_wizard.core.profile import Profile, save_profile
from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.app import WizardApp
from qbo_wizard.tui.session import DemoInfo
from tests.simulator.helpers import consent


async def settle(pilot: Pilot[Any]) -> None:
    """Let screens mount and every background job (saves, status checks) finish.

    The orchestrating "wizard" worker runs until the user quits, so it is not waited for.
    """
    await pilot.pause()
    for worker in list(pilot.app.workers):
        if worker.group != "wizard":
            await worker.wait()
    await pilot.pause()


def wizard(profile: Profile | None = None, **options: Any) -> WizardApp:
    """A wizard on `profile` (a fresh one by default) that behaves like a local terminal."""
    options.setdefault("over_ssh", False)
    return WizardApp(profile or Profile(name="acme"), **options)


def configured_profile(name: str = "acme") -> Profile:
    """A saved profile that was connected once, so the wizard opens on the status home."""
    profile = Profile(
        name=name,
        client_id_hint="ABcd…wxYZ",
        realm_id="9130354981234",
        company_name="Ridgeline Freight LLC",
        connected_at="2026-02-01T10:00:00+00:00",
        refresh_token_expires_at="2099-05-01T10:00:00+00:00",
        current_step="test",
    )
    for step_id in ("overview", "create-app", "credentials", "connect"):
        profile.step_states[step_id] = "done"
    save_profile(profile)
    return profile


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


class FakeBrowser:
    """Stands in for the user's browser: approves Intuit's (simulated) consent page.

    Opening the consent URL picks `realm_id` and presses Connect, then follows the redirect to
    wherever it points (the wizard's loopback listener), like a real browser would.
    """

    def __init__(self, sim: SimulatorServer, realm_id: str) -> None:
        self.sim = sim
        self.realm_id = realm_id
        self.opened: list[str] = []
        self.landed_on: list[str] = []
        self._threads: list[threading.Thread] = []

    def approve(self, url: str) -> str:
        """Consent and return the address the browser lands on (without following it)."""
        answer = consent(self.sim, url, self.realm_id)
        assert answer.status_code == 302, answer.text
        return str(answer.headers["Location"])

    def open(self, url: str) -> None:
        self.opened.append(url)
        if not url.startswith(self.sim.url):
            return

        def visit() -> None:
            location = self.approve(url)
            self.landed_on.append(location)
            requests.get(location, timeout=10)

        thread = threading.Thread(target=visit, daemon=True)
        self._threads.append(thread)
        thread.start()


@pytest.fixture
def browser(simulator: SimulatorServer, monkeypatch: pytest.MonkeyPatch) -> FakeBrowser:
    """A browser that approves the consent page for the US sandbox company."""
    fake = FakeBrowser(simulator, US_REALM)
    monkeypatch.setattr(WizardApp, "open_url", lambda self, url, **_: fake.open(url))
    return fake
