"""The bottom line shows the keys that work right now; a click on one presses it."""

from __future__ import annotations

from qbo_wizard.core.profile import Profile
from qbo_wizard.tui.outcomes import QuitWizard
from qbo_wizard.tui.widgets.key_hints import KeyHints

from .conftest import StepHost


def hints(app: StepHost) -> str:
    return str(app.screen.query_one(KeyHints).render())


async def test_the_keys_shown_follow_the_focus_and_a_click_presses_one() -> None:
    app = StepHost(Profile(name="acme", current_step="credentials"), "credentials")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        line = hints(app)
        assert " n Next " in line and " b Back " in line and " ^s Check and save " in line
        assert "Leave field" not in line
        assert "Status" not in line  # no connection yet: the key does nothing here
        app.screen.query_one("#client-id").focus()
        await pilot.pause()
        typing = hints(app)
        assert " esc Leave field " in typing
        assert "Next" not in typing and "Quit" not in typing  # n and q type into the field
        app.screen.set_focus(None)
        await pilot.pause()
        line = hints(app)
        await pilot.click(KeyHints, offset=(line.index(" q Quit ") + 1, 0))
        await pilot.pause()
    assert app.outcomes == [QuitWizard()]
