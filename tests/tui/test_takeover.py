"""The status home tells a takeover (another admin connected the app) apart from a password
change: who can have connected, that reconnecting takes it back, and to agree first."""

from __future__ import annotations

from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screens.confirm import ConfirmScreen
from qbo_wizard.tui.screens.connect import ConnectScreen
from qbo_wizard.tui.screens.status_home import StatusHomeScreen
from qbo_wizard.tui.screenshots import settle, visible_text

from .conftest import demo_wizard
from .test_dollar_test_screen import mapped_us_profile

US_COMPANY = "Bluewater Freight Brokers LLC"


async def test_a_takeover_is_explained_before_taking_the_connection_back(
    simulator: SimulatorServer,
) -> None:
    simulator_profile = mapped_us_profile(simulator)
    simulator.control("scenario", name="takeover", realm_id=US_REALM)
    app = demo_wizard(simulator, simulator_profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = visible_text(app.export_screenshot())
        assert "Reconnect after a password change (r)" in home
        assert "Another admin took over the connection (o)" in home
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        said = visible_text(app.export_screenshot())
        assert f"admin of {US_COMPANY}" in said.replace("\n", " ")
        assert "takes the connection back from them" in said
        assert "Agree with them first" in said
        await pilot.press("n")  # not yet: back on the status home, nothing changed
        await settle(pilot)
        assert isinstance(app.screen, StatusHomeScreen)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ConnectScreen)
