"""Once Intuit refuses the connection, every row that depends on it says so: the status
home's token expiry and step 9's stored-connection checks never stay green beside it."""

from __future__ import annotations

from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screens.status_home import StatusRow
from qbo_wizard.tui.screens.troubleshoot import CheckRow
from qbo_wizard.tui.screenshots import settle

from .conftest import StepHost, demo_wizard
from .test_dollar_test_screen import mapped_us_profile

DEPENDENT_CHECKS = ("tokens", "access-token", "refresh-window", "hard-limit")


async def test_after_a_revoke_the_status_home_tells_one_story(
    simulator: SimulatorServer,
) -> None:
    profile = mapped_us_profile(simulator)
    simulator.control("scenario", name="password-change", realm_id=US_REALM)
    app = demo_wizard(simulator, profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        connection = app.screen.query_one("#status-connection", StatusRow).render_text()
        expiry = app.screen.query_one("#status-token-expiry", StatusRow).render_text()
        assert connection.startswith("✗ Connection")
        assert expiry.startswith("✗ Token expiry"), expiry
        assert "Good until" not in expiry
        assert "refused" in expiry


async def test_after_a_revoke_no_stored_connection_check_stays_green(
    simulator: SimulatorServer,
) -> None:
    profile = mapped_us_profile(simulator)
    simulator.control("scenario", name="password-change", realm_id=US_REALM)
    app = StepHost(profile, "troubleshoot")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = {row.result.id: row for row in app.screen.query(CheckRow)}
        for check_id in DEPENDENT_CHECKS:
            text = rows[check_id].render_text()
            assert not text.startswith("✓"), text
            assert "Intuit refused this connection" in text
        assert len(rows) == len(set(rows))  # each check shown once
