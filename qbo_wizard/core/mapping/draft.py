"""The mapping being edited in step 7: a choice per line, checked by the rules as it is made.

`MappingDraft` refuses to save while a line breaks a rule (`rules`), offers each line the
items or accounts it may use (`targets`), and writes `mapping.yaml` when every choice is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from qbo_wizard.core.line_kinds import LINE_KIND_TABLE, LINE_KINDS, line_kind
from qbo_wizard.core.mapping.company_lists import (
    Account,
    CompanyLists,
    Item,
    QboClient,
    cache_created_item,
)
from qbo_wizard.core.mapping.file import (
    LineMapping,
    SavedMapping,
    SavedRef,
    mapping_path,
    save_mapping_file,
)
from qbo_wizard.core.mapping.integrations import Integration, IntegrationLine
from qbo_wizard.core.mapping.picker_index import PickerChoice, PickerIndex, tax_code_entry
from qbo_wizard.core.mapping.rules import Finding, MappingRefused, line_findings
from qbo_wizard.core.mapping.targets import (
    create_service_item,
    eligible_accounts,
    eligible_items,
    income_accounts,
    items_by_use,
    unavailable_accounts,
    unavailable_items,
)
from qbo_wizard.core.timestamps import utc_timestamp

ChoiceSnapshot = dict[str, tuple[str | None, str | None, bool]]
"""Every line's target id, tax code id and whether it is unused, by line id."""


@dataclass
class LineChoice:
    """What the user picked for one line so far."""

    target_id: str | None = None
    tax_code_id: str | None = None
    unused: bool = False


class MappingDraft:
    """The mapping being edited: choices per line, checked as they are made, saved when valid.

    Every `choose…` returns the line's findings so the reason can be shown next to the line at
    once; `save` refuses (and writes nothing) while a line breaks a rule. Lines may be left
    unmapped and saved later. How the step-7 screen uses it (calls marked * do network I/O and
    belong in a thread worker):

    1. * `open_mapping_session(connect, profile, for_editing=True, …)` (`session`): the
       integration, the company's lists (`company_lists`), the saved mapping checked, this
       draft with the saved choices, and a suggestion per line (`suggestions`), shown and
       applied only when the user accepts (`choose`, or * `create_service_item` first).
    2. `picker_for(line_id).filter(text)` on every keystroke; `income_account_picker()` and
       `tax_code_picker()` likewise.
    3. `choose`, `choose_tax_code`, `set_unused` → findings to show inline.
    4. `save(profile)`, catching `MappingRefused` (its `findings` name each line).
    """

    def __init__(
        self, integration: Integration, lists: CompanyLists, saved: SavedMapping | None = None
    ) -> None:
        self.integration = integration
        self.lists = lists
        self.choices: dict[str, LineChoice] = {line.id: LineChoice() for line in integration.lines}
        self._pickers: dict[str, PickerIndex] = {}
        self._preparing = False
        self._item_split: tuple[list[PickerChoice], list[PickerChoice]] | None = None
        if saved is not None and saved.realm_id == lists.realm_id:
            for line_id, entry in saved.lines.items():
                if line_id in self.choices:
                    self.choices[line_id] = LineChoice(
                        entry.target.id if entry.target and entry.target.id else None,
                        entry.tax_code.id if entry.tax_code and entry.tax_code.id else None,
                        entry.unused,
                    )

    # choosing
    def choose(self, line_id: str, target_id: str | None) -> list[Finding]:
        """Set the item (invoice line) or account (bill line); returns the line's findings."""
        choice = self.choices[line_id]
        choice.target_id = target_id or None
        if target_id:
            choice.unused = False
        return self.findings_for(line_id)

    def choose_tax_code(self, line_id: str, tax_code_id: str | None) -> list[Finding]:
        self.choices[line_id].tax_code_id = tax_code_id or None
        return self.findings_for(line_id)

    def set_unused(self, line_id: str, unused: bool = True) -> None:
        """Mark a line the integration never sends for this company (no choice needed)."""
        self.choices[line_id].unused = unused

    def snapshot(self) -> ChoiceSnapshot:
        """The choices as plain values, to tell whether anything changed since loading or saving."""
        return {k: (c.target_id, c.tax_code_id, c.unused) for k, c in self.choices.items()}

    # checking
    def findings_for(self, line_id: str) -> list[Finding]:
        line = self.integration.line(line_id)
        choice = self.choices[line_id]
        if choice.unused or choice.target_id is None:
            return []
        return line_findings(line, choice.target_id, choice.tax_code_id, self.lists)

    def findings(self) -> list[Finding]:
        return [f for line in self.integration.lines for f in self.findings_for(line.id)]

    def refused(self) -> list[Finding]:
        return [f for f in self.findings() if f.severity == "refused"]

    def unmapped(self) -> list[IntegrationLine]:
        """Lines with no choice yet (and not marked unused)."""
        return [
            line
            for line in self.integration.lines
            if not self.choices[line.id].unused and self.choices[line.id].target_id is None
        ]

    @property
    def complete(self) -> bool:
        return not self.unmapped() and not self.refused()

    # picking
    def picker_for(self, line_id: str, include_unusual: bool = False) -> PickerIndex:
        """The filterable list of choices for a line: items or accounts that pass the rules.

        Bill lines are offered cost accounts (and Fixed Asset / Other Current Asset, which save
        with a warning); `include_unusual` adds the other types that are allowed with a warning,
        such as Income for a broker who nets carrier pay against revenue.
        """
        kind = self.integration.line(line_id).kind
        facts = line_kind(kind)
        key = f"{kind}+unusual" if include_unusual and facts.has_unusual_targets else kind
        if key not in self._pickers:
            if facts.picker_filter == "items":
                entries = self._items_by_use()[0] if self._preparing else eligible_items(self.lists)
            else:
                entries = eligible_accounts(self.lists, include_unusual)
            self._pickers[key] = PickerIndex(entries)
        return self._pickers[key]

    def unavailable_picker_for(self, line_id: str) -> PickerIndex:
        """What a line may not use, each entry labelled with why (shown, but not choosable)."""
        kind = self.integration.line(line_id).kind
        key = f"{kind}-unavailable"
        if key not in self._pickers:
            if line_kind(kind).picker_filter == "items":
                entries = (
                    self._items_by_use()[1] if self._preparing else unavailable_items(self.lists)
                )
            else:
                entries = unavailable_accounts(self.lists)
            self._pickers[key] = PickerIndex(entries)
        return self._pickers[key]

    def prepare_pickers(self) -> None:
        """Build every list a picker may show now (in a loading thread), so none opens slowly.

        The item lists built together check the rules once per item for both.
        """
        self._preparing = True
        try:
            for kind in LINE_KINDS:
                lines = self.integration.lines_of_kind(kind)
                if lines:
                    self.picker_for(lines[0].id)
                    self.unavailable_picker_for(lines[0].id)
                    self.picker_for(lines[0].id, include_unusual=True)
            self.income_account_picker()
            self.tax_code_picker()
        finally:
            self._preparing = False
            self._item_split = None

    def _items_by_use(self) -> tuple[list[PickerChoice], list[PickerChoice]]:
        """Usable and refused items, the rules checked once for both lists built together."""
        if self._item_split is None:
            self._item_split = items_by_use(self.lists)
        return self._item_split

    def income_account_picker(self) -> PickerIndex:
        """Active Income / Other Income accounts, for creating a Service item."""
        if "income" not in self._pickers:
            self._pickers["income"] = PickerIndex(income_accounts(self.lists))
        return self._pickers["income"]

    def tax_code_picker(self) -> PickerIndex:
        """The company's active tax codes (needed on every line outside the US)."""
        if "tax" not in self._pickers:
            codes = self.lists.tax_codes
            self._pickers["tax"] = PickerIndex(tax_code_entry(c) for c in codes if c.active)
        return self._pickers["tax"]

    def create_service_item(
        self,
        client: QboClient,
        name: str,
        income_account_id: str,
        request_id: str | None = None,
        profile_name: str | None = None,
    ) -> Item:
        """Create a Service item bound to an income account; it joins the item list at once.

        With `profile_name`, the profile's cached lists are updated too.
        """
        item = create_service_item(client, self.lists, name, income_account_id, request_id)
        for facts in LINE_KIND_TABLE.values():  # every list that offers items
            if facts.picker_filter == "items":
                self._pickers.pop(facts.kind, None)
                self._pickers.pop(f"{facts.kind}-unavailable", None)
        if profile_name is not None:
            cache_created_item(profile_name, self.lists, item)
        return item

    # saving
    def build(self) -> SavedMapping:
        """The mapping as it would be saved; MappingRefused if a line breaks a rule."""
        refused = self.refused()
        if refused:
            raise MappingRefused(self.integration, refused)
        lines = {}
        for line in self.integration.lines:
            choice = self.choices[line.id]
            lines[line.id] = _line_mapping(line, choice, self.lists)
        return SavedMapping(
            integration=self.integration.reference,
            realm_id=self.lists.realm_id,
            company_name=self.lists.company_name,
            country=self.lists.country,
            saved_at=utc_timestamp(),
            lines=lines,
        )

    def save(self, profile_name: str) -> SavedMapping:
        """Check every line and write `mapping.yaml`; nothing is written when a line is refused."""
        mapping = self.build()
        save_mapping_file(mapping_path(profile_name), mapping)
        return mapping


def _account_ref(account: Account | None, account_id: str) -> SavedRef:
    if account is None:
        return SavedRef(account_id, "")
    return SavedRef(account.id, account.full_name, account.account_type)


def _line_mapping(line: IntegrationLine, choice: LineChoice, lists: CompanyLists) -> LineMapping:
    if choice.unused:
        return LineMapping(line.id, line.kind, unused=True)
    code = lists.tax_code(choice.tax_code_id)
    tax = SavedRef(code.id, code.name) if code else None
    if choice.target_id is None:
        return LineMapping(line.id, line.kind, tax_code=tax)
    if not line_kind(line.kind).target_has_income_account:
        account = lists.account(choice.target_id)
        return LineMapping(line.id, line.kind, _account_ref(account, choice.target_id), None, tax)
    item = lists.item(choice.target_id)
    if item is None:
        return LineMapping(line.id, line.kind, SavedRef(choice.target_id, ""), None, tax)
    income = None
    if item.income_account_id:
        income = _account_ref(lists.account(item.income_account_id), item.income_account_id)
    target = SavedRef(item.id, item.full_name, item.item_type)
    return LineMapping(line.id, line.kind, target, income, tax)
