"""Re-runs of a configured profile: the status home and the ways back to green."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Static

from qbo_wizard.core.connection.keyring_entries import CLIENT_ID
from qbo_wizard.core.connection.vault import Vault
from qbo_wizard.core.profile import MAPPING_FILE, load_profile
from qbo_wizard.core.progress import journey
from qbo_wizard.simulator.companies import UK_REALM, US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.app import WizardApp
from qbo_wizard.tui.screens.confirm import ConfirmScreen
from qbo_wizard.tui.screens.status_home import StatusHomeScreen, StatusRow
from qbo_wizard.tui.screenshots import settle
from qbo_wizard.tui.widgets.secret_input import SecretInput
from qbo_wizard.tui.widgets.status_line import StatusLine
from tests.connected import connected_profile, save_suggested_mapping

from .conftest import demo_wizard


def row(app: Any, area: str) -> str:
    return app.screen.query_one(f"#status-{area}", StatusRow).render_text()


def banner(app: Any) -> str:
    return str(app.screen.query_one("#banner-title", Static).render())


async def paste_tokens(pilot: Any, app: Any, sim: SimulatorServer, realm_id: str) -> None:
    await pilot.click("#use-paste-tokens")
    app.screen.query_one("#refresh-token", SecretInput).value = sim.mint_tokens(realm_id)[
        "refresh_token"
    ]
    app.screen.query_one("#realm-id", Input).value = realm_id
    await pilot.click("#finish-paste-tokens")
    await settle(pilot)


async def test_configured_profile_opens_on_a_green_status_home(simulator: SimulatorServer) -> None:
    connected_profile(simulator, current_step="map")
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StatusHomeScreen)
        assert row(app, "connection").startswith("✓ Connection")
        assert f"(realm {US_REALM}) answered just now" in row(app, "connection")
        assert row(app, "mapping").startswith("✗ Mapping")
        await pilot.press("s")  # all steps: back where the user left off
        await settle(pilot)
        assert banner(app) == "Step 7 of 9 · Map your line items"


async def test_presenter_mode_shortens_realm_ids_and_refuses_reveal(
    simulator: SimulatorServer,
) -> None:
    connected_profile(simulator)
    app = demo_wizard(simulator, load_profile("acme"), presenter=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert f"(realm …{US_REALM[-4:]})" in row(app, "connection")
        assert US_REALM not in app.export_screenshot()
        assert app.has_class("-presenter")
        await pilot.press("s", "5")
        await settle(pilot)
        field = app.screen.query_one("#client-id", SecretInput)
        field.focus()
        await pilot.press("f2")
        assert field.password is True
        assert "f2" not in app.screen.active_bindings


async def test_reveal_shows_a_secret_briefly_outside_presenter_mode(
    simulator: SimulatorServer,
) -> None:
    app = demo_wizard(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#client-secret", SecretInput)
        field.focus()
        await pilot.press("f2")
        assert field.password is False
        assert field.reveal_timer is not None
        await pilot.press("shift+tab")  # leaving the field hides it at once
        assert field.password is True


async def test_reconnect_after_a_password_change_keeps_keys_and_mapping(
    simulator: SimulatorServer,
) -> None:
    profile = connected_profile(simulator)
    (profile.folder / MAPPING_FILE).write_text("lines: {}\n")
    simulator.control("scenario", name="password-change", realm_id=US_REALM)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert row(app, "connection").startswith("✗ Connection")
        assert "reconnect" in row(app, "connection")
        await pilot.press("r")
        await settle(pilot)
        assert banner(app) == "Step 6 of 9 · Connect to QuickBooks"
        assert "pick the same company" in str(app.screen.query_one("#reconnect-note").render())
        await paste_tokens(pilot, app, simulator, US_REALM)
        await pilot.press("n")  # the reconnect path is complete: back to the status home
        await settle(pilot)
        assert isinstance(app.screen, StatusHomeScreen)
        assert row(app, "connection").startswith("✓ Connection")
    saved = load_profile("acme")
    assert journey(saved) == "setup"
    assert (saved.folder / MAPPING_FILE).read_text() == "lines: {}\n"
    assert Vault("acme").get(CLIENT_ID) is not None


async def test_reconnecting_to_another_company_asks_first(simulator: SimulatorServer) -> None:
    connected_profile(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await paste_tokens(pilot, app, simulator, UK_REALM)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep the old company
        await settle(pilot)
        status = str(app.screen.query_one("#connect-status", StatusLine).render())
        assert status == "✗ Nothing was saved; the connection stays as it was."
    assert load_profile("acme").realm_id == US_REALM


async def test_deleted_creator_path_disconnects_and_restarts_at_step_2(
    simulator: SimulatorServer,
) -> None:
    profile = connected_profile(simulator)
    profile.checklists["create-app"] = ["sign-in", "new-app"]
    (profile.folder / MAPPING_FILE).write_text("lines: {}\n")
    app = demo_wizard(simulator, profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert banner(app) == "Step 2 of 9 · Create the Intuit app"
        assert "Disconnected the app" in " ".join(str(n.message) for n in app._notifications)
    saved = load_profile("acme")
    assert journey(saved) == "new-app"
    assert "create-app" not in saved.checklists
    assert saved.step_state("credentials") == "needs-attention"
    assert Vault("acme").get(CLIENT_ID) is None
    assert (saved.folder / MAPPING_FILE).exists()


async def test_served_in_a_browser_starts_in_presenter_mode_with_paste_back(
    simulator: SimulatorServer, monkeypatch: Any
) -> None:
    monkeypatch.setattr(WizardApp, "is_web", property(lambda self: True))
    connected_profile(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.session.presenter
        assert f"(realm …{US_REALM[-4:]})" in row(app, "connection")
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.query_one("#use-paste-url").value is True
        assert app.screen.query_one("#use-loopback").disabled


async def test_a_mapping_broken_in_quickbooks_is_red_with_the_fix(
    simulator: SimulatorServer,
) -> None:
    connected_profile(simulator)
    account = save_suggested_mapping().lines["carrier-linehaul"].target
    assert account is not None
    simulator.control("set_account_active", realm_id=US_REALM, account_id=account.id, active=False)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        mapping = row(app, "mapping")
        assert mapping.startswith("✗ Mapping")
        assert f"Carrier linehaul: '{account.name}' is inactive" in mapping
        assert "Make it active in QuickBooks" in mapping and mapping.endswith("→ step 7")
