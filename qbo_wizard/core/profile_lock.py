"""The profile lock: one writer of a profile's tokens and settings at a time, across processes.

A token refresh, a command that saves the profile and the wizard's saves all take it, re-read,
write, and let go. It lives apart from `tokens` so that taking it imports nothing heavy (the
wizard saves while its first screen is still being drawn).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from qbo_wizard.core.files import private_lock
from qbo_wizard.core.paths import ensure_private_dir, profile_dir
from qbo_wizard.core.problems import WizardError

LOCK_FILE = ".tokens.lock"
LOCK_TIMEOUT_SECONDS = 60.0


class RefreshBusy(WizardError):
    """Another process held the refresh lock for too long."""


_held = threading.local()


def holds_refresh_lock(profile_name: str) -> bool:
    """True when this thread holds the profile's refresh lock."""
    return profile_dir(profile_name) in _held_here()


def when_released(profile_name: str, action: Callable[[], None]) -> None:
    """Run `action` once this thread lets go of the profile's refresh lock (now if not held)."""
    waiting = _held_here().get(profile_dir(profile_name))
    if waiting is None:
        action()
    else:
        waiting.append(action)


def _held_here() -> dict[Path, list[Callable[[], None]]]:
    """The lock folders this thread holds, each with what waits for its release."""
    folders: dict[Path, list[Callable[[], None]]] | None = getattr(_held, "folders", None)
    if folders is None:
        folders = _held.folders = {}
    return folders


@contextmanager
def refresh_lock(profile_name: str) -> Iterator[None]:
    """The profile's cross-process refresh lock (a 0600 lock file in the profile's folder).

    A thread that already holds it goes straight on: the lock file's lock is per open file, so
    taking it a second time would wait for itself.
    """
    held = _held_here()
    folder = profile_dir(profile_name)
    if folder in held:
        yield
        return
    ensure_private_dir(folder)

    def busy() -> RefreshBusy:
        return RefreshBusy(
            f"Another qbo-wizard (or an integration using it) has been refreshing profile "
            f"{profile_name!r} for over {LOCK_TIMEOUT_SECONDS:.0f} seconds. Try again shortly; "
            "if it keeps happening, check for a stuck process."
        )

    waiting: list[Callable[[], None]] = []
    try:
        with private_lock(folder / LOCK_FILE, LOCK_TIMEOUT_SECONDS, busy):
            held[folder] = waiting
            try:
                yield
            finally:
                del held[folder]
    finally:
        for action in waiting:
            action()
