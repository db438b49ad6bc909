"""The wizard's Textual app: one orchestrating worker walks the steps as plain code.

`run_wizard` awaits each step's screen (`push_screen_wait`) and branches on the typed outcome it
dismisses with: next, back, jump to a step, the status home, or quit. The profile is saved after
every change by `ProfileWriter` (atomic writes off the UI thread), so quitting anywhere, or Ctrl+C,
leaves a profile that resumes exactly there.
"""

from __future__ import annotations

import gc
import os
import traceback
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.screen import Screen
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

from qbo_wizard.core.connection.remote import running_over_ssh
from qbo_wizard.core.problems import (
    DEBUG_ENV_VAR,
    EXIT_OK,
    EXIT_PROBLEM,
    unexpected_error_message,
)
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.progress import (
    begin_new_app,
    begin_reconnect,
    enter_step,
    finish_journey,
    is_configured,
    journey,
    next_step,
    previous_step,
)
from qbo_wizard.core.steps import STEPS, StepId
from qbo_wizard.core.wizard_lock import WizardHolder
from qbo_wizard.tui.outcomes import (
    GoBack,
    GoNext,
    JumpTo,
    NewApp,
    OpenStatus,
    QuitWizard,
    Reconnect,
)
from qbo_wizard.tui.screens import step_screen_class
from qbo_wizard.tui.screens.base import StepScreen, WaitingStepScreen
from qbo_wizard.tui.session import DemoInfo, ProfileWriter, WizardSession


def disconnect_old_app(profile_name: str) -> str:
    """Revoke and forget the old app's connection and keys (runs in a thread); says what
    happened in plain words. The wizard's copy of the profile takes in what was saved."""
    from qbo_wizard.core.connection.oauth import disconnect
    from qbo_wizard.core.problems import WizardError

    try:
        return disconnect(profile_name, forget_keys=True).summary()
    except WizardError as error:
        return error.in_wizard()


# How long after the first screen is pushed the wizard does what start-up left for later. By
# then the screen is drawn: Textual lays a new screen out a few times in its first ~0.1 s.
AFTER_START_SECONDS = 0.3

STARTING_PRACTICE = "Starting the practice QuickBooks…"

# The step whose success completes each way back to green.
JOURNEY_LAST_STEP: dict[str, StepId] = {"reconnect": "connect", "new-app": "connect"}


class WizardApp(App[int]):
    """Walks one profile through the nine steps, or opens its status home when configured."""

    TITLE = "qbo-wizard"
    CSS_PATH = Path(__file__).with_name("wizard.tcss")  # absolute, so subclasses find it too
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual's)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            id="app.quit",
            tooltip="Save your place and quit",
            show=False,
            priority=True,
        ),
    ]

    def __init__(
        self,
        profile: Profile,
        *,
        presenter: bool | None = None,
        demo: DemoInfo | None = None,
        over_ssh: bool | None = None,
        resume_gc: bool = False,
        busy: WizardHolder | None = None,
    ) -> None:
        """Create the wizard for one profile.

        Args:
            profile: The loaded profile (saved as the user goes).
            presenter: Screen-share mode; None means "on when served in a browser".
            demo: Set in demo mode (a practice company and a throwaway profile).
            over_ssh: Whether this is a remote session; None reads the environment.
            resume_gc: Start-up paused Python's garbage collector (see `launch.run_wizard`);
                turn it back on once the first screen is drawn.
            busy: Another wizard has this profile open (who, since when): show that and the
                status, read-only, and never save.
        """
        super().__init__()
        self._presenter_option = presenter
        self.busy = busy
        self.session = WizardSession(
            profile=profile,
            writer=ProfileWriter(self, base=profile),
            demo=demo,
            can_open_links=not (running_over_ssh() if over_ssh is None else over_ssh),
        )
        self._practice_start: Worker[tuple[str, dict[str, str]]] | None = None
        self._started = False
        self._resume_gc = resume_gc

    def on_mount(self) -> None:
        session = self.session
        session.web = self.is_web
        chosen = self._presenter_option
        session.presenter = self.is_web if chosen is None else chosen
        if self.is_web:
            session.can_open_links = True  # the browser opens links on the user's side
        self.set_class(session.presenter, "-presenter")
        self._register_passphrase_prompt()
        self.run_wizard()

    def on_unmount(self) -> None:
        self.session.writer.detach()  # the profile's store stops keeping this copy in step

    def _register_passphrase_prompt(self) -> None:
        """An encrypted keyring's passphrase is asked in a masked dialog (from worker threads)."""
        from qbo_wizard.core.connection.passphrase import set_passphrase_prompt

        def ask(where: str, new: bool) -> str | None:
            # The dialog's module (~10 ms, with its masked field) is imported when a passphrase
            # is first asked for, not before every first screen.
            from qbo_wizard.tui.screens.passphrase import ask_from_worker

            return ask_from_worker(self, self.session.presenter, where, new)

        set_passphrase_prompt(ask)

    @work(exclusive=True, group="wizard")
    async def run_wizard(self) -> None:
        """The whole flow, as code: one screen per step, branching on each screen's outcome."""
        session = self.session
        if self.busy is not None:
            from qbo_wizard.tui.screens.profile_busy import ProfileBusyScreen

            closed = self.push_screen(ProfileBusyScreen(session, self.busy), wait_for_dismiss=True)
            self._first_screen_shown()
            await closed
            self.exit(EXIT_OK)
            return
        profile = session.profile
        step_id: StepId = profile.current_step  # type: ignore[assignment]
        show_home = is_configured(profile) and journey(profile) == "setup"
        while True:
            if show_home:
                from qbo_wizard.tui.screens.status_home import StatusHomeScreen

                await self._practice_quickbooks_ready()
                chosen = self.push_screen(StatusHomeScreen(session), wait_for_dismiss=True)
                self._first_screen_shown()
                choice = await chosen
                show_home = False
                if isinstance(choice, QuitWizard):
                    break
                if isinstance(choice, Reconnect):
                    step_id = begin_reconnect(profile)
                elif isinstance(choice, NewApp):
                    step_id = await self._start_new_app()
                else:
                    step_id = choice.step_id
            enter_step(profile, step_id)
            screen_class = step_screen_class(step_id)
            if not self._started and not screen_class.TALKS_TO_QUICKBOOKS:
                # A guidance step reads nothing from the profile's folder, so it is drawn before
                # the profile is first written: that write (a lock, the YAML library, fsync)
                # runs in a thread that would slow the first frame down. It is written after
                # start (`_after_start`); a quit, or core code reading the profile, writes it
                # at once.
                session.writer.hold()
            session.save()
            if screen_class.TALKS_TO_QUICKBOOKS:
                await self._practice_quickbooks_ready(step_id)
            dismissed = self.push_screen(screen_class(step_id, session), wait_for_dismiss=True)
            self._first_screen_shown()
            outcome = await dismissed
            if step_id == "test" and isinstance(outcome, GoNext) and profile.last_test.get("ok"):
                from qbo_wizard.tui.screens.handoff import offer_handoff

                await offer_handoff(self, session)  # a hosted integration gets its connection
            if self._journey_complete(step_id):
                finish_journey(profile)  # back to green: the next run opens on the status home
                show_home = True
            session.save()
            if isinstance(outcome, QuitWizard):
                break
            if show_home:
                continue
            if isinstance(outcome, OpenStatus):
                show_home = True
            elif isinstance(outcome, JumpTo):
                step_id = outcome.step_id
                session.highlight_line = outcome.line_id
            elif isinstance(outcome, Reconnect):
                step_id = begin_reconnect(profile)
            elif isinstance(outcome, GoBack):
                step_id = previous_step(step_id) or step_id
            elif isinstance(outcome, GoNext):
                following = next_step(step_id)
                if following is None:
                    show_home = is_configured(profile)
                else:
                    step_id = following
        await self.action_quit()

    def _first_screen_shown(self) -> None:
        """Once the first screen is drawn, do what start-up left for later (once)."""
        if not self._started:
            self._started = True
            self.set_timer(AFTER_START_SECONDS, self._after_start, name="after start")

    def _after_start(self) -> None:
        """Write the profile, start the practice QuickBooks (demo mode) and the paused garbage
        collector."""
        self.session.writer.release()
        self._start_practice_quickbooks()
        if self._resume_gc:
            self._resume_gc = False
            # What start-up built (modules, styles, the first screen) lives as long as the app:
            # frozen, the collector never walks it again, so resuming costs no long collection.
            gc.freeze()
            gc.enable()

    def _start_practice_quickbooks(self) -> None:
        """Demo mode: start the practice QuickBooks in a thread, once (the first screen does
        not need it, so it is not kept waiting for it)."""
        demo = self.session.demo
        if demo is None or demo.start_simulator is None or self._practice_start is not None:
            return
        self._practice_start = self.run_worker(
            demo.start_simulator,
            name="practice-quickbooks",
            group="practice-quickbooks",
            thread=True,
            exit_on_error=False,
        )

    async def _practice_quickbooks_ready(self, step_id: StepId | None = None) -> None:
        """Demo mode: wait until the practice QuickBooks runs (a step that talks to QuickBooks
        needs its address and keys), showing the step's frame with a note meanwhile. A start
        that failed is reported; the step then shows what it cannot reach."""
        demo = self.session.demo
        if demo is None or demo.start_simulator is None:
            return
        self._start_practice_quickbooks()
        worker = self._practice_start
        assert worker is not None
        waiting: WaitingStepScreen | None = None
        if not worker.is_finished:
            if step_id is None:
                self.notify(STARTING_PRACTICE, timeout=3)
            else:
                waiting = WaitingStepScreen(step_id, self.session, STARTING_PRACTICE)
                await self.push_screen(waiting)
        try:
            url, prefill = await worker.wait()
        except WorkerCancelled:
            return  # the wizard is closing
        except WorkerFailed as failed:
            self.notify(
                escape(f"The practice QuickBooks could not start: {failed.error}"),
                title="Demo mode",
                severity="error",
                timeout=10,
            )
        else:
            self._practice_quickbooks_started(url, prefill)
        if waiting is not None and waiting.is_current:
            await self.pop_screen()

    def _practice_quickbooks_started(self, url: str, prefill: dict[str, str]) -> None:
        """Record the practice QuickBooks' address (in the demo profile too) and keys."""
        demo = self.session.demo
        if demo is None or demo.start_simulator is None:
            return  # already recorded
        demo.simulator_started(url, prefill)
        profile = self.session.profile
        if profile.environment == "simulator" and not profile.simulator_url:
            profile.simulator_url = url
            self.session.save()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is self._practice_start and event.state == WorkerState.SUCCESS:
            self._practice_quickbooks_started(*event.worker.result)  # type: ignore[misc]

    async def _start_new_app(self) -> StepId:
        """Disconnect the old app (at Intuit and in the keyring), then start steps 2–6 again."""
        session = self.session
        self.notify("Disconnecting the old app…", timeout=3)
        worker = self.run_worker(
            partial(disconnect_old_app, session.profile.name),
            name="disconnect",
            group="disconnect",
            thread=True,
            exit_on_error=False,
        )
        summary = await worker.wait()
        self.notify(summary, title="The old app", timeout=10, markup=False)
        return begin_new_app(session.profile)

    def _journey_complete(self, step_id: StepId) -> bool:
        """True when the step just left finishes the chosen way back to green."""
        last = JOURNEY_LAST_STEP.get(journey(self.session.profile))
        return last == step_id and self.session.profile.step_state(step_id) == "done"

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette (Ctrl+P) also offers every step by number and title."""
        yield from super().get_system_commands(screen)
        if isinstance(screen, StepScreen):
            for step in STEPS:
                if step.id != screen.step.id:
                    yield SystemCommand(
                        f"Go to step {step.number} · {step.title}",
                        f"Open step {step.number} of the wizard",
                        partial(screen.finish, JumpTo(step.id)),
                    )

    def _fatal_error(self) -> None:
        """Stop on an unexpected error without Textual's report of local values.

        Textual's crash report prints each frame's local variables, which could include a key
        or a token on a shared screen; it has no public switch for that, so this hook replaces
        the report with a plain message naming only the error's type.
        """
        error = self._exception
        kind = type(error).__name__ if error is not None else "Error"
        self.bell()
        message = unexpected_error_message(kind, "the wizard")
        if error is not None and os.environ.get(DEBUG_ENV_VAR) == "1":
            from qbo_wizard.core.redact import redact_text

            details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            message += "\n\n" + redact_text(details)
        self.exit(return_code=EXIT_PROBLEM, message=message)
        self._close_messages_no_wait()

    def action_help_quit(self) -> None:
        """Ctrl+C asks whether to save and quit (a second Ctrl+C while asked quits)."""
        from qbo_wizard.core.step_content import load_step_content
        from qbo_wizard.tui.screens.confirm import QuitQuestion

        if isinstance(self.screen, QuitQuestion):
            return
        content = load_step_content("overview")
        demo = self.session.demo is not None
        question = QuitQuestion(
            content.text("quit_title"),
            content.text("quit_question_demo" if demo else "quit_question"),
            content.text("quit_yes_demo" if demo else "quit_yes"),
            content.text("quit_no"),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_later(self.action_quit)

        self.push_screen(question, answered)

    async def action_quit(self) -> None:
        """Write any unsaved progress, then leave."""
        self.session.writer.flush()
        self.exit(EXIT_OK)
