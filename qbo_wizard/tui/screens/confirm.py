"""A yes/no question before something that cannot be undone."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer

from qbo_wizard.tui.widgets.prose import Prose


class ConfirmScreen(ModalScreen[bool]):
    """Ask before acting; `y` confirms, `n` or Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Go ahead"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", tooltip="Leave it as it is"),
    ]

    def __init__(self, title: str, question: str, yes_label: str, no_label: str = "Cancel") -> None:
        super().__init__(classes="confirm")
        self._title = title
        self._question = question
        self._yes_label = yes_label
        self._no_label = no_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog") as dialog:
            dialog.border_title = self._title
            yield Prose(self._question)
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self._yes_label} (y)", variant="warning", id="confirm-yes")
                yield Button(f"{self._no_label} (n)", id="confirm-no")
        yield Footer(show_command_palette=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")


class QuitQuestion(ConfirmScreen):
    """Ctrl+C's question: save and quit? A second Ctrl+C answers yes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "answer(True)", show=False, id="quit.again", priority=True),
    ]
