"""The saved mapping: `mapping.yaml` in the profile folder, also the export/import format.

It keeps QuickBooks ids (what the integration posts with) next to the names and types as they
were when saved, so a person can read it, a consultant can reuse it in another company (remapped
by name), and a later check can tell what changed in QuickBooks since.

```yaml
format: 1
integration: freight-brokerage         # a built-in id, or the path of the user's own file
realm_id: '9130355912345678'           # the company it belongs to
company_name: Ridgeline Freight
country: US
saved_at: '2025-03-01T10:00:00Z'
lines:
  linehaul:
    kind: invoice
    item: {id: '12', name: Freight, type: Service}
    income_account: {id: '79', name: Freight Income, type: Income}
  carrier-linehaul:
    kind: bill
    account: {id: '80', name: 'Cost of Goods Sold:Carrier Costs', type: Cost of Goods Sold}
  detention:
    kind: invoice
    unused: true
```
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qbo_wizard.core.files import write_yaml_mapping
from qbo_wizard.core.line_kinds import LINE_KIND_TABLE, LINE_KINDS, LineKind, line_kind
from qbo_wizard.core.paths import profile_dir
from qbo_wizard.core.problems import ConfigFileError
from qbo_wizard.core.profile import MAPPING_FILE
from qbo_wizard.core.yaml_fields import FieldLocator, FieldPath, key_text
from qbo_wizard.core.yaml_reader import describe, quote, read_yaml_file

MAPPING_FORMAT = 1

_HEADER = (
    "qbo-wizard mapping: which QuickBooks item or account each integration line posts to.\n"
    "Ids are what gets posted; names and types are kept for people and for change checks.\n"
    "Export/import with `qbo-wizard mapping export FILE` / `import FILE`."
)
_TOP_FIELDS = {"format", "integration", "realm_id", "company_name", "country", "saved_at", "lines"}
_LINE_FIELDS = {"kind", "item", "account", "income_account", "tax_code", "unused"}
_REF_FIELDS = {"id", "name", "type"}


@dataclass(frozen=True)
class SavedRef:
    """A QuickBooks record as saved: its id, and its name and type at the time, for people."""

    id: str
    name: str
    type: str = ""

    def to_yaml(self) -> dict[str, str]:
        data = {"id": self.id, "name": self.name}
        if self.type:
            data["type"] = self.type
        return data


@dataclass(frozen=True)
class LineMapping:
    """Where one integration line posts: an item (invoice lines) or an account (bill lines)."""

    line_id: str
    kind: LineKind
    target: SavedRef | None = None
    income_account: SavedRef | None = None  # invoice lines: the item's income account when saved
    tax_code: SavedRef | None = None
    unused: bool = False  # the integration never sends this line for this company

    @property
    def target_key(self) -> str:
        return line_kind(self.kind).target_noun

    def posting_line(self, amount: float, description: str) -> dict[str, Any]:
        """The QuickBooks `Line` that posts `amount` through this mapping (for the $1.00 test).

        Invoice lines reference the item (an invoice line without an ItemRef is description-only
        and its amount is ignored); bill lines carry the account inside
        AccountBasedExpenseLineDetail. The tax code goes on the line when one is mapped.
        """
        if self.unused or self.target is None or not self.target.id:
            raise ValueError(f"line {self.line_id!r} is not mapped")
        tax = {"TaxCodeRef": {"value": self.tax_code.id}} if self.tax_code else {}
        facts = line_kind(self.kind)
        detail: dict[str, Any] = {
            facts.target_ref_field: {"value": self.target.id, "name": self.target.name}
        }
        if facts.priced_by_quantity:
            detail.update(Qty=1, UnitPrice=amount)
        detail.update(tax)
        return {
            "DetailType": facts.line_detail_type,
            "Amount": amount,
            "Description": description,
            facts.line_detail_type: detail,
        }

    def to_yaml(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.unused:
            data["unused"] = True
            return data
        if self.target is not None:
            data[self.target_key] = self.target.to_yaml()
        if self.income_account is not None:
            data["income_account"] = self.income_account.to_yaml()
        if self.tax_code is not None:
            data["tax_code"] = self.tax_code.to_yaml()
        return data


@dataclass
class SavedMapping:
    """A whole mapping: the integration profile it is for, the company, and one entry per line."""

    integration: str
    realm_id: str
    company_name: str = ""
    country: str | None = None
    saved_at: str = ""
    lines: dict[str, LineMapping] = field(default_factory=dict)

    def target_names(self) -> dict[str, str]:
        """The names the items and accounts had when saved, by id (to name one gone since)."""
        return {
            entry.target.id: entry.target.name
            for entry in self.lines.values()
            if entry.target is not None and entry.target.name
        }

    def to_yaml(self) -> dict[str, Any]:
        return {
            "format": MAPPING_FORMAT,
            "integration": self.integration,
            "realm_id": self.realm_id,
            "company_name": self.company_name,
            "country": self.country,
            "saved_at": self.saved_at,
            "lines": {line_id: line.to_yaml() for line_id, line in self.lines.items()},
        }


def mapping_path(profile_name: str) -> Path:
    """The profile's `mapping.yaml`."""
    return profile_dir(profile_name) / MAPPING_FILE


def load_saved_mapping(profile_name: str) -> SavedMapping | None:
    """The profile's saved mapping, or None if none has been saved yet."""
    path = mapping_path(profile_name)
    if not path.exists():
        return None
    return read_mapping_file(path)


def save_mapping_file(path: Path, mapping: SavedMapping) -> None:
    """Write a mapping (atomically, 0600) to `path`."""
    write_yaml_mapping(path, mapping.to_yaml(), header=_HEADER)


def read_mapping_file(path: Path) -> SavedMapping:
    """Read a mapping file; anything unusable names the file, the line and the field.

    The file is read by `read_yaml_file`: size, aliases, nesting and encoding are checked
    before any value is built.
    """
    document = read_yaml_file(path)
    if document is None:
        raise ConfigFileError(path, "there is no such file")
    return _Reader(FieldLocator(document)).mapping(document.data)


class _Reader:
    def __init__(self, locator: FieldLocator) -> None:
        self.locator = locator

    def fail(self, path: FieldPath, problem: str, key_node: bool = False) -> ConfigFileError:
        return self.locator.error(path, problem, key_node)

    def text(self, parent: dict[Any, Any], path: FieldPath) -> str | None:
        """A field's text, None when absent or empty; any other shape names the field."""
        value = parent.get(path[-1])
        if value is None:
            return None
        # Ids written by hand may be read as numbers by YAML ('12' vs 12); both mean the
        # same, and an unquoted `saved_at` is read as a date.
        if isinstance(value, (str, int, datetime.date)) and not isinstance(value, bool):
            text = value.isoformat() if isinstance(value, datetime.date) else str(value)
            return text.strip() or None
        raise self.fail(path, f"should be a text, not {describe(value)}")

    def mapping(self, data: dict[str, Any]) -> SavedMapping:
        self.locator.refuse_unknown(data, _TOP_FIELDS, ())
        version = data.get("format", MAPPING_FORMAT)
        if isinstance(version, bool) or version != MAPPING_FORMAT:
            raise self.fail(
                ("format",), f"is {quote(version)}; this wizard reads format {MAPPING_FORMAT}"
            )
        integration = self.text(data, ("integration",))
        if integration is None:
            raise self.fail(("integration",), "is missing (a built-in id or a profile file path)")
        realm_id = self.text(data, ("realm_id",))
        if realm_id is None:
            raise self.fail(("realm_id",), "is missing (the company id this mapping belongs to)")
        raw_lines = data.get("lines") or {}
        if not isinstance(raw_lines, dict):
            raise self.fail(("lines",), "should list each line id with its item or account")
        lines = {
            key_text(line_id): self.line(key_text(line_id), raw, ("lines", key_text(line_id)))
            for line_id, raw in raw_lines.items()
        }
        country = self.text(data, ("country",))
        return SavedMapping(
            integration=integration,
            realm_id=realm_id,
            company_name=self.text(data, ("company_name",)) or "",
            country=country.upper() if country else None,
            saved_at=self.text(data, ("saved_at",)) or "",
            lines=lines,
        )

    def line(self, line_id: str, raw: object, path: FieldPath) -> LineMapping:
        if not isinstance(raw, dict):
            raise self.fail(path, "should hold kind and the item or account")
        self.locator.refuse_unknown(raw, _LINE_FIELDS, path)
        kind = raw.get("kind")
        if kind not in LINE_KINDS:
            raise self.fail((*path, "kind"), "should be 'invoice' or 'bill'")
        unused = raw.get("unused", False)
        if not isinstance(unused, bool):
            raise self.fail((*path, "unused"), "should be true or false")
        facts = line_kind(kind)
        target_key = facts.target_noun
        for other in LINE_KIND_TABLE.values():
            wrong_key = other.target_noun
            if wrong_key != target_key and wrong_key in raw:
                raise self.fail(
                    (*path, wrong_key),
                    f"does not fit a {kind} line, which posts to {facts.target_article}",
                    True,
                )
        if not facts.target_has_income_account and "income_account" in raw:
            raise self.fail((*path, "income_account"), "only belongs to invoice lines", True)
        return LineMapping(
            line_id=line_id,
            kind=kind,
            target=self.ref(raw, (*path, target_key)),
            income_account=self.ref(raw, (*path, "income_account")),
            tax_code=self.ref(raw, (*path, "tax_code")),
            unused=unused,
        )

    def ref(self, parent: dict[str, Any], path: FieldPath) -> SavedRef | None:
        raw = parent.get(str(path[-1]))
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise self.fail(path, "should be {id: …, name: …}")
        self.locator.refuse_unknown(raw, _REF_FIELDS, path)
        ident = self.text(raw, (*path, "id"))
        name = self.text(raw, (*path, "name"))
        if ident is None and name is None:
            raise self.fail(path, "needs an id or a name")
        return SavedRef(ident or "", name or "", self.text(raw, (*path, "type")) or "")
