"""The command line: help, version, and that UI-free commands never load Textual."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qbo_wizard import __version__
from qbo_wizard.cli import main


def _run_probe(args: list[str], home: Path) -> dict[str, object]:
    """Run the CLI in a fresh interpreter and report its exit code and loaded modules."""
    probe = (
        "import json, sys\n"
        "HEAVY = {'requests', 'keyring', 'quickbooks', 'urllib3'}\n"
        "from qbo_wizard.cli import main\n"
        f"code = main({args!r})\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        # intuit-oauth's .pth file pre-registers an empty `intuitlib`; its modules are the cost.
        "heavy = sorted(m for m in sys.modules\n"
        "               if m.split('.')[0] in HEAVY or m.startswith('intuitlib.'))\n"
        "yaml = 'yaml' in sys.modules\n"
        "print(json.dumps({'code': code, 'textual': loaded, 'heavy': heavy, 'yaml': yaml}),\n"
        "      file=sys.stderr)\n"
    )
    env = {**os.environ, "QBO_WIZARD_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False
    )
    return dict(json.loads(done.stderr.strip().splitlines()[-1]), stdout=done.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["profiles"],
        ["explain", "errorCode=003200; statusCode=401"],
        ["test", "--help"],
    ],
)
def test_ui_free_commands_do_not_import_textual(args: list[str], isolated_home: Path) -> None:
    result = _run_probe(args, isolated_home)
    assert result["code"] == 0
    assert result["textual"] == []


@pytest.mark.parametrize("args", [["doctor", "--offline"], ["diagnostics", "--offline"]])
def test_health_commands_do_not_import_textual(args: list[str], isolated_home: Path) -> None:
    result = _run_probe(args, isolated_home)
    assert result["code"] in (0, 1)  # the default profile is not set up here: doctor says so
    assert result["textual"] == []


def test_explain_starts_without_network_or_keyring_libraries(isolated_home: Path) -> None:
    result = _run_probe(["explain", "--json", "errorCode=003200"], isolated_home)
    assert result["code"] == 0
    assert result["heavy"] == []


def test_explain_reads_its_knowledge_without_the_yaml_library(isolated_home: Path) -> None:
    # The shipped error knowledge is read from its pre-parsed copy (content/parsed.json).
    result = _run_probe(["explain", "--json", "errorCode=003200"], isolated_home)
    assert result["code"] == 0
    assert result["yaml"] is False


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"qbo-wizard {__version__}"


def test_help_lists_sub_commands_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "profiles" in out
    assert "--demo" in out
    assert "4 reconnect required" in out


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-such-option"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_console_script_is_installed() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("qbo-wizard")), "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"qbo-wizard {__version__}"


SECRET_IN_A_BUG = "refresh_token=AB11canaryInAnUnexpectedError0123456789abcdefXYZ"


def _a_bug(args: object) -> int:
    raise TypeError(f"unsupported operand near {SECRET_IN_A_BUG}")


def test_an_unexpected_error_is_named_without_its_message_or_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from qbo_wizard.commands import profiles

    monkeypatch.setattr(profiles, "run", _a_bug)
    monkeypatch.delenv("QBO_WIZARD_DEBUG", raising=False)
    assert main(["profiles"]) == 1
    err = capsys.readouterr().err
    assert "something unexpected went wrong (TypeError)" in err
    assert "qbo-wizard diagnostics" in err and "qbo-wizard explain" in err
    assert "QBO_WIZARD_DEBUG=1" in err
    assert "AB11canary" not in err and "Traceback" not in err


def test_debug_mode_shows_the_traceback_with_secrets_redacted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from qbo_wizard.commands import profiles

    monkeypatch.setattr(profiles, "run", _a_bug)
    monkeypatch.setenv("QBO_WIZARD_DEBUG", "1")
    assert main(["profiles"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "unsupported operand" in err
    assert "AB11canary" not in err


def test_output_closed_early_stops_quietly(isolated_home: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "qbo_wizard", "explain", "--json", "errorCode=003200"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "QBO_WIZARD_HOME": str(isolated_home)},
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # like `| head -0`: nobody reads what it prints
    err = child.stderr.read()
    assert child.wait(timeout=60) == 141
    assert err == b""
