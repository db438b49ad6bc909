"""A masked input for keys and tokens, with a reveal that lasts a few seconds.

The value is always drawn as dots (and therefore never appears in a screenshot or an SVG),
except for `REVEAL_SECONDS` after the user asks to see it. Presenter mode (screen-share)
refuses the reveal altogether; leaving the field hides it again at once.

Copy and cut never reach the clipboard, in any mode: a copied secret would travel to the
clipboard of whichever computer shows the screen (in a browser tab, or over SSH, the terminal
sends it there), and could be pasted anywhere later. A note under the field says why instead.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static

REVEAL_SECONDS = 5.0
NOT_COPIED = (
    "Not copied: what is typed in a masked field stays out of the clipboard. "
    "Copy it from where it came from (the Intuit Developer portal, or the browser's address bar)."
)


class SecretInput(Input):
    """`Input(password=True)` with a timed, presenter-aware reveal (F2)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f2",
            "reveal",
            "Reveal 5 s",
            id="secret.reveal",
            tooltip="Show what you typed for five seconds (never in presenter mode)",
        ),
    ]

    def __init__(self, *, presenter: bool, **kwargs: object) -> None:
        """Create the field.

        Args:
            presenter: True while the screen is shared: the reveal key is off.
            **kwargs: Passed to `Input` (placeholder, validators, id, …); `password` is forced.
        """
        kwargs["password"] = True
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.presenter = presenter
        self.reveal_timer: Timer | None = None
        self.not_copied_note: Static | None = None
        """The note under the field saying why nothing was copied, while it is shown."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No reveal key in presenter mode (it is then not even shown in the footer)."""
        if action == "reveal":
            return not self.presenter
        return super().check_action(action, parameters)

    def action_reveal(self) -> None:
        """Show the value for a few seconds."""
        if self.presenter:
            self.notify("Secrets cannot be shown in presenter mode.", severity="warning")
            return
        self.password = False
        if self.reveal_timer is not None:
            self.reveal_timer.stop()
        self.reveal_timer = self.set_timer(REVEAL_SECONDS, self.conceal, name="conceal-secret")

    def conceal(self) -> None:
        """Mask the value again."""
        self.password = True
        if self.reveal_timer is not None:
            self.reveal_timer.stop()
            self.reveal_timer = None

    def action_copy(self) -> None:
        """Copy nothing, and say why right under the field: one note however often copy is
        pressed, and never a pop-up over the step's result."""
        if self.not_copied_note is not None and self.not_copied_note.is_attached:
            return
        holder = self.parent
        if not isinstance(holder, Widget):
            return
        note = Static(NOT_COPIED, classes="not-copied-note", markup=False)
        self.not_copied_note = note
        holder.mount(note, after=self)
        # The note is the answer to the key just pressed, so it is brought into view.
        self.call_after_refresh(note.scroll_visible, animate=False)

    def clear_not_copied_note(self) -> None:
        """Take the note away once the user moved on from the field."""
        if self.not_copied_note is not None:
            self.not_copied_note.remove()
            self.not_copied_note = None

    def action_cut(self) -> None:
        """Cutting would copy: leave the value as it is, and say why."""
        self.action_copy()

    def on_blur(self) -> None:
        self.conceal()
        self.clear_not_copied_note()
