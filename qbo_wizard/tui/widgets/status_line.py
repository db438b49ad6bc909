"""One line of live status: `… Testing the keys… 1.2s` → `✓ Keys accepted` / `✗ reason`.

A status the user is waiting for is brought into view when it changes: on an 80×24 screen
share the line is often below the fold, under the button that started it.

The outcome carries a glyph, not only a colour. Texts are shown as plain text (no markup), since
they may quote what the user pasted or what a server answered.
"""

from __future__ import annotations

import time

from textual.containers import ScrollableContainer
from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

WORKING = "…"
SUCCEEDED = "✓"
FAILED = "✗"
LAYOUT_PASSES = 3
"""How many refreshes an outcome follows what it introduces as that is laid out."""


class StatusLine(Static):
    """Shows progress with elapsed seconds while working, then the outcome."""

    def __init__(
        self,
        text: str = "",
        *,
        leads: bool = False,
        id: str | None = None,  # noqa: A002 (Textual's name)
    ) -> None:
        """A status line.

        Args:
            text: What it says at first.
            leads: The outcome introduces what is shown under it (an explanation, a preview),
                so an outcome scrolls to the top of the view when more follows out of sight.
            id: The widget's id.
        """
        super().__init__(id=id, classes="status-line", markup=False)
        self.leads = leads
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
        self._show()

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
        self._show(outcome=True)

    def failed(self, text: str) -> None:
        """Show `✗ text`."""
        self._stop_ticker()
        self.set_classes("status-line -failed")
        self.update(Content.assemble((FAILED, "$text-error"), f" {text}"))
        self._show(outcome=True)

    def clear(self) -> None:
        """Show nothing."""
        self._stop_ticker()
        self.set_classes("status-line")
        self.update("")

    def _show(self, *, outcome: bool = False) -> None:
        """Once drawn, bring this line into view. An outcome that leads what follows goes to
        the top of the view when more follows it out of sight, so the result and what it
        introduces show together."""
        if self.is_mounted:
            self.call_after_refresh(self._scroll_into_view, outcome, LAYOUT_PASSES)

    def keep_in_view(self) -> None:
        """Bring this line back into view after what is above it grew (a sign-in link
        appeared while the user waits): the line is still what they are waiting on."""
        if self.is_mounted:
            self.call_after_refresh(self._scroll_into_view, False, LAYOUT_PASSES, True)

    def _scroll_into_view(self, outcome: bool, passes: int, following: bool = False) -> None:
        if not self.is_attached or self.screen is not self.app.screen:
            return
        if not all(node.display for node in self.ancestors_with_self if isinstance(node, Widget)):
            return  # on a tab or pane that is not shown
        scrolling = [node for node in self.ancestors if isinstance(node, ScrollableContainer)]
        more_below = bool(scrolling) and scrolling[0].scroll_y < scrolling[0].max_scroll_y
        to_top = outcome and self.leads and more_below
        if to_top or not self.screen.can_view_entire(self):
            self.scroll_visible(top=to_top, animate=False, immediate=True)
        if (to_top or following) and passes > 1:
            # What follows (or, when following, what is above) may still be growing: mounted
            # parts get their height a refresh later, which can stop the first scroll short.
            self.call_after_refresh(self._scroll_into_view, outcome, passes - 1, following)
