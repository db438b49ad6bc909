"""A carrier bill line on a balance-sheet account (Accumulated Depreciation, a Fixed Asset) is
kept only after an explicit confirmation, and counts as needing a look, never as ready."""

from __future__ import annotations

from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screens.confirm import ConfirmScreen
from qbo_wizard.tui.screens.picker import PickerScreen
from qbo_wizard.tui.screenshots import settle, visible_text

from .test_mapping_screen import WIDE, cell, host, open_picker, start_freight, status, type_text


async def pick_accumulated_depreciation(pilot: object) -> None:
    await open_picker(pilot, "carrier-linehaul")
    await type_text(pilot, "accumulated")
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


async def test_a_fixed_asset_account_on_a_bill_line_asks_first(
    simulator: SimulatorServer,
) -> None:
    app = host(simulator)
    async with app.run_test(size=WIDE) as pilot:
        await start_freight(pilot)
        before = cell(app, "carrier-linehaul", "target")
        await pick_accumulated_depreciation(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        shown = visible_text(app.export_screenshot())
        assert "Fixed Asset" in shown and "Use it anyway" in shown
        await pilot.press("n")  # pick another: the line is as it was
        await settle(pilot)
        assert cell(app, "carrier-linehaul", "target") == before
        await pick_accumulated_depreciation(pilot)
        assert not isinstance(app.screen, PickerScreen)
        await pilot.press("y")
        await settle(pilot)
        assert "Accumulated Depreciation" in cell(app, "carrier-linehaul", "target")
        assert cell(app, "carrier-linehaul", "state") == "!"
        assert "1 need a look (!)" in status(app)
