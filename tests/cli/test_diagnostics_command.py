"""`qbo-wizard diagnostics`: shown before written, written only when confirmed, never a secret."""

from __future__ import annotations

import io
import stat
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import keyring
import pytest
from keyring.backends import fail

from qbo_wizard.cli import main
from qbo_wizard.commands import diagnostics as command
from qbo_wizard.core.connection.callback import parse_redirect
from qbo_wizard.core.connection.oauth import finish_with_code, save_connection, start_authorization
from qbo_wizard.core.connection.tokens import TokenSet
from qbo_wizard.core.health.errorlog import log_path, record_failure
from qbo_wizard.core.redact import fingerprint
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import (
    US_REALM,
    approve,
    expire_stored_access,
    keyring_entry,
    save_keys,
)
from tests.doctor_helpers import healthy


def stored_tokens() -> TokenSet:
    return TokenSet.from_json(keyring_entry("acme") or "")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_canary_no_secret_reaches_the_bundle_the_screen_or_the_error_log(
    simulator: SimulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The whole cycle with real values: keys checked live, a paste-back sign-in, a refresh.
    save_keys(simulator, "acme")
    authorization = start_authorization("acme", "paste-url")
    landed = approve(simulator, authorization.url, US_REALM)
    code = parse_qs(urlsplit(landed).query)["code"][0]
    save_connection(finish_with_code(authorization, parse_redirect(landed, authorization.state)))
    first = stored_tokens()
    expire_stored_access("acme")  # so the token command refreshes
    assert main(["token", "--profile", "acme"]) == 0
    capsys.readouterr()  # the token command prints the access token: that is its job
    second = stored_tokens()
    assert second.access_token != first.access_token
    keys = simulator.info["keys"]["development"]
    canaries = {
        "client ID": keys["client_id"],
        "client secret": keys["client_secret"],
        "authorization code": code,
        "first access token": first.access_token,
        "first refresh token": first.refresh_token,
        "access token": second.access_token,
        "refresh token": second.refresh_token,
    }
    # Failures whose text carries the secrets in the shapes they turn up in.
    for message in (
        f"refresh_token={first.refresh_token}&grant_type=refresh_token",
        f"Authorization: Bearer {second.access_token}",
        f'{{"client_id": "{keys["client_id"]}", "client_secret": "{keys["client_secret"]}"}}',
        f"the secret {keys['client_secret']} and the ID {keys['client_id']} were refused",
        f"callback {landed}",
        f"tokens {second.refresh_token} / {second.access_token}",
    ):
        record_failure("acme", source="test", code="canary", message=message)
    record_failure("acme", source="test", code="canary", message="x", intuit_tid=code)
    # A real failure, recorded by the app itself, and the doctor's own notes.
    simulator.control("scenario", name="password-change", realm_id=US_REALM)
    bundle_file = tmp_path / "bundle.txt"
    assert main(["diagnostics", "--yes", "-o", str(bundle_file), "--profile", "acme"]) == 0
    shown = capsys.readouterr()
    bundle = bundle_file.read_text()
    written = {
        "bundle file": bundle,
        "standard output": shown.out,
        "standard error": shown.err,
        "error log": log_path("acme").read_text(),
    }
    for where, text in written.items():
        for what, secret in canaries.items():
            assert secret not in text, f"the {what} reached the {where}"
    assert shown.out == bundle  # what was shown is exactly what was written
    assert f"client secret         saved, {fingerprint(keys['client_secret'])}" in bundle
    assert f"refresh token         saved, {fingerprint(second.refresh_token)}" in bundle
    assert "code invalid_grant" in bundle and "RECONNECT" in bundle
    assert mode(bundle_file) == 0o600


def test_the_bundle_has_what_support_asks_for(
    simulator: SimulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    record_failure(
        "acme",
        source="api",
        code="6000",
        message="A business validation error has occurred",
        intuit_tid="1-65f1c2d3-4a5b6c7d8e9f0a1b2c3d4e5f",
    )
    out = tmp_path / "b.txt"
    assert main(["diagnostics", "--yes", "-o", str(out), "--profile", "acme"]) == 0
    bundle = out.read_text()
    for expected in (
        "qbo-wizard            0.1.0",
        "textual               ",
        "intuit-oauth          ",
        "python-quickbooks     ",
        "operating system      ",
        "keyring backend       in-memory keyring (gone when the program ends: demo mode only) "
        "(usable)",
        f"realm ID              {US_REALM}",
        "key set               development",
        "5 credentials         done",
        "6 connect             done",
        "lines                 2 mapped, 12 unused",
        "code 6000  intuit_tid 1-65f1c2d3-4a5b6c7d8e9f0a1b2c3d4e5f",
        "  ok         Mapping",
    ):
        assert expected in bundle
    hint = [line for line in bundle.splitlines() if line.startswith("client ID (hint)")]
    assert hint and "…" in hint[0]


def test_without_a_terminal_or_yes_it_only_prints(
    simulator: SimulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    healthy(simulator)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["diagnostics", "--offline", "--profile", "acme"]) == 0
    shown = capsys.readouterr()
    assert shown.out.startswith("qbo-wizard support bundle")
    assert "was not written" in shown.err and "--yes" in shown.err
    assert list(here.iterdir()) == []


@pytest.mark.parametrize(("answer", "written"), [("y\n", True), ("\n", False), ("no\n", False)])
def test_on_a_terminal_it_asks_first(
    simulator: SimulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: str,
    written: bool,
) -> None:
    healthy(simulator)
    monkeypatch.setattr(command, "interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    out = tmp_path / "bundle.txt"
    assert main(["diagnostics", "--offline", "-o", str(out), "--profile", "acme"]) == 0
    shown = capsys.readouterr()
    assert f"Write this to {out}? [y/N]" in shown.err
    assert out.exists() is written
    assert ("Nothing was written." in shown.err) is not written


def test_the_default_file_is_private_and_the_folder_is_left_alone(
    simulator: SimulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    healthy(simulator)
    here = tmp_path / "here"
    here.mkdir()
    here.chmod(0o755)
    monkeypatch.chdir(here)
    assert main(["diagnostics", "--yes", "--offline", "--profile", "acme"]) == 0
    (made,) = here.iterdir()
    assert made.name.startswith("qbo-wizard-support-acme-") and made.suffix == ".txt"
    assert mode(made) == 0o600
    assert mode(here) == 0o755


def test_an_existing_file_is_not_replaced_without_asking(
    simulator: SimulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    out = tmp_path / "keep.txt"
    out.write_text("mine")
    assert main(["diagnostics", "--yes", "--offline", "-o", str(out), "--profile", "acme"]) == 1
    assert out.read_text() == "mine"
    assert "already exists" in capsys.readouterr().err


def test_a_broken_setup_still_gets_a_bundle(
    simulator: SimulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    keyring.set_keyring(fail.Keyring())
    out = tmp_path / "b.txt"
    assert main(["diagnostics", "--yes", "-o", str(out), "--profile", "acme"]) == 0
    bundle = out.read_text()
    assert (
        "keyring backend       none usable (NOT usable: secrets can be neither saved nor read)"
        in bundle
    )
    assert "keyring               could not be read: No usable keyring" in bundle
    assert "PROBLEM    Keyring" in bundle


def test_a_profile_never_set_up_gets_a_bundle_saying_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b.txt"
    assert main(["diagnostics", "--yes", "-o", str(out), "--profile", "nobody"]) == 0
    assert "Profile 'nobody' has not been set up on this computer" in out.read_text()
