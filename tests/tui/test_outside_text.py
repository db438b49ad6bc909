"""Names that come from outside the wizard (a company's name in QuickBooks) are shown as they
are written: brackets are never read as styling, and never stop the wizard."""

from __future__ import annotations

from qbo_wizard.core.profile import Profile
from qbo_wizard.core.progress import begin_reconnect
from qbo_wizard.tui.screens.status_home import StatusHomeScreen
from qbo_wizard.tui.screenshots import settle, visible_text

from .conftest import StepHost

COMPANY = "Smith [/] Co [US]"
REALM = "9130347596240616"


def reconnecting_profile() -> Profile:
    profile = Profile(name="acme", company_name=COMPANY, realm_id=REALM, client_id_hint="AB…12")
    begin_reconnect(profile)
    return profile


async def test_the_status_home_shows_a_company_name_with_brackets() -> None:
    app = StepHost(reconnecting_profile(), "connect")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(StatusHomeScreen(app.session))
        await settle(pilot)
        assert COMPANY in visible_text(app.export_screenshot())


async def test_the_reconnect_note_shows_a_company_name_with_brackets() -> None:
    app = StepHost(reconnecting_profile(), "connect")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        note = str(app.screen.query_one("#reconnect-note").render())
        assert f"Reconnecting {COMPANY} (realm …0616)" in note
