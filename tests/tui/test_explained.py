"""The explained-problem building blocks shared by steps 8 and 9."""

from __future__ import annotations

from qbo_wizard.tui.widgets.explained import FixButton


def test_a_line_name_is_shown_as_written_on_the_fix_button() -> None:
    button = FixButton("map", line_id="fuel", line_label="Fuel [b]surcharge[/b] [x]")
    assert str(button.label) == "Fix it in step 7 · Map your line items (Fuel [b]surcharge[/b] [x])"


def test_step_6_reads_connect_again_once_connected() -> None:
    assert str(FixButton("connect").label) == "Connect in step 6"
    assert str(FixButton("connect", again=True).label) == "Connect again in step 6"
