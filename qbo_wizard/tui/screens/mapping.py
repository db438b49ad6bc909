"""Step 7: map each line the integration sends to a QuickBooks item (invoices) or account (bills).

What the screen does, in order:

1. Which integration: the saved mapping's, else the one chosen before, else the user picks a
   shipped profile or points at their own file.
2. The company's accounts, items and tax codes are read in a thread worker with progress
   ("Reading accounts… 3,000 of 10,000"). Without a saved mapping the profile's cached copy is
   used when there is one; with a saved mapping they are read live, so the mapping is checked
   against QuickBooks as it is now. `r` reads them again.
3. One row per line with its state (✓ ! ✗ · –); the highlighted row is explained underneath
   with the rules' own words (`core.mapping.Finding`). Enter opens a type-to-filter picker;
   invoice lines can create a Service item there.
4. `ctrl+s` saves `mapping.yaml` only when no line breaks a rule, and marks the step done when
   every line is mapped (or marked not used). Nothing is saved on the user's behalf, not even
   accepted suggestions.

Step 8 can send the user here with a line to highlight (`WizardSession.highlight_line`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import (
    ContentSwitcher,
    DataTable,
    Static,
)

from qbo_wizard.core.line_kinds import LINE_KINDS, line_kind
from qbo_wizard.core.mapping.company_lists import Item
from qbo_wizard.core.mapping.draft import LineChoice, MappingDraft
from qbo_wizard.core.mapping.file import SavedMapping
from qbo_wizard.core.mapping.integrations import (
    Integration,
    choose_integration,
    chosen_integration,
)
from qbo_wizard.core.mapping.rules import Finding, MappingRefused
from qbo_wizard.core.mapping.session import MappingSession
from qbo_wizard.core.mapping.suggestions import Suggestion
from qbo_wizard.core.mapping.targets import free_item_name
from qbo_wizard.core.progress import record_mapping_saved
from qbo_wizard.tui.outcomes import StepOutcome
from qbo_wizard.tui.screens.base import StepScreen
from qbo_wizard.tui.screens.confirm import ConfirmScreen
from qbo_wizard.tui.screens.new_item import NewItemScreen
from qbo_wizard.tui.screens.picker import Picked, PickerRequest, PickerScreen, PickerSuggestion
from qbo_wizard.tui.widgets.integration_chooser import IntegrationChooser
from qbo_wizard.tui.widgets.mapping_loader import MappingLoader
from qbo_wizard.tui.widgets.mapping_table import (
    GROUP_KEY,
    GroupHeading,
    LineDetail,
    LineView,
    MappingTable,
    line_view,
)
from qbo_wizard.tui.widgets.prose import Prose
from qbo_wizard.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from qbo_wizard.core.mapping.company_lists import QboClient

ChoiceSnapshot = dict[str, tuple[str | None, str | None, bool]]


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


# Bill-line choices QuickBooks accepts but that keep the cost off the expenses (a Fixed Asset
# or prepaid account, or a non-cost type): picked only after the user confirms.
CONFIRM_FIRST = frozenset(
    {"account-type-fixed-asset", "account-type-current-asset", "account-type-unusual"}
)


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
        self.shipped: tuple[Integration, ...] = ()
        """The integrations that ship with the wizard, as the last load read them."""
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
                yield StatusLine(id="map-status")
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
    def status(self) -> StatusLine:
        return self.query_one("#map-status", StatusLine)

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
        self.query_one("#pane-choose", IntegrationChooser).ask(self.shipped, problem, again=again)
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
        self.session.writer.flush()  # the core reads the profile from disk
        # Trying again after a failure reads the integration that was asked for.
        self.requested = reference or self.requested
        if self.integration is not None and reference is None:
            self.requested = self.integration.reference
        remembered = chosen_integration(self.profile)
        self.loader.start(self.profile.name, self.client, self.requested, remembered, refresh)
        self.refresh_bindings()

    @on(MappingLoader.IntegrationNeeded)
    def integration_needed(self, event: MappingLoader.IntegrationNeeded) -> None:
        self.shipped = event.shipped
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
            self.baseline = snapshot(draft)
        self.shipped = event.shipped
        self.integration = integration
        self.draft = draft
        self.client = event.client
        self.saved = saved
        self.suggestions = opened.suggestions
        self.notes = {}
        problems: list[str] = []
        if saved is not None:
            report = opened.report
            problems = report.problems
            for line_report in report.lines:
                extra = [f for f in line_report.findings if f.severity in ("changed", "note")]
                if extra:
                    self.notes[line_report.line.id] = extra
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
        self.show_summary(problems[0] if problems else None)
        self.refresh_bindings()

    def show_context(self, opened: MappingSession) -> None:
        content = self.content
        lists = opened.lists
        assert lists is not None and opened.integration is not None
        company = lists.company_name or self.profile.company_name or "your company"
        if lists.country:
            company += f" ({lists.country})"
        when = content.text("lists_fresh")
        if lists.cached:
            when = content.text("lists_cached", when=_local_time(lists.loaded_at))
        parts: list[Content | tuple[str, str] | str] = [
            (content.text("context", integration=opened.integration.name, company=company), "bold"),
            (f"\n{when[:1].upper()}{when[1:]} · {content.text('context_keys')}", "$text-muted"),
        ]
        if opened.saved_for_other:
            text = content.text("saved_elsewhere", integration=opened.saved_for_other)
            parts.append((f"\n{text}", "$text-warning"))
        if opened.saved_unreadable is not None:
            problem = str(opened.saved_unreadable)
            parts.append(
                (f"\n{content.text('saved_unreadable', problem=problem)}", "$text-warning")
            )
        self.query_one("#map-context", Static).update(Content.assemble(*parts))

    def action_reload_lists(self) -> None:
        if self.profile.realm_id is None or self.loader.reading:
            return
        self.start_loading(refresh=True)

    # -- drawing -------------------------------------------------------------------------------

    def views(self) -> list[LineView]:
        draft = self.draft
        if draft is None:
            return []
        saved_names = {}
        if self.saved is not None:
            for entry in self.saved.lines.values():
                if entry.target is not None and entry.target.name:
                    saved_names[entry.target.id] = entry.target.name
        views = []
        for line in draft.integration.lines:
            notes = self.notes.get(line.id) if not self.changed_since_saved(line.id) else None
            views.append(line_view(draft, line, self.suggestions.get(line.id), notes, saved_names))
        return views

    def changed_since_saved(self, line_id: str) -> bool:
        draft = self.draft
        return draft is not None and snapshot(draft).get(line_id) != self.baseline.get(line_id)

    def headings(self) -> list[GroupHeading]:
        text = self.content.text
        headings = []
        assert self.draft is not None
        kinds = {line.kind for line in self.draft.integration.lines}
        for kind in LINE_KINDS:
            if kind in kinds:
                headings.append(
                    GroupHeading(
                        kind,
                        text(f"{kind}_group"),
                        text(f"{kind}_group_target"),
                        text(f"{kind}_group_posts"),
                    )
                )
        return headings

    def redraw(self) -> None:
        """Redraw the rows, the detail of the highlighted one and the summary line."""
        if self.draft is None:
            return
        table = self.table
        table.with_tax = self.draft.lists.tax_codes_required
        table.show(self.headings(), self.views())
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
        views = self.views()
        total = len(views)
        done = sum(v.state in ("ok", "unused") for v in views)
        look = sum(v.state == "warning" for v in views)  # allowed, but "! needs a look"
        status = self.status
        if problem:
            status.failed(problem)
        elif any(v.state == "refused" for v in views):
            refused = [v for v in views if v.state == "refused"]
            only_tax = all(
                f.code == "tax-code-required" for v in refused for f in v.findings if f.breaks
            )
            if only_tax:
                lines = "1 line needs" if len(refused) == 1 else f"{len(refused)} lines need"
                text = self.content.text(
                    "tax_needed", done=str(done), total=str(total), lines=lines
                )
                status.failed(text)
            else:
                status.failed(
                    self.content.text(
                        "refused_lines", done=str(done), total=str(total), refused=str(len(refused))
                    )
                )
        elif look:
            saved = "look_not_saved" if self.dirty or self.saved is None else "look_saved"
            status.clear()
            status.update(
                self.content.text("look_lines", done=str(done), total=str(total), look=str(look))
                + " "
                + self.content.text(saved)
            )
        elif self.dirty or self.saved is None:
            status.clear()
            status.update(self.content.text("not_saved", done=str(done), total=str(total)))
        elif done == total:
            status.succeeded(self.content.text("all_saved", total=str(total)))
        else:
            status.clear()
            status.update(self.content.text("saved_as_is", done=str(done), total=str(total)))

    @property
    def dirty(self) -> bool:
        """True when the choices differ from what was loaded or last saved."""
        return self.draft is not None and snapshot(self.draft) != self.baseline

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
        line = draft.integration.line(line_id)
        choice = draft.choices[line_id]
        suggestion = self.suggestions.get(line_id)
        text = self.content.text
        facts = line_kind(line.kind)
        request = PickerRequest(
            title=f"{line.target_noun.capitalize()} for '{line.label}'",
            prompt=line.description,
            index=draft.picker_for(line_id),
            noun=f"{line.target_noun}s",
            current=choice.target_id,
            suggestion=self.picker_suggestion(suggestion),
            unavailable=draft.unavailable_picker_for(line_id),
            unavailable_heading=text(f"{line.kind}_never"),
        )
        if facts.can_create_target:
            request = replace(
                request,
                prompt=text("invoice_picker_prompt", description=line.description),
                create_label=text("create_item"),
            )
        if facts.has_unusual_targets:
            request = replace(
                request,
                wider_index=draft.picker_for(line_id, include_unusual=True),
                wider_label=text("other_types"),
            )
        self.app.push_screen(PickerScreen(request), partial(self.picked, line_id))

    def picker_suggestion(self, suggestion: Suggestion | None) -> PickerSuggestion | None:
        draft = self.draft
        if suggestion is None or draft is None:
            return None
        if suggestion.creates_item:
            income = draft.lists.account(suggestion.income_account_id)
            where = income.full_name if income else "an income account"
            label = self.content.text(
                "create_suggested", item=suggestion.new_item_name or "", account=where
            )
            return PickerSuggestion(None, label, suggestion.reason)
        label = suggestion.target_name
        item = draft.lists.item(suggestion.target_id)
        if item is not None:
            income = draft.lists.account(item.income_account_id)
            if income is not None:
                label += f" → {income.full_name}"
        return PickerSuggestion(suggestion.target_id, label, suggestion.reason)

    def picked(self, line_id: str, picked: Picked | None) -> None:
        draft = self.draft
        if picked is None or draft is None:
            return
        if picked.create:
            self.open_new_item(line_id, picked)
            return
        before = draft.choices[line_id].target_id
        self.apply_choice(line_id, picked.key)
        unusual = [f for f in draft.findings_for(line_id) if f.code in CONFIRM_FIRST]
        if unusual:
            self.confirm_unusual(line_id, unusual[0], before)

    def confirm_unusual(self, line_id: str, finding: Finding, before: str | None) -> None:
        """A cost posted to a balance-sheet (or other non-cost) account is kept only when the
        user says so; otherwise the line goes back to what it had."""
        draft = self.draft
        assert draft is not None
        label = draft.integration.line(line_id).label
        question = ConfirmScreen(
            self.content.text("unusual_title"),
            self.content.text("unusual_question", line=label, why=finding.as_text()),
            self.content.text("unusual_yes"),
            self.content.text("unusual_no"),
        )

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
            self.status.failed(f"{draft.integration.line(line_id).label}: {refused[0].as_text()}")
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
        accounts = PickerRequest(
            title=self.content.text("income_title"),
            prompt=self.content.text("income_prompt"),
            index=draft.income_account_picker(),
            noun="income accounts",
            current=account_id,
        )
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
        line = draft.integration.line(line_id)
        without = [
            other
            for other, choice in draft.choices.items()
            if other != line_id and choice.tax_code_id is None and not choice.unused
        ]
        also = self.content.text("tax_also", count=str(len(without))) if without else None
        request = PickerRequest(
            title=self.content.text("tax_title", line=line.label),
            prompt=self.content.text("tax_prompt"),
            index=draft.tax_code_picker(),
            noun="tax codes",
            current=draft.choices[line_id].tax_code_id,
            also_label=also,
        )

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
        lines = []
        for suggestion in to_create.values():
            income = draft.lists.account(suggestion.income_account_id)
            where = income.full_name if income else suggestion.income_account_id
            lines.append(f"- **{suggestion.new_item_name}**, sales posting to {where}")
        question = self.content.text(
            "create_question",
            count=str(len(to_create)),
            company=draft.lists.company_name or "this company",
            items="\n".join(lines),
        )

        def answered(yes: bool | None) -> None:
            self.accept(existing)
            if yes:
                self.busy = True
                self.status.working(self.content.text("creating", count=str(len(to_create))))
                self.create_suggested_items(to_create)

        content = self.content
        self.app.push_screen(
            ConfirmScreen(
                content.text("create_title"),
                question,
                content.text("create_yes"),
                content.text("create_no"),
            ),
            answered,
        )

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
                problems.append(f"{label}: {error}")
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
            self.post_message(WriteFailed(self.content.text("write_refused", problem=str(error))))
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
        self.baseline = snapshot(draft)
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
        content = self.content

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(
            ConfirmScreen(
                content.text(f"{question}_title"),
                content.text(f"{question}_question"),
                content.text(f"{question}_yes"),
            ),
            answered,
        )


def snapshot(draft: MappingDraft) -> ChoiceSnapshot:
    """The choices as plain values, to tell whether anything changed since loading or saving."""
    return {k: (c.target_id, c.tax_code_id, c.unused) for k, c in draft.choices.items()}


def _local_time(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.astimezone().strftime("%d %b %Y %H:%M")
