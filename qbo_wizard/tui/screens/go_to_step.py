"""A small dialog to jump to any step: pick it from the list or press its number."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList

from qbo_wizard.core.profile import Profile
from qbo_wizard.core.steps import STEPS, StepId
from qbo_wizard.tui.widgets.step_nav import StepList


class GoToStepScreen(ModalScreen[StepId | None]):
    """Choose a step to open; Escape keeps the current one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="go.cancel", tooltip="Stay on this step"),
        *[
            Binding(str(number), f"choose({number})", show=False, id=f"go.step-{number}")
            for number in range(1, len(STEPS) + 1)
        ],
    ]

    def __init__(self, profile: Profile, current: StepId) -> None:
        super().__init__(id="go-to-step")
        self._profile = profile
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="go-to-step-dialog") as dialog:
            dialog.border_title = "Go to step"
            yield Label("Press a step's number, or choose it and press Enter.")
            yield StepList(self._profile, self._current)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_step_list_step_chosen(self, event: StepList.StepChosen) -> None:
        self.dismiss(event.step_id)

    def action_choose(self, number: int) -> None:
        self.dismiss(STEPS[number - 1].id)
