"""What step 7 asks the user, built from the draft and the step's copy: the picker for a line,
the tax-code and income-account pickers, and the question before creating suggested items.

Plain functions of the draft, so the mapping screen only decides when to ask and what to do
with the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from qbo_wizard.core.line_kinds import line_kind
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.rules import Finding
from qbo_wizard.core.mapping.suggestions import Suggestion
from qbo_wizard.core.step_content import StepContent
from qbo_wizard.tui.screens.confirm import ConfirmScreen
from qbo_wizard.tui.screens.picker import PickerRequest, PickerSuggestion


def line_picker_request(
    draft: MappingDraft, line_id: str, suggestion: Suggestion | None, content: StepContent
) -> PickerRequest:
    """The type-to-filter list of what one line may use, with its suggestion first."""
    text = content.text
    line = draft.integration.line(line_id)
    facts = line_kind(line.kind)
    request = PickerRequest(
        title=f"{line.target_noun.capitalize()} for '{line.label}'",
        prompt=line.description,
        index=draft.picker_for(line_id),
        noun=f"{line.target_noun}s",
        current=draft.choices[line_id].target_id,
        suggestion=picker_suggestion(draft, suggestion, content),
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
    return request


def picker_suggestion(
    draft: MappingDraft, suggestion: Suggestion | None, content: StepContent
) -> PickerSuggestion | None:
    """The suggestion as the picker shows it: an existing item or account, or one to create."""
    if suggestion is None:
        return None
    if suggestion.creates_item:
        income = draft.lists.account(suggestion.income_account_id)
        where = income.full_name if income else "an income account"
        label = content.text("create_suggested", item=suggestion.new_item_name or "", account=where)
        return PickerSuggestion(None, label, suggestion.reason)
    label = suggestion.target_name
    item = draft.lists.item(suggestion.target_id)
    if item is not None:
        income = draft.lists.account(item.income_account_id)
        if income is not None:
            label += f" → {income.full_name}"
    return PickerSuggestion(suggestion.target_id, label, suggestion.reason)


def income_account_request(
    draft: MappingDraft, account_id: str | None, content: StepContent
) -> PickerRequest:
    """Where a new Service item's sales post: the company's income accounts."""
    return PickerRequest(
        title=content.text("income_title"),
        prompt=content.text("income_prompt"),
        index=draft.income_account_picker(),
        noun="income accounts",
        current=account_id,
    )


def lines_without_tax_code(draft: MappingDraft, line_id: str) -> list[str]:
    """The other lines in use that have no tax code yet (offered the same code at once)."""
    return [
        other
        for other, choice in draft.choices.items()
        if other != line_id and choice.tax_code_id is None and not choice.unused
    ]


def tax_code_request(
    draft: MappingDraft, line_id: str, without: list[str], content: StepContent
) -> PickerRequest:
    """The company's active tax codes for one line (and, ticked, for `without` too)."""
    also = content.text("tax_also", count=str(len(without))) if without else None
    return PickerRequest(
        title=content.text("tax_title", line=draft.integration.line(line_id).label),
        prompt=content.text("tax_prompt"),
        index=draft.tax_code_picker(),
        noun="tax codes",
        current=draft.choices[line_id].tax_code_id,
        also_label=also,
    )


def creation_question(
    draft: MappingDraft, to_create: Mapping[str, Suggestion], content: StepContent
) -> ConfirmScreen:
    """Ask before creating the Service items that accepted suggestions need."""
    lines = []
    for suggestion in to_create.values():
        income = draft.lists.account(suggestion.income_account_id)
        where = income.full_name if income else suggestion.income_account_id
        lines.append(f"- **{suggestion.new_item_name}**, sales posting to {where}")
    question = content.text(
        "create_question",
        count=str(len(to_create)),
        company=draft.lists.company_name or "this company",
        items="\n".join(lines),
    )
    return ConfirmScreen(
        content.text("create_title"),
        question,
        content.text("create_yes"),
        content.text("create_no"),
    )


def unusual_question(label: str, finding: Finding, content: StepContent) -> ConfirmScreen:
    """Ask before keeping a cost on a balance-sheet (or other non-cost) account."""
    return ConfirmScreen(
        content.text("unusual_title"),
        content.text("unusual_question", line=label, why=finding.as_text(in_wizard=True)),
        content.text("unusual_yes"),
        content.text("unusual_no"),
    )


def unsaved_question(question: str, content: StepContent) -> ConfirmScreen:
    """Ask `leave` or `change` (the integration) before unsaved choices may be lost."""
    return ConfirmScreen(
        content.text(f"{question}_title"),
        content.text(f"{question}_question"),
        content.text(f"{question}_yes"),
    )
