"""Steps 5 and 6 against the practice QuickBooks: keys, the three ways to connect, and failures
that must be explained on screen."""

from __future__ import annotations

import html
import threading
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from textual.widgets import Input, Label

from qbo_wizard.core.connection.keyring_entries import CLIENT_SECRET
from qbo_wizard.core.connection.vault import Vault
from qbo_wizard.core.profile import Profile, load_profile
from qbo_wizard.simulator.browser import ConsentingBrowser, approve
from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.app import WizardApp
from qbo_wizard.tui.screenshots import leaked, settle
from qbo_wizard.tui.widgets.secret_input import SecretInput
from qbo_wizard.tui.widgets.status_line import StatusLine
from tests.connected import store_demo_keys

from .conftest import StepHost, demo_wizard

US_COMPANY = "Bluewater Freight Brokers LLC"
SECRET_CANARY = "CanarySecret0000000000000000000000000000"


def status_text(app: Any, status_id: str) -> str:
    return str(app.screen.query_one(f"#{status_id}", StatusLine).render())


async def test_demo_keys_are_checked_with_intuit_and_kept_only_in_the_keyring(
    simulator: SimulatorServer,
) -> None:
    app = demo_wizard(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        svg = app.export_screenshot()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status_text(app, "keys-status").startswith("✓ Intuit accepted the keys")
        assert all(field.value == "" for field in app.screen.query(SecretInput))
    secret = simulator.info["keys"]["development"]["client_secret"]
    assert Vault("acme").get(CLIENT_SECRET) == secret
    profile = load_profile("acme")
    assert profile.step_state("credentials") == "done"
    assert secret not in profile.path.read_text()
    assert secret not in svg  # the prefilled secret was masked on screen


async def test_wrong_secret_is_refused_and_nothing_is_stored(simulator: SimulatorServer) -> None:
    app = demo_wizard(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#client-secret", SecretInput).value = SECRET_CANARY
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = status_text(app, "keys-status")
        assert shown.startswith("✗ Intuit did not accept this client ID and secret")
        assert SECRET_CANARY not in shown
        assert SECRET_CANARY not in app.export_screenshot()
    assert Vault("acme").get(CLIENT_SECRET) is None


async def test_a_shape_problem_is_shown_next_to_its_field(simulator: SimulatorServer) -> None:
    app = demo_wizard(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#client-id", SecretInput).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        problem = str(app.screen.query_one("#client-id-problem", Label).render())
        assert problem.startswith("Nothing was entered for the client ID")
        assert app.screen.query_one("#client-id", SecretInput).has_class("-invalid")


async def test_an_unreachable_simulator_is_explained(simulator: SimulatorServer) -> None:
    app = demo_wizard(simulator)
    simulator.stop()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status_text(app, "keys-status").startswith(
            "✗ Could not reach the practice QuickBooks"
        )


async def test_loopback_sign_in_connects_and_moves_on(
    simulator: SimulatorServer, browser: ConsentingBrowser
) -> None:
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert browser.opened and browser.landed_on[0].startswith("http://localhost:")
        shown = status_text(app, "connect-status")
        assert shown == f"✓ Connected to {US_COMPANY} (realm …{US_REALM[-4:]})."
        await pilot.press("n")
        await settle(pilot)
        assert "Step 7 of 9" in str(app.screen.query_one("#banner-title").render())
    profile = load_profile("acme")
    assert profile.realm_id == US_REALM
    assert profile.step_state("connect") == "done"


async def _paste_url_pane(pilot: Any, app: Any) -> str:
    await pilot.press("6")
    await settle(pilot)
    await pilot.click("#use-paste-url")
    await pilot.press("o")
    await settle(pilot)
    authorization = app.screen.authorization
    assert authorization is not None
    return str(authorization.url)


async def test_pasted_address_with_the_wrong_state_is_refused(
    simulator: SimulatorServer, browser: ConsentingBrowser
) -> None:
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        landed = approve(await _paste_url_pane(pilot, app), US_REALM)
        client_id = simulator.info["keys"]["development"]["client_id"]
        assert leaked({"step 6": app.export_screenshot()}, [client_id]) == []
        parts = urlsplit(landed)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        forged = parts._replace(query=urlencode({**query, "state": "someone-elses"})).geturl()
        field = app.screen.query_one("#pasted-address", SecretInput)
        field.focus()  # demo mode leaves the focus on the approve key; the user clicks in
        field.value = forged
        await pilot.press("enter")
        await settle(pilot)
        problem = str(app.screen.query_one("#pasted-address-problem", Label).render())
        assert "state" in problem.lower()
        assert status_text(app, "connect-status").startswith("✗")
        assert load_profile("acme").realm_id is None  # nothing saved

        # An error Intuit sent back is quoted as it came, never read as markup.
        errored = {"state": query["state"], "error": "invalid[/]scope"}
        field.value = parts._replace(query=urlencode(errored)).geturl()
        await pilot.press("enter")
        await settle(pilot)
        problem = str(app.screen.query_one("#pasted-address-problem", Label).render())
        assert "instead of a sign-in code: one the wizard does not recognise." in problem

        field.value = landed
        await pilot.press("enter")
        await settle(pilot)
        assert status_text(app, "connect-status").startswith(f"✓ Connected to {US_COMPANY}")


async def test_tokens_from_the_playground_connect(simulator: SimulatorServer) -> None:
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    token = simulator.mint_tokens(US_REALM)["refresh_token"]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        await pilot.click("#use-paste-tokens")
        app.screen.query_one("#refresh-token", SecretInput).value = token
        app.screen.query_one("#realm-id", Input).value = US_REALM
        await pilot.click("#finish-paste-tokens")
        await settle(pilot)
        assert status_text(app, "connect-status").startswith(f"✓ Connected to {US_COMPANY}")
        assert token not in app.export_screenshot()
    assert load_profile("acme").connect_method == "paste-tokens"


async def test_step_keys_type_into_a_field_and_escape_gives_them_back(
    simulator: SimulatorServer,
) -> None:
    app = demo_wizard(simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#client-id", SecretInput)
        field.value = ""
        field.focus()
        await pilot.press("n", "b")
        assert field.value == "nb"
        offered = {key for key, active in app.screen.active_bindings.items() if active.enabled}
        assert "n" not in offered and "escape" in offered
        await pilot.press("escape", "n")
        await settle(pilot)
        assert "Step 6 of 9" in str(app.screen.query_one("#banner-title").render())


async def _sign_in_address_shown(pilot: Any, app: Any) -> None:
    """Wait (by processing messages, never by time) until the sign-in address is on screen."""
    for _ in range(2000):
        if app.screen.authorization is not None:
            return
        await pilot.pause()
    raise AssertionError("the sign-in address never appeared")


async def test_the_browser_tab_after_the_wizards_sign_in_reads_as_after_the_command_line(
    simulator: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page the browser comes back to: it says what `qbo-wizard login` says, and claims
    nothing the wizard has not done yet (the connection is saved only once the user agrees)."""
    pages: list[str] = []
    shown = threading.Event()

    def open_in_browser(app: WizardApp, url: str, **_: object) -> None:
        def visit() -> None:
            try:
                back_to = approve(url, US_REALM)
                pages.append(html.unescape(requests.get(back_to, timeout=30).text))
            finally:
                shown.set()

        threading.Thread(target=visit, daemon=True).start()

    monkeypatch.setattr(WizardApp, "open_url", open_in_browser)
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert shown.wait(timeout=60)
    assert pages and f"qbo-wizard received the sign-in for {US_COMPANY}." in pages[0]
    assert "is connected to" not in pages[0]


async def test_demo_approve_finishes_a_loopback_sign_in_without_a_browser(
    simulator: SimulatorServer, no_browser: list[str]
) -> None:
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        assert not app.screen.query_one("#demo-approve-loopback").display  # nothing to approve yet
        await pilot.press("o")
        await _sign_in_address_shown(pilot, app)
        assert app.screen.query_one("#demo-approve-loopback").display
        await pilot.press("a")
        await settle(pilot)
        await settle(pilot)
        shown = status_text(app, "connect-status")
        assert shown == f"✓ Connected to {US_COMPANY} (realm …{US_REALM[-4:]})."
        # The sign-in is used up: approving again is no longer offered, and the key changes
        # nothing, so "Connected" is never followed by a failure that did not happen.
        assert not app.screen.query_one("#demo-approve-loopback").display
        await pilot.press("a")
        await settle(pilot)
        assert status_text(app, "connect-status") == shown
    assert load_profile("acme").realm_id == US_REALM


async def test_demo_approve_pastes_the_landing_address_for_paste_back(
    simulator: SimulatorServer, no_browser: list[str]
) -> None:
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _paste_url_pane(pilot, app)
        await pilot.click("#demo-approve-button-paste-url")
        await settle(pilot)
        await settle(pilot)
        assert status_text(app, "connect-status").startswith(f"✓ Connected to {US_COMPANY}")


async def test_no_demo_approve_outside_demo_mode(
    simulator: SimulatorServer, no_browser: list[str]
) -> None:
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    app.session.demo = None
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        assert not app.screen.query(".demo-approve")


async def test_presenter_mode_masks_the_pasted_realm_id() -> None:
    profile = Profile(name="acme", client_id_hint="AB…12")
    app = StepHost(profile, "connect", presenter=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click("#use-paste-tokens")
        app.screen.query_one("#realm-id", Input).value = US_REALM
        await settle(pilot)
        assert US_REALM not in app.export_screenshot()


def offered(app: Any) -> set[str]:
    """The keys the footer offers right now."""
    return {key for key, active in app.screen.active_bindings.items() if active.enabled}


async def test_the_connect_keys_type_into_a_field_and_are_offered_again_after_escape(
    simulator: SimulatorServer, no_browser: list[str]
) -> None:
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _paste_url_pane(pilot, app)
        field = app.screen.query_one("#pasted-address", SecretInput)
        assert app.focused is not field  # demo mode: the approve key (a) still approves
        assert "a" in offered(app)
        field.focus()  # the user clicks into the field to paste
        await pilot.pause()
        assert not {"o", "a"} & offered(app)
        await pilot.press("a", "o")
        assert field.value == "ao"
        await pilot.press("escape")
        assert {"o", "a"} <= offered(app)


async def test_pressing_sign_in_again_keeps_the_wait_and_its_stop_key(
    simulator: SimulatorServer, no_browser: list[str]
) -> None:
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("o")
        await _sign_in_address_shown(pilot, app)
        listener = app.screen.listener
        assert listener is not None
        assert "x" in offered(app) and "o" not in offered(app)
        await pilot.press("o")
        await pilot.pause()
        assert app.screen.listener is listener and "x" in offered(app)
        await pilot.press("x")
        await settle(pilot)
        assert app.screen.listener is None and "o" in offered(app)
        assert len(no_browser) == 1  # the sign-in page was opened once
