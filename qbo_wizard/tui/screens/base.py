"""The frame every step shares: banner, step list or strip, the step's content, and keys.

A step screen dismisses with a `StepOutcome`; the orchestrating worker in `app.py` decides what
opens next. Subclasses provide `compose_step()` and, if they track completion, `state_on_leave()`.
"""

from __future__ import annotations

import sys
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.types import NoActiveAppError
from textual.widget import Widget
from textual.widgets import Button, Input, Static
from textual.worker import Worker, WorkerState

from qbo_wizard.core.profile import Profile
from qbo_wizard.core.progress import is_configured, next_step, previous_step, record_step_state
from qbo_wizard.core.step_content import StepContent, load_step_content
from qbo_wizard.core.steps import STEPS, StepId, step_by_id, step_ref
from qbo_wizard.tui.outcomes import (
    GoBack,
    GoNext,
    JumpTo,
    OpenStatus,
    QuitWizard,
    Reconnect,
    StepOutcome,
)
from qbo_wizard.tui.session import WizardSession
from qbo_wizard.tui.widgets.explained import FixButton
from qbo_wizard.tui.widgets.key_hints import KeyHints
from qbo_wizard.tui.widgets.status_line import StatusLine
from qbo_wizard.tui.widgets.step_nav import StepBanner, StepList, StepStrip, step_label

WORKER_STOPPED = (
    "Something unexpected stopped this ({kind}). You can try again, or leave this step; "
    f"{step_ref('troubleshoot')} helps if it keeps happening."
)


def session_badges(session: WizardSession) -> list[str]:
    """The banner's right-hand side: mode marks first (they matter most), then the profile."""
    profile = session.profile
    badges = []
    if session.demo is not None:
        badges.append("DEMO")
    if session.presenter:
        badges.append("PRESENTER")
    return [*badges, f"profile {profile.name}", f"{profile.key_set} keys"]


def is_text_field(widget: Widget | None) -> bool:
    """True for a field that takes typed text (an `Input` or a `TextArea`).

    `TextArea` is checked only once its module is loaded (a screen that has one imported it):
    importing it just for this check would slow down the first screen.
    """
    if isinstance(widget, Input):
        return True
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea)


class StepScreen(Screen[StepOutcome]):
    """One step of the wizard in the shared frame."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n",
            "next_step",
            "Next",
            id="step.next",
            tooltip="Save and go on to the next step",
        ),
        Binding("b", "previous_step", "Back", id="step.back", tooltip="Go back one step"),
        Binding(
            "g",
            "go_to_step",
            "Go to step",
            id="step.go",
            tooltip="Jump to any step by its number (or press 1–9)",
        ),
        Binding(
            "s",
            "status_home",
            "Status",
            id="step.status",
            tooltip="Back to the status of this connection",
        ),
        Binding(
            "q",
            "quit_wizard",
            "Quit",
            id="step.quit",
            tooltip="Save your place and quit; run qbo-wizard again to carry on here",
        ),
        Binding(
            "escape",
            "leave_field",
            "Leave field",
            id="step.leave-field",
            tooltip="Stop typing here, so the step keys (n, b, g, q) work again",
        ),
        *[
            Binding(str(number), f"jump({number})", show=False, id=f"step.jump-{number}")
            for number in range(1, len(STEPS) + 1)
        ],
    ]
    TALKS_TO_QUICKBOOKS: ClassVar[bool] = True
    """The step reaches Intuit or the company (in demo mode it opens once the practice
    QuickBooks runs)."""
    # Keys that would type into a text field; hidden from the footer while one has the focus.
    STEP_KEYS = frozenset(
        {"next_step", "previous_step", "go_to_step", "status_home", "quit_wizard", "jump"}
    )

    def __init__(self, step_id: StepId, session: WizardSession) -> None:
        super().__init__(id=f"step-{step_id}", classes="step-screen")
        # The width class (-narrow / -wide) Textual sets when the screen is first resized, set
        # now: a class that changes after mounting restyles every widget on the screen again.
        self.add_class(*self._width_classes(), update=False)
        self.step = step_by_id(step_id)
        self.session = session
        self.content: StepContent = load_step_content(step_id)
        self.busy = False
        """True while the step is storing something; leaving must wait until it is done."""
        self.busy_message = "One moment: the wizard is still saving this step."
        """What to say when the user tries to leave while `busy`."""

    def _width_classes(self) -> list[str]:
        """The app's breakpoint class for its current width (none outside a running app)."""
        try:
            app = self.app
        except NoActiveAppError:
            return []
        width = app.size.width
        breakpoints = app.HORIZONTAL_BREAKPOINTS or []
        fitting = [(minimum, name) for minimum, name in breakpoints if width >= minimum]
        return [max(fitting)[1]] if fitting else []

    @property
    def profile(self) -> Profile:
        """The profile being walked (shared with every other screen)."""
        return self.session.profile

    def compose(self) -> ComposeResult:
        yield StepBanner(step_label(self.step), lambda: session_badges(self.session))
        yield StepStrip(self.profile, self.step.id)
        with Horizontal(id="body"):
            yield StepList(self.profile, self.step.id)
            with VerticalScroll(id="step-content"):
                yield Static(self.content.summary, id="step-summary", markup=False)
                yield from self.compose_step()
        yield KeyHints()

    def compose_step(self) -> ComposeResult:
        """The step's own widgets, below its summary line."""
        yield from ()

    def state_on_leave(self, moving_on: bool) -> str | None:
        """The state to record for this step as the user leaves it; None keeps the old one."""
        return None

    def finish(self, outcome: StepOutcome) -> None:
        """Record this step's state, then hand `outcome` to the flow."""
        if self.busy:
            self.notify(self.busy_message, timeout=3)
            return
        state = self.state_on_leave(moving_on=isinstance(outcome, GoNext))
        if state is not None:
            record_step_state(self.profile, self.step.id, state)
        self.dismiss(outcome)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide keys that do nothing here (Back on step 1, Status before any connection)."""
        typing = is_text_field(self.focused)
        if action == "leave_field":
            return typing
        if typing and action in self.STEP_KEYS:
            return False
        if action == "previous_step":
            return previous_step(self.step.id) is not None
        if action == "next_step":
            return next_step(self.step.id) is not None
        if action == "status_home":
            return is_configured(self.profile)
        return True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Safety net: a worker that stopped on an error it did not catch never leaves the step
        waiting. The step is no longer busy and says so in plain words (the error's type only:
        its text may quote a token or an address)."""
        if event.state != WorkerState.ERROR:
            return
        self.busy = False
        message = WORKER_STOPPED.format(kind=type(event.worker.error).__name__)
        waiting = [line for line in self.query(StatusLine) if line.has_class("-working")]
        for line in waiting:
            line.failed(message)
        if not waiting:
            self.notify(message, severity="error", timeout=8, markup=False)
        self.refresh_bindings()

    def on_resize(self) -> None:
        """A widget hidden by the new width (the step list below 100 columns) gives up the
        focus, so keys never act on something the user cannot see."""
        self.call_after_refresh(self._drop_hidden_focus)

    def _drop_hidden_focus(self) -> None:
        focused = self.focused
        if focused is not None and not focused.focusable:
            self.set_focus(None)

    def action_leave_field(self) -> None:
        self.set_focus(None)

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    def action_next_step(self) -> None:
        self.finish(GoNext())

    def action_previous_step(self) -> None:
        self.finish(GoBack())

    def action_status_home(self) -> None:
        self.finish(OpenStatus())

    def action_quit_wizard(self) -> None:
        self.finish(QuitWizard())

    def action_jump(self, number: int) -> None:
        target = STEPS[number - 1].id
        if target != self.step.id:
            self.finish(JumpTo(target))

    def action_go_to_step(self) -> None:
        def chosen(step_id: StepId | None) -> None:
            if step_id is not None and step_id != self.step.id:
                self.finish(JumpTo(step_id))

        from qbo_wizard.tui.screens.go_to_step import GoToStepScreen

        self.app.push_screen(GoToStepScreen(self.profile, self.step.id), chosen)

    def fix_in_step(self, step_id: StepId, line_id: str | None = None) -> None:
        """Open the step that fixes a problem; a refused connection takes the reconnect path."""
        if step_id == "connect" and is_configured(self.profile):
            self.finish(Reconnect())
        elif step_id != self.step.id:
            self.finish(JumpTo(step_id, line_id))

    @on(Button.Pressed, ".fix-button")
    def fix_pressed(self, event: Button.Pressed) -> None:
        event.stop()

        if isinstance(event.button, FixButton):
            self.fix_in_step(event.button.step_id, event.button.line_id)

    @on(StepList.StepChosen)
    def jump_from_list(self, event: StepList.StepChosen) -> None:
        if event.step_id != self.step.id:
            self.finish(JumpTo(event.step_id))


class WaitingStepScreen(StepScreen):
    """A step's frame with a note, shown while something the step needs is still starting
    (demo mode's practice QuickBooks); the step itself replaces it a moment later."""

    TALKS_TO_QUICKBOOKS = False

    def __init__(self, step_id: StepId, session: WizardSession, note: str) -> None:
        super().__init__(step_id, session)
        self.note = note

    def compose_step(self) -> ComposeResult:
        yield Static(self.note, classes="demo-note", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return False  # nothing to do here until the step opens
