"""Pasting hostile text into a field shows a message beside it, and the wizard carries on."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Label, TextArea

from qbo_wizard.core.profile import Profile, load_profile, save_profile
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screenshots import open_tab, settle
from qbo_wizard.tui.widgets.secret_input import SecretInput
from tests.connected import store_demo_keys

from .conftest import StepHost, demo_wizard
from .test_connect_steps import _paste_url_pane, status_text
from .test_dollar_test_screen import SIZE, press, status


def label_text(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).render())


async def test_a_broken_ipv6_address_is_explained_beside_the_field(
    simulator: SimulatorServer,
) -> None:
    store_demo_keys(simulator)
    app = demo_wizard(simulator, load_profile("acme"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _paste_url_pane(pilot, app)
        field = app.screen.query_one("#pasted-address", SecretInput)
        field.focus()  # demo mode leaves focus off the field, so "a" approves instead of typing
        for pasted in ("http://[::1/callback#code=abc", "%ff\x00[::1]" * 5_000):
            field.value = pasted
            await pilot.press("enter")
            await settle(pilot)
            problem = label_text(app, "#pasted-address-problem")
            assert problem.startswith(("The pasted address", "No sign-in code", "That is far"))
            assert status_text(app, "connect-status").startswith("✗")
        # The wizard is still there, on the same step, and takes the next paste.
        assert app.is_running
        assert "Step 6 of 9" in str(app.screen.query_one("#banner-title").render())
        field.value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert label_text(app, "#pasted-address-problem").startswith("Nothing was pasted")


async def test_garbage_pasted_as_tokens_is_explained_beside_the_fields() -> None:
    app = StepHost(Profile(name="acme", client_id_hint="AB…12"), "connect")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click("#use-paste-tokens")
        app.screen.query_one("#refresh-token", SecretInput).value = "[::1" * 100_000
        app.screen.query_one("#realm-id", Input).value = "9" * 5000
        await pilot.click("#finish-paste-tokens")
        await settle(pilot)
        assert label_text(app, "#pasted-tokens-problem").startswith(
            "What was pasted as the refresh"
        )
        app.screen.query_one("#refresh-token", SecretInput).value = "AB11" + "x" * 60
        await pilot.click("#finish-paste-tokens")
        await settle(pilot)
        assert label_text(app, "#pasted-tokens-problem").startswith("The company ID (realm ID)")
        assert app.is_running and app.outcomes == []


async def test_an_error_text_nested_beyond_any_parser_is_answered() -> None:
    save_profile(Profile(name="acme"))
    app = StepHost(load_profile("acme"), "troubleshoot")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, "tab-explain")
        app.screen.query_one("#error-text", TextArea).text = '{"Fault": ' + "[" * 100_000
        await press(pilot, "#explain")
        assert status(app, "explain-status").startswith("✗ No QuickBooks or Intuit error")
        assert app.is_running
