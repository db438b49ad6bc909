"""Copying to the user's clipboard, said honestly.

The terminal carries the text to the clipboard (an OSC 52 escape sequence), and nothing comes
back to say whether it arrived: some terminals, and tmux unless set up for it, drop it
silently. So the wizard never says "Copied"; it says where the text went and where to select
it by hand when pasting gives nothing.
"""

from __future__ import annotations

from textual.app import App

SENT = "Sent to your clipboard through the terminal: {what}."
FALLBACK = " If pasting gives nothing, your terminal did not pass it on: {fallback}."
SELECT_SHOWN = "select it on screen with the mouse and copy it from there"


def send_to_clipboard(app: App[object], text: str, what: str, fallback: str = SELECT_SHOWN) -> None:
    """Hand `text` to the terminal's clipboard and say so, with the fallback, until read."""
    app.copy_to_clipboard(text)
    app.notify(SENT.format(what=what) + FALLBACK.format(fallback=fallback), timeout=12)
