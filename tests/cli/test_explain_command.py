"""`qbo-wizard explain`: plain words for people, JSON for scripts, honest exit codes."""

from __future__ import annotations

import io
import json
import sys

import pytest

from qbo_wizard.cli import main

SEED_3200 = (
    "Fault Exception of type: AUTHENTICATION has been generated. 3200: message=Exception "
    "authenticating OAuth; errorCode=003200; statusCode=401 [:]"
)
TID = "1-65f1c2d3-4a5b6c7d8e9f0a1b2c3d4e5f"


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_plain_words_name_the_cause_the_fix_and_the_step(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", SEED_3200, f"intuit_tid: {TID}"]) == 0
    out = capsys.readouterr().out
    assert "(error 3200)" in out
    assert "Why this happens:" in out
    assert "What to do:" in out
    assert "  1. " in out
    assert "Fix it in step 6 of the wizard: Connect to QuickBooks." in out
    assert f"intuit_tid: {TID}" in out


def test_several_words_are_joined_into_one_text(capsys: pytest.CaptureFixture[str]) -> None:
    words = [
        "The",
        "application",
        "has",
        "already",
        "been",
        "subscribed",
        "to",
        "by",
        "another",
        "user",
    ]
    assert main(["explain", *words]) == 0
    assert "Another QuickBooks user already has this app connected" in capsys.readouterr().out


def test_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--json", SEED_3200]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["recognised"] is True
    assert data["code"] == "3200"
    assert data["step"] == "connect"
    assert isinstance(data["cause"], list) and data["cause"]
    assert isinstance(data["fix"], list) and data["fix"]
    assert {"title", "intuit_tid"} <= set(data)


def test_a_dash_reads_the_error_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = json.dumps(
        {
            "Fault": {
                "Error": [
                    {
                        "Message": "A business validation error has occurred",
                        "Detail": "Business Validation Error: Please select a VAT rate.",
                        "code": "6000",
                    }
                ]
            }
        }
    )
    _stdin(monkeypatch, f"< intuit_tid: {TID}\n{body}\n".encode())
    assert main(["explain", "-"]) == 0
    out = capsys.readouterr().out
    assert "Lines need a sales tax code" in out
    assert "Fix it in step 7 of the wizard: Map your line items." in out
    assert "QuickBooks said: Business Validation Error: Please select a VAT rate." in out


def test_piped_input_is_read_without_a_dash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, b"http://localhost:8765/callback?error=access_denied&state=x")
    assert main(["explain", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["code"] == "access_denied"


def test_huge_piped_input_keeps_the_error_at_its_end(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, b"INFO all fine\n" * 600_000 + SEED_3200.encode())
    assert main(["explain", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["code"] == "3200"


def test_unrecognised_text_exits_1_and_points_to_troubleshooting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", "the", "printer", "is", "jammed", f"intuit_tid={TID}"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "step 9 (Troubleshoot)" in captured.err
    assert "support bundle" in captured.err
    assert TID in captured.err


def test_unrecognised_text_in_json_still_prints_an_object(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", "--json", "nothing here"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["recognised"] is False
    assert data["code"] is None


def test_no_text_at_all_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, b"   \n")
    assert main(["explain"]) == 2
    assert "Give the error to explain" in capsys.readouterr().err


def test_garbage_bytes_on_standard_input_do_not_crash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, bytes(range(256)) * 100)
    assert main(["explain", "-"]) == 1


def test_secrets_in_the_pasted_text_are_not_printed(capsys: pytest.CaptureFixture[str]) -> None:
    secret = "CanarySecret7h8j9k0lQwErTyUiOp1a2s3d4f5g"
    text = (
        '{"Fault":{"Error":[{"Message":"A business validation error","Detail":'
        f'"client_secret={secret} rejected","code":"6000"}}]}}}}'
    )
    assert main(["explain", text]) == 0
    assert main(["explain", "--json", text]) == 0
    captured = capsys.readouterr()
    assert secret not in captured.out + captured.err
