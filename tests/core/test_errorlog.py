"""The failure log: what support and doctor read back, never a secret, never unbounded."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from qbo_wizard.core.health import errorlog
from qbo_wizard.core.health.errorlog import log_path, recent_failures, record_failure

REFRESH = "AB11797212345CanaryRefreshTokenXyZ9ab8cd7ef6gh5ij4kl3"
CLIENT_SECRET = "CanarySecret7h8j9k0lQwErTyUiOp1a2s3d4f5g"
ACCESS = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..CanaryAccess1.CanaryAccess2.Tag"
AUTH_CODE = "XAB11797canaryAuthCode99"


def test_a_failure_is_read_back_with_its_code_and_intuit_tid() -> None:
    assert record_failure(
        "acme",
        source="api",
        code="6000",
        message="A business validation error has occurred",
        intuit_tid="1-65f1c2d3-4a5b6c7d8e9f0a1b2c3d4e5f",
    )
    [entry] = recent_failures("acme")
    assert entry["source"] == "api"
    assert entry["code"] == "6000"
    assert entry["message"] == "A business validation error has occurred"
    assert entry["intuit_tid"] == "1-65f1c2d3-4a5b6c7d8e9f0a1b2c3d4e5f"
    assert entry["time"].endswith("Z")


def test_newest_failure_comes_first_and_limit_is_respected() -> None:
    for number in range(5):
        record_failure("acme", source="oauth", code=f"E{number}", message="x")
    codes = [entry["code"] for entry in recent_failures("acme", limit=3)]
    assert codes == ["E4", "E3", "E2"]


def test_no_log_yet_means_no_failures() -> None:
    assert recent_failures("never-used") == []
    assert recent_failures("../escape") == []


def test_the_log_is_private_to_its_owner() -> None:
    record_failure("acme", source="api", code="3200", message="denied")
    path = log_path("acme")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_no_secret_reaches_the_log_file() -> None:
    record_failure(
        "acme",
        source="oauth",
        code="invalid_grant",
        message=(
            f"POST grant_type=refresh_token&refresh_token={REFRESH} with "
            f"Authorization: Bearer {ACCESS}; client_secret={CLIENT_SECRET}; "
            f"callback http://localhost:8765/callback?code={AUTH_CODE}&state=x"
        ),
        intuit_tid="1-65f1c2d3-4a5b6c7d8e9f0a1b2c3d4e5f",
    )
    record_failure("acme", source=f"oauth {REFRESH}", code=CLIENT_SECRET, message="x")
    raw = log_path("acme").read_text(encoding="utf-8")
    for canary in (REFRESH, CLIENT_SECRET, ACCESS, AUTH_CODE, "CanaryAccess"):
        assert canary not in raw
    assert "invalid_grant" in raw
    assert "1-65f1c2d3-4a5b6c7d8e9f0a1b2c3d4e5f" in raw


def test_long_messages_are_cut_after_redaction() -> None:
    record_failure("acme", source="api", code="500", message="x" * 10_000 + REFRESH)
    [entry] = recent_failures("acme")
    assert len(entry["message"]) <= errorlog.MAX_MESSAGE_CHARS
    assert REFRESH[:12] not in log_path("acme").read_text(encoding="utf-8")


def test_the_log_rotates_and_keeps_one_old_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errorlog, "ROTATE_AT_BYTES", 2_000)
    for number in range(60):
        record_failure("acme", source="api", code=str(number), message="m" * 100)
    folder = log_path("acme").parent
    assert sorted(p.name for p in folder.iterdir()) == ["errors.log", "errors.log.1"]
    assert log_path("acme").stat().st_size < 2_000 + 400
    # The most recent entries are still readable across both files, newest first.
    codes = [entry["code"] for entry in recent_failures("acme", limit=10)]
    assert codes == [str(n) for n in range(59, 49, -1)]


def test_damaged_lines_are_skipped_not_fatal() -> None:
    record_failure("acme", source="api", code="1", message="first")
    with log_path("acme").open("a", encoding="utf-8") as handle:
        handle.write('{"torn": \n[1, 2]\n')
    record_failure("acme", source="api", code="2", message="second")
    assert [entry["code"] for entry in recent_failures("acme")] == ["2", "1"]


def test_recording_never_raises_when_the_folder_is_unwritable(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / "profiles").write_text("not a folder")
    assert record_failure("acme", source="api", code="500", message="boom") is False
    assert record_failure("../bad", source="api", code="500", message="boom") is False


def test_each_record_is_one_json_line() -> None:
    record_failure("acme", source="api", code=None, message="line one\nline two")
    lines = log_path("acme").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["code"] is None
