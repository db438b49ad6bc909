"""A read-only config folder and a full disk: plain words, and nothing lost or mismatched.

Real file systems, not patched calls: a read-only bind mount (as systemd's ProtectHome=read-only
gives a service) and a small tmpfs filled to the last byte. Both need root, as CI has.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qbo_wizard.cli import main
from qbo_wizard.core.connection.tokens import TokenSet
from qbo_wizard.core.connection.vault import Vault
from qbo_wizard.core.profile import load_profile
from qbo_wizard.simulator.server import SimulatorServer
from tests.connected import connected_profile
from tests.connection_helpers import UK_REALM, US_REALM, keys_input
from tests.headless import Headless, fill_up, read_only_view, small_disk


def test_read_only_config_folder_refreshes_but_refuses_writes_by_name(
    tmp_path: Path, simulator: SimulatorServer
) -> None:
    machine = Headless(tmp_path / "server")
    machine.use_encrypted_file()
    saved = machine.run(
        "credentials",
        "--profile",
        "acme",
        "--simulator",
        simulator.url,
        stdin=keys_input(simulator),
    )
    assert saved.returncode == 0, saved.stderr
    pasted = simulator.mint_tokens(US_REALM)
    login = machine.run(
        "login", "--profile", "acme", "--method", "paste-tokens",
        stdin=f"{pasted['refresh_token']}\n{US_REALM}\n",
    )  # fmt: skip
    assert login.returncode == 0, login.stderr
    machine.expire_stored_access("acme")
    profile_file = machine.qbo_home / "profiles" / "acme" / "profile.yaml"
    profile_before = profile_file.read_text()

    with read_only_view(machine.qbo_home, tmp_path / "read-only") as view:
        read_only = {"QBO_WIZARD_HOME": str(view)}
        folder = view / "profiles" / "acme"

        # Only the keyring is needed: the refresh works; the expiry copy is a warning.
        token = machine.run("token", "--profile", "acme", **read_only)
        assert token.returncode == 0, token.stderr
        refreshed = TokenSet.from_json(machine.stored_tokens_json("acme"))
        assert token.stdout.strip() == refreshed.access_token
        assert "saved in the keyring, but its new expiry dates could not be copied" in token.stderr
        assert f"the folder {folder} is read-only" in token.stderr
        assert "something unexpected" not in token.stderr

        # Commands that must write say which folder is read-only, and change nothing.
        again = simulator.mint_tokens(US_REALM)
        relogin = machine.run(
            "login", "--profile", "acme", "--method", "paste-tokens",
            stdin=f"{again['refresh_token']}\n{US_REALM}\n", **read_only,
        )  # fmt: skip
        assert relogin.returncode == 1
        assert "worked, but nothing was saved" in relogin.stderr
        assert f"the folder {folder} is read-only" in relogin.stderr
        assert "The profile stays connected to" in relogin.stderr
        logout = machine.run("logout", "--profile", "acme", **read_only)
        assert logout.returncode == 1
        assert f"the folder {folder} is read-only" in logout.stderr
        assert TokenSet.from_json(machine.stored_tokens_json("acme")) == refreshed
    assert profile_file.read_text() == profile_before


def test_a_full_disk_during_a_company_change_keeps_keyring_and_profile_on_one_company(
    isolated_home: Path,
    simulator: SimulatorServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with small_disk(isolated_home):
        connected_profile(simulator, "acme", US_REALM)
        company = load_profile("acme").company_name
        profile_file = isolated_home / "profiles" / "acme" / "profile.yaml"
        profile_before = profile_file.read_text()
        tokens_before = Vault("acme").get("tokens")
        filler = fill_up(isolated_home)

        minted = simulator.mint_tokens(UK_REALM)
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{minted['refresh_token']}\n{UK_REALM}\n"))
        code = main(
            ["login", "--profile", "acme", "--method", "paste-tokens", "--allow-company-change"]
        )
        err = " ".join(capsys.readouterr().err.split())
        assert code == 1
        assert f"(company ID {UK_REALM}) worked, but nothing was saved" in err
        assert "No space left on device" in err
        assert f"The profile stays connected to {company} as before." in err
        assert "copy a fresh one from the OAuth Playground" in err
        assert Vault("acme").get("tokens") == tokens_before
        assert profile_file.read_text() == profile_before

        # Logging out on a full disk stops before anything is removed.
        assert main(["logout", "--profile", "acme"]) == 1
        assert "No space left on device" in capsys.readouterr().err
        assert Vault("acme").get("tokens") == tokens_before

        # With room again, the kept connection is the original company's and still works.
        filler.unlink()
        assert main(["token", "--profile", "acme"]) == 0
        printed = capsys.readouterr().out.strip()
        stored = TokenSet.from_json(Vault("acme").get("tokens") or "")
        assert stored.realm_id == US_REALM
        assert printed == stored.access_token
