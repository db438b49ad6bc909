"""The encrypted keyring's passphrase, asked in a masked dialog.

Keyring calls run in thread workers, so `ask_from_worker` is what the wizard registers as the
passphrase prompt: it shows the dialog on the UI thread and waits for the answer. On the UI
thread itself it asks nothing (waiting there would freeze the screen).
"""

from __future__ import annotations

import queue
import threading
from typing import Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static
from textual.worker import NoActiveWorker, Worker, get_current_worker

from qbo_wizard.core.connection.passphrase import PassphraseUnavailable
from qbo_wizard.core.step_content import load_step_content
from qbo_wizard.tui.widgets.secret_input import SecretInput


class PassphraseScreen(ModalScreen[str | None]):
    """Masked passphrase field (twice for a new keyring file); Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="passphrase.cancel", tooltip="Leave it closed"),
    ]

    def __init__(self, where: str, new: bool, *, presenter: bool = False) -> None:
        super().__init__()
        self.where = where
        self.new = new
        self.presenter = presenter
        self.content_text = load_step_content("credentials")

    def compose(self) -> ComposeResult:
        text = self.content_text
        with Vertical(id="passphrase-dialog") as dialog:
            dialog.border_title = text.text("passphrase_title")
            key = "passphrase_new" if self.new else "passphrase_open"
            yield Static(text.text(key, where=self.where), id="passphrase-intro", markup=False)
            yield SecretInput(
                presenter=self.presenter,
                id="passphrase",
                placeholder=text.text("passphrase_placeholder"),
            )
            if self.new:
                yield SecretInput(
                    presenter=self.presenter,
                    id="passphrase-again",
                    placeholder=text.text("passphrase_again_placeholder"),
                )
            yield Label("", id="passphrase-problem", classes="field-problem", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(text.text("passphrase_ok"), variant="primary", id="passphrase-ok")
                yield Button(text.text("passphrase_cancel"), id="passphrase-cancel")
        yield Footer(show_command_palette=False)

    @on(Button.Pressed, "#passphrase-ok")
    @on(Input.Submitted)
    def submit(self) -> None:
        """Hand the passphrase over, unless it is empty or (for a new file) the two differ."""
        first_field = self.query_one("#passphrase", SecretInput)
        first = first_field.value
        if not first.strip():
            self.query_one("#passphrase-problem", Label).update(
                self.content_text.text("passphrase_empty")
            )
            first_field.focus()
            return
        if self.new:
            again = self.query_one("#passphrase-again", SecretInput)
            if first != again.value:
                # The retyped entry is the one to type again, so it is emptied and has the cursor.
                self.query_one("#passphrase-problem", Label).update(
                    self.content_text.text("passphrase_differ")
                )
                again.value = ""
                again.focus()
                return
        self.dismiss(first)

    @on(Button.Pressed, "#passphrase-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_from_worker(app: App[Any], presenter: bool, where: str, new: bool) -> str | None:
    """Show `PassphraseScreen` from a worker thread and wait for it (the passphrase prompt).

    Cancelling raises `PassphraseUnavailable`, so the keyring call stops with plain words.
    """
    if threading.current_thread() is threading.main_thread():
        return None  # the UI thread must never wait for the user's answer
    answers: queue.Queue[str | None] = queue.Queue(maxsize=1)
    try:
        worker: Worker[Any] | None = get_current_worker()
    except NoActiveWorker:
        worker = None
    dialog = PassphraseScreen(where, new, presenter=presenter)
    app.call_from_thread(app.push_screen, dialog, answers.put)
    cancelled = load_step_content("credentials").text("passphrase_cancelled")
    while True:
        try:
            answer = answers.get(timeout=0.2)
            break
        except queue.Empty:
            # The wizard is closing (or the step's work was cancelled): stop waiting.
            if (worker is not None and worker.is_cancelled) or not app.is_running:
                raise PassphraseUnavailable(cancelled) from None
    if answer is None:
        raise PassphraseUnavailable(cancelled)
    return answer
