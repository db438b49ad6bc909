"""A radio button whose state is a glyph (`(•)` / `( )`), not only a colour."""

from __future__ import annotations

from textual.widgets import RadioButton

CHOSEN = "(•)"
NOT_CHOSEN = "( )"


class ChoiceButton(RadioButton):
    """One answer in a `RadioSet`, marked `(•)` when chosen and `( )` otherwise."""

    BUTTON_LEFT = ""
    BUTTON_INNER = ""
    BUTTON_RIGHT = ""

    def __init__(self, text: str, value: bool = False, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        self._text = text
        super().__init__(self._marked(value), value, id=id)

    def _marked(self, value: bool) -> str:
        return f"{CHOSEN if value else NOT_CHOSEN} {self._text}"

    def watch_value(self) -> None:
        self.label = self._marked(self.value)
        super().watch_value()
