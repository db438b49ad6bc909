"""The hand-off screen: seal the connection for a hosted integration's vendor.

Opened after a successful $1.00 test when the integration is hosted, and from the status home
when a hand-off is due (after a reconnect). It says plainly why this computer stops using the
connection afterwards, seals it in a thread worker (core's `hand_off`), and shows only
ciphertext: a new private file, or armoured text to paste into a ticket. In demo mode the
practice vendor's hand-off can be opened again to show what a vendor receives, secrets masked.

Dismisses with True once the connection was handed over, False if the user left without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, TextArea

from qbo_wizard.core.handoff.sealed import (
    HandoffPlan,
    HandoffResult,
    default_file_name,
    hand_off,
    masked_view,
    open_with_practice_identity,
    plan_for,
    screen_text,
    short_key,
    write_new_file,
)
from qbo_wizard.core.problems import WizardError
from qbo_wizard.tui.screens.base import session_badges
from qbo_wizard.tui.session import WizardSession
from qbo_wizard.tui.widgets.prose import Prose, ProseVisual, parse_blocks
from qbo_wizard.tui.widgets.status_line import StatusLine
from qbo_wizard.tui.widgets.step_nav import StepBanner


class HandedOff(Message):
    """The connection was sealed, delivered and recorded."""

    def __init__(self, result: HandoffResult, sealed: bytes) -> None:
        super().__init__()
        self.result = result
        self.sealed = sealed


class HandoffFailed(Message):
    """Sealing or delivering failed; nothing was recorded."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class HandoffScreen(Screen[bool]):
    """Seal the connection to the vendor's key; afterwards this computer no longer uses it."""

    DEFAULT_CSS = """
    HandoffScreen #handoff-body { padding: 0 2; }
    HandoffScreen #handoff-how { height: auto; margin: 1 0 0 0; }
    HandoffScreen #handoff-intro { height: auto; }
    HandoffScreen #handoff-how Label { padding: 0 1 0 0; }
    HandoffScreen #handoff-how RadioSet { width: 1fr; }
    HandoffScreen #handoff-done, HandoffScreen #handoff-opened { margin: 1 0 0 0; }
    HandoffScreen #handoff-file-row { height: auto; margin: 1 0; }
    HandoffScreen #handoff-file { width: 1fr; }
    HandoffScreen #handoff-buttons, HandoffScreen #handoff-after { height: auto; }
    HandoffScreen #handoff-buttons Button, HandoffScreen #handoff-after Button { margin: 0 2 0 0; }
    HandoffScreen #handoff-text { height: 12; }
    HandoffScreen .-hidden { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Not now", id="handoff.leave", tooltip="Leave without it"),
    ]

    def __init__(self, session: WizardSession, plan: HandoffPlan) -> None:
        super().__init__(id="handoff")
        self.session = session
        self.plan = plan
        self.handed = False
        self.sealed: bytes | None = None
        self.values = {
            "vendor": plan.vendor,
            "contact": plan.contact,
            "keys": ", ".join(f"`{short_key(key)}`" for key in plan.recipients),
        }

    def text(self, key: str, **more: str) -> str:
        return screen_text(key, **self.values, **more)

    def compose(self) -> ComposeResult:
        yield StepBanner(self.text("title"), lambda: session_badges(self.session))
        with VerticalScroll(id="handoff-body"):
            with Vertical(id="handoff-intro"):
                yield Prose(self.text("intro"))
                yield Prose(self.text("one_holder"))
                if self.plan.contact:
                    yield Prose(self.text("contact"))
                if self.plan.practice:
                    yield Prose(self.text("practice"))
            with Vertical(id="handoff-form"):
                with Horizontal(id="handoff-how"):
                    yield Label(self.text("how_label"))
                    with RadioSet(id="handoff-as", compact=True):
                        yield RadioButton(self.text("as_file"), value=True, id="as-file")
                        yield RadioButton(self.text("as_text"), id="as-text")
                with Vertical(id="handoff-file-row"):
                    yield Label(self.text("file_label"))
                    yield Input(self.suggested_file(), id="handoff-file", compact=True)
                with Horizontal(id="handoff-buttons"):
                    yield Button(self.text("seal"), variant="primary", id="handoff-seal")
                    yield Button(self.text("not_now"), id="handoff-not-now")
            yield StatusLine(id="handoff-status")
            yield Prose("", id="handoff-done", classes="-hidden")
            yield TextArea("", read_only=True, id="handoff-text", classes="-hidden")
            with Horizontal(id="handoff-after", classes="-hidden"):
                if self.session.demo is not None and self.plan.practice:
                    yield Button(self.text("open_again"), id="handoff-open-again")
                yield Button(self.text("finish"), variant="primary", id="handoff-finish")
            yield Prose("", id="handoff-opened", classes="-hidden")
        yield Footer(show_command_palette=False)

    def suggested_file(self) -> str:
        """A new file's name in the home folder (the demo's throwaway folder in demo mode)."""
        demo = self.session.demo
        folder = Path(demo.home) if demo is not None else Path.home()
        return str(folder / default_file_name(self.session.profile))

    @property
    def as_text(self) -> bool:
        return self.query_one("#as-text", RadioButton).value

    @on(RadioSet.Changed, "#handoff-as")
    def how_changed(self) -> None:
        self.query_one("#handoff-file-row").set_class(self.as_text, "-hidden")

    @on(Button.Pressed, "#handoff-seal")
    @on(Input.Submitted, "#handoff-file")
    def seal_pressed(self) -> None:
        target = None if self.as_text else self.query_one("#handoff-file", Input).value.strip()
        if target is not None and not target:
            self.query_one("#handoff-status", StatusLine).failed(
                "Type where to save the sealed file, or choose to show it as text."
            )
            return
        self.query_one("#handoff-seal", Button).disabled = True
        self.query_one("#handoff-status", StatusLine).working(self.text("sealing"))
        self.seal(self.session.profile.name, target)

    @work(thread=True, exclusive=True, group="handoff", exit_on_error=False)
    def seal(self, profile_name: str, target: str | None) -> None:
        """Runs in a thread: reads the keyring, seals, writes, records."""
        delivered: list[bytes] = []

        def deliver(sealed: bytes) -> str:
            delivered.append(sealed)
            if target is None:
                return "text"
            path = Path(target).expanduser()
            write_new_file(path, sealed)
            return str(path)

        try:
            from qbo_wizard.core.profile_store import profile_store

            plan = plan_for(
                profile_store(profile_name).read(), self.plan.recipients, self.plan.vendor
            )
            result = hand_off(profile_name, plan, deliver, armored=target is None)
        except WizardError as error:
            self.post_message(HandoffFailed(error.in_wizard()))
            return
        self.post_message(HandedOff(result, delivered[0]))

    @on(HandoffFailed)
    def show_failure(self, event: HandoffFailed) -> None:
        self.query_one("#handoff-seal", Button).disabled = False
        self.query_one("#handoff-status", StatusLine).failed(event.reason)

    @on(HandedOff)
    def show_handed(self, event: HandedOff) -> None:
        self.handed = True
        self.sealed = event.sealed
        record = event.result.record
        self.query_one("#handoff-form").display = False
        self.query_one("#handoff-intro").display = False
        self.query_one("#handoff-status", StatusLine).clear()
        as_text = record.delivered_as == "text"
        words = self.text("done_text" if as_text else "done_file", where=record.delivered_as)
        if not event.result.local_copy_removed:
            words += "\n\n" + self.text("left_behind")
        done = self.query_one("#handoff-done", Prose)
        done.update(ProseVisual(parse_blocks(words)))
        done.remove_class("-hidden")
        if as_text:
            box = self.query_one("#handoff-text", TextArea)
            box.load_text(event.sealed.decode("ascii"))
            box.remove_class("-hidden")
        self.query_one("#handoff-after").remove_class("-hidden")
        self.query_one("#handoff-finish", Button).focus()

    @on(Button.Pressed, "#handoff-open-again")
    def open_again(self) -> None:
        if self.sealed is None:
            return
        try:
            connection = open_with_practice_identity(self.sealed)
        except WizardError as error:
            self.query_one("#handoff-status", StatusLine).failed(error.in_wizard())
            return
        lines = [self.text("opened"), ""]
        for name, value in masked_view(connection):
            if name == "realm_id" and self.session.presenter:
                value = f"…{value[-4:]}"
            lines.append(f"- `{name}`: {value}")
        opened = self.query_one("#handoff-opened", Prose)
        opened.update(ProseVisual(parse_blocks("\n".join(lines))))
        opened.remove_class("-hidden")
        opened.scroll_visible()

    @on(Button.Pressed, "#handoff-finish")
    def finish(self) -> None:
        self.dismiss(self.handed)

    @on(Button.Pressed, "#handoff-not-now")
    def action_leave(self) -> None:
        self.dismiss(self.handed)


async def offer_handoff(app: App[Any], session: WizardSession) -> bool:
    """Open the hand-off screen when the profile's hosted integration waits for its connection
    (checked off the UI thread: it reads the keyring). True once it was handed over."""
    import copy

    from textual.worker import WorkerFailed

    from qbo_wizard.core.handoff.sealed import handoff_due

    profile = copy.deepcopy(session.profile)
    worker = app.run_worker(
        lambda: handoff_due(profile),
        name="handoff-due",
        group="handoff-due",
        thread=True,
        exit_on_error=False,
    )
    try:
        plan = await worker.wait()
    except WorkerFailed:
        return False  # nothing to offer when it cannot even be checked; doctor will say why
    if plan is None:
        return False
    handed = await app.push_screen(HandoffScreen(session, plan), wait_for_dismiss=True)
    return bool(handed)
