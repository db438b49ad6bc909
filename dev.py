#!/usr/bin/env python3
"""Two commands for a fresh machine: `python3 dev.py demo` and `python3 dev.py test`.

Creates `.venv` next to this file on first use (and anew whenever pyproject.toml, the lock
constraints.txt or this file changes), installs qbo-wizard with its test and encrypted-file extras
into it at exactly the versions in constraints.txt, then runs the wizard's demo or the test suite.
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
LOCK = ROOT / "constraints.txt"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

USAGE = """usage: python3 dev.py demo [wizard options]   rehearse on the practice QuickBooks
       python3 dev.py test [pytest options]   run the test suite
       python3 dev.py setup                   only create or refresh .venv"""


def _requirements_hash() -> str:
    """Changes whenever what is installed, or how, changes: the ranges, the lock, this file."""
    digest = hashlib.sha256()
    for source in (ROOT / "pyproject.toml", LOCK, Path(__file__).resolve()):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create or refresh the project's virtual environment when needed."""
    if sys.version_info < (3, 10):  # noqa: UP036  # dev.py itself may run on an older Python
        sys.exit("qbo-wizard needs Python 3.10 or newer; this is " + sys.version.split()[0])
    wanted = _requirements_hash()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and PYTHON.exists():
        return
    print("Setting up .venv (first run, or pyproject.toml or the lock changed)…", file=sys.stderr)
    # A fresh environment every time the lock changes: installing over an old one would keep
    # packages the lock no longer names.
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    # PIP_CONSTRAINT also reaches the isolated environment pip builds qbo-wizard in, so the build
    # backend is the locked one too.
    env = {**os.environ, "PIP_CONSTRAINT": str(LOCK)}
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    pip += ["--constraint", str(LOCK)]
    subprocess.run([*pip, "--upgrade", "pip"], check=True, env=env)
    # Python 3.11 and older put setuptools in every new environment; nothing here needs it.
    subprocess.run(
        [str(PYTHON), "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    subprocess.run([*pip, "--editable", f"{ROOT}[test,encrypted-file]"], check=True, env=env)
    STAMP.write_text(wanted + "\n")


def child_environment() -> dict[str, str]:
    """This environment, with compiled bytecode kept (in .venv, never beside the source).

    With PYTHONDONTWRITEBYTECODE set, as on some machines, every Python start compiles
    qbo-wizard's own modules again, and pytest rewrites every test module again: a cost paid by
    each of the many processes the tests start. A cache prefix inside .venv keeps the compiled
    files out of the source tree and is thrown away with .venv.
    """
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment.setdefault("PYTHONPYCACHEPREFIX", str(VENV / "pycache"))
    return environment


def run_tests(extra: list[str]) -> int:
    """Run pytest, inside a private Secret Service session when this machine has one."""
    command = [str(PYTHON), "-m", "pytest", *extra]
    wrapper = ROOT / "scripts" / "with-secret-service"
    already_inside = os.environ.get("QBO_WIZARD_SECRET_SERVICE") == "1"
    has_tools = shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")
    if not already_inside and has_tools and os.name != "nt":
        command = [str(wrapper), *command]
    return subprocess.call(command, cwd=ROOT, env=child_environment())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(USAGE, file=sys.stderr)
        return 2
    ensure_environment()
    if argv[0] == "setup":
        return 0
    if argv[0] == "demo":
        demo = [str(BIN / "qbo-wizard"), "--demo", *argv[1:]]
        return subprocess.call(demo, cwd=ROOT, env=child_environment())
    return run_tests(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
