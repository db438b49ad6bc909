"""Create a Service item for an invoice line: a name, and the income account its sales post to.

The item is created in QuickBooks from a thread worker; a refusal (the name is taken, the
account cannot take sales, the connection dropped) is shown in the dialog, which stays open so
nothing typed is lost. A retry of the same name and account sends the same request id, so a
creation whose answer was lost is not made twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from qbo_wizard.core.mapping.company_lists import Account, Item
from qbo_wizard.tui.screens.picker import Picked, PickerRequest, PickerScreen
from qbo_wizard.tui.widgets.status_line import StatusLine

# Creates the item in QuickBooks: (name, income account id, request id) -> the new item.
CreateItem = Callable[[str, str, str], Item]


@dataclass
class ItemCreated(Message):
    """QuickBooks made the item."""

    item: Item


@dataclass
class ItemNotCreated(Message):
    """The item was not made; `reason` says why in plain words."""

    reason: str


class NewItemScreen(ModalScreen[Item | None]):
    """Name the item, choose its income account, create it; dismisses with the new item."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="new-item.cancel", tooltip="Create nothing"),
        Binding(
            "ctrl+s",
            "create",
            "Create",
            id="new-item.create",
            tooltip="Create the item in QuickBooks",
            priority=True,
        ),
        Binding(
            "f2",
            "choose_account",
            "Income account",
            id="new-item.account",
            tooltip="Choose the income account its sales post to",
        ),
    ]

    def __init__(
        self,
        line_label: str,
        name: str,
        account: Account | None,
        accounts: PickerRequest,
        create: CreateItem,
        find_account: Callable[[str], Account | None],
    ) -> None:
        super().__init__(classes="new-item")
        self.line_label = line_label
        self.initial_name = name
        self.account = account
        self.accounts = accounts
        self.create_item = create
        self.find_account = find_account
        self.busy = False
        self._attempt: tuple[str, str, str] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="new-item-dialog") as dialog:
            dialog.border_title = Content(f"A new service item for '{self.line_label}'")
            yield Static(
                "QuickBooks records each sale in the item's income account. The item is "
                "created in QuickBooks as soon as you press Create.",
                markup=False,
                classes="dialog-note",
            )
            yield Label("Item name", classes="field-label")
            yield Input(self.initial_name, id="new-item-name", max_length=100)
            yield Label("Sales post to (an Income or Other Income account)", classes="field-label")
            with Horizontal(id="new-item-account-row"):
                yield Static(self._account_text(), id="new-item-account", markup=False)
                yield Button("Choose… (f2)", id="new-item-choose-account", compact=True)
            yield StatusLine(id="new-item-status")
            with Horizontal(id="new-item-buttons"):
                yield Button(
                    "Create in QuickBooks (ctrl+s)", variant="primary", id="new-item-create"
                )
                yield Button("Cancel (esc)", id="new-item-cancel")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#new-item-name", Input).focus()

    def _account_text(self) -> str:
        return self.account.full_name if self.account is not None else "not chosen yet"

    @on(Button.Pressed, "#new-item-choose-account")
    def action_choose_account(self) -> None:
        if self.busy:
            return

        def chosen(picked: Picked | None) -> None:
            if picked is not None and picked.key is not None:
                self.account = self.find_account(picked.key)
                self.query_one("#new-item-account", Static).update(self._account_text())

        self.app.push_screen(PickerScreen(self.accounts), chosen)

    @on(Button.Pressed, "#new-item-cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    @on(Button.Pressed, "#new-item-create")
    @on(Input.Submitted, "#new-item-name")
    def action_create(self) -> None:
        if self.busy:
            return
        status = self.query_one("#new-item-status", StatusLine)
        name = " ".join(self.query_one("#new-item-name", Input).value.split())
        if not name:
            status.failed("Give the new item a name, for example 'Freight'.")
            return
        if self.account is None:
            status.failed("Choose the income account its sales post to (f2).")
            return
        # The same name and account again is a retry: it reuses the request id.
        if self._attempt is None or self._attempt[:2] != (name, self.account.id):
            self._attempt = (name, self.account.id, uuid.uuid4().hex)
        self.busy = True
        status.working(f"Creating '{name}' in QuickBooks…")
        self.create_in_quickbooks(*self._attempt)

    @work(thread=True, exclusive=True, group="new-item", exit_on_error=False)
    def create_in_quickbooks(self, name: str, account_id: str, request_id: str) -> None:
        from qbo_wizard.core.problems import WizardError

        try:
            item = self.create_item(name, account_id, request_id)
        except WizardError as error:
            self.post_message(ItemNotCreated(error.in_wizard()))
        except Exception as error:  # plain words only
            self.post_message(
                ItemNotCreated(f"Something unexpected stopped it ({type(error).__name__}).")
            )
        else:
            self.post_message(ItemCreated(item))

    @on(ItemCreated)
    def created(self, event: ItemCreated) -> None:
        self.busy = False
        self.dismiss(event.item)

    @on(ItemNotCreated)
    def not_created(self, event: ItemNotCreated) -> None:
        self.busy = False
        self.query_one("#new-item-status", StatusLine).failed(event.reason)
