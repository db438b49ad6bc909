"""The wizard's copy of the profile and the profile's store stay one: what core saves shows at
once, and what the wizard has not saved yet is what core reads."""

from __future__ import annotations

import asyncio

from qbo_wizard.core.profile import Profile, load_profile, profile_exists
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.tui.screenshots import settle
from qbo_wizard.tui.session import ProfileWriter
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


class _WorkerRecorder:
    """Stands in for the app: records the background writes the writer starts."""

    def __init__(self) -> None:
        self.started: list[str] = []

    def run_worker(self, work: object, *, name: str, **options: object) -> None:
        self.started.append(name)


def test_the_held_save_waits_for_release_but_a_flush_or_a_later_save_writes_at_once() -> None:
    app = _WorkerRecorder()
    writer = ProfileWriter(app)  # type: ignore[arg-type]
    writer.attach(Profile(name="acme", current_step="credentials"))
    try:
        writer.hold()
        writer.save()
        assert app.started == []  # held: the first screen is drawn first
        assert not profile_exists("acme")
        writer.flush()  # a quit, or core about to read the profile
        assert load_profile("acme").current_step == "credentials"
        writer.release()
        assert app.started == ["save-profile"]
        writer.save()
        assert app.started == ["save-profile", "save-profile"]  # written at once again
        writer.hold()
        writer.save()
        writer.save()  # the user changed something more: written at once, held one and all
        assert app.started == ["save-profile"] * 3
        writer.release()
        assert app.started == ["save-profile"] * 3
    finally:
        writer.detach()
