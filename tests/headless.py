"""A machine with no desktop: `qbo-wizard` run as separate processes with no session bus, no
terminal and a home of their own, the way a server, an SSH session or a cron job runs it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.connection_helpers import QBO

ENCRYPTED_FILE = "keyrings.cryptfile.cryptfile.CryptFileKeyring"
PASSPHRASE = "correct horse battery staple 7"

# What a desktop session hands its programs, and what must not leak in from the test run.
_DESKTOP_VARIABLES = (
    "DBUS_SESSION_BUS_ADDRESS",
    "PYTHON_KEYRING_BACKEND",
    "QBO_WIZARD_KEYRING_PASSPHRASE",
    "QBO_WIZARD_KEYRING_PASSPHRASE_FILE",
    "QBO_WIZARD_SECRET_SERVICE",
    "GNOME_KEYRING_CONTROL",
    "DISPLAY",
    "WAYLAND_DISPLAY",
)


@dataclass
class Headless:
    """Folders of one headless machine under `root`, and how to run commands on it."""

    root: Path
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def data_home(self) -> Path:
        return self.home / ".local" / "share"

    @property
    def qbo_home(self) -> Path:
        return self.root / "qbo-home"

    @property
    def keyring_file(self) -> Path:
        return self.data_home / "python_keyring" / "cryptfile_pass.cfg"

    def environment(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _DESKTOP_VARIABLES}
        env.update(
            HOME=str(self.home),
            XDG_DATA_HOME=str(self.data_home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            QBO_WIZARD_HOME=str(self.qbo_home),
        )
        env.update(self.extra)
        env.update(extra)
        return env

    def use_encrypted_file(self) -> Path:
        """Select the encrypted-file keyring, its passphrase in a 0600 file; the file's path."""
        credentials = self.root / "credentials"
        credentials.mkdir(mode=0o700, parents=True, exist_ok=True)
        passphrase_file = credentials / "qbo-keyring"
        passphrase_file.write_text(PASSPHRASE + "\n")
        passphrase_file.chmod(0o600)
        self.extra.update(
            PYTHON_KEYRING_BACKEND=ENCRYPTED_FILE,
            QBO_WIZARD_KEYRING_PASSPHRASE_FILE=str(passphrase_file),
        )
        return passphrase_file

    def run(self, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        """`qbo-wizard ARGS` with no terminal at all (its own session, input from a pipe)."""
        self.home.mkdir(parents=True, exist_ok=True)
        return subprocess.run(
            [QBO, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.environment(**extra),
            timeout=180,
            check=False,
            start_new_session=True,
        )

    def python(self, code: str, **extra: str) -> str:
        """Run Python code in this machine's environment (no terminal); its standard output."""
        self.home.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=self.environment(**extra),
            timeout=180,
            check=False,
            start_new_session=True,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def stored_tokens_json(self, profile: str) -> str:
        """The profile's `tokens` keyring entry, read through the wizard's vault."""
        return self.python(
            "from qbo_wizard.core.connection.vault import Vault\n"
            f"print(Vault({profile!r}).get('tokens') or '')"
        ).strip()

    def expire_stored_access(self, profile: str) -> None:
        """Mark the stored access token expired under the refresh lock, so `token` refreshes."""
        self.python(
            "from qbo_wizard.core.connection.tokens import TokenSet, TokenStore, refresh_lock\n"
            f"store = TokenStore({profile!r})\n"
            f"with refresh_lock({profile!r}):\n"
            "    store.save(store.load().expired_access())\n"
        )

    def files(self) -> list[Path]:
        """Every file this machine's programs could have written."""
        found: list[Path] = []
        for top in (self.root, Path(tempfile.gettempdir()) / "qbo-wizard"):
            if top.exists():
                found += [p for p in top.rglob("*") if p.is_file()]
        return found

    def files_containing(self, *canaries: str) -> list[str]:
        hits = []
        for path in self.files():
            data = path.read_bytes()
            hits += [f"{path}: {c[:6]}…" for c in canaries if c and c.encode() in data]
        return hits


@contextlib.contextmanager
def read_only_view(folder: Path, view: Path) -> Iterator[Path]:
    """`folder` bind-mounted read-only at `view` (as systemd's ProtectHome=read-only does);
    unmounted afterwards even when the test fails. Needs root, as CI has."""
    view.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "--bind", str(folder), str(view)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
        yield view
    finally:
        subprocess.run(["umount", str(view)], check=False)
        if os.path.ismount(view):
            subprocess.run(["umount", "-l", str(view)], check=False)


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "512k") -> Iterator[Path]:
    """A small tmpfs mounted at `folder`, so a test can fill it up; unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)], check=True
    )
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)
        if os.path.ismount(folder):
            subprocess.run(["umount", "-l", str(folder)], check=False)


def fill_up(folder: Path) -> Path:
    """Write one file until the disk holding `folder` is full; that file (delete it to free)."""
    filler = folder / "filler.bin"
    block = b"\0" * 4096
    with filler.open("wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(block)
    return filler


@contextlib.contextmanager
def protected_home(home: Path, writable: Path) -> Iterator[None]:
    """`home` read-only in place except `writable` inside it, as systemd's
    `ProtectHome=read-only` with `ReadWritePaths=` sets up a service; undone afterwards."""
    mounted: list[Path] = []
    try:
        subprocess.run(["mount", "--bind", str(home), str(home)], check=True)
        mounted.append(home)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(home)], check=True)
        subprocess.run(["mount", "--bind", str(writable), str(writable)], check=True)
        mounted.append(writable)
        subprocess.run(["mount", "-o", "remount,bind,rw", str(writable)], check=True)
        yield
    finally:
        for point in reversed(mounted):
            subprocess.run(["umount", str(point)], check=False)
            if os.path.ismount(point):
                subprocess.run(["umount", "-l", str(point)], check=False)
