"""One line of live status: `… Testing the keys… 1.2s` → `✓ Keys accepted` / `✗ reason`.

The outcome carries a glyph, not only a colour. Texts are shown as plain text (no markup), since
they may quote what the user pasted or what a server answered.
"""

from __future__ import annotations

import time

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

WORKING = "…"
SUCCEEDED = "✓"
FAILED = "✗"


class StatusLine(Static):
    """Shows progress with elapsed seconds while working, then the outcome."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id, classes="status-line", markup=False)
        self._started = 0.0
        self._working_text = ""
        self._ticker: Timer | None = None
        if text:
            self.update(text)

    def _stop_ticker(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def working(self, text: str) -> None:
        """Show `… text 0.0s`, counting up until `succeeded` or `failed`."""
        self._stop_ticker()
        self._started = time.monotonic()
        self._working_text = text
        self.set_classes("status-line -working")
        self._tick()
        self._ticker = self.set_interval(0.1, self._tick, name="status-elapsed")

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._started
        self.update(
            Content.assemble((WORKING, "$text-muted"), f" {self._working_text} {elapsed:.1f}s")
        )

    def succeeded(self, text: str) -> None:
        """Show `✓ text`."""
        self._stop_ticker()
        self.set_classes("status-line -succeeded")
        self.update(Content.assemble((SUCCEEDED, "$text-success"), f" {text}"))

    def failed(self, text: str) -> None:
        """Show `✗ text`."""
        self._stop_ticker()
        self.set_classes("status-line -failed")
        self.update(Content.assemble((FAILED, "$text-error"), f" {text}"))

    def clear(self) -> None:
        """Show nothing."""
        self._stop_ticker()
        self.set_classes("status-line")
        self.update("")
