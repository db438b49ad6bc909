"""The status home: where a configured profile opens on every re-run.

One row per area (keys, connection, token expiry, mapping, last test) with ✓ / ! / ✗ / ? and one
line of why, and the four ways back to green. The checks run in a thread worker (they read the
keyring and, once live checks exist, the network) and post their report back as a message.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, Static
from textual.worker import Worker, WorkerState

from qbo_wizard.core.health.area_status import AREA_TITLES, AreaId, AreaStatus, StatusOptions
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.steps import render_step_refs, step_ref, steps_ref
from qbo_wizard.tui.outcomes import HomeChoice, JumpTo, NewApp, QuitWizard, Reconnect
from qbo_wizard.tui.screens.base import session_badges
from qbo_wizard.tui.screens.confirm import ConfirmScreen
from qbo_wizard.tui.session import WizardSession
from qbo_wizard.tui.widgets.step_nav import StepBanner

if TYPE_CHECKING:
    from qbo_wizard.core.handoff.sealed import HandoffPlan

VERDICT_GLYPHS = {
    "ok": ("✓", "$text-success"),
    "warning": ("!", "$text-warning"),
    "problem": ("✗", "$text-error"),
}
UNKNOWN_GLYPH = ("?", "$text-warning")
CHECKING_GLYPH = ("…", "$text-muted")

NEW_APP_QUESTION = render_step_refs("""\
Use this when the person who created the Intuit app has been **deleted** from QuickBooks.

The wizard forgets the current connection and walks you through
{{steps:create-app to connect}} again: create a new app with a shared admin login, enter its
keys, and connect. Your mapping is kept.
""")


TAKEOVER_QUESTION = """\
Only one connection per app and company can exist. If another **admin of {company}** approved
this app from their own Intuit login (often a colleague, or an accountant setting up their own
copy of the integration), their connection replaced this one. That looks the same here as a
password change: QuickBooks no longer accepts the connection.

Reconnecting **takes the connection back from them**: whatever they run with it stops working.
Agree with them first who keeps it, then reconnect as an admin and pick the same company.
"""


class StatusChecked(Message):
    """The status checks finished."""

    def __init__(self, report: list[AreaStatus]) -> None:
        super().__init__()
        self.report = report


class HandoffChecked(Message):
    """Whether the hosted integration waits for a hand-off (`plan`, None when it does not), and
    the vendor holding the connection already (`holder`, None when this computer holds it)."""

    def __init__(self, plan: HandoffPlan | None, holder: str | None) -> None:
        super().__init__()
        self.plan = plan
        self.holder = holder


class StatusRow(Horizontal):
    """`✓ Area   why (→ step N)`; starts as `…  Checking…`. Long reasons wrap under the why."""

    def __init__(self, area: AreaId) -> None:
        super().__init__(id=f"status-{area}", classes="status-row")
        self.area = area

    def compose(self) -> ComposeResult:
        glyph, style = CHECKING_GLYPH
        yield Static(Content.assemble((glyph, style), f" {AREA_TITLES[self.area]}"), classes="area")
        yield Static("Checking…", classes="why", markup=False)

    def show_status(self, status: AreaStatus) -> None:
        """Draw the verdict of one area, with the step that fixes a problem."""
        glyph, style = VERDICT_GLYPHS.get(status.verdict, UNKNOWN_GLYPH)
        self.query_one(".area", Static).update(Content.assemble((glyph, style), f" {status.title}"))
        why = Content(status.why_in_wizard)
        if status.verdict != "ok" and status.fix_step is not None:
            why = Content.assemble(why, (f"  → {step_ref(status.fix_step)}", "$text-muted"))
        self.query_one(".why", Static).update(why)
        self.set_class(status.verdict == "problem", "-problem")

    def render_text(self) -> str:
        """The row as plain text (for tests and screen readers)."""
        area = str(self.query_one(".area", Static).render())
        return f"{area}  {self.query_one('.why', Static).render()}"


# Which action to highlight when an area is red.
RECOMMENDED = {"connection": "do-reconnect", "token-expiry": "do-reconnect", "last-test": "do-test"}


class StatusHomeScreen(Screen[HomeChoice]):
    """A configured profile at a glance, with one key per way back to green."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "r",
            "choose('reconnect')",
            "Reconnect",
            id="home.reconnect",
            tooltip="The authorizing user's password changed: approve the connection again",
        ),
        Binding(
            "o",
            "choose('takeover')",
            "Taken over",
            id="home.takeover",
            tooltip="Another admin connected this app: agree with them, then take it back",
            show=False,  # its button shows the key; the footer keeps room for Quit at 80 columns
        ),
        Binding(
            "a",
            "choose('new-app')",
            "New app",
            id="home.new-app",
            tooltip="The app's creator was deleted: set up a new app "
            f"({steps_ref('create-app', 'connect', '–')})",
        ),
        Binding(
            "t",
            "choose('test')",
            "Test again",
            id="home.test",
            tooltip=step_ref("test", capital=True),
        ),
        Binding(
            "h",
            "choose('troubleshoot')",
            "Troubleshoot",
            id="home.help",
            tooltip=step_ref("troubleshoot", capital=True),
        ),
        Binding(
            "s",
            "choose('steps')",
            "All steps",
            id="home.steps",
            tooltip="Open the steps where you left off",
        ),
        Binding("q", "choose('quit')", "Quit", id="home.quit", tooltip="Quit the wizard"),
        Binding(
            "v",
            "choose('handoff')",
            "Hand over",
            id="home.handoff",
            tooltip="Seal the connection for the hosted integration's vendor",
        ),
    ]

    def __init__(self, session: WizardSession) -> None:
        super().__init__(id="status-home")
        self.session = session
        self.report: list[AreaStatus] | None = None
        self.handoff_plan: HandoffPlan | None = None
        """Set when the hosted integration waits for its connection (after a reconnect)."""
        self.held_by: str | None = None
        """The vendor holding the connection since a hand-off: this computer cannot test it."""

    def compose(self) -> ComposeResult:
        profile = self.session.profile
        yield StepBanner("Status of this connection", lambda: session_badges(self.session))
        with VerticalScroll(id="home-body"):
            with Vertical(id="status-panel") as panel:
                panel.border_title = Content(profile.company_name or "Your QuickBooks connection")
                for area in AREA_TITLES:
                    yield StatusRow(area)
            yield Label("What would you like to do?", id="home-question")
            with Grid(id="home-actions"):
                yield Button("Reconnect after a password change (r)", id="do-reconnect")
                yield Button("Another admin took over the connection (o)", id="do-takeover")
                yield Button("The app's creator was deleted (a)", id="do-new-app")
                yield Button("Run the test again (t)", id="do-test")
                yield Button("Troubleshoot (h)", id="do-troubleshoot")
            yield Button("Open all steps (s)", id="do-steps", classes="-secondary")
            yield Button("Hand the connection over (v)", id="do-handoff", variant="primary")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#do-handoff", Button).display = False
        self.check_status(copy.deepcopy(self.session.profile))

    @work(thread=True, exclusive=True, group="status", exit_on_error=False)
    def check_status(self, profile: Profile) -> None:
        """Run the status checks on a copy of the profile, off the UI thread; post the report."""
        # Loaded here, off the UI thread: the checks bring the doctor, the API client and the
        # $1.00 test with them, which the first frame of the status home does not need.
        from qbo_wizard.core.health.status import status_report

        options = StatusOptions(live=True, short_ids=self.session.presenter)
        report = status_report(profile, options)
        self.post_message(StatusChecked(report))
        from qbo_wizard.core.handoff.sealed import handoff_standing

        plan, holding = handoff_standing(profile)
        self.post_message(HandoffChecked(plan, holding.vendor if holding is not None else None))

    @on(HandoffChecked)
    def show_handoff(self, event: HandoffChecked) -> None:
        """Offer the hand-off while the hosted integration's vendor waits for the connection."""
        # A connection QuickBooks refuses is reconnected first; that one is then handed over.
        refused = any(
            status.area == "connection" and status.verdict == "problem"
            for status in self.report or ()
        )
        self.handoff_plan = None if refused else event.plan
        # The vendor holds the connection: the $1.00 test is theirs to run now.
        self.held_by = event.holder
        self.query_one("#do-test", Button).display = event.holder is None
        button = self.query_one("#do-handoff", Button)
        button.display = self.handoff_plan is not None
        if self.handoff_plan is not None:
            button.label = f"Hand the connection to {self.handoff_plan.vendor} (v)"
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters == ("handoff",):
            return self.handoff_plan is not None
        if action == "choose" and parameters == ("test",):
            return self.held_by is None
        return True

    @on(StatusChecked)
    def show_report(self, event: StatusChecked) -> None:
        self.report = event.report
        for status in event.report:
            self.query_one(f"#status-{status.area}", StatusRow).show_status(status)
        red = [status.area for status in event.report if status.verdict == "problem"]
        recommended = next((RECOMMENDED[area] for area in red if area in RECOMMENDED), None)
        for button in self.query("#home-actions Button").results(Button):
            button.variant = "primary" if button.id == recommended else "default"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A check that stopped on an unexpected error leaves no row at `Checking…`."""
        if event.state != WorkerState.ERROR or self.report is not None:
            return
        why = f"Could not be checked ({type(event.worker.error).__name__})."
        for row in self.query(StatusRow).results(StatusRow):
            row.show_status(AreaStatus(row.area, "unknown", why))

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        choice = (event.button.id or "").removeprefix("do-")
        self.action_choose(choice)

    def action_choose(self, choice: str) -> None:
        if choice == "reconnect":
            self.dismiss(Reconnect())
        elif choice == "new-app":
            question = ConfirmScreen(
                "The app's creator was deleted", NEW_APP_QUESTION, "Set up a new app"
            )

            def answered(yes: bool | None) -> None:
                if yes:
                    self.dismiss(NewApp())

            self.app.push_screen(question, answered)
        elif choice == "takeover":
            company = self.session.profile.company_name or "the company"
            question = ConfirmScreen(
                "Another admin took over the connection",
                TAKEOVER_QUESTION.format(company=company),
                "We agreed: reconnect",
                "Not yet",
            )

            def agreed(yes: bool | None) -> None:
                if yes:
                    self.dismiss(Reconnect())

            self.app.push_screen(question, agreed)
        elif choice in ("test", "troubleshoot"):
            self.dismiss(JumpTo(choice))  # type: ignore[arg-type]
        elif choice == "steps":
            self.dismiss(JumpTo(self.session.profile.current_step))  # type: ignore[arg-type]
        elif choice == "quit":
            self.dismiss(QuitWizard())
        elif choice == "handoff" and self.handoff_plan is not None:
            from qbo_wizard.tui.screens.handoff import HandoffScreen

            def back(_handed: bool | None) -> None:
                self.check_status(copy.deepcopy(self.session.profile))

            self.app.push_screen(HandoffScreen(self.session, self.handoff_plan), back)
