"""Step 7: map each line the integration sends to a QuickBooks item (invoices) or account (bills).

What the screen does, in order:

1. Which integration: the saved mapping's, else the one chosen before, else the user picks a
   shipped profile or points at their own file (`IntegrationChooser`).
2. The company's accounts, items and tax codes are read in a thread worker with progress
   ("Reading accounts… 3,000 of 10,000"; `MappingLoader`, which opens the same mapping session
   as `qbo-wizard mapping check`). Without a saved mapping the profile's cached copy is
   used when there is one; with a saved mapping they are read live, so the mapping is checked
   against QuickBooks as it is now. `r` reads them again.
3. One row per line with its state (✓ ! ✗ · –); the highlighted row is explained underneath
   with the rules' own words (`core.mapping.rules.Finding`). Enter opens a type-to-filter picker;
   invoice lines can create a Service item there.
4. `ctrl+s` saves `mapping.yaml` only when no line breaks a rule, and marks the step done when
   every line is mapped (or marked not used). Nothing is saved on the user's behalf, not even
   accepted suggestions.

Step 8 can send the user here with a line to highlight (`WizardSession.highlight_line`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Static

from qbo_wizard.core.mapping.company_lists import Item
from qbo_wizard.core.mapping.draft import ChoiceSnapshot, LineChoice, MappingDraft
from qbo_wizard.core.mapping.file import SavedMapping
from qbo_wizard.core.mapping.integrations import Integration, choose_integration, chosen_integration
from qbo_wizard.core.mapping.rules import CONFIRM_BEFORE_KEEPING, Finding, MappingRefused
from qbo_wizard.core.mapping.session import MappingSession
from qbo_wizard.core.mapping.suggestions import Suggestion
from qbo_wizard.core.mapping.targets import free_item_name
from qbo_wizard.core.progress import record_mapping_saved
from qbo_wizard.tui.outcomes import StepOutcome
from qbo_wizard.tui.screens.base import StepScreen
from qbo_wizard.tui.screens.mapping_requests import (
    creation_question,
    income_account_request,
    line_picker_request,
    lines_without_tax_code,
    tax_code_request,
    unsaved_question,
    unusual_question,
)
from qbo_wizard.tui.screens.new_item import NewItemScreen
from qbo_wizard.tui.screens.picker import Picked, PickerScreen
from qbo_wizard.tui.widgets.integration_chooser import IntegrationChooser
from qbo_wizard.tui.widgets.mapping_loader import MappingLoader
from qbo_wizard.tui.widgets.mapping_summary import MappingSummary, context_text
from qbo_wizard.tui.widgets.mapping_table import (
    GROUP_KEY,
    LineDetail,
    LineView,
    MappingTable,
    group_headings,
    line_view,
)
from qbo_wizard.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from qbo_wizard.core.mapping.company_lists import QboClient

# -- messages from the workers ---------------------------------------------------------------


@dataclass
class MappingWritten(Message):
    """`mapping.yaml` now holds `mapping`."""

    mapping: SavedMapping


@dataclass
class WriteFailed(Message):
    """`mapping.yaml` could not be written; `reason` says why."""

    reason: str


@dataclass
class SuggestedItemsCreated(Message):
    """Items made for accepted suggestions (line id -> item), and what could not be made."""

    created: dict[str, Item]
    problems: list[str]


# -- the screen --------------------------------------------------------------------------------


class MappingScreen(StepScreen):
    """The integration's lines, what each maps to, the rules' verdicts, and Save."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save_mapping",
            "Save",
            id="map.save",
            tooltip="Check every line and save the mapping (nothing is saved while a line is ✗)",
            priority=True,
        ),
        Binding(
            "a",
            "accept_suggestions",
            "Accept suggestions",
            id="map.accept",
            tooltip="Use the suggestion for every line that has no choice yet (not saved yet)",
        ),
        Binding(
            "t", "choose_tax_code", "Tax code", id="map.tax", tooltip="Choose the line's tax code"
        ),
        Binding(
            "u",
            "toggle_unused",
            "Not used",
            id="map.unused",
            tooltip="Mark a line the integration never sends for this company (or undo that)",
        ),
        Binding(
            "r",
            "reload_lists",
            "Refresh",
            id="map.refresh",
            tooltip="Read the accounts, items and tax codes from QuickBooks again",
            show=False,
        ),
        Binding(
            "i",
            "change_integration",
            "Integration",
            id="map.integration",
            tooltip="Choose another integration profile",
            show=False,
        ),
        Binding("delete", "clear_choice", "Clear", id="map.clear", show=False),
    ]
    STEP_KEYS = StepScreen.STEP_KEYS | {
        "accept_suggestions",
        "choose_tax_code",
        "toggle_unused",
        "reload_lists",
        "change_integration",
    }
    TABLE_ACTIONS = frozenset(
        {"save_mapping", "accept_suggestions", "choose_tax_code", "toggle_unused", "clear_choice"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.integration: Integration | None = None
        self.draft: MappingDraft | None = None
        self.client: QboClient | None = None
        self.saved: SavedMapping | None = None
        self.suggestions: dict[str, Suggestion] = {}
        self.notes: dict[str, list[Finding]] = {}
        """What changed in QuickBooks since saving, per line (kept while the saved choice is)."""
        self.baseline: ChoiceSnapshot = {}
        """The choices as loaded or last saved (any difference is unsaved)."""
        self.requested: str | None = None
        """The integration last asked for (read again by `r` after a failure)."""
        self.loader = MappingLoader(self.content, id="pane-loading", classes="map-pane")
        self.highlight_line = self.session.highlight_line
        self.session.highlight_line = None

    # -- layout --------------------------------------------------------------------------------

    def compose_step(self) -> ComposeResult:
        content = self.content
        connected = self.profile.realm_id is not None
        with ContentSwitcher(
            initial="pane-loading" if connected else "pane-offline", id="map-panes"
        ):
            with Vertical(id="pane-offline", classes="map-pane"):
                yield Prose(content.text("not_connected"))
            yield IntegrationChooser(content, id="pane-choose", classes="map-pane")
            yield self.loader
            with Vertical(id="pane-table", classes="map-pane"):
                yield Static("", id="map-context")
                yield MappingSummary(id="map-status")
                yield MappingTable(id="map-table")
                yield LineDetail("", id="line-detail")

    def on_mount(self) -> None:
        if self.profile.realm_id is not None:
            self.start_loading()

    @property
    def panes(self) -> ContentSwitcher:
        return self.query_one("#map-panes", ContentSwitcher)

    def show_pane(self, pane: str) -> None:
        """Switch panes; the table's pane fills the screen, the others scroll with the step."""
        self.panes.current = pane
        self.set_class(pane == "pane-table", "-table")

    @property
    def table(self) -> MappingTable:
        return self.query_one("#map-table", MappingTable)

    @property
    def status(self) -> MappingSummary:
        return self.query_one("#map-status", MappingSummary)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.TABLE_ACTIONS and (
            self.draft is None or self.panes.current != "pane-table"
        ):
            return False
        if action == "choose_tax_code" and not (self.draft and self.draft.lists.tax_codes_required):
            return False
        if action in ("reload_lists", "change_integration") and (
            self.loader.reading or self.profile.realm_id is None
        ):
            return False
        return super().check_action(action, parameters)

    # -- choosing the integration --------------------------------------------------------------

    def ask_for_integration(self, problem: str | None = None, *, again: bool = False) -> None:
        """Show the question; `problem` says why the last answer could not be used."""
        self.show_pane("pane-choose")
        chooser = self.query_one("#pane-choose", IntegrationChooser)
        chooser.ask(self.loader.shipped, problem, again=again)
        self.refresh_bindings()

    @on(IntegrationChooser.Chosen)
    def use_integration(self, event: IntegrationChooser.Chosen) -> None:
        """Load the lists for this integration (the worker checks the file)."""
        self.start_loading(event.reference)

    def action_change_integration(self) -> None:
        if self.dirty:
            self.confirm_unsaved("change", lambda: self.ask_for_integration(again=True))
            return
        self.ask_for_integration(again=True)

    # -- loading -------------------------------------------------------------------------------

    def start_loading(self, reference: str | None = None, refresh: bool | None = None) -> None:
        """Read the saved mapping, the integration and the company lists in a worker."""
        self.show_pane("pane-loading")
        self.set_focus(None)  # the step keys (back, quit, go to) work while the lists load
        # Trying again after a failure reads the integration that was asked for.
        self.requested = reference or self.requested
        if self.integration is not None and reference is None:
            self.requested = self.integration.reference
        remembered = chosen_integration(self.profile)
        self.loader.start(self.profile.name, self.client, self.requested, remembered, refresh)
        self.refresh_bindings()

    @on(MappingLoader.IntegrationNeeded)
    def integration_needed(self, event: MappingLoader.IntegrationNeeded) -> None:
        self.ask_for_integration(event.problem)

    @on(MappingLoader.Loaded)
    def mapping_loaded(self, event: MappingLoader.Loaded) -> None:
        opened = event.session
        previous = self.draft
        draft = opened.draft
        integration = opened.integration
        assert draft is not None and integration is not None  # opened for editing
        saved = opened.saved
        if previous is not None and previous.integration.reference == integration.reference:
            # Reading the lists again keeps what the user chose meanwhile.
            draft.choices = {
                k: LineChoice(v.target_id, v.tax_code_id, v.unused)
                for k, v in previous.choices.items()
            }
        else:
            self.baseline = draft.snapshot()
        self.integration = integration
        self.draft = draft
        self.client = event.client
        self.saved = saved
        self.suggestions = opened.suggestions
        self.notes = {}
        problems: list[str] = []
        if saved is not None:
            report = opened.report
            problems = [report.in_wizard(problem) for problem in report.problems]
            self.notes = report.changes_by_line()
            if report.ok and draft.complete:  # e.g. imported with `mapping import`
                record_mapping_saved(self.profile, complete=True)
            elif not problems:
                record_mapping_saved(self.profile, complete=False)
        if integration.reference != chosen_integration(self.profile):
            choose_integration(self.profile, integration.reference)
        self.session.save()
        self.show_context(opened)
        self.show_pane("pane-table")
        self.redraw()
        table = self.table
        table.focus()
        line = self.highlight_line
        self.highlight_line = None
        if line and line in draft.choices:
            table.select_line(line)
            self.notify(
                self.content.text("highlighted", line=integration.line(line).label),
                timeout=8,
                markup=False,
            )
        elif previous is None:
            first = next(
                (v.line.id for v in self.views() if v.state in ("refused", "changed")), None
            )
            table.select_line(first or integration.lines[0].id)
        self.explain_selected()  # in the first frame, so its height never moves the table later
        self.show_summary(problems[0] if problems else None)
        self.refresh_bindings()

    def show_context(self, opened: MappingSession) -> None:
        company = self.profile.company_name or "your company"
        context = context_text(opened, self.content, company)
        self.query_one("#map-context", Static).update(context)

    def action_reload_lists(self) -> None:
        if self.profile.realm_id is None or self.loader.reading:
            return
        self.start_loading(refresh=True)

    # -- drawing -------------------------------------------------------------------------------

    def views(self) -> list[LineView]:
        draft = self.draft
        if draft is None:
            return []
        saved_names = self.saved.target_names() if self.saved is not None else {}
        views = []
        for line in draft.integration.lines:
            notes = self.notes.get(line.id) if not self.changed_since_saved(line.id) else None
            views.append(line_view(draft, line, self.suggestions.get(line.id), notes, saved_names))
        return views

    def changed_since_saved(self, line_id: str) -> bool:
        draft = self.draft
        return draft is not None and draft.snapshot().get(line_id) != self.baseline.get(line_id)

    def redraw(self) -> None:
        """Redraw the rows, the detail of the highlighted one and the summary line."""
        if self.draft is None:
            return
        table = self.table
        table.with_tax = self.draft.lists.tax_codes_required
        table.show(group_headings(self.draft, self.content), self.views())
        self.explain_selected()

    @on(DataTable.RowHighlighted, "#map-table")
    def explain_selected(self) -> None:
        draft = self.draft
        if draft is None:
            return
        detail = self.query_one("#line-detail", LineDetail)
        key = self.table.selected_key
        if key is None:
            return
        if key.startswith(GROUP_KEY):
            kind = key.removeprefix(GROUP_KEY)
            title = (
                f"{self.content.text(f'{kind}_group')} {self.content.text(f'{kind}_group_target')}"
            )
            detail.show_group(title, self.content.text(f"{kind}_group_help").strip())
            return
        view = next(v for v in self.views() if v.line.id == key)
        keys = "line_keys_tax" if draft.lists.tax_codes_required else "line_keys"
        detail.show_line(view, self.content.text(keys))

    def show_summary(self, problem: str | None = None) -> None:
        """One line: how many lines are ready, and whether it is saved."""
        saved = not self.dirty and self.saved is not None
        self.status.summarise(self.views(), self.content, saved=saved, problem=problem)

    @property
    def dirty(self) -> bool:
        """True when the choices differ from what was loaded or last saved."""
        return self.draft is not None and self.draft.snapshot() != self.baseline

    def selected_line(self) -> str | None:
        key = self.table.selected_key
        if key is None or key.startswith(GROUP_KEY):
            return None
        return key

    def changed(self, line_id: str | None = None) -> None:
        """After any change to the draft: redraw, keep the line selected, update the summary."""
        self.redraw()
        if line_id is not None:
            self.table.select_line(line_id)
        self.show_summary()

    # -- choosing ------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#map-table")
    def row_chosen(self) -> None:
        line_id = self.selected_line()
        if line_id is not None:
            self.open_picker(line_id)

    def open_picker(self, line_id: str) -> None:
        draft = self.draft
        assert draft is not None
        suggestion = self.suggestions.get(line_id)
        request = line_picker_request(draft, line_id, suggestion, self.content)
        self.app.push_screen(PickerScreen(request), partial(self.picked, line_id))

    def picked(self, line_id: str, picked: Picked | None) -> None:
        draft = self.draft
        if picked is None or draft is None:
            return
        if picked.create:
            self.open_new_item(line_id, picked)
            return
        before = draft.choices[line_id].target_id
        self.apply_choice(line_id, picked.key)
        unusual = [f for f in draft.findings_for(line_id) if f.code in CONFIRM_BEFORE_KEEPING]
        if unusual:
            self.confirm_unusual(line_id, unusual[0], before)

    def confirm_unusual(self, line_id: str, finding: Finding, before: str | None) -> None:
        """A cost posted to a balance-sheet (or other non-cost) account is kept only when the
        user says so; otherwise the line goes back to what it had."""
        draft = self.draft
        assert draft is not None
        question = unusual_question(draft.integration.line(line_id).label, finding, self.content)

        def answered(keep: bool | None) -> None:
            if not keep and self.draft is draft:
                draft.choose(line_id, before)
                self.changed(line_id)

        self.app.push_screen(question, answered)

    def apply_choice(self, line_id: str, target_id: str | None) -> None:
        draft = self.draft
        assert draft is not None
        findings = draft.choose(line_id, target_id)
        self.changed(line_id)
        refused = [f for f in findings if f.severity == "refused" and f.code != "tax-code-required"]
        if refused:
            label = draft.integration.line(line_id).label
            self.status.failed(f"{label}: {refused[0].as_text(in_wizard=True)}")
            return
        choice = draft.choices[line_id]
        if draft.lists.tax_codes_required and choice.tax_code_id is None and target_id:
            self.action_choose_tax_code()

    def open_new_item(self, line_id: str, picked: Picked) -> None:
        draft = self.draft
        client = self.client
        assert draft is not None and client is not None
        line = draft.integration.line(line_id)
        suggestion = self.suggestions.get(line_id)
        account_id: str | None = None
        name = picked.query or free_item_name(draft.lists, line.label)
        if suggestion is not None and suggestion.creates_item:
            account_id = suggestion.income_account_id
            if picked.from_suggestion and suggestion.new_item_name:
                name = suggestion.new_item_name
        elif suggestion is not None:
            item = draft.lists.item(suggestion.target_id)
            account_id = item.income_account_id if item else None
        accounts = income_account_request(draft, account_id, self.content)
        profile_name = self.profile.name

        def create(item_name: str, income_id: str, request_id: str) -> Item:
            return draft.create_service_item(
                client, item_name, income_id, request_id, profile_name=profile_name
            )

        def made(item: Item | None) -> None:
            if item is not None:
                self.notify(
                    self.content.text("item_created", names=f"'{item.full_name}'"),
                    timeout=5,
                    markup=False,
                )
                self.apply_choice(line_id, item.id)

        screen = NewItemScreen(
            line.label, name, draft.lists.account(account_id), accounts, create, draft.lists.account
        )
        self.app.push_screen(screen, made)

    def action_choose_tax_code(self) -> None:
        draft = self.draft
        line_id = self.selected_line()
        if draft is None or line_id is None or not draft.lists.tax_codes_required:
            return
        without = lines_without_tax_code(draft, line_id)
        request = tax_code_request(draft, line_id, without, self.content)

        def chosen(picked: Picked | None) -> None:
            if picked is None or picked.key is None:
                return
            draft.choose_tax_code(line_id, picked.key)
            if picked.also:
                for other in without:
                    draft.choose_tax_code(other, picked.key)
            self.changed(line_id)

        self.app.push_screen(PickerScreen(request), chosen)

    def action_toggle_unused(self) -> None:
        draft = self.draft
        line_id = self.selected_line()
        if draft is None or line_id is None:
            return
        draft.set_unused(line_id, not draft.choices[line_id].unused)
        self.changed(line_id)

    def action_clear_choice(self) -> None:
        draft = self.draft
        line_id = self.selected_line()
        if draft is None or line_id is None:
            return
        draft.choose(line_id, None)
        draft.set_unused(line_id, False)
        self.changed(line_id)

    # -- suggestions ---------------------------------------------------------------------------

    def action_accept_suggestions(self) -> None:
        draft = self.draft
        if draft is None or self.busy:
            return
        pending = {
            line_id: suggestion
            for line_id, suggestion in self.suggestions.items()
            if draft.choices[line_id].target_id is None and not draft.choices[line_id].unused
        }
        if not pending:
            self.notify(self.content.text("accept_none"), timeout=5)
            return
        existing = {k: s for k, s in pending.items() if not s.creates_item}
        to_create = {k: s for k, s in pending.items() if s.creates_item}
        if not to_create:
            self.accept(existing)
            return

        def answered(yes: bool | None) -> None:
            self.accept(existing)
            if yes:
                self.busy = True
                self.status.working(self.content.text("creating", count=str(len(to_create))))
                self.create_suggested_items(to_create)

        self.app.push_screen(creation_question(draft, to_create, self.content), answered)

    def accept(self, suggestions: dict[str, Suggestion]) -> None:
        draft = self.draft
        assert draft is not None
        for line_id, suggestion in suggestions.items():
            draft.choose(line_id, suggestion.target_id)
        self.changed()
        if suggestions:
            self.notify(self.content.text("accepted", count=str(len(suggestions))), timeout=6)
        untaxed = [k for k in suggestions if draft.choices[k].tax_code_id is None]
        if draft.lists.tax_codes_required and untaxed:
            # Outside the US the accepted lines cannot be saved without one: ask straight away.
            self.table.select_line(untaxed[0])
            self.action_choose_tax_code()

    @work(thread=True, exclusive=True, group="map-create", exit_on_error=False)
    def create_suggested_items(self, suggestions: dict[str, Suggestion]) -> None:
        """Create one Service item per suggestion (runs in a thread), one after another."""
        from qbo_wizard.core.problems import WizardError

        draft, client = self.draft, self.client
        assert draft is not None and client is not None
        created: dict[str, Item] = {}
        problems: list[str] = []
        for line_id, suggestion in suggestions.items():
            label = draft.integration.line(line_id).label
            assert suggestion.new_item_name and suggestion.income_account_id
            try:
                created[line_id] = draft.create_service_item(
                    client,
                    suggestion.new_item_name,
                    suggestion.income_account_id,
                    profile_name=self.profile.name,
                )
            except WizardError as error:
                problems.append(f"{label}: {error.in_wizard()}")
            except Exception as error:  # plain words only
                problems.append(
                    f"{label}: {self.content.text('unexpected', kind=type(error).__name__)}"
                )
        self.post_message(SuggestedItemsCreated(created, problems))

    @on(SuggestedItemsCreated)
    def suggested_items_created(self, event: SuggestedItemsCreated) -> None:
        self.busy = False
        draft = self.draft
        assert draft is not None
        for line_id, item in event.created.items():
            draft.choose(line_id, item.id)
        self.changed()
        if event.problems:
            self.status.failed(self.content.text("not_created", problems=" ".join(event.problems)))
        elif event.created:
            names = ", ".join(f"'{item.full_name}'" for item in event.created.values())
            self.notify(self.content.text("item_created", names=names), timeout=6, markup=False)

    # -- saving --------------------------------------------------------------------------------

    def action_save_mapping(self) -> None:
        draft = self.draft
        if draft is None or self.busy:
            return
        try:
            mapping = draft.build()
        except MappingRefused as refused:
            self.redraw()
            self.table.select_line(refused.findings[0].line_id)
            self.explain_selected()
            count = len({f.line_id for f in refused.findings})
            lines = "1 line breaks" if count == 1 else f"{count} lines break"
            self.status.failed(self.content.text("refused_save", lines=lines))
            return
        self.busy = True
        self.status.working(self.content.text("saving"))
        self.write_mapping(self.profile.name, mapping)

    @work(thread=True, exclusive=True, group="map-save", exit_on_error=False)
    def write_mapping(self, profile_name: str, mapping: SavedMapping) -> None:
        from qbo_wizard.core.mapping.file import mapping_path, save_mapping_file
        from qbo_wizard.core.problems import WizardError

        try:
            save_mapping_file(mapping_path(profile_name), mapping)
        except WizardError as error:  # the file and why, in plain words
            self.post_message(
                WriteFailed(self.content.text("write_refused", problem=error.in_wizard()))
            )
        except OSError as error:
            reason = error.strerror or type(error).__name__
            self.post_message(WriteFailed(self.content.text("not_written", reason=reason)))
        except Exception as error:  # plain words only
            kind = type(error).__name__
            self.post_message(WriteFailed(self.content.text("unexpected", kind=kind)))
        else:
            self.post_message(MappingWritten(mapping))

    @on(MappingWritten)
    def mapping_written(self, event: MappingWritten) -> None:
        self.busy = False
        draft = self.draft
        assert draft is not None and self.integration is not None
        self.saved = event.mapping
        self.baseline = draft.snapshot()
        self.notes = {}
        complete = draft.complete
        record_mapping_saved(self.profile, complete=complete)
        choose_integration(self.profile, self.integration.reference)
        self.session.save()
        self.redraw()
        if complete:
            self.status.succeeded(self.content.text("all_saved", total=str(len(draft.choices))))
        else:
            missing = len(draft.unmapped())
            lines = "1 line is" if missing == 1 else f"{missing} lines are"
            self.status.succeeded(self.content.text("saved_partly", missing=lines))
        self.refresh_bindings()

    @on(WriteFailed)
    def write_failed(self, event: WriteFailed) -> None:
        self.busy = False
        self.status.failed(event.reason)

    # -- leaving -------------------------------------------------------------------------------

    def finish(self, outcome: StepOutcome) -> None:
        """Ask before leaving with unsaved changes."""
        if self.dirty and not self.busy:
            self.confirm_unsaved("leave", lambda: super(MappingScreen, self).finish(outcome))
            return
        super().finish(outcome)

    def confirm_unsaved(self, question: str, then: Callable[[], None]) -> None:
        """Ask `leave` or `change` (the integration) before unsaved choices may be lost."""

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(unsaved_question(question, self.content), answered)
