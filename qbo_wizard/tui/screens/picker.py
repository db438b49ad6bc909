"""Choose one entry of a long list by typing: items, accounts and tax codes in step 7.

The list filters on every keystroke, on the UI thread: `core.picker.PickerIndex.filter` takes a
few milliseconds even on 20,000 accounts, and only the best `SHOWN` matches are drawn. Each
entry's row is made once and reused while the user types (its wrapped height is measured once),
so the list rebuilt on a keystroke costs little more than the rows that are new to it. With an
empty filter the suggestion comes first. Entries a line may not use can be listed below the
choices, greyed out with the reason, so a user looking for "Accounts Payable" learns why it is
not offered instead of finding nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from qbo_wizard.core.mapping.picker_index import PickerChoice, PickerIndex
from qbo_wizard.tui.widgets.tick_box import TickBox

SHOWN = 200
"""At most this many matches are drawn; typing narrows the rest."""
UNAVAILABLE_SHOWN = 20

CURRENT_MARK = "●"
SUGGESTED_MARK = "★"
CREATE_MARK = "+"


@dataclass(frozen=True)
class PickerSuggestion:
    """The proposal shown first: an existing entry (`key`), or a new item to create (None)."""

    key: str | None
    label: str
    reason: str


@dataclass(frozen=True)
class PickerRequest:
    """What to pick from, and how to present it."""

    title: str
    prompt: str
    """One line under the title: what the choice is for."""
    index: PickerIndex
    noun: str = "entries"
    """What the entries are, in the plural: `items`, `accounts`, `tax codes`."""
    current: str | None = None
    suggestion: PickerSuggestion | None = None
    unavailable: PickerIndex | None = None
    """Entries that may not be chosen, labelled with why; shown greyed out below the choices."""
    unavailable_heading: str = "Not allowed here"
    wider_index: PickerIndex | None = None
    """A longer list offered by a check box (e.g. unusual account types, saved with a warning)."""
    wider_label: str = ""
    create_label: str | None = None
    """Offer to create a new entry (e.g. "Create a new service item…")."""
    also_label: str | None = None
    """A check box returned with the choice (e.g. "Also use it on the lines with none yet")."""


@dataclass(frozen=True)
class Picked:
    """What the user chose: an entry's key, or to create a new one."""

    key: str | None = None
    create: bool = False
    from_suggestion: bool = False
    query: str = ""
    also: bool = False


class PickerScreen(ModalScreen[Picked | None]):
    """Type to filter, arrows to move, Enter to choose, Escape to cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "dismiss(None)", "Cancel", id="picker.cancel", tooltip="Keep it as it was"
        ),
        Binding("down", "move('down')", "Move", show=False, id="picker.down"),
        Binding("up", "move('up')", "Move", show=False, id="picker.up"),
        Binding("pagedown", "move('page_down')", show=False, id="picker.page-down"),
        Binding("pageup", "move('page_up')", show=False, id="picker.page-up"),
    ]

    def __init__(self, request: PickerRequest) -> None:
        super().__init__(classes="picker")
        self.request = request
        self.wider = False
        self.shown_total = 0
        """How many entries matched the last filter (for tests and the count line)."""
        self._rows: dict[PickerChoice, Option] = {}
        """One row per entry shown so far (not the current one, which is marked)."""

    def compose(self) -> ComposeResult:
        request = self.request
        with Vertical(id="picker-dialog") as dialog:
            dialog.border_title = Content(request.title)
            yield Static(request.prompt, id="picker-prompt", markup=False)
            yield Input(
                placeholder="Type to filter by name, number or full name",
                id="picker-filter",
                select_on_focus=False,
                compact=True,
            )
            yield Label("", id="picker-count", markup=False)
            yield OptionList(id="picker-options")
            if request.wider_index is not None:
                yield TickBox(request.wider_label, id="picker-wider")
            if request.also_label:
                yield TickBox(request.also_label, True, id="picker-also")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.request.index.prepare()  # the search text, made now rather than on the first key
        self.show_matches("")
        self.query_one("#picker-filter", Input).focus()

    @property
    def options(self) -> OptionList:
        return self.query_one("#picker-options", OptionList)

    @property
    def index(self) -> PickerIndex:
        wider = self.request.wider_index
        return wider if self.wider and wider is not None else self.request.index

    # -- filtering -----------------------------------------------------------------------------

    @on(Input.Changed, "#picker-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.show_matches(event.value)

    @on(TickBox.Changed, "#picker-wider")
    def wider_changed(self, event: TickBox.Changed) -> None:
        event.stop()
        self.wider = event.value
        self.show_matches(self.query_one("#picker-filter", Input).value)

    def show_matches(self, query: str) -> None:
        """Redraw the list for `query`: suggestion and create offer, matches, then the refused."""
        request = self.request
        typed = query.strip()
        result = self.index.filter(typed, limit=SHOWN)
        self.shown_total = result.total
        options: list[Option | None] = []
        suggestion = request.suggestion
        if not typed and suggestion is not None:
            mark = CREATE_MARK if suggestion.key is None else SUGGESTED_MARK
            prompt = Content.assemble(
                (f"{mark} ", "$text-accent"),
                (suggestion.label, "bold"),
                (f"\nsuggested: {suggestion.reason}", "$text-muted"),
            )
            ident = "suggested-create" if suggestion.key is None else f"suggested:{suggestion.key}"
            options += [Option(prompt, id=ident), None]
        if request.create_label:
            label = request.create_label
            if typed:
                label = f"{label.rstrip('…')} '{typed}'…"
            options.append(
                Option(Content.styled(f"{CREATE_MARK} {label}", "$text-accent"), id="create")
            )
        rows = self._rows
        for match in result.matches:
            entry = match.entry
            if entry.key == request.current:
                prompt = Content.assemble(
                    (f"{CURRENT_MARK} ", "$text-success"),
                    entry.label,
                    (" (current)", "$text-muted"),
                )
                options.append(Option(prompt, id=f"pick:{entry.key}"))
                continue
            row = rows.get(entry)
            if row is None:
                row = rows[entry] = Option(Content(entry.label), id=f"pick:{entry.key}")
            options.append(row)
        if result.total > len(result.matches):
            more = result.total - len(result.matches)
            options.append(
                Option(
                    Content.styled(f"… {more:,} more: type to narrow the list", "$text-muted"),
                    id="more",
                    disabled=True,
                )
            )
        if request.unavailable is not None and typed:
            refused = request.unavailable.filter(typed, limit=UNAVAILABLE_SHOWN)
            if refused.matches:
                last = options[-1] if options else None
                if result.matches and rows.get(result.matches[-1].entry) is last is not None:
                    options[-1] = Option(last.prompt, id=last.id)  # a fresh row carries the rule
                options.append(None)
                options.append(
                    Option(
                        Content.styled(f"{request.unavailable_heading}:", "bold $text-muted"),
                        id="refused-heading",
                        disabled=True,
                    )
                )
                for match in refused.matches:
                    options.append(
                        Option(
                            Content.styled(f"✗ {match.entry.label}", "$text-muted"),
                            id=f"refused:{match.entry.key}",
                            disabled=True,
                        )
                    )
        option_list = self.options
        option_list.clear_options()
        option_list.add_options(options)
        self._highlight_first()
        self.query_one("#picker-count", Label).update(self._count_text(typed, result.total))

    def _count_text(self, typed: str, total: int) -> str:
        noun = self.request.noun
        if not typed:
            if total > SHOWN:
                return f"{total:,} {noun}; showing the first {SHOWN}: type to narrow the list"
            return f"{total:,} {noun}"
        if total == 0:
            return f"None of the {noun} to choose from match '{typed}'"
        if total > SHOWN:
            return f"{total:,} {noun} match; showing the best {SHOWN}"
        return f"{total:,} of {len(self.index):,} {noun} match"

    def _highlight_first(self) -> None:
        """Highlight the suggestion, else the best match, else whatever can be chosen."""
        option_list = self.options
        option_list.highlighted = None
        enabled = [
            (position, option.id or "")
            for position in range(option_list.option_count)
            if not (option := option_list.get_option_at_index(position)).disabled
        ]
        for wanted in ("suggested", "pick:", ""):
            for position, ident in enabled:
                if ident.startswith(wanted):
                    option_list.highlighted = position
                    return

    # -- choosing ------------------------------------------------------------------------------

    def action_move(self, direction: str) -> None:
        """Move the highlight in the list while the typing stays in the filter."""
        option_list = self.options
        if direction == "down":
            option_list.action_cursor_down()
        elif direction == "up":
            option_list.action_cursor_up()
        elif direction == "page_down":
            option_list.action_page_down()  # type: ignore[no-untyped-call]
        else:
            option_list.action_page_up()  # type: ignore[no-untyped-call]

    @on(Input.Submitted, "#picker-filter")
    def choose_highlighted(self) -> None:
        option_list = self.options
        if option_list.highlighted is None:
            self.notify("Nothing to choose: change the filter.", timeout=3)
            return
        self.choose(option_list.get_option_at_index(option_list.highlighted).id or "")

    @on(OptionList.OptionSelected, "#picker-options")
    def option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option.id or "")

    def choose(self, option_id: str) -> None:
        """Dismiss with what the option stands for."""
        query = self.query_one("#picker-filter", Input).value.strip()
        also = bool(self.request.also_label) and self.query_one("#picker-also", TickBox).value
        kind, _, key = option_id.partition(":")
        if kind == "create":
            self.dismiss(Picked(create=True, query=query))
        elif kind == "suggested-create":
            self.dismiss(Picked(create=True, from_suggestion=True))
        elif kind in ("pick", "suggested"):
            self.dismiss(
                Picked(key=key, from_suggestion=kind == "suggested", query=query, also=also)
            )
