"""The profile lock: one writer of a profile's tokens and settings at a time, across processes.

A token refresh, a command that saves the profile and the wizard's saves all take it, re-read,
write, and let go. It lives apart from `tokens` so that taking it imports nothing heavy (the
wizard saves while its first screen is still being drawn).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from qbo_wizard.core.files import private_lock
from qbo_wizard.core.paths import ensure_private_dir, profile_dir
from qbo_wizard.core.problems import WizardError

LOCK_FILE = ".tokens.lock"
LOCK_TIMEOUT_SECONDS = 60.0


class RefreshBusy(WizardError):
    """Another process held the refresh lock for too long."""


@contextmanager
def refresh_lock(profile_name: str) -> Iterator[None]:
    """The profile's cross-process refresh lock (a 0600 lock file in the profile's folder)."""
    folder = ensure_private_dir(profile_dir(profile_name))

    def busy() -> RefreshBusy:
        return RefreshBusy(
            f"Another qbo-wizard (or an integration using it) has been refreshing profile "
            f"{profile_name!r} for over {LOCK_TIMEOUT_SECONDS:.0f} seconds. Try again shortly; "
            "if it keeps happening, check for a stuck process."
        )

    with private_lock(folder / LOCK_FILE, LOCK_TIMEOUT_SECONDS, busy):
        yield
