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
        "print(json.dumps({'code': code, 'textual': loaded, 'heavy': heavy}), file=sys.stderr)\n"
    )
    env = {**os.environ, "QBO_WIZARD_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False
    )
    return dict(json.loads(done.stderr.strip().splitlines()[-1]), stdout=done.stdout)


@pytest.mark.parametrize(
    "args",
    [["--version"], ["--help"], ["profiles"], ["explain", "errorCode=003200; statusCode=401"]],
)
def test_ui_free_commands_do_not_import_textual(args: list[str], isolated_home: Path) -> None:
    result = _run_probe(args, isolated_home)
    assert result["code"] == 0
    assert result["textual"] == []


def test_explain_starts_without_network_or_keyring_libraries(isolated_home: Path) -> None:
    result = _run_probe(["explain", "--json", "errorCode=003200"], isolated_home)
    assert result["code"] == 0
    assert result["heavy"] == []


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
