"""Secrets on a machine with no desktop: the command line run as separate processes with no
Secret Service (no session bus) and no terminal, the way servers, SSH sessions and cron run it.

With no usable keyring nothing is ever reported saved; with the encrypted-file keyring selected
the whole path works across processes and no secret is ever in clear in any file.
"""

from __future__ import annotations

import importlib.util
import json
import os
import stat
from pathlib import Path

import pytest

from qbo_wizard.core.connection.tokens import TokenSet
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import US_REALM, keys_input
from tests.headless import ENCRYPTED_FILE, Headless


@pytest.fixture
def machine(tmp_path: Path) -> Headless:
    # keyrings.cryptfile must be installed: its presence (with its plaintext backend) is what
    # must not change the outcome when nobody selected it.
    assert importlib.util.find_spec("keyrings.cryptfile") is not None, (
        "install qbo-wizard[encrypted-file] for these tests"
    )
    return Headless(tmp_path / "server")


def _doctor_keyring(machine: Headless, profile: str = "acme") -> dict[str, object]:
    done = machine.run("doctor", "--offline", "--json", "--profile", profile)
    checks = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    keyring_check: dict[str, object] = checks["keyring"]
    return keyring_check


def test_no_secret_service_stops_credentials_and_marks_nothing_done(
    machine: Headless, simulator: SimulatorServer
) -> None:
    secret = simulator.info["keys"]["development"]["client_secret"]
    done = machine.run(
        "credentials",
        "--profile",
        "acme",
        "--simulator",
        simulator.url,
        stdin=keys_input(simulator),
    )
    assert done.returncode == 1
    assert "Saved" not in done.stdout + done.stderr
    assert "No usable keyring was found on this computer" in done.stderr
    # Both ways forward, as lines to copy.
    assert "      dbus-run-session -- bash\n" in done.stderr
    assert "gnome-keyring-daemon --unlock --components=secrets" in done.stderr
    assert f"      export PYTHON_KEYRING_BACKEND={ENCRYPTED_FILE}\n" in done.stderr
    assert "QBO_WIZARD_KEYRING_PASSPHRASE_FILE=" in done.stderr
    profile_file = machine.qbo_home / "profiles" / "acme" / "profile.yaml"
    assert not profile_file.exists() or "credentials: done" not in profile_file.read_text()

    # No loop: the next commands name the keyring too, not "run credentials first".
    login = machine.run("login", "--profile", "acme", "--method", "paste-tokens")
    assert login.returncode == 1
    assert "No usable keyring" in login.stderr
    assert "No app keys are saved" not in login.stderr
    token = machine.run("token", "--profile", "acme")
    assert token.returncode == 1
    assert "No usable keyring" in token.stderr
    assert "not connected" not in token.stderr

    keyring_check = _doctor_keyring(machine)
    assert keyring_check["verdict"] == "problem"
    assert "No usable keyring" in str(keyring_check["why"])

    # keyrings.cryptfile is installed, with a plaintext backend, but nobody selected it:
    # no keyring file of any kind was written, and the secret is nowhere.
    assert not (machine.data_home / "python_keyring").exists()
    assert machine.files_containing(secret) == []


def test_diagnostics_says_the_keyring_is_not_usable(machine: Headless) -> None:
    done = machine.run("diagnostics", "--yes", "-o", str(machine.root / "bundle.txt"))
    assert done.returncode == 0, done.stderr
    bundle = (machine.root / "bundle.txt").read_text()
    assert "none usable (NOT usable: secrets can be neither saved nor read)" in bundle
    assert "MemoryKeyring" not in bundle


def test_encrypted_file_works_across_processes_and_keeps_nothing_in_clear(
    machine: Headless, simulator: SimulatorServer
) -> None:
    machine.use_encrypted_file()
    client_secret = simulator.info["keys"]["development"]["client_secret"]

    saved = machine.run(
        "credentials",
        "--profile",
        "acme",
        "--simulator",
        simulator.url,
        stdin=keys_input(simulator),
    )
    assert saved.returncode == 0, saved.stderr
    assert "Saved the development keys" in saved.stdout

    keyring_check = _doctor_keyring(machine)
    assert keyring_check["verdict"] == "ok"
    assert keyring_check["why"] == (
        "Reachable: encrypted file ~/.local/share/python_keyring/cryptfile_pass.cfg."
    )

    pasted = simulator.mint_tokens(US_REALM)
    login = machine.run(
        "login",
        "--profile",
        "acme",
        "--method",
        "paste-tokens",
        stdin=f"{pasted['refresh_token']}\n{US_REALM}\n",
    )
    assert login.returncode == 0, login.stderr
    assert f"(company ID {US_REALM})" in login.stdout
    connected = TokenSet.from_json(machine.stored_tokens_json("acme"))

    # A new process with no terminal: the stored token, no refresh.
    first = machine.run("token", "--profile", "acme")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == connected.access_token

    # Once the access token is due, a new process refreshes under the lock and saves the answer.
    machine.expire_stored_access("acme")
    second = machine.run("token", "--profile", "acme")
    assert second.returncode == 0, second.stderr
    refreshed = TokenSet.from_json(machine.stored_tokens_json("acme"))
    assert second.stdout.strip() == refreshed.access_token != connected.access_token

    canaries = (
        client_secret,
        pasted["refresh_token"],
        connected.refresh_token,
        refreshed.refresh_token,
        refreshed.access_token,
    )
    assert machine.files_containing(*canaries) == []
    assert machine.keyring_file.exists()
    # Every file of ours is the owner's only; so is the encrypted keyring and its lock.
    profile_folder = machine.qbo_home / "profiles" / "acme"
    for path in [*profile_folder.iterdir(), machine.keyring_file]:
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert (profile_folder / ".tokens.lock").exists()
    assert stat.S_IMODE(Path(f"{machine.keyring_file}.lock").stat().st_mode) == 0o600
    assert stat.S_IMODE(profile_folder.stat().st_mode) == 0o700


def test_encrypted_file_with_no_passphrase_and_no_terminal_stops_clearly(
    machine: Headless, simulator: SimulatorServer
) -> None:
    done = machine.run(
        "credentials",
        "--profile",
        "acme",
        "--simulator",
        simulator.url,
        stdin=keys_input(simulator),
        PYTHON_KEYRING_BACKEND=ENCRYPTED_FILE,
    )
    assert done.returncode == 1
    assert "needs its passphrase, and there is no terminal to ask on" in done.stderr
    assert "QBO_WIZARD_KEYRING_PASSPHRASE_FILE" in done.stderr
    assert not machine.keyring_file.exists()


def test_a_wrong_passphrase_is_named_and_changes_nothing(
    machine: Headless, simulator: SimulatorServer
) -> None:
    passphrase_file = machine.use_encrypted_file()
    saved = machine.run(
        "credentials",
        "--profile",
        "acme",
        "--simulator",
        simulator.url,
        stdin=keys_input(simulator),
    )
    assert saved.returncode == 0, saved.stderr
    before = machine.keyring_file.read_bytes()
    passphrase_file.write_text("not the passphrase\n")
    done = machine.run("token", "--profile", "acme")
    assert done.returncode == 1
    assert "The passphrase did not open the encrypted keyring" in done.stderr
    assert machine.keyring_file.read_bytes() == before


def test_a_plaintext_backend_works_only_when_named_and_doctor_warns(
    machine: Headless, simulator: SimulatorServer
) -> None:
    machine.extra["PYTHON_KEYRING_BACKEND"] = "keyrings.cryptfile.file.PlaintextKeyring"
    saved = machine.run(
        "credentials",
        "--profile",
        "acme",
        "--simulator",
        simulator.url,
        stdin=keys_input(simulator),
    )
    assert saved.returncode == 0, saved.stderr
    keyring_check = _doctor_keyring(machine)
    assert keyring_check["verdict"] == "warning"
    why = str(keyring_check["why"])
    assert "clear text" in why
    assert "~/.local/share/python_keyring/keyring_pass.cfg" in why
    assert ENCRYPTED_FILE in why


def test_the_in_memory_keyring_is_never_found_by_discovery(machine: Headless) -> None:
    chosen = machine.python(
        "import keyring.backend\n"
        "from qbo_wizard.core.connection.vault import MemoryKeyring, keyring_choice\n"
        "print(MemoryKeyring.viable, keyring_choice().kind)\n"
    )
    assert chosen.split() == ["False", "none"]
    named = machine.python(
        "from qbo_wizard.core.connection.vault import keyring_choice\n"
        "print(keyring_choice().kind)\n",
        PYTHON_KEYRING_BACKEND="qbo_wizard.core.connection.vault.MemoryKeyring",
    )
    assert named.strip() == "memory"


def test_passphrase_from_the_environment_also_works(
    machine: Headless, simulator: SimulatorServer
) -> None:
    env = {"PYTHON_KEYRING_BACKEND": ENCRYPTED_FILE, "QBO_WIZARD_KEYRING_PASSPHRASE": "pass 1 2"}
    saved = machine.run(
        "credentials",
        "--profile",
        "acme",
        "--simulator",
        simulator.url,
        stdin=keys_input(simulator),
        **env,
    )
    assert saved.returncode == 0, saved.stderr
    assert os.environ.get("QBO_WIZARD_KEYRING_PASSPHRASE") is None
    assert "pass 1 2" not in "".join(p.read_text(errors="replace") for p in machine.files())
