"""Step 9: health checks, the error explainer, the support bundle, and (in demo) rehearsals.

Four tabs (`TabbedContent`):

- **Health checks**: `run_doctor` in a thread worker, each check drawn as it finishes with a
  glyph per verdict (not colour alone), why, and the next command or step; offline checks only
  until the profile has been connected. Runs when the step opens; `d` runs it again.
- **Explain an error**: paste any error text; `explain` names it, its likely causes, the fix as
  steps and Intuit's reference, with a button to the step that fixes it.
- **Support bundle**: `build_bundle` in a worker, shown in full first; written with
  `write_bundle` only when the user presses Save (to the home folder unless they change it).
- **Rehearse failures** (demo mode only): buttons that switch the practice QuickBooks'
  failure scenarios on and off (`POST /_simulator/control`), each with one line on what it
  simulates and what to look at next.

Core modules are imported inside the workers, so opening the wizard stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import (
    Button,
    Input,
    Label,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)
from textual.worker import get_current_worker

from qbo_wizard.core.display import shorten_realm_ids
from qbo_wizard.core.problems import WizardError
from qbo_wizard.core.progress import is_configured
from qbo_wizard.core.steps import step_by_id, step_ref
from qbo_wizard.tui.screens.base import StepScreen, is_text_field
from qbo_wizard.tui.widgets.explained import ExplainedProblem, FixButton
from qbo_wizard.tui.widgets.guidance import CalloutBox
from qbo_wizard.tui.widgets.prose import Prose
from qbo_wizard.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from qbo_wizard.core.health.diagnostics import SupportBundle
    from qbo_wizard.core.health.doctor_report import CheckResult, DoctorProgress, DoctorReport
    from qbo_wizard.core.health.explain import Explanation


SKIPPED_OFFLINE = (
    f"Skipped: QuickBooks itself is checked once a company is connected ({step_ref('connect')})."
)
VERDICT_MARKS = {
    "ok": ("✓", "$text-success"),
    "warning": ("!", "$text-warning"),
    "problem": ("✗", "$text-error"),
    "reconnect": ("↻", "$text-error"),
    "skipped": ("–", "$text-muted"),
}


class DoctorProgressed(Message):
    """A check started or finished."""

    bubble = False  # for this screen only (the doctor reports often)

    def __init__(self, progress: DoctorProgress) -> None:
        super().__init__()
        self.progress = progress


class DoctorFinished(Message):
    """Every check ran; `report` holds them all."""

    def __init__(self, report: DoctorReport) -> None:
        super().__init__()
        self.report = report


class ExplanationFound(Message):
    """The explainer answered (None: nothing was recognised)."""

    def __init__(self, explanation: Explanation | None) -> None:
        super().__init__()
        self.explanation = explanation


class BundleBuilt(Message):
    """The support bundle is ready to show (nothing written yet)."""

    def __init__(self, bundle: SupportBundle) -> None:
        super().__init__()
        self.bundle = bundle


class BundleSaved(Message):
    """The bundle was written to `path`."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class ScenarioApplied(Message):
    """The practice QuickBooks switched a scenario on (or off)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class TroubleFailed(Message):
    """Something on this screen could not be done; `where` names the status line to tell."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__()
        self.where = where
        self.message = message


def plain_failure(error: BaseException) -> str:
    """A failure in plain words: a WizardError's own message, otherwise only its kind."""
    if isinstance(error, WizardError):
        return error.in_wizard()
    return f"Something unexpected went wrong ({type(error).__name__})."


class CheckRow(Horizontal):
    """`✓ Title   why`, with details, the next step or command, and a button to the step."""

    def __init__(self, result: CheckResult, *, again: bool, presenter: bool) -> None:
        super().__init__(classes=f"check-row -{result.verdict}", id=f"check-{result.id}")
        self.result = result
        self.again = again
        self.presenter = presenter

    def shown(self, text: str) -> str:
        """Company IDs are shortened while presenting."""
        return shorten_realm_ids(text) if self.presenter else text

    def compose(self) -> ComposeResult:
        result = self.result
        mark = VERDICT_MARKS.get(result.verdict, ("?", "$text-warning"))
        yield Static(Content.assemble(mark, f" {result.title}"), classes="check-title")
        with Vertical(classes="check-body"):
            yield Static(self.shown(self.why_in_wizard()), classes="check-why", markup=False)
            for detail in result.details:
                yield Static(f"- {self.shown(detail)}", classes="check-detail", markup=False)
            if result.verdict in ("warning", "problem", "reconnect") and result.next_action:
                yield Static(f"Next: {self.next_in_wizard()}.", classes="check-next", markup=False)
            if result.intuit_tid and result.needs_action:
                yield Static(
                    f"Intuit's reference (intuit_tid): {result.intuit_tid}",
                    classes="check-detail",
                    markup=False,
                )
            if result.needs_action and result.step is not None:
                yield FixButton(result.step, again=self.again, compact=True)

    def why_in_wizard(self) -> str:
        """The check's reason; a live check skipped before connecting says so in the wizard's
        words (the command line's reason names its --offline option)."""
        result = self.result
        offline = result.kind == "live" and result.blocked_by is None and not self.again
        if result.verdict == "skipped" and offline:
            return SKIPPED_OFFLINE
        return result.why

    def next_in_wizard(self) -> str:
        """What to do next: the wizard step that does it, else the command to run."""
        result = self.result
        if result.step is not None:
            step = step_by_id(result.step)
            return f"step {step.number} · {step.title}"
        return result.next_action

    def render_text(self) -> str:
        """The row as plain text, buttons included (for tests and screen readers)."""
        parts = [
            str(widget.label) if isinstance(widget, Button) else str(widget.render())
            for widget in self.query("Static, Button")
        ]
        return "  ".join(part for part in parts if part)


class TroubleshootScreen(StepScreen):
    """Health checks, the error explainer, the support bundle and demo rehearsals, in tabs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "d",
            "run_checks",
            "Check again",
            id="trouble.doctor",
            tooltip="Run the health checks again",
        ),
        Binding(
            "e",
            "explain",
            "Explain",
            id="trouble.explain",
            tooltip="Explain the error pasted in the box",
        ),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report: DoctorReport | None = None
        self.bundle: SupportBundle | None = None
        self.checking = False
        self.error_text = ""
        """What was pasted into "Explain an error"; the box shows it with secrets redacted."""

    # -- layout ------------------------------------------------------------------------------

    def compose_step(self) -> ComposeResult:
        content = self.content
        demo = self.session.demo
        yield Prose(content.intro, classes="intro")
        with TabbedContent(id="trouble-tabs", initial="tab-health"):
            with TabPane(content.text("tab_health"), id="tab-health"):
                # The outcome comes first, right under the tab names: on a short screen it is
                # in view with the step's opening lines, and nothing scrolls them away.
                yield ProgressBar(id="doctor-progress", show_eta=False)
                yield StatusLine(id="doctor-status")
                yield Prose(content.text("health_intro"))
                yield Static(content.text("legend"), id="doctor-legend", markup=False)
                yield Button("Run the checks again (d)", id="run-doctor")
                yield Vertical(id="doctor-results")
            with TabPane(content.text("tab_explain"), id="tab-explain"):
                yield Prose(content.text("explain_intro"))
                yield TextArea(id="error-text", soft_wrap=True, tab_behavior="focus")
                yield Button("Explain this error (e)", id="explain", variant="primary")
                yield StatusLine(id="explain-status", leads=True)
                yield Vertical(id="explanation")
            with TabPane(content.text("tab_bundle"), id="tab-bundle"):
                yield Prose(content.text("bundle_intro"))
                yield Button("Create the support bundle", id="make-bundle", variant="primary")
                yield StatusLine(id="bundle-status", leads=True)
                with Vertical(id="bundle-view"):
                    yield TextArea(id="bundle-text", read_only=True, soft_wrap=True)
                    yield Label(content.text("bundle_where"), classes="field-label")
                    yield Input(id="bundle-path")
                    with Horizontal(classes="pane-buttons"):
                        yield Button("Save the bundle", id="save-bundle", variant="primary")
                        yield Button("Copy it instead", id="copy-bundle")
            if demo:
                with TabPane(content.text("tab_rehearse"), id="tab-rehearse"):
                    yield Prose(content.text("rehearse_intro"))
                    for scenario in demo.scenarios:
                        key = scenario.name.replace("-", "_")
                        with Horizontal(classes="scenario-row"):
                            yield Button(
                                content.texts.get(f"scenario_{key}_label", scenario.title),
                                id=f"scenario-{scenario.name}",
                                classes="scenario-button",
                                compact=True,
                            )
                            yield Static(
                                content.texts.get(f"scenario_{key}", ""),
                                classes="scenario-what",
                                markup=False,
                            )
                    yield StatusLine(id="scenario-status", leads=True)
        for callout in content.callouts:
            yield CalloutBox(callout)

    async def on_mount(self) -> None:
        self.query_one("#bundle-view").display = False
        await self.action_run_checks()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        typing = is_text_field(self.focused)
        if action == "run_checks":
            return not self.checking and not typing
        if action == "explain":
            return not typing
        return super().check_action(action, parameters)

    def check_row(self, result: CheckResult) -> CheckRow:
        return CheckRow(result, again=self.connected, presenter=self.session.presenter)

    @property
    def connected(self) -> bool:
        """Live checks need a connection; before one, only this computer is checked."""
        return is_configured(self.profile)

    # -- health checks -------------------------------------------------------------------------

    @on(Button.Pressed, "#run-doctor")
    async def action_run_checks(self) -> None:
        """Run the doctor again (offline only until connected)."""
        if self.checking:
            return
        self.checking = True
        self.report = None
        await self.query_one("#doctor-results", Vertical).remove_children()
        bar = self.query_one("#doctor-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.query_one("#run-doctor", Button).disabled = True
        self.query_one("#doctor-status", StatusLine).working("Checking…")
        self.run_checks(self.profile.name, self.connected)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="doctor", exit_on_error=False)
    def run_checks(self, profile_name: str, live: bool) -> None:
        """The doctor, in this thread; each check's progress is posted as it happens."""
        from qbo_wizard.core.health.doctor import run_doctor

        worker = get_current_worker()
        try:
            report = run_doctor(
                profile_name,
                live=live,
                on_progress=self.forward_progress,
                cancelled=lambda: worker.is_cancelled,
            )
        except Exception as error:
            self.post_message(TroubleFailed("doctor-status", plain_failure(error)))
            return
        self.post_message(DoctorFinished(report))

    def forward_progress(self, progress: DoctorProgress) -> None:
        """Hand a check's progress from the worker thread to the screen."""
        self.post_message(DoctorProgressed(progress))

    @on(DoctorProgressed)
    def doctor_progressed(self, event: DoctorProgressed) -> None:
        progress = event.progress
        bar = self.query_one("#doctor-progress", ProgressBar)
        status = self.query_one("#doctor-status", StatusLine)
        if progress.result is None:
            bar.update(total=progress.total, progress=progress.index)
            detail = f" ({progress.detail})" if progress.detail else ""
            status.working(self.content.text("checking", title=progress.title) + detail)
            return
        bar.update(total=progress.total, progress=progress.index + 1)
        self.query_one("#doctor-results", Vertical).mount(self.check_row(progress.result))

    @on(DoctorFinished)
    async def doctor_finished(self, event: DoctorFinished) -> None:
        report = self.report = event.report
        self.checking = False
        self.query_one("#doctor-progress").display = False
        self.query_one("#run-doctor", Button).disabled = False
        results = self.query_one("#doctor-results", Vertical)
        final = {check.id: check for check in report.checks}
        for position, row in enumerate(list(results.children)):
            if isinstance(row, CheckRow) and final.get(row.result.id, row.result) != row.result:
                await row.remove()  # a later check changed it (Intuit refused the connection)
                fresh = self.check_row(final[row.result.id])
                if position < len(results.children):
                    await results.mount(fresh, before=position)
                else:
                    await results.mount(fresh)
        shown = {row.result.id for row in results.query(CheckRow)}
        results.mount_all(self.check_row(check) for check in report.checks if check.id not in shown)
        status = self.query_one("#doctor-status", StatusLine)
        summary = report.summary()
        if not report.live:
            summary = f"{summary} {' '.join(self.content.text('offline_only').split())}"
        if report.exit_code == 0:
            status.succeeded(summary)
        else:
            status.failed(summary)
        self.refresh_bindings()

    # -- the explainer ---------------------------------------------------------------------------

    @on(TextArea.Changed, "#error-text")
    def error_text_changed(self, event: TextArea.Changed) -> None:
        """Keep what was pasted for the explainer, and show it with any secret redacted (a
        callback address with its code, a log with a token)."""
        from qbo_wizard.core.redact import redact_text

        box = event.text_area
        shown = box.text
        if shown == redact_text(self.error_text):
            return  # the box shows the redacted paste already
        self.error_text = shown
        redacted = redact_text(shown)
        if redacted != shown:
            box.load_text(redacted)
            box.move_cursor(box.document.end)

    def pasted_error(self) -> str:
        """The text to explain: the paste as it was, unless the box was changed since."""
        from qbo_wizard.core.redact import redact_text

        shown = self.query_one("#error-text", TextArea).text
        return self.error_text if shown == redact_text(self.error_text) else shown

    @on(Button.Pressed, "#explain")
    def action_explain(self) -> None:
        """Explain what is in the box (in a worker: the text may be a whole log)."""
        text = self.pasted_error()
        status = self.query_one("#explain-status", StatusLine)
        self.query_one("#trouble-tabs", TabbedContent).active = "tab-explain"
        if not text.strip():
            status.failed(self.content.text("explain_empty"))
            self.query_one("#error-text", TextArea).focus()
            return
        status.working(self.content.text("explaining"))
        self.explain_text(text)

    @work(thread=True, exclusive=True, group="explain", exit_on_error=False)
    def explain_text(self, text: str) -> None:
        from qbo_wizard.core.health.explain import explain

        try:
            found = explain(text)
        except Exception as error:  # the explainer never raises; this is a last guard
            self.post_message(TroubleFailed("explain-status", plain_failure(error)))
            return
        self.post_message(ExplanationFound(found))

    @on(ExplanationFound)
    async def explanation_found(self, event: ExplanationFound) -> None:
        holder = self.query_one("#explanation", Vertical)
        await holder.remove_children()
        status = self.query_one("#explain-status", StatusLine)
        explanation = event.explanation
        if explanation is None:
            status.failed(self.content.text("not_recognised"))
            return
        await holder.mount(
            ExplainedProblem.from_explanation(explanation, current_step="troubleshoot")
        )
        # Said once the explanation is in place, so the outcome scrolls to the top above it.
        status.succeeded(self.content.text("explained", title=explanation.title))

    # -- the support bundle ----------------------------------------------------------------------

    @on(Button.Pressed, "#make-bundle")
    def make_bundle(self) -> None:
        self.query_one("#bundle-view").display = False
        self.query_one("#bundle-status", StatusLine).working(self.content.text("bundle_building"))
        self.build(self.profile.name, self.report, self.connected)

    @work(thread=True, exclusive=True, group="bundle", exit_on_error=False)
    def build(self, profile_name: str, report: DoctorReport | None, live: bool) -> None:
        """Gather the bundle, reusing the health checks on screen when they are finished."""
        from qbo_wizard.core.health.diagnostics import build_bundle

        try:
            bundle = build_bundle(profile_name, doctor_report=report, live=live)
        except Exception as error:
            self.post_message(TroubleFailed("bundle-status", plain_failure(error)))
            return
        self.post_message(BundleBuilt(bundle))

    @on(BundleBuilt)
    def bundle_built(self, event: BundleBuilt) -> None:
        bundle = self.bundle = event.bundle
        # Saving and copying use the whole text; a shared screen never shows a whole company ID.
        preview = shorten_realm_ids(bundle.text) if self.session.presenter else bundle.text
        self.query_one("#bundle-text", TextArea).load_text(preview)
        self.query_one("#bundle-path", Input).value = str(Path.home() / bundle.default_filename)
        self.query_one("#bundle-view").display = True
        self.query_one("#bundle-status", StatusLine).succeeded(self.content.text("bundle_ready"))

    @on(Button.Pressed, "#save-bundle")
    @on(Input.Submitted, "#bundle-path")
    def save_bundle(self) -> None:
        if self.bundle is None:
            return
        where = self.query_one("#bundle-path", Input).value.strip()
        if not where:
            self.query_one("#bundle-status", StatusLine).failed("Give a file name first.")
            return
        self.write(self.bundle, Path(where))

    @work(thread=True, exclusive=True, group="bundle", exit_on_error=False)
    def write(self, bundle: SupportBundle, path: Path) -> None:
        from qbo_wizard.core.health.diagnostics import write_bundle

        try:
            written = write_bundle(bundle, path)
        except Exception as error:
            self.post_message(TroubleFailed("bundle-status", plain_failure(error)))
            return
        self.post_message(BundleSaved(written))

    @on(BundleSaved)
    def bundle_saved(self, event: BundleSaved) -> None:
        text = self.content.text("bundle_saved", path=str(event.path))
        self.query_one("#bundle-status", StatusLine).succeeded(text)

    @on(Button.Pressed, "#copy-bundle")
    def copy_bundle(self) -> None:
        if self.bundle is not None:
            self.app.copy_to_clipboard(self.bundle.text)
            text = self.content.text("bundle_copied")
            status = self.query_one("#bundle-status", StatusLine)
            status.clear()  # sent, not confirmed: no ✓ for what cannot be checked
            status.update(text)

    # -- rehearsing failures (demo mode) ---------------------------------------------------------

    @on(Button.Pressed, ".scenario-button")
    def scenario_pressed(self, event: Button.Pressed) -> None:
        demo = self.session.demo
        if demo is None or not demo.simulator_url:
            return
        name = (event.button.id or "").removeprefix("scenario-")
        scenario = next((s for s in demo.scenarios if s.name == name), None)
        if scenario is None:
            return
        realm = None if scenario.clears else self.profile.realm_id
        self.query_one("#scenario-status", StatusLine).working(self.content.text("rehearsing"))
        self.rehearse(demo.simulator_url, name, realm)

    @work(thread=True, exclusive=True, group="rehearse", exit_on_error=False)
    def rehearse(self, url: str, name: str, realm_id: str | None) -> None:
        from qbo_wizard.core.connection.environments import simulator_control

        try:
            simulator_control(url, "scenario", name=name, realm_id=realm_id)
        except Exception as error:
            self.post_message(TroubleFailed("scenario-status", plain_failure(error)))
            return
        self.post_message(ScenarioApplied(name))

    @on(ScenarioApplied)
    def scenario_applied(self, event: ScenarioApplied) -> None:
        key = event.name.replace("-", "_")
        text = self.content.text(
            "scenario_on",
            label=self.content.text(f"scenario_{key}_label"),
            next=self.content.text(f"scenario_{key}_next"),
        )
        self.query_one("#scenario-status", StatusLine).succeeded(text)

    # -- failures --------------------------------------------------------------------------------

    @on(TroubleFailed)
    def trouble_failed(self, event: TroubleFailed) -> None:
        if event.where == "doctor-status":
            self.checking = False
            self.query_one("#doctor-progress").display = False
            self.query_one("#run-doctor", Button).disabled = False
            self.refresh_bindings()
        self.query_one(f"#{event.where}", StatusLine).failed(event.message)
