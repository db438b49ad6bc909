"""What a second wizard on the same profile shows: who has it open, and its status, read-only.

Only one wizard changes a profile at a time (`core.wizard_lock`). Another browser tab or
terminal opening the same profile gets this screen instead of the steps: it says who has the
profile open and since when, and shows the status rows from what the profile and keyring say
(no live checks: they could refresh the connection under the other wizard). Nothing here
saves anything.
"""

from __future__ import annotations

import copy
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from qbo_wizard.core.health.area_status import AREA_TITLES, StatusOptions
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.wizard_lock import WizardHolder
from qbo_wizard.tui.outcomes import QuitWizard
from qbo_wizard.tui.screens.base import session_badges
from qbo_wizard.tui.screens.status_home import StatusChecked, StatusRow
from qbo_wizard.tui.session import WizardSession
from qbo_wizard.tui.widgets.step_nav import StepBanner

READ_ONLY = (
    "Only one wizard changes a profile at a time, so this window changes nothing: it shows "
    "the status below, read-only. To make changes, use the wizard that has it open, or quit "
    "that one (ctrl+q) and open this profile again."
)


class ProfileBusyScreen(Screen[QuitWizard]):
    """Another wizard has this profile open: say who and since when; status only."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit_wizard", "Quit", id="busy.quit", tooltip="Close this window"),
    ]

    def __init__(self, session: WizardSession, holder: WizardHolder) -> None:
        super().__init__(id="profile-busy")
        self.session = session
        self.holder = holder

    def compose(self) -> ComposeResult:
        profile = self.session.profile
        yield StepBanner("Open in another wizard · read-only", lambda: session_badges(self.session))
        with VerticalScroll(id="home-body"):
            yield Static(
                Content.assemble(
                    (f"Profile {profile.name} is open in another wizard. ", "bold"),
                    self.holder.describe(),
                ),
                id="busy-who",
            )
            yield Static(READ_ONLY, id="busy-why", markup=False)
            with Vertical(id="status-panel") as panel:
                panel.border_title = Content(profile.company_name or "Your QuickBooks connection")
                for area in AREA_TITLES:
                    yield StatusRow(area)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.check_status(copy.deepcopy(self.session.profile))

    @work(thread=True, exclusive=True, group="status", exit_on_error=False)
    def check_status(self, profile: Profile) -> None:
        """What the profile and keyring say, off the UI thread (nothing is refreshed)."""
        # Loaded here, off the UI thread: the checks bring the doctor and the API client along.
        from qbo_wizard.core.health.status import status_report

        options = StatusOptions(live=False, short_ids=self.session.presenter)
        self.post_message(StatusChecked(status_report(profile, options)))

    @on(StatusChecked)
    def show_report(self, event: StatusChecked) -> None:
        for status in event.report:
            self.query_one(f"#status-{status.area}", StatusRow).show_status(status)

    def action_quit_wizard(self) -> None:
        self.dismiss(QuitWizard())
