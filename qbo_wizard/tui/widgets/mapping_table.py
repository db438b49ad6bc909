"""Step 7's list of lines: one row per integration line, grouped invoice lines then bill lines.

Each row shows the line, what it maps to (for items, also the income account the sale posts
to; for accounts, their type), the tax code where one is needed, and a state glyph that reads
without colour: ✓ ready, ! allowed but worth a look, ✗ refused, · not mapped, – not used.
`LineDetail` explains the highlighted row: the line, its choice, every finding with its fix,
and the suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rich.text import Text
from textual.content import Content
from textual.widgets import DataTable, Static

from qbo_wizard.core.line_kinds import LINE_KINDS, LineKind, line_kind
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.integrations import IntegrationLine
from qbo_wizard.core.mapping.rules import Finding
from qbo_wizard.core.mapping.suggestions import Suggestion
from qbo_wizard.core.step_content import StepContent

LineState = Literal["ok", "warning", "changed", "refused", "unmapped", "unused"]

STATE_GLYPHS: dict[LineState, tuple[str, str]] = {
    "ok": ("✓", "green"),
    "warning": ("!", "yellow"),
    "changed": ("!", "yellow"),
    "refused": ("✗", "red"),
    "unmapped": ("·", "dim"),
    "unused": ("–", "dim"),
}
FINDING_GLYPHS = {"refused": "✗", "changed": "!", "warning": "!", "note": "i"}
FINDING_STYLES = {
    "refused": "$text-error",
    "changed": "$text-warning",
    "warning": "$text-warning",
    "note": "$text-muted",
}
GROUP_KEY = "group:"


@dataclass
class LineView:
    """Everything a row and the detail panel show about one line."""

    line: IntegrationLine
    state: LineState
    target: str = ""
    posts_to: str = ""
    tax: str = ""
    findings: list[Finding] = field(default_factory=list)
    suggestion: Suggestion | None = None

    @property
    def mapped(self) -> bool:
        return self.state not in ("unmapped", "unused")


def line_view(
    draft: MappingDraft,
    line: IntegrationLine,
    suggestion: Suggestion | None = None,
    notes: list[Finding] | None = None,
    saved_names: dict[str, str] | None = None,
) -> LineView:
    """The row for one line as the draft has it now.

    Args:
        draft: The mapping being edited.
        line: The line.
        suggestion: The proposal for it, if any.
        notes: What changed in QuickBooks since the mapping was saved (shown while the line
            keeps its saved choice).
        saved_names: Names saved with the mapping, for a target that is no longer in the lists.
    """
    choice = draft.choices[line.id]
    lists = draft.lists
    if choice.unused:
        return LineView(line, "unused", "not used by this company", suggestion=suggestion)
    findings = draft.findings_for(line.id) + list(notes or [])
    view = LineView(line, "unmapped", findings=findings, suggestion=suggestion)
    code = lists.tax_code(choice.tax_code_id)
    if code is not None:
        view.tax = code.name
    elif choice.tax_code_id:
        view.tax = f"{choice.tax_code_id} (gone)"
    elif lists.tax_codes_required:
        view.tax = "needed"
    if choice.target_id is None:
        return view
    if line_kind(line.kind).target_noun == "item":
        item = lists.item(choice.target_id)
        if item is None:
            view.target = _missing(choice.target_id, saved_names)
        else:
            view.target = item.full_name
            income = lists.account(item.income_account_id)
            view.posts_to = income.full_name if income else (item.income_account_name or "—")
    else:
        account = lists.account(choice.target_id)
        if account is None:
            view.target = _missing(choice.target_id, saved_names)
        else:
            view.target = account.full_name
            view.posts_to = account.account_type
    severities = {f.severity for f in findings}
    if "refused" in severities:
        view.state = "refused"
    elif "changed" in severities:
        view.state = "changed"
    elif "warning" in severities:
        view.state = "warning"
    else:
        view.state = "ok"
    return view


def _missing(target_id: str, saved_names: dict[str, str] | None) -> str:
    name = (saved_names or {}).get(target_id)
    return f"{name} (not found)" if name else f"id {target_id} (not found)"


def _cell(text: str, style: str = "") -> Text:
    return Text(text, style=style, overflow="ellipsis", no_wrap=True)


@dataclass(frozen=True)
class GroupHeading:
    """The row that opens a group: its name and what the columns mean for it."""

    kind: LineKind
    title: str
    target: str
    posts_to: str


class MappingTable(DataTable[Text]):
    """The lines, grouped, one row each; the row keys are line ids (and `group:KIND`)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(
            id=id, show_header=False, cursor_type="row", zebra_stripes=False, cell_padding=1
        )
        self.with_tax = False
        self._shown: tuple[list[GroupHeading], list[LineView]] | None = None

    def column_widths(self, width: int) -> tuple[int, int, int, int, int]:
        """Widths of the state, line, target, posts-to and tax columns for `width` cells."""
        columns = 5 if self.with_tax else 4
        room = max(width - 2 * columns - 1, 40)
        tax = 12 if self.with_tax else 0
        line = max(14, min(26, room * 28 // 100))
        rest = room - 1 - line - tax
        target = rest * 55 // 100
        return 1, line, target, rest - target, tax

    def show(self, headings: list[GroupHeading], views: list[LineView]) -> None:
        """Redraw every row, keeping the highlighted row where it was."""
        self._shown = (headings, views)
        selected = self.selected_key
        self.clear(columns=True)
        widths = self.column_widths(self.scrollable_content_region.width or self.size.width)
        names = ("state", "line", "target", "posts-to", "tax")
        for name, width in zip(names, widths, strict=True):
            if width:
                # A Text label, not a string Rich would parse as markup: parsing imports Rich's
                # table of emoji names (~0.5 MiB held for the rest of the session).
                self.add_column(Text(name), width=width, key=name)
        for heading in headings:
            cells = ["", heading.title, heading.target, heading.posts_to, "Tax code"]
            self.add_row(
                *[_cell(text, "bold") for text in cells[: len(self.columns)]],
                key=f"{GROUP_KEY}{heading.kind}",
            )
            for view in views:
                if view.line.kind == heading.kind:
                    self.add_row(*self._row(view), key=view.line.id)
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected), scroll=True)

    def _row(self, view: LineView) -> list[Text]:
        glyph, style = STATE_GLYPHS[view.state]
        if view.state == "unmapped":
            target = _cell("not mapped", "dim italic")
            if view.suggestion is not None:
                target = _cell(f"suggested: {view.suggestion.target_name}", "dim italic")
        elif view.state == "unused":
            target = _cell(view.target, "dim italic")
        else:
            target = _cell(view.target)
        tax_style = "red" if view.tax == "needed" else ""
        cells = [
            _cell(glyph, f"bold {style}"),
            _cell(view.line.label),
            target,
            _cell(view.posts_to, "dim"),
            _cell(view.tax, tax_style),
        ]
        return cells[: len(self.columns)]

    @property
    def selected_key(self) -> str | None:
        """The row key under the cursor: a line id, `group:invoice`, `group:bill`, or None."""
        if not self.rows:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def select_line(self, line_id: str) -> None:
        if line_id in self.rows:
            self.move_cursor(row=self.get_row_index(line_id), scroll=True)

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)
        # The height changes when the explanation below grows: keep the cursor's row in view.
        self.call_after_refresh(self._keep_cursor_in_view)

    def _keep_cursor_in_view(self) -> None:
        # The row is read now, not when the resize came: a key pressed meanwhile has moved it.
        self.move_cursor(row=self.cursor_row, scroll=True)


class LineDetail(Static):
    """The highlighted row, explained: the line, its choice, findings with fixes, a suggestion."""

    def show_line(self, view: LineView, keys: str) -> None:
        """Explain one line; `keys` is a short reminder of what can be done with it."""
        line = view.line
        where = line.target_noun
        self.border_title = Content(f"{line.label} · {line.kind} line → {where}")
        self.border_subtitle = keys
        parts: list[Content | str | tuple[str, str]] = []
        if view.findings:
            # What is wrong and how to fix it comes first: on a small terminal it is all that fits.
            for finding in view.findings:
                glyph = FINDING_GLYPHS[finding.severity]
                style = FINDING_STYLES[finding.severity]
                parts.append((f"{glyph} {finding.reason}.\n", style))
                if fix := finding.fix_for(in_wizard=True):
                    parts.append(f"  Fix: {fix}.\n")
        else:
            parts.append(f"{line.description}\n")
        if view.state == "unused":
            parts.append(("Not used: the integration never sends this line here.\n", "$text-muted"))
        elif view.state in ("ok", "warning") and not view.findings:
            posts = ""
            if line_kind(line.kind).target_has_income_account and view.posts_to:
                posts = f" (sales post to {view.posts_to})"
            elif view.posts_to:
                posts = f" ({view.posts_to})"
            tax = f" · tax code {view.tax}" if view.tax else ""
            parts.append(f"Now: {view.target}{posts}{tax}\n")
            parts.append(("✓ Ready to post.\n", "$text-success"))
        if view.suggestion is not None and view.state in ("unmapped", "refused"):
            suggestion = view.suggestion
            parts.append(
                (f"★ Suggested: {suggestion.target_name} ({suggestion.reason}).", "$text-accent")
            )
        self.update(Content.assemble(*parts).rstrip())
        self.set_class(view.state == "refused", "-refused")

    def show_group(self, title: str, text: str) -> None:
        self.border_title = title
        self.border_subtitle = ""
        self.update(Content(text))
        self.remove_class("-refused")


def group_headings(draft: MappingDraft, content: StepContent) -> list[GroupHeading]:
    """A heading row for each kind of line the integration sends, in the table's order."""
    text = content.text
    kinds = {line.kind for line in draft.integration.lines}
    return [
        GroupHeading(
            kind,
            text(f"{kind}_group"),
            text(f"{kind}_group_target"),
            text(f"{kind}_group_posts"),
        )
        for kind in LINE_KINDS
        if kind in kinds
    ]
