"""A checklist tick box whose state is a glyph (`[✓]` / `[ ]`), not only a colour, and whose
label wraps onto as many lines as it needs."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

TICKED = "[✓]"
UNTICKED = "[ ]"


class TickBox(Horizontal, can_focus=True):
    """`[✓] label` / `[ ] label`; Space or Enter (or a click) toggles it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space,enter",
            "toggle_tick",
            "Tick",
            id="tick.toggle",
            tooltip="Tick this item when it is done (press again to untick)",
        ),
    ]

    value: reactive[bool] = reactive(False, init=False)
    """True when the item is ticked."""

    class Changed(Message):
        """The tick box was ticked or unticked."""

        def __init__(self, tick_box: TickBox, value: bool) -> None:
            super().__init__()
            self.tick_box = tick_box
            self.value = value

        @property
        def control(self) -> TickBox:
            """The tick box that changed."""
            return self.tick_box

    def __init__(self, label: str, value: bool = False, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id, classes="tick-box")
        self._label = label
        self.set_reactive(TickBox.value, value)
        self.set_class(value, "-ticked")

    def compose(self) -> ComposeResult:
        yield Static(self._glyph(), classes="tick-glyph", markup=False)
        yield Static(self._label, classes="tick-label", markup=False)

    def _glyph(self) -> str:
        return TICKED if self.value else UNTICKED

    def watch_value(self, value: bool) -> None:
        self.set_class(value, "-ticked")
        self.query_one(".tick-glyph", Static).update(self._glyph())
        self.post_message(self.Changed(self, value))

    def action_toggle_tick(self) -> None:
        self.value = not self.value

    def on_click(self, event: Click) -> None:
        event.stop()
        self.focus()
        self.value = not self.value
