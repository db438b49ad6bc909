"""Step 8: post the $1.00 test invoice and carrier bill, show each result, and tidy up.

On opening, a thread worker reads the plan (`plan_dollar_check`): the company, the mapping lines
the documents will use, and any test documents an earlier run left behind. A production company
asks for its name to be typed before the Run button does anything. The run itself
(`run_dollar_check`) streams its progress back as messages; each document ends ✓ with its number,
amount and a link, or ✗ with the explained error and a button to the step that fixes it (step 7
with the refused line highlighted, or the reconnect path when QuickBooks refused the connection).

The core modules are imported inside the workers, so opening the wizard stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, ProgressBar, Static

from qbo_wizard.core.display import short_realm
from qbo_wizard.core.problems import EXIT_RECONNECT, WizardError
from qbo_wizard.core.progress import is_configured
from qbo_wizard.core.step_content import Link
from qbo_wizard.tui.screens.base import StepScreen
from qbo_wizard.tui.widgets.explained import ExplainedProblem, FixButton
from qbo_wizard.tui.widgets.guidance import LinkRow
from qbo_wizard.tui.widgets.prose import Prose
from qbo_wizard.tui.widgets.status_line import StatusLine
from qbo_wizard.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from qbo_wizard.core.dollar_test.plan import DollarCheckPlan
    from qbo_wizard.core.dollar_test.record import RecordedDocument
    from qbo_wizard.core.dollar_test.results import (
        CleanupOutcome,
        DocumentResult,
        DollarCheckProblem,
        DollarCheckProgress,
        DollarCheckResult,
    )


class PlanRead(Message):
    """The plan is ready to show (nothing was written)."""

    def __init__(self, plan: DollarCheckPlan) -> None:
        super().__init__()
        self.plan = plan


class PlanFailed(Message):
    """The plan could not be read; `problem` says why and where to fix it."""

    def __init__(self, problem: DollarCheckProblem) -> None:
        super().__init__()
        self.problem = problem


class DollarCheckProgressed(Message):
    """One part of the run started."""

    bubble = False  # for this screen only (a run reports often)

    def __init__(self, progress: DollarCheckProgress) -> None:
        super().__init__()
        self.progress = progress


class DollarCheckFinished(Message):
    """A run (or a cleanup on its own) ended; the profile (taken in by the wizard's copy) and
    the record are saved."""

    def __init__(
        self,
        result: DollarCheckResult,
        pending: list[RecordedDocument],
        *,
        cleanup_only: bool,
    ) -> None:
        super().__init__()
        self.result = result
        self.pending = pending
        self.cleanup_only = cleanup_only


class DollarCheckRefused(Message):
    """The run did not start (wrong name typed, already running, no connection)."""

    def __init__(self, message: str, problem: DollarCheckProblem | None = None) -> None:
        super().__init__()
        self.message = message
        self.problem = problem


def unexpected_problem(error: BaseException) -> DollarCheckProblem:
    """A failure the core did not explain, named by its kind only (its text may hold anything)."""
    from qbo_wizard.core.dollar_test.results import DollarCheckProblem, problem_from_error

    if isinstance(error, WizardError):
        return problem_from_error(error)
    return DollarCheckProblem(f"Something unexpected stopped the test ({type(error).__name__}).")


def document_list(documents: list[RecordedDocument] | tuple[RecordedDocument, ...]) -> str:
    """`invoice QBW-TEST-1A2B3C, bill QBW-TEST-4D5E6F`."""
    return ", ".join(f"{d.kind} {d.number or d.id or '(no number yet)'}" for d in documents)


class DollarCheckScreen(StepScreen):
    """The plan, a Run button (with a typed confirmation on real companies), live results."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "r",
            "run_check",
            "Run the test",
            id="test.run",
            tooltip="Post the $1.00 invoice and bill now",
        ),
        Binding(
            "c",
            "clean_up",
            "Clean up now",
            id="test.clean-up",
            tooltip="Void the test invoice and delete the test bill left in QuickBooks",
        ),
    ]
    STEP_KEYS = StepScreen.STEP_KEYS | {"run_check", "clean_up"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.busy_message = "The test is still running; wait for it to finish."
        self.plan: DollarCheckPlan | None = None
        self.pending: list[RecordedDocument] = []
        self.running = False

    # -- layout ------------------------------------------------------------------------------

    def compose_step(self) -> ComposeResult:
        yield Prose(self.content.intro, classes="intro")
        yield Vertical(id="plan-details")
        yield StatusLine(id="plan-status")
        with Vertical(id="pending-box", classes="callout -warning") as pending:
            pending.border_title = f"⚠ {self.content.text('pending_title')}"
            yield Static("", id="pending-text", markup=False)
            yield Button("Clean them up now (c)", id="clean-up-now")
        with Vertical(id="production-box"):
            with Vertical(id="production-warning", classes="callout -warning") as warning:
                warning.border_title = f"⚠ {self.content.text('production_title')}"
                yield Static("", id="production-text", markup=False)
            yield Label("", id="confirm-label", classes="field-label", markup=False)
            yield Input(id="confirm-name", placeholder="The company's name, as shown above")
            yield Label("", id="confirm-problem", classes="field-problem", markup=False)
        with Vertical(id="run-controls"):
            yield TickBox(self.content.text("cleanup_label"), True, id="cleanup-choice")
            yield Button("Run the test (r)", id="run-test", variant="primary", disabled=True)
        yield ProgressBar(id="test-progress", show_eta=False)
        yield StatusLine(id="test-status", leads=True)
        yield Vertical(id="test-results")

    def on_mount(self) -> None:
        self.query_one("#pending-box").display = False
        self.query_one("#production-box").display = False
        self.query_one("#test-progress").display = False
        self.query_one("#run-controls").display = False
        self.read_plan_again()

    def read_plan_again(self) -> None:
        """Read the plan (in a worker) unless the profile has never been connected."""
        status = self.query_one("#plan-status", StatusLine)
        if not is_configured(self.profile):
            details = self.query_one("#plan-details")
            text = Content.assemble(("✗ ", "$text-error"), self.content.text("not_connected"))
            details.mount_all([Static(text, id="not-connected"), FixButton("connect")])
            return
        status.working(self.content.text("planning"))
        self.read_plan(self.profile.name)

    @property
    def cleanup_wanted(self) -> bool:
        return self.query_one("#cleanup-choice", TickBox).value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)  # off while typing the name
        if not allowed:
            return allowed
        if action == "run_check":
            return self.can_run and not self.running
        if action == "clean_up":
            return bool(self.pending) and not self.running
        return allowed

    @property
    def can_run(self) -> bool:
        plan = self.plan
        return plan is not None and plan.problem is None and bool(plan.lines)

    # -- the plan ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="test-plan", exit_on_error=False)
    def read_plan(self, profile_name: str) -> None:
        """Read the company and the mapping; nothing is written."""
        from qbo_wizard.core.connection.api import QboApi
        from qbo_wizard.core.dollar_test.plan import plan_dollar_check

        try:
            plan = plan_dollar_check(profile_name, QboApi.for_profile(profile_name))
        except Exception as error:  # every failure is shown, explained where it can be
            self.post_message(PlanFailed(unexpected_problem(error)))
            return
        self.post_message(PlanRead(plan))

    @on(PlanRead)
    async def show_plan(self, event: PlanRead) -> None:
        plan = self.plan = event.plan
        content = self.content
        details = self.query_one("#plan-details", Vertical)
        await details.remove_children()
        kind = content.text("kind_production" if plan.production else "kind_sandbox")
        rows: list[Static | ExplainedProblem] = [
            Static(
                content.text(
                    "company",
                    company=plan.company_name or "the company",
                    realm=short_realm(plan.realm_id),
                    kind=kind,
                ),
                id="plan-company",
                markup=False,
            )
        ]
        for line in plan.lines.values():
            tax = content.text("tax", tax_code=line.tax_code_name) if line.tax_code_name else ""
            text = content.text(
                f"uses_{line.kind}", line=line.label, target=line.target_name, tax=tax
            )
            rows.append(Static(text, classes="plan-line", markup=False))
        for skipped_kind, why in plan.skipped.items():
            text = content.text("skipped", kind=skipped_kind.capitalize(), why=why)
            rows.append(Static(text, classes="plan-line", markup=False))
        for problem in plan.problems.values():
            rows.append(self.problem_view(problem))
        if plan.problem is not None:
            rows.append(self.problem_view(plan.problem))
        details.mount_all(rows)
        status = self.query_one("#plan-status", StatusLine)
        if self.can_run:
            status.succeeded(content.text("ready"))
        else:
            status.failed(content.text("blocked"))
        self.show_pending(list(plan.pending_cleanup))
        if plan.production:
            self.show_production_warning(plan)
        self.query_one("#run-test", Button).disabled = not self.can_run
        self.query_one("#run-controls").display = self.can_run
        self.refresh_bindings()

    def show_production_warning(self, plan: DollarCheckPlan) -> None:
        self.query_one("#production-text", Static).update(plan.warning or "")
        self.query_one("#confirm-label", Label).update(
            self.content.text("confirm_label", company=plan.company_name)
        )
        self.query_one("#production-box").display = True

    @on(PlanFailed)
    async def plan_failed(self, event: PlanFailed) -> None:
        self.plan = None
        problem = event.problem
        details = self.query_one("#plan-details", Vertical)
        await details.remove_children()
        self.query_one("#plan-status", StatusLine).failed(self.content.text("blocked"))
        details.mount(self.problem_view(problem))
        self.query_one("#run-test", Button).disabled = True
        self.refresh_bindings()

    def show_pending(self, pending: list[RecordedDocument]) -> None:
        """The documents an earlier run left, with the offer to clean them up first."""
        self.pending = pending
        box = self.query_one("#pending-box")
        box.display = bool(pending)
        if pending:
            kept = all(d.cleanup == "keep" for d in pending)
            text = self.content.text(
                "pending_kept" if kept else "pending", documents=document_list(pending)
            )
            self.query_one("#pending-text", Static).update(" ".join(text.split()))
        self.refresh_bindings()

    # -- running -------------------------------------------------------------------------------

    @on(Button.Pressed, "#run-test")
    @on(Input.Submitted, "#confirm-name")
    async def action_run_check(self) -> None:
        """Start the run, after the typed confirmation on a real company."""
        from qbo_wizard.core.dollar_test.plan import confirmation_matches

        plan = self.plan
        if plan is None or not self.can_run or self.running:
            return
        typed: str | None = None
        problem_label = self.query_one("#confirm-problem", Label)
        if plan.production:
            typed = self.query_one("#confirm-name", Input).value
            if not confirmation_matches(typed, plan.company_name):
                problem_label.update(
                    self.content.text("confirm_mismatch", company=plan.company_name)
                )
                self.query_one("#confirm-name", Input).focus()
                return
        problem_label.update("")
        await self.start(cleanup_only=False)
        self.run_check(self.profile.name, cleanup=self.cleanup_wanted, typed=typed)

    @on(Button.Pressed, "#clean-up-now")
    async def action_clean_up(self) -> None:
        """Void / delete what earlier runs left (or what the user kept to look at)."""
        if not self.pending or self.running:
            return
        await self.start(cleanup_only=True)
        self.run_check(self.profile.name, cleanup_only=True)

    async def start(self, *, cleanup_only: bool) -> None:
        self.running = self.busy = True
        await self.query_one("#test-results", Vertical).remove_children()
        self.query_one("#plan-status", StatusLine).clear()  # "Ready… press r" is done with
        self.query_one("#run-test", Button).disabled = True
        self.query_one("#clean-up-now", Button).disabled = True
        bar = self.query_one("#test-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        text = self.content.text("cleaning" if cleanup_only else "running")
        self.query_one("#test-status", StatusLine).working(text)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="test-run", exit_on_error=False)
    def run_check(
        self,
        profile_name: str,
        *,
        cleanup_only: bool = False,
        cleanup: bool = True,
        typed: str | None = None,
    ) -> None:
        """Post the two documents and clean up (or only clean up what earlier runs left).

        Progress and the result come back as messages.
        """
        from qbo_wizard.core.connection.api import QboApi
        from qbo_wizard.core.dollar_test.plan import ProductionConfirmationRequired
        from qbo_wizard.core.dollar_test.record import DollarCheckAlreadyRunning
        from qbo_wizard.core.dollar_test.run import clean_up_check_documents, run_dollar_check

        try:
            api = QboApi.for_profile(profile_name)
            if cleanup_only:
                result = clean_up_check_documents(
                    profile_name, api=api, on_progress=self.forward_progress
                )
            else:
                result = run_dollar_check(
                    profile_name,
                    api=api,
                    cleanup=cleanup,
                    confirm_production=typed,
                    on_progress=self.forward_progress,
                )
        except ProductionConfirmationRequired as error:
            self.post_message(DollarCheckRefused(error.in_wizard()))
            return
        except DollarCheckAlreadyRunning:
            self.post_message(DollarCheckRefused(self.content.text("already_running")))
            return
        except Exception as error:
            problem = unexpected_problem(error)
            self.post_message(DollarCheckRefused(problem.headline(), problem))
            return
        self.announce(result, api.realm_id, cleanup_only=cleanup_only)

    def forward_progress(self, progress: DollarCheckProgress) -> None:
        """Hand a progress report from the worker thread to the screen."""
        self.post_message(DollarCheckProgressed(progress))

    def announce(self, result: DollarCheckResult, realm_id: str, *, cleanup_only: bool) -> None:
        """Post the result with what is left to clean (worker thread)."""
        from qbo_wizard.core.dollar_test.record import pending_cleanup
        from qbo_wizard.core.problems import ConfigFileError

        try:
            pending = pending_cleanup(result.profile_name, realm_id)
        except (ConfigFileError, WizardError):
            pending = []
        self.post_message(DollarCheckFinished(result, pending, cleanup_only=cleanup_only))

    @on(DollarCheckProgressed)
    def show_progress(self, event: DollarCheckProgressed) -> None:
        progress = event.progress
        self.query_one("#test-progress", ProgressBar).update(
            total=progress.total, progress=progress.index
        )
        self.query_one("#test-status", StatusLine).working(
            f"[{progress.index}/{progress.total}] {progress.message}…"
        )

    def stop(self) -> None:
        self.running = self.busy = False
        self.query_one("#test-progress").display = False
        self.query_one("#run-test", Button).disabled = not self.can_run
        self.query_one("#clean-up-now", Button).disabled = False
        self.refresh_bindings()

    @on(DollarCheckRefused)
    def refused(self, event: DollarCheckRefused) -> None:
        self.stop()
        self.query_one("#test-status", StatusLine).failed(event.message)
        if event.problem is not None:
            self.show_problem(event.problem)

    @on(DollarCheckFinished)
    async def finished(self, event: DollarCheckFinished) -> None:
        result = event.result
        self.stop()
        self.show_pending(event.pending)
        content = self.content
        status = self.query_one("#test-status", StatusLine)
        run_again = self.query_one("#run-test", Button)
        run_again.label = "Run the test again (r)"
        run_again.refresh(layout=True)  # a longer label needs a wider button
        await self.show_result(result, cleanup_only=event.cleanup_only)
        # Said once the documents are in place, so the outcome scrolls to the top with them below
        # it, however long they take to be laid out.
        if event.cleanup_only:
            if result.cleanup_ok:
                status.succeeded(content.text("cleaned"))
            else:
                status.failed(content.text("cleanup_left"))
        elif result.ok:
            kept = any(d.cleanup and d.cleanup.status == "kept" for d in result.documents)
            status.succeeded(content.text("passed_kept" if kept else "passed"))
        else:
            status.failed(content.text("failed"))

    # -- results -------------------------------------------------------------------------------

    def problem_view(self, problem: DollarCheckProblem, prefix: str = "") -> ExplainedProblem:
        """A problem explained; a refused connection gets the plain reconnect explanation."""
        if problem.exit_code == EXIT_RECONNECT:
            return ExplainedProblem(
                f"{prefix}{self.content.text('reconnect_headline')}",
                said=self.content.text("reconnect"),
                step="connect",
                intuit_tid=problem.intuit_tid,
                current_step="test",
            )
        view = ExplainedProblem.from_test_problem(problem, current_step="test")
        view.headline = f"{prefix}{view.headline}"
        return view

    def show_problem(self, problem: DollarCheckProblem) -> None:
        self.query_one("#test-results", Vertical).mount(self.problem_view(problem))

    async def show_result(self, result: DollarCheckResult, *, cleanup_only: bool) -> None:
        """Mount the result's parts (awaited, so the outcome can then scroll above them)."""
        results = self.query_one("#test-results", Vertical)
        parts: list[Widget] = []
        if result.problem is not None:
            parts.append(self.problem_view(result.problem))
        label = "Cleanup" if cleanup_only else "Left by an earlier test"
        parts.extend(self.cleanup_line(outcome, label) for outcome in result.earlier_cleanup)
        parts.extend(DocumentView(document, self) for document in result.documents)
        await results.mount_all(parts)

    def cleanup_line(self, outcome: CleanupOutcome, label: str) -> Vertical:
        """`✓ Cleanup: invoice QBW-TEST-… voided (…).`, and the explained problem if it failed."""
        mark = ("✓", "$text-success") if outcome.ok else ("✗", "$text-error")
        parts: list[Static | ExplainedProblem] = [
            Static(Content.assemble(mark, f" {label}: {outcome.describe()}."))
        ]
        if outcome.problem is not None:
            parts.append(self.problem_view(outcome.problem))
        return Vertical(*parts, classes="cleanup-line")


class DocumentView(Vertical):
    """One test document: ✓ number, amount, line and link, then its cleanup; or ✗ explained."""

    def __init__(self, document: DocumentResult, screen: DollarCheckScreen) -> None:
        super().__init__(classes="document", id=f"document-{document.kind}")
        self.document = document
        self.step_screen = screen

    def compose(self) -> ComposeResult:
        document = self.document
        screen = self.step_screen
        kind = document.kind.capitalize()
        line = f" · line “{document.line_label}”" if document.line_label else ""
        if document.status == "posted":
            again = " (the document an earlier attempt made)" if document.resent else ""
            yield Static(
                Content.assemble(
                    ("✓", "$text-success"),
                    (f" {kind} {document.number}", "bold"),
                    f" · {document.amount_text()}{line}{again}",
                ),
                classes="document-title",
            )
            if document.link:
                yield LinkRow(
                    Link("Open it in QuickBooks", document.link),
                    can_open=screen.session.can_open_links,
                )
            if document.cleanup is not None:
                yield screen.cleanup_line(document.cleanup, "Cleanup")
        elif document.status == "skipped":
            yield Static(
                Content.assemble(("✓", "$text-success"), f" {kind}: not needed here."),
                classes="document-title",
            )
        elif document.status == "not-tried":
            text = screen.content.text("not_tried", kind=f"{kind}{line}")
            yield Static(
                Content.assemble(("✗", "$text-error"), f" {text}"), classes="document-title"
            )
        elif document.problem is not None:
            view = screen.problem_view(document.problem, prefix=f"{kind}{line}: ")
            view.line_label = document.line_label
            yield view
