"""Demo mode end to end: all nine steps on the practice QuickBooks, and the ways back to green
that support rehearses (a password change, an unreachable QuickBooks), each said on screen."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Button

from qbo_wizard.core.connection.keyring_entries import TOKENS_ENTRY
from qbo_wizard.core.connection.vault import Vault
from qbo_wizard.core.profile import MAPPING_FILE, Profile, load_profile
from qbo_wizard.simulator.browser import ConsentingBrowser
from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screens.handoff import HandoffScreen
from qbo_wizard.tui.screens.status_home import StatusHomeScreen, StatusRow
from qbo_wizard.tui.screens.troubleshoot import CheckRow
from qbo_wizard.tui.screenshots import leaked, settle
from qbo_wizard.tui.widgets.secret_input import SecretInput
from qbo_wizard.tui.widgets.tick_box import TickBox

from .conftest import demo_wizard
from .test_dollar_test_screen import mapped_us_profile, press, shown, status

US_COMPANY = "Bluewater Freight Brokers LLC"


def banner(app: Any) -> str:
    return str(app.screen.query_one("#banner-title").render())


def home_row(app: Any, area: str) -> str:
    return app.screen.query_one(f"#status-{area}", StatusRow).render_text()


def secrets_in_use(sim: SimulatorServer) -> list[str]:
    """The demo's keys and every token the keyring holds right now."""
    keys = sim.info["keys"]["development"]
    stored = json.loads(Vault("acme").get(TOKENS_ENTRY) or "{}")
    tokens = [value for value in stored.values() if isinstance(value, str) and len(value) > 20]
    return [keys["client_id"], keys["client_secret"], *tokens]


async def test_the_demo_walks_all_nine_steps_end_to_end(
    simulator: SimulatorServer, browser: ConsentingBrowser
) -> None:
    app = demo_wizard(
        simulator, Profile(name="acme", environment="simulator", simulator_url=simulator.url)
    )
    shots: dict[str, str] = {}
    secrets: set[str] = set()
    async with app.run_test(size=(120, 40)) as pilot:

        def shoot(name: str) -> None:
            shots[name] = app.export_screenshot()
            secrets.update(secrets_in_use(simulator))

        await settle(pilot)
        for number in range(1, 5):  # steps 1–4: tick every item of the guidance
            assert banner(app).startswith(f"Step {number} of 9")
            for box in app.screen.query(TickBox):
                box.focus()
                await pilot.press("space")
            await settle(pilot)
            shoot(f"step-{number}")
            await pilot.press("n")
            await settle(pilot)
        # Step 5: the practice app's keys are filled in for a newcomer.
        keys = app.session.demo.practice_keys("development")  # type: ignore[union-attr]
        assert app.screen.query_one("#client-secret", SecretInput).value == keys["client_secret"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        shoot("step-5")
        # Step 6: sign in; the consenting browser approves the practice company.
        await pilot.press("n", "o")
        await settle(pilot)
        assert status(app, "connect-status").startswith(f"✓ Connected to {US_COMPANY}")
        shoot("step-6")
        await pilot.press("n")
        await settle(pilot)
        assert banner(app) == "Step 7 of 9 · Map your line items"
        # Step 7: pick the freight integration, accept every suggestion (creating the Service
        # items it proposes), save.
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        shoot("step-7")
        await pilot.press("n")
        await settle(pilot)
        # Step 8: the $1.00 invoice and bill are posted, then voided and deleted.
        assert banner(app) == "Step 8 of 9 · Post a $1.00 test"
        await pilot.press("r")
        await settle(pilot)
        assert status(app, "test-status").startswith("✓ Passed")
        assert "voided" in shown(app, "#document-invoice")
        assert "deleted" in shown(app, "#document-bill")
        shoot("step-8")
        # The rehearsal's hosted integration receives its connection, sealed to the practice
        # vendor, and the demo opens it again to show what the vendor receives.
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, HandoffScreen)
        await pilot.click("#as-text")
        app.screen.query_one("#handoff-seal", Button).press()
        await settle(pilot)
        app.screen.query_one("#handoff-open-again", Button).press()
        await settle(pilot)
        assert "refresh_token: ••••" in str(app.screen.query_one("#handoff-opened").render())
        shoot("handoff")
        app.screen.query_one("#handoff-finish", Button).press()
        await settle(pilot)
        # Step 9: the health checks are green, and say who holds the connection now.
        assert status(app, "doctor-status").startswith("✓ Healthy:")
        handoff_row = app.screen.query_one("#check-handoff", CheckRow).result
        assert handoff_row.why.startswith("Handed to Practice TMS (demo) on ")
        assert all(row.result.verdict in ("ok", "skipped") for row in app.screen.query(CheckRow))
        shoot("step-9")
        await pilot.press("s")  # a connected profile now has an all-green status home
        await settle(pilot)
        assert isinstance(app.screen, StatusHomeScreen)
        for area in ("credentials", "connection", "token-expiry", "mapping", "last-test"):
            assert home_row(app, area).startswith("✓"), home_row(app, area)
        shoot("status-home")
    profile = load_profile("acme")
    steps = ("overview", "credentials", "connect", "map", "test")
    assert [profile.step_state(step) for step in steps] == ["done"] * 5
    assert profile.last_test["ok"] is True
    assert leaked(shots, sorted(secrets)) == []


async def test_a_rehearsed_password_change_is_fixed_by_reconnecting_and_keeps_the_mapping(
    simulator: SimulatorServer, browser: ConsentingBrowser
) -> None:
    profile = mapped_us_profile(simulator)
    mapping = (profile.folder / MAPPING_FILE).read_text()
    app = demo_wizard(simulator, profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert home_row(app, "connection").startswith("✓ Connection")
        await pilot.press("h")  # troubleshoot: rehearse the password change
        await settle(pilot)
        await press(pilot, "#scenario-password-change")
        await pilot.press("s")
        await settle(pilot)
        connection = home_row(app, "connection")
        assert connection.startswith("✗ Connection")
        assert f"no longer accepts the connection to {US_COMPANY}" in connection
        await pilot.press("r")
        await settle(pilot)
        assert banner(app) == "Step 6 of 9 · Connect to QuickBooks"
        assert "pick the same company" in str(app.screen.query_one("#reconnect-note").render())
        await pilot.click("#use-loopback")
        await pilot.press("o")  # the browser signs in again to the same company
        await settle(pilot)
        assert status(app, "connect-status").startswith(f"✓ Connected to {US_COMPANY}")
        await pilot.press("n")  # the way back is complete: the status home, green again
        await settle(pilot)
        assert isinstance(app.screen, StatusHomeScreen)
        assert home_row(app, "connection").startswith("✓ Connection")
        assert home_row(app, "mapping").startswith("✓ Mapping")
    saved = load_profile("acme")
    assert saved.realm_id == US_REALM
    assert (saved.folder / MAPPING_FILE).read_text() == mapping


async def test_an_unreachable_practice_quickbooks_is_said_on_the_status_home_and_in_step_9(
    simulator: SimulatorServer,
) -> None:
    app = demo_wizard(simulator, mapped_us_profile(simulator))
    simulator.stop()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        connection = home_row(app, "connection")
        assert connection.startswith("? Connection  Could not reach the practice QuickBooks")
        assert "→ step 9" in connection
        await pilot.press("h")
        await settle(pilot)
        company = app.screen.query_one("#check-company", CheckRow).render_text()
        assert company.startswith("✗ Company answers  Could not reach the practice QuickBooks")
