"""`qbo-wizard doctor`: the table people read, the JSON scripts read, and the exit codes."""

from __future__ import annotations

import json

import keyring
import pytest
from keyring.backends import fail

from qbo_wizard.cli import main
from qbo_wizard.core.health.doctor_checks import CHECK_IDS
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import US_REALM
from tests.doctor_helpers import healthy


def test_a_healthy_profile_exits_0_with_a_line_per_check(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    assert main(["doctor", "--profile", "acme"]) == 0
    out = capsys.readouterr().out
    assert "Health of profile 'acme'" in out
    assert "  ok         Company answers" in out
    assert "  skipped    Token refresh         Not due" in out
    assert out.rstrip().endswith("Exit code 0.")


def test_a_revoked_connection_exits_4_and_says_what_to_run(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    simulator.control("scenario", name="password-change", realm_id=US_REALM)
    assert main(["doctor", "--profile", "acme"]) == 4
    out = capsys.readouterr().out
    assert "  RECONNECT  Company answers" in out
    assert "Next: run `qbo-wizard login --profile acme` (or wizard step 6" in out
    assert "intuit_tid: 1-" in out


def test_no_keyring_exits_1_with_the_keyring_message(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    keyring.set_keyring(fail.Keyring())
    assert main(["doctor", "--profile", "acme"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "PROBLEM Keyring No usable keyring was found on this computer," in out


def test_a_broken_mapping_exits_1(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = healthy(simulator)
    target = saved.lines["carrier-linehaul"].target
    assert target is not None
    simulator.control("set_account_active", realm_id=US_REALM, account_id=target.id, active=False)
    assert main(["doctor", "--json", "--profile", "acme"]) == 1
    data = json.loads(capsys.readouterr().out)
    (mapping,) = [c for c in data["checks"] if c["id"] == "mapping"]
    assert mapping["verdict"] == "problem"
    assert data["result"] == "problems" and data["exit_code"] == 1


def test_json_is_one_object_with_every_check(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    assert main(["doctor", "--json", "--offline", "--profile", "acme"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert [c["id"] for c in data["checks"]] == list(CHECK_IDS)
    assert data["live"] is False and data["result"] == "ok"
    assert captured.err == ""  # no progress noise around the JSON


def test_refresh_option_refreshes_even_when_not_due(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    assert main(["doctor", "--refresh", "--json", "--profile", "acme"]) == 0
    (refresh,) = [c for c in json.loads(capsys.readouterr().out)["checks"] if c["id"] == "refresh"]
    assert refresh["verdict"] == "ok" and refresh["intuit_tid"]


@pytest.mark.parametrize("argv", [["doctor", "--no-such-option"], ["doctor", "--profile", "../x"]])
def test_wrong_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err
