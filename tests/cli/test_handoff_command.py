"""`qbo-wizard handoff` as support scripts use it, and `handoff open` as the vendor does."""

from __future__ import annotations

import json
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from qbo_wizard.cli import main
from qbo_wizard.core.connection.tokens import TokenSet, TokenStore
from qbo_wizard.core.handoff.record import handoff_record
from qbo_wizard.core.mapping.integrations import choose_integration
from qbo_wizard.core.profile import load_profile, save_profile
from qbo_wizard.simulator.server import SimulatorServer
from tests.age_tool import age_decrypt, new_identity
from tests.cli.test_canary import pieces
from tests.cli.test_cli import _run_probe
from tests.cli.test_token_command import Terminal, on_terminal
from tests.connection_helpers import (
    US_REALM,
    CliLogin,
    SimulatorProcess,
    approve,
    cli_connect,
    connect_by_paste,
    expire_stored_access,
    keyring_entry,
    run_qbo,
    save_keys,
)


@pytest.fixture
def connected(simulator: SimulatorServer) -> TokenSet:
    save_keys(simulator)
    connect_by_paste(simulator)
    tokens = TokenStore("default").load()
    assert tokens is not None
    return tokens


def test_without_output_the_armoured_text_goes_to_stdout_and_opens_with_age(
    connected: TokenSet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    identity, public = new_identity(tmp_path)

    assert main(["handoff", "--recipient", public, "--vendor", "Acme TMS"]) == 0

    out, err = capsys.readouterr()
    assert out.startswith("-----BEGIN AGE ENCRYPTED FILE-----")
    assert out.rstrip().endswith("-----END AGE ENCRYPTED FILE-----")
    assert "handed to Acme TMS on" in err
    assert connected.refresh_token not in out + err
    opened = age_decrypt(identity, data=out.encode())
    assert opened.returncode == 0, opened.stderr
    connection = json.loads(opened.stdout)
    for name in ("client_id", "client_secret", "realm_id", "refresh_token", "access_token"):
        assert connection[name]
    assert connection["environment"] == "simulator"


def test_output_writes_a_new_private_file_and_open_prints_the_connection(
    connected: TokenSet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    identity, public = new_identity(tmp_path)
    sealed = tmp_path / "acme.age"

    assert main(["handoff", "--recipient", public, "--output", str(sealed)]) == 0
    out, _ = capsys.readouterr()
    assert out == ""
    assert stat.S_IMODE(sealed.stat().st_mode) == 0o600

    assert main(["handoff", "open", "--identity", str(identity), str(sealed)]) == 0
    connection = json.loads(capsys.readouterr().out)
    assert connection["refresh_token"] == connected.refresh_token
    assert connection["realm_id"] == US_REALM


def test_an_existing_output_file_is_kept_and_nothing_is_recorded(
    connected: TokenSet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, public = new_identity(tmp_path)
    taken = tmp_path / "acme.age"
    taken.write_bytes(b"keep me")

    assert main(["handoff", "--recipient", public, "--output", str(taken)]) == 1

    assert "never replaces a file" in capsys.readouterr().err
    assert taken.read_bytes() == b"keep me"
    assert handoff_record(load_profile("default")) is None
    assert TokenStore("default").load() == connected


def test_no_recipient_is_a_usage_error_in_plain_words(
    connected: TokenSet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["handoff"]) == 2
    assert "give it with --recipient" in capsys.readouterr().err
    assert main(["handoff", "--recipient", "age1notakey"]) == 2
    assert "is not an age public key" in capsys.readouterr().err


def test_the_wrong_identity_is_refused_without_output(
    connected: TokenSet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, public = new_identity(tmp_path)
    wrong, _ = new_identity(tmp_path, "wrong.key")
    sealed = tmp_path / "acme.age"
    assert main(["handoff", "--recipient", public, "--output", str(sealed)]) == 0
    capsys.readouterr()

    assert main(["handoff", "open", "--identity", str(wrong), str(sealed)]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert "does not open with that identity" in err


def test_after_a_hand_off_token_refuses_naming_the_vendor_and_nothing_refreshes(
    connected: TokenSet,
    simulator: SimulatorServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, public = new_identity(tmp_path)
    expire_stored_access("default")  # a local `token` would have to refresh now
    assert main(["handoff", "--recipient", public, "--vendor", "Acme TMS"]) == 0
    capsys.readouterr()
    simulator.control("request_counts", reset=True)

    assert main(["token"]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert "handed to Acme TMS on" in err
    assert "qbo-wizard login --profile default" in err
    assert simulator.control("request_counts")["counts"].get("token", 0) == 0


def test_nothing_sealed_is_ever_in_clear_in_a_file_a_temporary_folder_or_output(
    shared_profile: str, isolated_home: Path, tmp_path: Path
) -> None:
    """Separate processes on the real keyring, with their own temporary folder to inspect."""
    sim = SimulatorProcess("--seed", "handoff-" + secrets.token_hex(4))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    identity, public = new_identity(tmp_path)
    sealed = tmp_path / "out" / "acme.age"
    sealed.parent.mkdir()
    printed: list[str] = []
    try:
        cli_connect(sim, shared_profile, isolated_home)
        entry = keyring_entry(shared_profile)
        assert entry is not None
        tokens = TokenSet.from_json(entry)
        keys = sim.info["keys"]["development"]
        known = {keys["client_secret"], tokens.refresh_token, tokens.access_token}
        profile = ["--profile", shared_profile]
        for args in (
            ["handoff", *profile, "--recipient", public, "--output", str(sealed)],
            ["token", *profile],
            ["doctor", *profile],
            ["handoff", *profile, "--recipient", public],
        ):
            done = run_qbo(args, isolated_home, TMPDIR=str(temporary))
            printed += [done.stdout, done.stderr]
        assert "handed to" in printed[1]
        assert keyring_entry(shared_profile) is None  # gone from this computer's keyring
        opened = age_decrypt(identity, str(sealed))
        assert opened.returncode == 0, opened.stderr
        assert json.loads(opened.stdout)["refresh_token"] == tokens.refresh_token
    finally:
        sim.stop()
    places = [isolated_home, temporary, sealed.parent]
    files = [path for place in places for path in place.rglob("*") if path.is_file()]
    assert sealed in files
    contents = [path.read_bytes().decode("utf-8", "replace") for path in files] + printed
    for secret in known:
        for piece in pieces(secret):
            for text in contents:
                assert piece not in text


def test_a_hand_off_the_profile_cannot_record_leaves_no_file_and_keeps_the_connection(
    connected: TokenSet,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import errno

    import qbo_wizard.core.profile_store as store

    def disk_full(_profile: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "save_profile", disk_full)
    _, public = new_identity(tmp_path)
    sealed = tmp_path / "acme.age"

    assert main(["handoff", "--recipient", public, "--output", str(sealed)]) == 1

    assert "do not send that sealed copy" in capsys.readouterr().err
    assert not sealed.exists()
    assert TokenStore("default").load() == connected


@pytest.mark.parametrize(
    "args", [["handoff"], ["handoff", "open", "--identity", "missing.key", "missing.age"]]
)
def test_handoff_never_imports_textual(args: list[str], isolated_home: Path) -> None:
    result = _run_probe(args, isolated_home)
    assert result["code"] in (1, 2)  # nothing set up here: it says so in words
    assert result["textual"] == []


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    screen = Terminal()
    try:
        yield screen
    finally:
        screen.close()


def test_open_shows_nothing_on_a_terminal_unless_asked(
    connected: TokenSet, tmp_path: Path, terminal: Terminal, capsys: pytest.CaptureFixture[str]
) -> None:
    identity, public = new_identity(tmp_path)
    sealed = tmp_path / "acme.age"
    assert main(["handoff", "--recipient", public, "--output", str(sealed)]) == 0
    capsys.readouterr()
    opening = ["handoff", "open", "--identity", str(identity), str(sealed)]

    assert on_terminal(terminal, opening) == 2
    assert connected.refresh_token not in terminal.shown()
    assert "Not printed: the output is a terminal" in capsys.readouterr().err

    assert on_terminal(terminal, [*opening, "--reveal"]) == 0
    assert connected.refresh_token in terminal.shown()


def test_text_pasted_from_a_ticket_opens_from_standard_input(
    connected: TokenSet, tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    identity, public = new_identity(tmp_path)
    assert main(["handoff", "--recipient", public]) == 0
    armoured = capsys.readouterr().out
    # A ticket system's copy: blank lines around it, indented, with Windows line endings.
    pasted = "\r\n\r\n" + "".join(f"    {line}\r\n" for line in armoured.splitlines()) + "\r\n"

    done = run_qbo(["handoff", "open", "--identity", str(identity), "-"], isolated_home, pasted)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["refresh_token"] == connected.refresh_token


@pytest.mark.parametrize("hosted", [True, False])
def test_login_says_when_the_new_connection_must_be_handed_over(
    shared_profile: str, isolated_home: Path, hosted: bool
) -> None:
    # The password changed: the user connects again from the command line. A hosted
    # integration's vendor then needs the new connection, which only this computer holds.
    sim = SimulatorProcess("--seed", "relogin-" + secrets.token_hex(4))
    try:
        cli_connect(sim, shared_profile, isolated_home)
        if hosted:
            profile = load_profile(shared_profile)
            choose_integration(profile, "freight-brokerage")  # runs on Practice TMS's servers
            save_profile(profile)
        login = CliLogin(shared_profile, isolated_home, "--method", "paste-url")
        code, out, err = login.finish(approve(sim, login.url, US_REALM) + "\n")
    finally:
        sim.stop()
    assert code == 0, err
    assert "Connected to" in out
    said = f"Hand it to them with `qbo-wizard handoff --profile {shared_profile}`"
    assert (said in err) is hosted
