"""`qbo-wizard test` against the practice QuickBooks: output and exit codes for support scripts."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from qbo_wizard.cli import main
from qbo_wizard.core.connection.tokens import TokenStore
from qbo_wizard.core.dollar_test.record import pending_cleanup
from qbo_wizard.core.problems import EXIT_OK, EXIT_PROBLEM, EXIT_RECONNECT, EXIT_USAGE
from qbo_wizard.simulator.companies import PRODUCTION_REALM, US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from tests.headless import read_only_view

from ..core.dollar_test_helpers import connect, map_in_step_7, write_mapping

ITEM, ACCOUNT = "Truckload Freight", "Carrier Costs:Linehaul"


def test_a_passing_test_prints_each_document_with_its_link(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    map_in_step_7(connect(simulator, "acme", US_REALM), "acme", ITEM, ACCOUNT)
    assert main(["test", "--profile", "acme"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "$1.00 test in Bluewater Freight Brokers LLC" in out
    number = re.search(r"✓ invoice (QBW-TEST-\w+): 1\.00 USD \(Linehaul\)", out)
    assert number
    assert f"{simulator.url}/app/invoice?txnId=" in out
    assert f"Cleanup: invoice {number[1]} voided (kept at zero for the audit trail)." in out
    assert "Result: passed." in out


def test_json_output_for_scripts(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    map_in_step_7(connect(simulator, "acme", US_REALM), "acme", ITEM, ACCOUNT)
    assert main(["test", "--json", "--profile", "acme"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["exit_code"] == 0
    assert [d["kind"] for d in report["documents"]] == ["invoice", "bill"]
    assert report["documents"][1]["cleanup"]["status"] == "deleted"


def test_a_bill_on_accounts_payable_exits_1_and_says_which_line_to_fix(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    write_mapping(connect(simulator, "acme", US_REALM), "acme", ITEM, "Accounts Payable (A/P)")
    assert main(["test", "--profile", "acme"]) == EXIT_PROBLEM
    out = capsys.readouterr().out
    assert "✗ bill (Carrier linehaul): A bill line is mapped to Accounts Payable" in out
    assert "(error 6000)" in out
    assert "Fix it in step 7 (Map your line items), line 'carrier-linehaul'." in out
    assert "Intuit's reference (intuit_tid):" in out
    assert "Result: FAILED." in out


def test_production_without_the_typed_name_exits_2_and_posts_nothing(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api = connect(simulator, "live", PRODUCTION_REALM, key_set="production")
    map_in_step_7(api, "live", ITEM, ACCOUNT)
    assert main(["test", "--profile", "live"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "real QuickBooks company" in err
    assert '--confirm-production "Harbor Point Freight Inc"' in err
    numbers = [str(i.get("DocNumber")) for i in api.query_all("Invoice")]
    assert not [n for n in numbers if n.startswith("QBW-TEST-")]
    confirmed = ["test", "--profile", "live", "--confirm-production", "Harbor Point Freight Inc"]
    assert main(confirmed) == EXIT_OK


def test_no_cleanup_then_cleanup_only(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    map_in_step_7(connect(simulator, "acme", US_REALM), "acme", ITEM, ACCOUNT)
    assert main(["test", "--no-cleanup", "--profile", "acme"]) == EXIT_OK
    out = capsys.readouterr().out
    assert re.search(r"Cleanup: invoice QBW-TEST-\w+ kept, as asked\.", out)
    assert "--cleanup-only" in out
    assert len(pending_cleanup("acme")) == 2
    assert main(["test", "--cleanup-only", "--profile", "acme"]) == EXIT_OK
    out = capsys.readouterr().out
    assert re.search(r"Cleanup: invoice QBW-TEST-\w+ voided", out) and "deleted" in out
    assert pending_cleanup("acme") == []
    assert main(["test", "--cleanup-only", "--profile", "acme"]) == EXIT_OK
    assert "Nothing to clean up" in capsys.readouterr().out


def test_cleanup_options_cannot_be_combined(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", "--no-cleanup", "--cleanup-only"]) == EXIT_USAGE


def test_a_connection_taken_over_exits_4(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    map_in_step_7(connect(simulator, "acme", US_REALM), "acme", ITEM, ACCOUNT)
    simulator.advance_clock(3700)
    simulator.control("scenario", name="takeover", realm_id=US_REALM)
    assert main(["test", "--profile", "acme"]) == EXIT_RECONNECT
    assert "qbo-wizard login" in capsys.readouterr().err


def test_output_never_shows_a_token(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    map_in_step_7(connect(simulator, "acme", US_REALM), "acme", ITEM, ACCOUNT)
    tokens = TokenStore("acme").load()
    assert tokens is not None
    main(["test", "--profile", "acme"])
    main(["test", "--json", "--profile", "acme"])
    captured = capsys.readouterr()
    for secret in (tokens.access_token, tokens.refresh_token):
        assert secret not in captured.out + captured.err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_production_asks_for_the_name(
    simulator: SimulatorServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = connect(simulator, "live", PRODUCTION_REALM, key_set="production")
    map_in_step_7(api, "live", ITEM, ACCOUNT)
    monkeypatch.setattr(sys, "stdin", _Terminal("Harbor Point Freight Inc\n"))
    monkeypatch.setattr(sys, "stderr", _Terminal())
    assert main(["test", "--json", "--profile", "live"]) == EXIT_OK
    assert "real QuickBooks company" in sys.stderr.getvalue()
    assert "Company name:" in sys.stderr.getvalue()
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_a_read_only_profile_folder_posts_nothing_and_says_which_folder(
    simulator: SimulatorServer,
    isolated_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each document's request id must be written down before it is sent (so a retry can never
    post twice); where nothing can be written, nothing is sent, and the folder is named."""
    api = connect(simulator, "acme", US_REALM)
    map_in_step_7(api, "acme", ITEM, ACCOUNT)
    capsys.readouterr()
    with read_only_view(isolated_home, tmp_path / "read-only") as view:
        monkeypatch.setenv("QBO_WIZARD_HOME", str(view))
        assert main(["test", "--profile", "acme"]) == EXIT_PROBLEM
    err = capsys.readouterr().err
    assert "read-only" in err
    assert str(view / "profiles" / "acme") in err
    assert "Nothing was posted." in err
    assert "something unexpected" not in err
    numbers = [str(i.get("DocNumber")) for i in api.query_all("Invoice")]
    assert not [n for n in numbers if n.startswith("QBW-TEST-")]
    bills = [str(b.get("DocNumber")) for b in api.query_all("Bill")]
    assert not [n for n in bills if n.startswith("QBW-TEST-")]
