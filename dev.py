#!/usr/bin/env python3
"""Two commands for a fresh machine: `python3 dev.py demo` and `python3 dev.py test`.

Creates `.venv` next to this file on first use (and again whenever pyproject.toml changes),
installs qbo-wizard with its test extras into it, then runs the wizard's demo or the test suite.
The tests run inside a private, unlocked gnome-keyring when one is available, so the keyring
tests exercise a real Secret Service.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".qbo-wizard-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

USAGE = """usage: python3 dev.py demo [wizard options]   rehearse on the practice QuickBooks
       python3 dev.py test [pytest options]   run the test suite
       python3 dev.py setup                   only create or refresh .venv"""


def _requirements_hash() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_environment() -> None:
    """Create or refresh the project's virtual environment when needed."""
    if sys.version_info < (3, 10):  # noqa: UP036  # dev.py itself may run on an older Python
        sys.exit("qbo-wizard needs Python 3.10 or newer; this is " + sys.version.split()[0])
    wanted = _requirements_hash()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and PYTHON.exists():
        return
    print("Setting up .venv (first run, or pyproject.toml changed)…", file=sys.stderr)
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted + "\n")


def run_tests(extra: list[str]) -> int:
    """Run pytest, inside a private Secret Service session when this machine has one."""
    command = [str(PYTHON), "-m", "pytest", *extra]
    wrapper = ROOT / "scripts" / "with-secret-service"
    already_inside = os.environ.get("QBO_WIZARD_SECRET_SERVICE") == "1"
    has_tools = shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")
    if not already_inside and has_tools and os.name != "nt":
        command = [str(wrapper), *command]
    return subprocess.call(command, cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(USAGE, file=sys.stderr)
        return 2
    ensure_environment()
    if argv[0] == "setup":
        return 0
    if argv[0] == "demo":
        return subprocess.call([str(BIN / "qbo-wizard"), "--demo", *argv[1:]], cwd=ROOT)
    return run_tests(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
