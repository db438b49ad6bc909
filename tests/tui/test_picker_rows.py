"""The picker's rows are reused while the user types: what is drawn must still be exactly the
current matches, with the rule above the refused entries only where they start."""

from __future__ import annotations

from textual.app import App
from textual.widgets import OptionList

from qbo_wizard.core.mapping.picker_index import PickerEntry, PickerIndex
from qbo_wizard.tui.screens.picker import PickerRequest, PickerScreen
from qbo_wizard.tui.screenshots import settle


def _request() -> PickerRequest:
    choices = PickerIndex(
        [PickerEntry("1", "Fuel 1", "Fuel 1"), PickerEntry("2", "Fuel 2 Extra", "Fuel 2 Extra")]
    )
    refused = PickerIndex([PickerEntry("ap", "Owed Fuel 1 (A/P)", "Owed Fuel 1")])
    return PickerRequest(
        title="Account", prompt="Pick one", index=choices, noun="accounts", unavailable=refused
    )


def _drawn(screen: PickerScreen) -> tuple[list[str], int]:
    """The ids of the options and how many lines the list takes (one per row, one per rule)."""
    options = screen.query_one("#picker-options", OptionList)
    ids = [options.get_option_at_index(i).id or "" for i in range(options.option_count)]
    return ids, options.virtual_size.height


async def test_reused_rows_show_the_current_matches_and_no_stale_rule() -> None:
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = PickerScreen(_request())
        await app.push_screen(screen)  # both rows drawn once, for the empty filter
        await settle(pilot)
        screen.show_matches("fuel 1")  # one row, then the refused one under a rule
        await settle(pilot)
        assert _drawn(screen) == (["pick:1", "refused-heading", "refused:ap"], 4)
        screen.show_matches("fuel")  # the same row, now followed by another: no rule between
        await settle(pilot)
        ids, height = _drawn(screen)
        assert ids == ["pick:1", "pick:2", "refused-heading", "refused:ap"]
        assert height == len(ids) + 1  # the one rule, above the refused
        screen.show_matches("fuel 2")
        await settle(pilot)
        assert _drawn(screen) == (["pick:2"], 1)
