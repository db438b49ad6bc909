"""Copy never claims it reached the clipboard (the terminal cannot confirm it): it says where
the text went, and the value stays on screen to select by hand."""

from __future__ import annotations

from typing import Any

from qbo_wizard.core.profile import Profile
from qbo_wizard.core.step_content import load_step_content
from qbo_wizard.tui.screenshots import settle, visible_text
from qbo_wizard.tui.widgets.guidance import CopyValueRow

from .conftest import StepHost


def notes(app: Any) -> list[str]:
    return [str(note.message) for note in app._notifications]


async def test_copy_says_where_the_value_went_and_how_to_get_it_otherwise() -> None:
    app = StepHost(Profile(name="acme"), "create-app")
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        row = app.screen.query(CopyValueRow).first()
        row.query_one(".copy-button").press()
        await settle(pilot)
        assert copied == [row.value.value]
        (said,) = notes(app)
        assert not said.startswith("Copied")
        assert said.startswith(f"Sent to your clipboard through the terminal: {row.value.label}.")
        assert "select it on screen" in said
        row.scroll_visible(animate=False)
        await settle(pilot)
        assert row.value.value in visible_text(app.export_screenshot())


def test_no_copy_text_claims_success() -> None:
    text = load_step_content("troubleshoot").text("bundle_copied")
    assert not text.startswith("Copied")
    assert "save it to a file" in text
