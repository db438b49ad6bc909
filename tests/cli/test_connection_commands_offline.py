"""The connection commands' plumbing that needs no QuickBooks: keyring, input, usage errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qbo_wizard.cli import main

QBO = str(Path(sys.executable).with_name("qbo-wizard"))


def run_cli(
    args: list[str], home: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "QBO_WIZARD_HOME": str(home), **env}
    return subprocess.run(
        [QBO, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["credentials", "--profile", "p1"],
        ["login", "--profile", "p1", "--method", "paste-url"],
        ["token", "--profile", "p1"],
        ["logout", "--profile", "p1"],
    ],
)
def test_a_missing_keyring_stops_cleanly_and_writes_nothing(
    args: list[str], isolated_home: Path
) -> None:
    secret_input = "ABx9Lr2QmTz7Yc4Vn8Kp1Hs6Df3Gw5Jb0Mq2Rt7Ue9Io4Pa1Sd\nk3Jd8Fq2Lm9Xz4Cv7Bn1\n"
    done = run_cli(
        args,
        isolated_home,
        stdin=secret_input,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    assert done.returncode == 1
    assert "No usable keyring" in done.stderr
    assert "PYTHON_KEYRING_BACKEND" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert not (isolated_home / "profiles" / "p1").exists()


def test_token_without_a_connection_names_the_next_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["token", "--profile", "shop"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "qbo-wizard login --profile shop" in captured.err


def test_login_without_keys_names_the_credentials_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["login", "--profile", "shop", "--method", "paste-url"]) == 1
    assert "qbo-wizard credentials --profile shop" in capsys.readouterr().err


def test_token_valid_for_is_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--valid-for", "7200"]) == 2
    assert "one hour" in capsys.readouterr().err


def test_credentials_reject_an_unknown_key_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["credentials", "--key-set", "staging"]) == 2
    assert "'development'" in capsys.readouterr().err


def test_credentials_from_a_pipe_need_both_lines(isolated_home: Path) -> None:
    done = run_cli(["credentials"], isolated_home, stdin="ABonlyTheIdWasGiven\n")
    assert done.returncode == 1
    assert "before the client secret was given" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (isolated_home / "profiles").exists()


def test_bad_keys_are_refused_before_any_network_call(isolated_home: Path) -> None:
    done = run_cli(["credentials"], isolated_home, stdin="AB123\nsecret with spaces!\n")
    assert done.returncode == 1
    assert "only 5 characters" in done.stderr
    assert not (isolated_home / "profiles").exists()


def test_an_unreachable_simulator_is_named(isolated_home: Path) -> None:
    done = run_cli(
        ["credentials", "--simulator", "http://127.0.0.1:9"], isolated_home, stdin="a\nb\n"
    )
    assert done.returncode == 1
    assert "Could not reach the practice QuickBooks" in done.stderr
    assert not (isolated_home / "profiles").exists()


def test_logout_of_an_unknown_profile_is_harmless(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    assert main(["logout", "--profile", "never-used"]) == 0
    assert "no stored connection" in capsys.readouterr().out
    assert not (isolated_home / "profiles" / "never-used").exists()


@pytest.mark.parametrize("command", ["credentials", "login", "logout", "token"])
def test_connection_commands_never_load_textual(command: str, isolated_home: Path) -> None:
    probe = (
        "import sys\n"
        "from qbo_wizard.cli import main\n"
        f"main([{command!r}, '--profile', 'probe'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        input="",
        capture_output=True,
        text=True,
        env={**os.environ, "QBO_WIZARD_HOME": str(isolated_home)},
        timeout=60,
        check=False,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
