"""Demo mode rehearses production keys too: step 5 offers the practice app's two pairs of keys,
and with the production pair the demo connects to the practice production company. Nothing in
the wizard tells the user to use a command-line option."""

from __future__ import annotations

from typing import Any

from textual.widgets import RadioSet

from qbo_wizard.core.profile import Profile, load_profile
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screenshots import settle
from qbo_wizard.tui.widgets.choice_button import ChoiceButton
from qbo_wizard.tui.widgets.secret_input import SecretInput

from .conftest import demo_wizard
from .test_dollar_test_screen import status

PRODUCTION_COMPANY = "Harbor Point Freight Inc"


def banner_badges(app: Any) -> str:
    return str(app.screen.query_one("#banner-badges").render())


async def choose_practice_keys(pilot: Any, key_set: str) -> None:
    pilot.app.screen.query_one(f"#practice-{key_set}", ChoiceButton).value = True
    await settle(pilot)


async def test_step_5_offers_both_practice_key_sets_and_production_connects(
    simulator: SimulatorServer,
) -> None:
    app = demo_wizard(simulator)
    production = simulator.info["keys"]["production"]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        offered = app.screen.query_one("#practice-key-sets", RadioSet)
        labels = [str(button.label) for button in offered.query(ChoiceButton)]
        assert labels == [
            "(•) Development keys · the practice sandbox companies",
            "( ) Production keys · a practice production company",
        ]
        await choose_practice_keys(pilot, "production")
        assert app.screen.query_one("#client-id", SecretInput).value == production["client_id"]
        assert (
            app.screen.query_one("#client-secret", SecretInput).value == production["client_secret"]
        )
        assert "production keys" in banner_badges(app) or "prod keys" in banner_badges(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status(app, "keys-status").startswith("✓ Intuit accepted the keys")
        assert load_profile("acme").key_set == "production"
        # Step 6: production keys sign in by pasting the address back; the demo approves as
        # the practice admin of the production company.
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert status(app, "connect-status").startswith(f"✓ Connected to {PRODUCTION_COMPANY}")
    assert load_profile("acme").company_name == PRODUCTION_COMPANY


async def test_switching_back_fills_the_development_keys_in_again(
    simulator: SimulatorServer,
) -> None:
    app = demo_wizard(simulator)
    development = simulator.info["keys"]["development"]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await choose_practice_keys(pilot, "production")
        await choose_practice_keys(pilot, "development")
        assert app.screen.query_one("#client-id", SecretInput).value == development["client_id"]
        assert app.session.profile.key_set == "development"


async def test_the_other_pairs_keys_are_refused_in_the_wizards_words(
    simulator: SimulatorServer,
) -> None:
    """Development keys typed in where production keys are asked for: the refusal says to
    switch key sets, never a command-line option."""
    profile = Profile(
        name="acme",
        environment="simulator",
        simulator_url=simulator.url,
        key_set="production",
        current_step="credentials",
    )
    app = demo_wizard(simulator, profile)
    development = simulator.info["keys"]["development"]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#client-id", SecretInput).value = development["client_id"]
        app.screen.query_one("#client-secret", SecretInput).value = development["client_secret"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        refusal = status(app, "keys-status")
        assert "switch to development keys" in refusal
        assert "--" not in refusal
        assert "Nothing was saved" in refusal
