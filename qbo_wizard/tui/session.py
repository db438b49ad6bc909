"""The state one run of the wizard shares between its screens, and the profile's writer."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from qbo_wizard.core.files import ConfigFileError
from qbo_wizard.core.profile import Profile, save_profile

if TYPE_CHECKING:
    from textual.app import App


class ProfileWriter:
    """Saves the profile off the UI thread, newest version last, never half a file.

    Each `save` takes a snapshot on the UI thread and writes it from a thread worker; a
    sequence number makes sure an older snapshot never overwrites a newer one. `flush` writes
    the newest snapshot straight away (used when the wizard quits).
    """

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._latest: tuple[int, Profile] | None = None
        self._written = 0
        self._sequence = 0

    def save(self, profile: Profile) -> None:
        """Queue a save of `profile` as it is now."""
        self._sequence += 1
        snapshot = (self._sequence, copy.deepcopy(profile))
        self._latest = snapshot
        self._app.run_worker(
            lambda: self._write(*snapshot),
            name="save-profile",
            group="profile-save",
            thread=True,
            exit_on_error=False,
        )

    def flush(self) -> None:
        """Write the newest queued snapshot now, if it has not been written yet."""
        if self._latest is not None:
            self._write(*self._latest, from_thread=False)

    def _write(self, sequence: int, snapshot: Profile, from_thread: bool = True) -> None:
        with self._lock:
            if sequence <= self._written:
                return
            try:
                save_profile(snapshot)
            except (OSError, ConfigFileError) as error:
                reason = (error.strerror if isinstance(error, OSError) else None) or str(error)
                message = f"Your progress could not be saved: {reason}"
                if from_thread:
                    self._app.call_from_thread(
                        self._app.notify, message, severity="error", timeout=10, markup=False
                    )
                else:
                    self._app.notify(message, severity="error", timeout=10, markup=False)
                return
            self._written = sequence


@dataclass
class DemoInfo:
    """What demo mode set up: a practice company that needs no Intuit account."""

    home: str
    """The throwaway config folder (deleted when the wizard ends)."""
    simulator_url: str | None = None
    """The practice QuickBooks' address; None until it runs."""
    prefill: dict[str, str] = field(default_factory=dict)
    """Values a newcomer would otherwise need an Intuit account for (e.g. demo keys)."""
    start_simulator: Callable[[], tuple[str, dict[str, str]]] | None = field(
        default=None, repr=False
    )
    """Starts the practice QuickBooks (blocking; from a thread) and returns its address and
    the prefill. Set when the wizard is to start it after its first screen is drawn."""

    def simulator_started(self, url: str, prefill: Mapping[str, str]) -> None:
        """Note the practice QuickBooks' address and keys once it runs."""
        self.simulator_url = url
        self.prefill.update(prefill)
        self.start_simulator = None


@dataclass
class WizardSession:
    """The profile being walked and how the wizard is being shown."""

    profile: Profile
    writer: ProfileWriter
    presenter: bool = False
    """Screen-share mode: shortened company IDs, no reveal of secrets, a larger step banner."""
    can_open_links: bool = True
    """False over SSH: a browser cannot open on the user's side, so URLs are shown to copy."""
    web: bool = False
    """Served in a browser by `qbo-wizard serve` (connects by pasting the address back)."""
    demo: DemoInfo | None = None
    highlight_line: str | None = None
    """A mapping line step 7 should select and explain when it opens (then forgets it)."""

    def save(self) -> None:
        """Save the profile as it is now (off the UI thread)."""
        self.writer.save(self.profile)

    def adopt(self, saved: Profile) -> None:
        """Take over a profile that core code just saved (keys stored, connection made).

        The fields are copied into the shared `Profile` object, so every screen and the flow
        see the change without holding a new reference. The current step stays the wizard's.
        """
        current_step = self.profile.current_step
        for item in fields(Profile):
            setattr(self.profile, item.name, copy.deepcopy(getattr(saved, item.name)))
        self.profile.current_step = current_step
