"""Step 7's first question: which integration's lines to map, a shipped one or the user's own file.

The shipped integrations are read in a thread (their YAML files) and handed to `offer`; the
chooser itself reads nothing. The answer is posted as `IntegrationChooser.Chosen` with the
integration's reference (a shipped id or a path), which the screen loads and checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, RadioSet

from qbo_wizard.core.mapping.integrations import Integration
from qbo_wizard.core.step_content import StepContent
from qbo_wizard.tui.widgets.choice_button import ChoiceButton
from qbo_wizard.tui.widgets.prose import Prose

OWN_FILE = "own-file"


class IntegrationChooser(Vertical):
    """The shipped integrations as choices, the user's own file, and why the last one failed."""

    @dataclass
    class Chosen(Message):
        """The user chose an integration: a shipped id or the path of their own file."""

        reference: str

    def __init__(self, content: StepContent, *, id: str, classes: str) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id, classes=classes)
        self.content = content
        self.shipped: tuple[Integration, ...] = ()
        """The shipped integrations offered (none until `ask` hands them over)."""

    def text(self, name: str) -> str:
        return self.content.text(name)

    def compose(self) -> ComposeResult:
        yield Prose(self.content.intro, classes="intro")
        yield Label(self.text("choose_prompt"), id="choose-prompt")
        yield self.options()
        yield Label(self.text("own_file_field"), classes="field-label")
        yield Input(id="integration-file", placeholder="~/my-integration.yaml")
        yield Label("", id="integration-problem", classes="field-problem", markup=False)
        yield Button(self.text("continue"), id="use-integration", variant="primary")

    def options(self) -> RadioSet:
        """One choice per shipped integration, and the user's own file."""
        buttons = [
            ChoiceButton(
                f"{integration.name}: {integration.description}", id=f"use-{integration.id}"
            )
            for integration in self.shipped
        ]
        buttons.append(ChoiceButton(self.text("own_file_label"), id=f"use-{OWN_FILE}"))
        return RadioSet(*buttons, classes="integration-options")

    def ask(
        self, shipped: Sequence[Integration], problem: str | None = None, *, again: bool = False
    ) -> None:
        """Show the question; `problem` says why the last answer could not be used.

        Args:
            shipped: The integrations that ship with the wizard, read off the UI thread.
            problem: What was wrong with the integration chosen (a file's mistake, named).
            again: The user asked to change the integration: start from a fresh question.
        """
        self.query_one("#integration-problem", Label).update(problem or "")
        options = self.query_one(".integration-options", RadioSet)
        offered = tuple(shipped) != self.shipped
        self.shipped = tuple(shipped)
        if offered or (again and options.pressed_button is not None):
            # A choice cannot be taken back in a RadioSet: offer a fresh one, so that pressing
            # Enter on the same integration again reloads it.
            fresh = self.options()
            self.mount(fresh, after=options)
            options.remove()
            options = fresh
        pressed = options.pressed_button
        if problem and pressed is not None and pressed.id == f"use-{OWN_FILE}":
            self.query_one("#integration-file", Input).focus()
        else:
            options.focus()

    @on(RadioSet.Changed, ".integration-options")
    def integration_picked(self, event: RadioSet.Changed) -> None:
        event.stop()
        choice = (event.pressed.id or "").removeprefix("use-")
        if choice == OWN_FILE:
            self.query_one("#integration-file", Input).focus()
            return
        self.post_message(self.Chosen(choice))

    @on(Input.Submitted, "#integration-file")
    def use_integration_file(self, event: Input.Submitted | None = None) -> None:
        if event is not None:
            event.stop()
        path = self.query_one("#integration-file", Input).value.strip()
        if not path:
            self.query_one("#integration-problem", Label).update(self.text("own_file_missing"))
            return
        self.post_message(self.Chosen(path))

    @on(Button.Pressed, "#use-integration")
    def use_chosen_integration(self, event: Button.Pressed) -> None:
        event.stop()
        pressed = self.query_one(".integration-options", RadioSet).pressed_button
        choice = (pressed.id or "").removeprefix("use-") if pressed is not None else OWN_FILE
        if choice == OWN_FILE:
            self.use_integration_file()
        else:
            self.post_message(self.Chosen(choice))
