"""A step whose full screen comes in a later version: its introduction and what to do meanwhile.

The words (including the "coming in a later version" note) live in the step's content file, so
the real screen replaces this class in `STEP_SCREENS` and nothing else changes.
"""

from __future__ import annotations

from qbo_wizard.tui.screens.checklist import ChecklistStepScreen


class PlaceholderStepScreen(ChecklistStepScreen):
    """Shows the step's copy; leaving it never marks it done."""

    def state_on_leave(self, moving_on: bool) -> str | None:
        return None
