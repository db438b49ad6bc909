"""The wizard's copy of the profile and the profile's store stay one: what core saves shows at
once, and what the wizard has not saved yet is what core reads."""

from __future__ import annotations

import asyncio

from qbo_wizard.core.profile import load_profile
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.tui.screenshots import settle
from qbo_wizard.tui.widgets.tick_box import TickBox

from .conftest import wizard


async def test_what_core_saves_in_a_worker_is_in_the_wizards_copy_at_once() -> None:
    app = wizard()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#tick-qbo-admin", TickBox).focus()
        await pilot.press("space")  # ticked: the wizard's save is queued

        def connect_elsewhere() -> list[str]:
            # What a use case run from a screen does: read the newest profile, change, save.
            with profile_store("acme").change() as profile:
                ticked = list(profile.checklists.get("overview", []))
                profile.company_name = "Acme Freight"
                profile.realm_id = "9130000000000001"
            return ticked

        ticked = await asyncio.to_thread(connect_elsewhere)  # the UI keeps running meanwhile
        assert ticked == ["qbo-admin"]  # the tick reached the file before core read it
        profile = app.session.profile  # type: ignore[attr-defined]
        assert (profile.company_name, profile.realm_id) == ("Acme Freight", "9130000000000001")
        assert profile.checklists == {"overview": ["qbo-admin"]}
        await pilot.press("space")  # unticked after core's save: the wizard's change wins
        await settle(pilot)
        app.session.writer.flush()  # type: ignore[attr-defined]
    saved = load_profile("acme")
    assert saved.company_name == "Acme Freight"
    assert saved.checklists.get("overview", []) == []
