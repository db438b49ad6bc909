"""One wizard per profile at a time, and wizard saves that keep what others wrote meanwhile.

A wizard holds its profile's wizard lock (a lock file in the profile's folder) for as long as it
runs; the operating system lets go of it when the process ends, however it ends. Beside it, a
small note says who holds it and since when, so a second wizard on the same profile (another
browser tab, another terminal) can say so in words and show the status read-only instead of
overwriting the first one's work.

Commands (`login`, `token refresh`, `test`, …) may still change the profile while a wizard is
open. The wizard's saves therefore never write their copy blindly: under the profile lock they
re-read the file and merge field by field, keeping each change the wizard made since it last
read the file and everything it did not touch as the file has it now.
"""

from __future__ import annotations

import copy
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import filelock

from qbo_wizard.core.files import atomic_write_text
from qbo_wizard.core.paths import ensure_private_dir, profile_dir
from qbo_wizard.core.profile import Profile, load_profile, profile_exists, save_profile
from qbo_wizard.core.profile_lock import refresh_lock

WIZARD_LOCK_FILE = ".wizard.lock"
HOLDER_FILE = ".wizard-holder.json"
Where = Literal["browser", "terminal"]

# Fields that are a set of named entries: merged entry by entry, not as a whole.
MERGED_BY_ENTRY = ("step_states", "checklists", "extra")

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


def _merged(field_name: str, base: Any, ours: Any, theirs: Any) -> Any:
    """One field: ours if the wizard changed it since `base`, else what the file has now."""
    if ours == base:
        return copy.deepcopy(theirs)
    if field_name not in MERGED_BY_ENTRY or not isinstance(theirs, dict):
        return copy.deepcopy(ours)
    merged = copy.deepcopy(theirs)
    for key in base.keys() | ours.keys():
        if key not in ours:
            merged.pop(key, None)
        elif ours[key] != base.get(key):
            merged[key] = copy.deepcopy(ours[key])
    return merged


def merge_profile(base: Profile, ours: Profile, theirs: Profile) -> Profile:
    """A three-way merge: the wizard's changes since `base` applied to the file's `theirs`."""
    values = {}
    for item in fields(Profile):
        name = item.name
        if name != "name":
            values[name] = _merged(
                name, getattr(base, name), getattr(ours, name), getattr(theirs, name)
            )
    return Profile(name=ours.name, **values)


def save_wizard_changes(
    base: Profile, ours: Profile, write: Callable[[Profile], None] = save_profile
) -> Profile:
    """Save the wizard's profile without losing what others wrote since `base` was read.

    Under the profile lock (the one token refreshes and commands take), the file is read again
    and merged with the wizard's changes (see `merge_profile`), then written atomically.

    Args:
        base: The profile as the wizard last read or wrote it.
        ours: The wizard's profile now.
        write: What writes the merged profile (the atomic `save_profile`).

    Returns:
        What was written: the new base for the next save.
    """
    with refresh_lock(ours.name):
        merged = ours
        if profile_exists(ours.name):
            merged = merge_profile(base, ours, load_profile(ours.name))
        write(merged)
    return copy.deepcopy(merged)
