"""Export a saved mapping to a file, and import one into another company (remapped by name).

A consultant who has mapped one client's company can reuse the mapping for the next: import
keeps ids when it is the same company, otherwise finds each item, account and tax code by
name, checks every line against the rules, and reports what it could not match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from qbo_wizard.core.line_kinds import line_kind
from qbo_wizard.core.mapping.check import MappingMissing
from qbo_wizard.core.mapping.company_lists import (
    Account,
    CompanyLists,
    Item,
    ProgressCallback,
    QboClient,
    TaxCode,
    company_lists_for,
)
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import (
    LineMapping,
    SavedMapping,
    SavedRef,
    load_saved_mapping,
    mapping_path,
    read_mapping_file,
    save_mapping_file,
)
from qbo_wizard.core.mapping.integrations import IntegrationLine, load_integration
from qbo_wizard.core.mapping.targets import free_item_name
from qbo_wizard.core.problems import ConfigFileError, WizardError
from qbo_wizard.core.steps import step_ref
from qbo_wizard.core.yaml_reader import quote

Record = TypeVar("Record", Account, Item, TaxCode)
#: Longest name from an imported file quoted in a report: longer than any QuickBooks name,
#: short enough that a damaged file cannot flood the screen.
_NAME_CHARS = 200


def export_mapping(profile_name: str, destination: Path, overwrite: bool = False) -> SavedMapping:
    """Write the profile's saved mapping to another file, for reuse in another company."""
    saved = load_saved_mapping(profile_name)
    if saved is None:
        raise MappingMissing(
            f"The profile '{profile_name}' has no saved mapping to export yet; map the lines "
            f"in {step_ref('map')} first."
        )
    if destination.exists() and not overwrite:
        raise WizardError(
            f"{destination} already exists and was left as it is. Choose another file name, "
            "or pass --force to replace it.",
        )
    save_mapping_file(destination, saved)
    return saved


@dataclass
class ImportedLine:
    """What happened to one line of an imported mapping."""

    line_id: str
    label: str
    outcome: Literal[
        "kept", "remapped", "created", "unused", "not-matched", "refused", "unknown-line"
    ]
    detail: str = ""


@dataclass
class ImportReport:
    """The result of an import: what was kept, remapped by name, or left for the user."""

    saved: SavedMapping
    lines: list[ImportedLine]
    backup: Path | None = None

    @property
    def unresolved(self) -> list[ImportedLine]:
        return [r for r in self.lines if r.outcome in ("not-matched", "refused")]

    @property
    def complete(self) -> bool:
        return not self.unresolved


def _key(text: str) -> str:
    """Names compared the way a person would: case, spacing and ': ' vs ':' ignored."""
    return " ".join(text.replace(":", " : ").lower().split())


def _find(
    ref: SavedRef,
    by_id: Record | None,
    records: Iterable[Record],
    same_company: bool,
    names: Callable[[Record], tuple[str, ...]],
) -> Record | None:
    """The record an entry of the file means here: by id when that is safe, else by name.

    An id is trusted within the same company, or when the record still carries the saved
    name; otherwise the first of `names` (fully-qualified, then short) that picks exactly one
    active record wins.
    """
    if by_id is not None and (
        same_company or not ref.name or _key(names(by_id)[0]) == _key(ref.name)
    ):
        return by_id
    if not ref.name:
        return None
    wanted = _key(ref.name)
    active = [r for r in records if r.active]
    for position in range(len(names(active[0])) if active else 0):
        found = [r for r in active if _key(names(r)[position]) == wanted]
        if len(found) == 1:
            return found[0]
    return None


def _find_account(ref: SavedRef, lists: CompanyLists, same_company: bool) -> Account | None:
    by_id = lists.account(ref.id)
    return _find(ref, by_id, lists.accounts, same_company, lambda a: (a.full_name, a.name))


def _find_item(ref: SavedRef, lists: CompanyLists, same_company: bool) -> Item | None:
    by_id = lists.item(ref.id)
    return _find(ref, by_id, lists.items, same_company, lambda i: (i.full_name, i.name))


def _find_tax_code(ref: SavedRef, lists: CompanyLists, same_company: bool) -> TaxCode | None:
    by_id = lists.tax_code(ref.id)
    return _find(ref, by_id, lists.tax_codes, same_company, lambda c: (c.name,))


def import_mapping(
    client: QboClient,
    profile_name: str,
    source: Path,
    *,
    on_progress: ProgressCallback | None = None,
    lists: CompanyLists | None = None,
    create_items: bool = False,
) -> ImportReport:
    """Bring in a mapping file, re-checked against the live company and remapped by name.

    Each line keeps its id when this is the same company (or the id still carries the same
    name), otherwise it is found by name; lines that cannot be matched or now break a rule are
    left unmapped and reported. With `create_items`, an invoice line whose item is missing here
    gets a new Service item of that name on the income account of the same name (the only
    write this makes in QuickBooks). The previous mapping, if any, is kept as
    `mapping.before-import.yaml` next to it.
    """
    incoming = read_mapping_file(source)
    try:
        integration = load_integration(incoming.integration)
    except ConfigFileError as error:
        raise WizardError(
            f"{source} is for the integration {quote(incoming.integration, 80)}, which cannot "
            f"be loaded here: {error}"
        ) from None
    if lists is None:
        lists = company_lists_for(client, profile_name, refresh=True, on_progress=on_progress)
    same_company = incoming.realm_id == lists.realm_id
    draft = MappingDraft(integration, lists)
    outcomes: list[ImportedLine] = []
    known = {line.id for line in integration.lines}
    for line_id in incoming.lines:
        if line_id not in known:
            shown = quote(line_id, _NAME_CHARS).strip("'")
            outcomes.append(
                ImportedLine(line_id, shown, "unknown-line", "not a line of this integration")
            )
    for line in integration.lines:
        found = incoming.lines.get(line.id)
        if found is None or (found.target is None and not found.unused):
            outcomes.append(ImportedLine(line.id, line.label, "not-matched", "not in the file"))
            continue
        if found.unused:
            draft.set_unused(line.id)
            outcomes.append(ImportedLine(line.id, line.label, "unused"))
            continue
        creator = client if create_items else None
        outcomes.append(_import_line(draft, line, found, same_company, creator))
    saved = draft.build()
    path = mapping_path(profile_name)
    backup = None
    if path.exists():
        backup = path.with_name("mapping.before-import.yaml")
        backup.write_bytes(path.read_bytes())
        backup.chmod(0o600)
    save_mapping_file(path, saved)
    return ImportReport(saved, outcomes, backup)


def _import_line(
    draft: MappingDraft,
    line: IntegrationLine,
    entry: LineMapping,
    same_company: bool,
    creator: QboClient | None,
) -> ImportedLine:
    """Match one line of the file in this company, check it, and record it in the draft."""
    assert entry.target is not None
    lists = draft.lists
    tax_id = None
    if entry.tax_code is not None:
        code = _find_tax_code(entry.tax_code, lists, same_company)
        if code is None:
            name = quote(entry.tax_code.name or entry.tax_code.id, _NAME_CHARS)
            return ImportedLine(
                line.id, line.label, "not-matched", f"no tax code named {name} in this company"
            )
        tax_id = code.id
    found: Account | Item | None
    facts = line_kind(line.kind)
    if facts.target_noun == "account":
        found = _find_account(entry.target, lists, same_company)
    else:
        found = _find_item(entry.target, lists, same_company)
    created = ""
    if found is None and facts.can_create_target and creator is not None:
        found, created = _create_item_like(draft, entry, same_company, creator)
    if found is None:
        what = facts.target_noun
        wanted = quote(entry.target.name or entry.target.id, _NAME_CHARS)
        return ImportedLine(
            line.id, line.label, "not-matched", f"no {what} named {wanted} in this company"
        )
    draft.choose(line.id, found.id)
    draft.choose_tax_code(line.id, tax_id)
    refused = [f for f in draft.findings_for(line.id) if f.severity == "refused"]
    if refused:
        draft.choose(line.id, None)
        draft.choose_tax_code(line.id, None)
        return ImportedLine(line.id, line.label, "refused", refused[0].as_text())
    if created:
        return ImportedLine(line.id, line.label, "created", created)
    outcome: Literal["kept", "remapped"] = "kept" if found.id == entry.target.id else "remapped"
    return ImportedLine(line.id, line.label, outcome, found.full_name)


def _create_item_like(
    draft: MappingDraft, entry: LineMapping, same_company: bool, client: QboClient
) -> tuple[Item | None, str]:
    """A new Service item named like the file's item, on the income account of the same name."""
    assert entry.target is not None
    if entry.income_account is None or not entry.target.name:
        return None, ""
    income = _find_account(entry.income_account, draft.lists, same_company)
    if income is None:
        return None, ""
    # A sub-item's full name ("Accessorials:Detention") cannot be a new item's name.
    name = free_item_name(draft.lists, entry.target.name.split(":")[-1].strip())
    item = draft.create_service_item(client, name, income.id)
    return item, f"new Service item '{item.name}' posting to '{income.full_name}'"
