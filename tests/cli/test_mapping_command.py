"""`qbo-wizard mapping` actions that need no QuickBooks connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbo_wizard.cli import main
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.problems import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE

from ..core.company_data import ridgeline


def _save_mapping(profile: str = "acme") -> None:
    draft = MappingDraft(load_integration("freight-brokerage"), ridgeline())
    draft.choose("linehaul", "100")
    draft.choose("carrier-linehaul", "21")
    draft.set_unused("detention")
    draft.save(profile)


def test_show_prints_each_line_with_where_it_posts(capsys: pytest.CaptureFixture[str]) -> None:
    _save_mapping()
    assert main(["mapping", "show", "--profile", "acme"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Ridgeline Freight" in out
    assert "Linehaul → Freight (sales post to Freight Income)" in out
    assert "Carrier linehaul → Cost of Goods Sold:Carrier Costs" in out
    assert "Detention: unused" in out
    assert "Fuel surcharge: not mapped yet" in out


def test_show_without_a_mapping_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mapping", "show", "--profile", "acme"]) == EXIT_PROBLEM
    assert "no saved mapping yet" in capsys.readouterr().err


def test_export_writes_the_file_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _save_mapping()
    target = tmp_path / "shared.yaml"
    assert main(["mapping", "export", str(target), "--profile", "acme"]) == EXIT_OK
    assert "carrier-linehaul" in target.read_text()
    assert main(["mapping", "export", str(target), "--profile", "acme"]) == EXIT_PROBLEM
    assert "--force" in capsys.readouterr().err
    assert main(["mapping", "export", str(target), "--force", "--profile", "acme"]) == EXIT_OK


def test_integrations_lists_the_built_in_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mapping", "integrations"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "freight-brokerage" in out and "professional-services" in out


def test_an_action_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mapping"]) == EXIT_USAGE


def test_integrations_lists_each_shipped_one_with_its_invoice_and_bill_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["mapping", "integrations"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Freight brokerage: 8 invoice lines, 6 bill lines" in out
    assert "Professional services: 3 invoice lines, 2 bill lines" in out
