"""The bottom line of every screen: the keys that work right now, and what each does.

It shows what Textual's `Footer` shows, the same way (key, then description; a key that is bound
but cannot act now is dimmed; one whose action is hidden is left out; a click presses the key;
hovering a key highlights it and shows its tooltip), but as one line of text that is redrawn in
place when the keys change. The `Footer` builds a widget per key and rebuilds them all after the
screen's first frame and after every change of focus, which costs the first screen a second
frame and about a tenth of its start-up time.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widgets import Static


class KeyHint(NamedTuple):
    """One key on the line: where it is drawn and what it does."""

    start: int
    end: int
    key: str
    enabled: bool
    tooltip: str


class KeyHints(Static):
    """`n Next  b Back  q Quit`: the screen's shown key bindings, updated as they change."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-hints--key",
        "key-hints--description",
        "key-hints--hover",
    }
    DEFAULT_CSS = """
    KeyHints {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        .key-hints--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-hints--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-hints--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__("", id=id, markup=False)
        self._hints: list[KeyHint] = []
        self._shown: tuple[object, ...] = ()
        self._hovered: int | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._show()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self._show()

    def _show(self) -> None:
        """Draw the keys that apply now (nothing is redrawn when they did not change)."""
        app = self.app
        hints: list[KeyHint] = []
        labels: list[tuple[str, str]] = []
        actions: set[str] = set()
        position = 0
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or binding.action in actions:
                continue  # one entry per action, as the Footer shows
            actions.add(binding.action)
            key, description = f" {app.get_key_display(binding)} ", f"{binding.description} "
            end = position + len(key) + len(description)
            hints.append(KeyHint(position, end, binding.key, active.enabled, active.tooltip))
            labels.append((key, description))
            position = end
        shown = (tuple(labels), tuple(hint.enabled for hint in hints), self._hovered)
        self._hints = hints
        if shown == self._shown:
            return
        self._shown = shown
        key_style = self.get_visual_style("key-hints--key")
        description_style = self.get_visual_style("key-hints--description")
        hover = Style(background=self.get_visual_style("key-hints--hover").background)
        parts: list[tuple[str, Style]] = []
        for index, ((key, description), hint) in enumerate(zip(labels, hints, strict=True)):
            extra = Style(dim=not hint.enabled) + (hover if index == self._hovered else Style())
            parts += [(key, key_style + extra), (description, description_style + extra)]
        self.update(Content.assemble(*parts), layout=False)

    def _hint_at(self, x: int) -> int | None:
        for index, hint in enumerate(self._hints):
            if hint.start <= x < hint.end:
                return index
        return None

    def _hover(self, index: int | None) -> None:
        if index != self._hovered:
            self._hovered = index
            self.tooltip = self._hints[index].tooltip or None if index is not None else None
            self._show()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self._hint_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._hover(None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._hint_at(event.x)
        if index is None:
            return
        hint = self._hints[index]
        if hint.enabled:
            self.app.simulate_key(hint.key)
        else:
            self.app.bell()
