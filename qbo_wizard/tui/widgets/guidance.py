"""The building blocks of a guidance step: callouts, checklist items, values to copy, links.

Nothing here is secret: values offered for copying are addresses and answers the user pastes
into the Intuit portal. Secrets use `SecretInput` instead.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from qbo_wizard.core.step_content import Callout, ChecklistItem, CopyValue, Link
from qbo_wizard.tui.widgets.clipboard import send_to_clipboard
from qbo_wizard.tui.widgets.prose import Prose
from qbo_wizard.tui.widgets.tick_box import TickBox

CALLOUT_HEADINGS = {"warning": "⚠ Important", "note": "ℹ Good to know"}


class CalloutBox(Prose):
    """A boxed warning or note; the heading carries a glyph so it is not colour alone."""

    def __init__(self, callout: Callout) -> None:
        super().__init__(callout.body, classes=f"callout -{callout.kind}")
        self.border_title = f"{CALLOUT_HEADINGS[callout.kind]}: {callout.title}"


class CopyValueRow(Vertical):
    """A label, the exact value to paste, and a Copy button."""

    def __init__(self, value: CopyValue) -> None:
        super().__init__(classes="copy-row")
        self.value = value

    def compose(self) -> ComposeResult:
        yield Label(self.value.label, classes="copy-label", markup=False)
        with Horizontal(classes="copy-line"):
            yield Static(self.value.value, classes="copy-value", markup=False)
            yield Button(
                "Copy",
                classes="copy-button",
                compact=True,
                tooltip=f"Copy to the clipboard: {self.value.label}",
            )

    @on(Button.Pressed, ".copy-button")
    def copy_value(self, event: Button.Pressed) -> None:
        event.stop()
        send_to_clipboard(self.app, self.value.value, self.value.label)


class LinkRow(Horizontal):
    """A web page: Open it in the browser, or (over SSH) Copy its address to open yourself."""

    def __init__(self, link: Link, *, can_open: bool, shown_url: str | None = None) -> None:
        """A link row.

        Args:
            link: The page to open.
            can_open: False over SSH: offer to copy the address instead of opening it.
            shown_url: What to draw instead of the full address (e.g. with the client ID
                masked); Open and Copy still use the full address.
        """
        super().__init__(classes="link-row")
        self.link = link
        self.can_open = can_open
        self.shown_url = shown_url or link.url

    def compose(self) -> ComposeResult:
        yield Static(f"{self.link.label}: {self.shown_url}", classes="link-text", markup=False)
        if self.can_open:
            yield Button("Open", classes="link-button", compact=True, tooltip="Open in a browser")
        else:
            yield Button(
                "Copy link",
                classes="link-button",
                compact=True,
                tooltip="This is a remote session: copy the address and open it on your computer",
            )

    @on(Button.Pressed, ".link-button")
    def follow(self, event: Button.Pressed) -> None:
        event.stop()
        if self.can_open:
            self.app.open_url(self.link.url)
            self.app.notify(f"Opening {self.link.label} in your browser…", timeout=3)
        else:
            fallback = (
                "select the address shown with the mouse"
                if self.shown_url == self.link.url
                else "run the wizard in a terminal on the computer with the browser"
            )
            send_to_clipboard(
                self.app,
                self.link.url,
                f"the address of {self.link.label} (open it in a browser on your computer)",
                fallback,
            )


class ChecklistItemView(Vertical):
    """One checklist item: its tick box, explanation, values to copy and links."""

    def __init__(
        self, item: ChecklistItem, *, ticked: bool, key_set: str, can_open_links: bool
    ) -> None:
        super().__init__(classes="checklist-item", id=f"item-{item.id}")
        self.item = item
        self._ticked = ticked
        self._key_set = key_set
        self._can_open_links = can_open_links

    def compose(self) -> ComposeResult:
        # The parts below the tick box are indented under its label (see wizard.tcss).
        yield TickBox(self.item.label, self._ticked, id=f"tick-{self.item.id}")
        if self.item.detail:
            yield Prose(self.item.detail, classes="item-detail")
        for value in self.item.values:
            if value.key_set in (None, self._key_set):
                yield CopyValueRow(value)
        for link in self.item.links:
            yield LinkRow(link, can_open=self._can_open_links)
