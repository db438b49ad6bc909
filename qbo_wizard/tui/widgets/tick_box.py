"""A checklist tick box whose state is a glyph (`[✓]` / `[ ]`), not only a colour, and whose
label wraps onto as many lines as it needs, indented under its first word."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.visual import Visual
from textual.widget import Widget

from qbo_wizard.tui.widgets.prose import Block, ProseVisual

TICKED = "[✓]"
UNTICKED = "[ ]"


class TickBox(Widget, can_focus=True):
    """`[✓] label` / `[ ] label`; Space or Enter (or a click) toggles it.

    Drawn as one widget (the glyph's and the label's looks are its component classes), so a
    checklist of many items stays quick to show.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tick-box--glyph", "tick-box--label"}
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
        self.label = label
        self.set_reactive(TickBox.value, value)
        self.set_class(value, "-ticked", update=False)

    def render(self) -> Visual:
        glyph_style = self.get_visual_style("tick-box--glyph")
        label_style = self.get_visual_style("tick-box--label")
        glyph = Content.styled(TICKED if self.value else UNTICKED, glyph_style).pad_right(1)
        label = Content.styled(self.label, label_style)
        return ProseVisual([Block(label, glyph)], fill=label_style)

    def watch_value(self, value: bool) -> None:
        self.set_class(value, "-ticked")
        self.refresh()
        self.post_message(self.Changed(self, value))

    def action_toggle_tick(self) -> None:
        self.value = not self.value

    def on_click(self, event: Click) -> None:
        event.stop()
        self.focus()
        self.value = not self.value
