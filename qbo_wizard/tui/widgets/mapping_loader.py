"""Step 7's loading pane: opens the mapping in a thread and says what it is doing meanwhile.

The saved mapping, the integration and the company's accounts, items and tax codes are read by
`core.mapping.session.open_mapping_session` in a thread worker, with progress ("Reading
accounts… 3,000 of 10,000"), the reason for a long wait, and the matching that follows. The
result is posted as `MappingLoader.Loaded`, or `MappingLoader.IntegrationNeeded` when no
integration is chosen yet (or the chosen one cannot be read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, ProgressBar
from textual.worker import get_current_worker

from qbo_wizard.core.mapping.company_lists import ListProgress
from qbo_wizard.core.mapping.integrations import Integration, builtin_integrations
from qbo_wizard.core.mapping.session import MappingSession, open_mapping_session
from qbo_wizard.core.step_content import StepContent
from qbo_wizard.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from qbo_wizard.core.connection.api import Wait
    from qbo_wizard.core.mapping.company_lists import QboClient


class LoadStopped(Exception):
    """The screen went away while the lists were loading."""


@dataclass
class ListsProgressed(Message):
    """One more page of a list was read (None: reading is about to start)."""

    progress: ListProgress | None


@dataclass
class ListsWaiting(Message):
    """The next request waits more than a second (Intuit's limits, or a retry)."""

    wait: Wait


@dataclass
class ListsMatching(Message):
    """The lists are read; suggestions and pickers are being made (a second or more on a
    large company)."""

    lines: int
    accounts: int
    items: int


@dataclass
class LoadFailed(Message):
    """Reading the lists stopped; `reason` says why in plain words."""

    reason: str
    shipped: tuple[Integration, ...]


class MappingLoader(Vertical):
    """What is being read and how far it got; a failure says why and how to try again."""

    @dataclass
    class Loaded(Message):
        """The mapping is open for editing: draft, saved mapping, its check, suggestions."""

        session: MappingSession
        client: QboClient
        shipped: tuple[Integration, ...]
        """The integrations that ship with the wizard (to offer when the user changes it)."""

    @dataclass
    class IntegrationNeeded(Message):
        """No integration is chosen yet (or the chosen one cannot be read: `problem` says why)."""

        problem: str | None
        shipped: tuple[Integration, ...]

    def __init__(self, content: StepContent, *, id: str, classes: str) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id, classes=classes)
        self.content = content
        self.reading = False
        """True while the worker reads; the screen's refresh and change keys wait for it."""
        self.shipped: tuple[Integration, ...] = ()
        """The integrations that ship with the wizard, as the last load read them."""

    def compose(self) -> ComposeResult:
        yield Label(self.content.text("connecting"), id="load-text", markup=False)
        yield ProgressBar(id="load-bar", show_eta=False)
        yield StatusLine(id="load-status")

    def start(
        self,
        profile_name: str,
        client: QboClient | None,
        reference: str | None,
        remembered: str | None,
        refresh: bool | None,
    ) -> None:
        """Open the mapping of `reference` (else the saved or `remembered` one) in a worker."""
        self.reading = True
        self.query_one("#load-text", Label).update(self.content.text("connecting"))
        self.query_one("#load-bar", ProgressBar).update(total=None, progress=0)
        self.query_one("#load-status", StatusLine).clear()
        self.load(profile_name, client, reference, remembered, refresh)

    @work(thread=True, exclusive=True, group="map-load", exit_on_error=False)
    def load(
        self,
        profile_name: str,
        client: QboClient | None,
        reference: str | None,
        remembered: str | None,
        refresh: bool | None,
    ) -> None:
        """Runs in a thread: everything here may read files, the keyring or QuickBooks."""
        from qbo_wizard.core.problems import WizardError

        shipped: tuple[Integration, ...] = ()
        try:
            shipped = tuple(builtin_integrations())
            opened = self._open(profile_name, client, reference, remembered, refresh, shipped)
            self.post_message(opened)
        except LoadStopped:
            return
        except WizardError as error:
            self.post_message(LoadFailed(error.in_wizard(), shipped))
        except Exception as error:  # plain words, never a token
            unexpected = self.content.text("unexpected", kind=type(error).__name__)
            self.post_message(LoadFailed(unexpected, shipped))

    def _open(
        self,
        profile_name: str,
        client: QboClient | None,
        reference: str | None,
        remembered: str | None,
        refresh: bool | None,
        shipped: tuple[Integration, ...],
    ) -> Message:
        from qbo_wizard import connection
        from qbo_wizard.core.connection.api import QboApi

        worker = get_current_worker()

        def progress(step: ListProgress) -> None:
            if worker.is_cancelled:
                raise LoadStopped
            self.post_message(ListsProgressed(step))

        def matching(lines: int, accounts: int, items: int) -> None:
            self.post_message(ListsMatching(lines, accounts, items))

        def reading() -> None:
            self.post_message(ListsProgressed(None))

        def say_why(wait: Wait) -> None:
            self.post_message(ListsWaiting(wait))

        def connected() -> QboClient:
            # Asked for only once the integration is known: choosing one needs no connection.
            opened = client or connection(profile_name)
            if isinstance(opened, QboApi):
                opened.on_wait = say_why
            return opened

        session = open_mapping_session(
            connected,
            profile_name,
            integration_reference=reference,
            remembered=remembered,
            refresh=refresh,
            for_editing=True,
            on_list=progress,
            on_reading=reading,
            on_matching=matching,
        )
        if session.integration is None:
            return self.IntegrationNeeded(session.integration_problem, shipped)
        assert session.client is not None  # the lists were read with it
        return self.Loaded(session, session.client, shipped)

    @on(Loaded)
    @on(IntegrationNeeded)
    def finished(self, event: Loaded | IntegrationNeeded) -> None:
        """Reading is over; the screen takes it from here (the message goes on to it)."""
        self.reading = False
        self.shipped = event.shipped

    @on(ListsProgressed)
    def show_progress(self, event: ListsProgressed) -> None:
        step = event.progress
        text = self.query_one("#load-text", Label)
        bar = self.query_one("#load-bar", ProgressBar)
        if step is None:
            text.update(self.content.text("reading", what="accounts, items and tax codes"))
            return
        if step.total:
            text.update(
                self.content.text(
                    "reading_count",
                    what=step.label,
                    loaded=f"{step.loaded:,}",
                    total=f"{step.total:,}",
                )
            )
            bar.update(total=step.total, progress=step.loaded)
        else:
            words = "reading_some" if step.loaded else "reading"
            text.update(self.content.text(words, what=step.label, loaded=f"{step.loaded:,}"))
            bar.update(total=None)

    @on(ListsWaiting)
    def show_waiting(self, event: ListsWaiting) -> None:
        seconds = f"{event.wait.seconds:.0f}"
        text = self.content.text(f"wait_{event.wait.reason}", seconds=seconds)
        self.query_one("#load-text", Label).update(text)

    @on(ListsMatching)
    def show_matching(self, event: ListsMatching) -> None:
        text = self.content.text(
            "matching",
            lines=f"{event.lines:,}",
            accounts=f"{event.accounts:,}",
            items=f"{event.items:,}",
        )
        # The bar stays full: an animated one would take turns with the matching it waits for.
        self.query_one("#load-text", Label).update(text)

    @on(LoadFailed)
    def load_failed(self, event: LoadFailed) -> None:
        self.reading = False
        self.shipped = event.shipped or self.shipped
        self.query_one("#load-bar", ProgressBar).update(total=100, progress=0)
        status = self.query_one("#load-status", StatusLine)
        status.failed(f"{event.reason} {self.content.text('load_failed_hint')}")
        self.screen.refresh_bindings()
