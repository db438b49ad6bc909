"""An unexpected error in the wizard never prints local values (which may hold secrets)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CANARY = "canary-client-secret-CRASH-0123456789abcdef"

CRASHING_APP = f"""
from qbo_wizard.core.profile import Profile
from qbo_wizard.tui.app import WizardApp


class CrashingWizard(WizardApp):
    def on_mount(self) -> None:
        client_secret = {CANARY!r}
        raise RuntimeError("boom " + client_secret[:0])


app = CrashingWizard(Profile(name="crash"), over_ssh=True)
app.run(headless=True, size=(80, 24))
raise SystemExit(app.return_code)
"""


def _run_crashing_app(home: Path, debug: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QBO_WIZARD_HOME": str(home)}
    env.pop("QBO_WIZARD_DEBUG", None)
    if debug:
        env["QBO_WIZARD_DEBUG"] = "1"
    return subprocess.run(
        [sys.executable, "-c", CRASHING_APP],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_crash_shows_a_plain_message_and_no_local_values(isolated_home: Path) -> None:
    done = _run_crashing_app(isolated_home, debug=False)
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert "something unexpected went wrong (RuntimeError)" in output
    assert "qbo-wizard diagnostics" in output
    assert CANARY not in output
    assert "client_secret" not in output  # no locals table at all


def test_debug_mode_shows_the_traceback_still_without_secrets(isolated_home: Path) -> None:
    done = _run_crashing_app(isolated_home, debug=True)
    output = done.stdout + done.stderr
    assert "Traceback" in output
    assert "RuntimeError: boom" in output
    assert CANARY not in output


def test_the_command_exits_non_zero_after_a_crash(isolated_home: Path) -> None:
    script = (
        "from qbo_wizard.tui import app as wizard_app\n"
        "def crash(self):\n"
        "    raise RuntimeError('boom')\n"
        "wizard_app.WizardApp.on_mount = crash\n"
        "from qbo_wizard.cli import main\n"
        "raise SystemExit(main(['--profile', 'crash']))\n"
    )
    env = {**os.environ, "QBO_WIZARD_HOME": str(isolated_home)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "something unexpected went wrong (RuntimeError)" in done.stdout + done.stderr
