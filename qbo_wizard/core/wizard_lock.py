"""One wizard per profile at a time.

A wizard holds its profile's wizard lock (a lock file in the profile's folder) for as long as it
runs; the operating system lets go of it when the process ends, however it ends. Beside it, a
small note says who holds it and since when, so a second wizard on the same profile (another
browser tab, another terminal) can say so in words and show the status read-only instead of
overwriting the first one's work.

Commands (`login`, `token refresh`, `test`, …) may still change the profile while a wizard is
open; the profile's store (`core.profile_store`) merges the wizard's saves with what they wrote.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from qbo_wizard.core.files import atomic_write_text
from qbo_wizard.core.paths import ensure_private_dir, profile_dir

if TYPE_CHECKING:
    import filelock

WIZARD_LOCK_FILE = ".wizard.lock"
HOLDER_FILE = ".wizard-holder.json"
Where = Literal["browser", "terminal"]

WHERE_WORDS = {
    "browser": "a browser tab served by qbo-wizard serve",
    "terminal": "a terminal",
}


@dataclass(frozen=True)
class WizardHolder:
    """Who has a profile's wizard open."""

    where: str
    """`browser` or `terminal` (anything else reads as "another wizard")."""
    since: datetime | None
    """When that wizard opened the profile (UTC); None if the note could not be read."""
    pid: int | None = None
    host: str | None = None

    def describe(self) -> str:
        """One sentence for the user: who has it open, since when."""
        where = WHERE_WORDS.get(self.where, "another wizard")
        process = f" (process {self.pid} on {self.host})" if self.pid and self.host else ""
        if self.since is None:
            return f"It is open in {where}{process}."
        since = self.since.astimezone().strftime("%H:%M on %d %b %Y")
        return f"It has been open in {where}{process} since {since}."


class WizardLock:
    """The wizard lock of one profile, held from `acquire` until `release`."""

    def __init__(self, profile_name: str, where: Where) -> None:
        self.profile_name = profile_name
        self.where = where
        self._lock: filelock.BaseFileLock | None = None

    def acquire(self) -> WizardHolder | None:
        """Take the lock if no other wizard holds it: None when taken, else who holds it."""
        import filelock  # here, not at start: the demo and the commands never take this lock

        folder = ensure_private_dir(profile_dir(self.profile_name))
        lock = filelock.FileLock(str(folder / WIZARD_LOCK_FILE), timeout=0)
        try:
            lock.acquire()
        except filelock.Timeout:
            return read_holder(folder)
        self._lock = lock
        note = {
            "where": self.where,
            "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "host": socket.gethostname(),
        }
        atomic_write_text(folder / HOLDER_FILE, json.dumps(note) + "\n")
        return None

    def release(self) -> None:
        """Let the next wizard in (safe to call when not held)."""
        lock, self._lock = self._lock, None
        if lock is not None:
            (profile_dir(self.profile_name) / HOLDER_FILE).unlink(missing_ok=True)
            lock.release()


def read_holder(folder: Path) -> WizardHolder:
    """The note of whoever holds the lock (a vague one when it cannot be read)."""
    try:
        note = json.loads((folder / HOLDER_FILE).read_text(encoding="utf-8"))
        since = datetime.fromisoformat(str(note["since"]))
        pid = int(note["pid"])
        return WizardHolder(str(note["where"]), since, pid, str(note["host"]))
    except (OSError, ValueError, KeyError, TypeError):
        return WizardHolder("unknown", None)
