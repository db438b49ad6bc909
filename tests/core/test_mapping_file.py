"""mapping.yaml: readable by people, strict about what it holds, and the lines it posts."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbo_wizard.core.mapping.file import (
    LineMapping,
    SavedRef,
    read_mapping_file,
)
from qbo_wizard.core.problems import ConfigFileError

GOOD = """\
format: 1
integration: freight-brokerage
realm_id: 4620816365264345000
lines:
  linehaul:
    kind: invoice
    item: {id: 100, name: Freight, type: Service}
    income_account: {id: '10', name: Freight Income, type: Income}
    tax_code: {id: '1', name: GST}
  carrier-linehaul:
    kind: bill
    account: {id: '21', name: 'Cost of Goods Sold:Carrier Costs'}
  detention:
    kind: invoice
    unused: true
"""


def test_a_saved_mapping_reads_back_with_ids_as_text(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(GOOD)
    saved = read_mapping_file(path)
    assert saved.realm_id == "4620816365264345000"
    linehaul = saved.lines["linehaul"]
    assert linehaul.target == SavedRef("100", "Freight", "Service")
    assert linehaul.tax_code == SavedRef("1", "GST")
    assert saved.lines["detention"].unused


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("    kind: bill", "    kind: expense", 11, "lines.carrier-linehaul.kind"),
        ("    account: {id", "    item: {id", 12, "lines.carrier-linehaul.item"),
        ("    unused: true", "    unused: maybe", 15, "lines.detention.unused"),
        ("{id: 100, name: Freight, type: Service}", "{}", 7, "lines.linehaul.item"),
        ("    tax_code: {id: '1', name: GST}", "    taxcode: GST", 9, "lines.linehaul.taxcode"),
        ("realm_id: 4620816365264345000\n", "", 1, "realm_id"),
        ("format: 1", "format: 7", 1, "format"),
    ],
)
def test_a_damaged_mapping_file_names_the_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, field: str
) -> None:
    path = tmp_path / "mapping.yaml"
    assert old in GOOD
    path.write_text(GOOD.replace(old, new))
    with pytest.raises(ConfigFileError) as caught:
        read_mapping_file(path)
    message = str(caught.value)
    assert f"{path}, line {line}:" in message and f"'{field}'" in message


def test_posting_lines_put_the_item_or_account_where_quickbooks_expects_it() -> None:
    invoice = LineMapping(
        "linehaul", "invoice", SavedRef("100", "Freight"), tax_code=SavedRef("7", "20.0% S")
    )
    line = invoice.posting_line(1.0, "test")
    assert line["DetailType"] == "SalesItemLineDetail"
    assert line["SalesItemLineDetail"]["ItemRef"]["value"] == "100"
    assert line["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "7"}
    assert line["Amount"] == line["SalesItemLineDetail"]["UnitPrice"] * 1
    bill = LineMapping("carrier-linehaul", "bill", SavedRef("21", "Carrier Costs"))
    line = bill.posting_line(1.0, "test")
    assert "AccountRef" not in line  # nested in the detail, never at the top of the line
    assert line["AccountBasedExpenseLineDetail"] == {
        "AccountRef": {"value": "21", "name": "Carrier Costs"}
    }
    with pytest.raises(ValueError):
        LineMapping("detention", "invoice", unused=True).posting_line(1.0, "test")
