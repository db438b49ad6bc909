"""The state one run of the wizard shares between its screens, and the profile's writer."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from qbo_wizard.core.problems import WizardError
from qbo_wizard.core.profile import Profile, save_profile
from qbo_wizard.tui.practice import (
    RehearsableScenario,
    approve_as_practice_admin,
    practice_scenarios,
)

if TYPE_CHECKING:
    from textual.app import App


class ProfileWriter:
    """Saves the profile off the UI thread, newest version last, never half a file.

    Each `save` takes a snapshot on the UI thread and writes it from a thread worker; a
    sequence number makes sure an older snapshot never overwrites a newer one. `flush` writes
    the newest snapshot straight away (used when the wizard quits).

    Given the profile as it was read (`base`), a save keeps what commands wrote to the file
    meanwhile: under the profile lock it re-reads the file and merges field by field (see
    `core.wizard_lock.save_wizard_changes`), and what came from the file is taken into the
    wizard's own profile too, unless the wizard changed that field again since.
    """

    def __init__(self, app: App[Any], base: Profile | None = None) -> None:
        """Create the writer.

        Args:
            app: The app whose workers write and which reports a failed save.
            base: The profile as read from its file; None writes each snapshot as it is.
        """
        self._app = app
        self._lock = threading.Lock()
        self._latest: tuple[int, Profile, Profile, Profile | None] | None = None
        self._written = 0
        self._sequence = 0
        # The file as the wizard's profile last took it in (UI thread only): each snapshot is
        # merged against the version it was derived from.
        self._known = copy.deepcopy(base) if base is not None else None
        self._taken_in = 0

    def save(self, profile: Profile) -> None:
        """Queue a save of `profile` as it is now."""
        self._sequence += 1
        snapshot = (self._sequence, copy.deepcopy(profile), profile, self._known)
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

    def _write(
        self,
        sequence: int,
        snapshot: Profile,
        live: Profile,
        base: Profile | None,
        from_thread: bool = True,
    ) -> None:
        with self._lock:
            if sequence <= self._written:
                return
            try:
                if base is None:
                    save_profile(snapshot)
                    written = snapshot
                else:
                    from qbo_wizard.core.wizard_lock import save_wizard_changes

                    written = save_wizard_changes(base, snapshot, save_profile)
            except (OSError, WizardError) as error:
                reason = (error.strerror if isinstance(error, OSError) else None) or str(error)
                message = f"Your progress could not be saved: {reason}"
                self._report(message, from_thread)
                return
            self._written = sequence
        if written is not snapshot:
            if from_thread:
                self._app.call_from_thread(self._take_in, sequence, snapshot, written, live)
            else:
                self._take_in(sequence, snapshot, written, live)

    def _report(self, message: str, from_thread: bool) -> None:
        if from_thread:
            self._app.call_from_thread(
                self._app.notify, message, severity="error", timeout=10, markup=False
            )
        else:
            self._app.notify(message, severity="error", timeout=10, markup=False)

    def _take_in(self, sequence: int, snapshot: Profile, written: Profile, live: Profile) -> None:
        """Copy into the wizard's profile what the file had newer (on the UI thread), leaving
        alone every field the wizard changed again after the snapshot was taken."""
        if sequence <= self._taken_in:
            return  # a newer save was taken in already
        self._taken_in = sequence
        self._known = written
        for item in fields(Profile):
            name = item.name
            if getattr(live, name) == getattr(snapshot, name) != getattr(written, name):
                setattr(live, name, copy.deepcopy(getattr(written, name)))


@dataclass
class DemoInfo:
    """What demo mode set up: a practice company that needs no Intuit account."""

    home: str
    """The throwaway config folder (deleted when the wizard ends)."""
    simulator_url: str | None = None
    """The practice QuickBooks' address; None until it runs."""
    prefill: dict[str, str] = field(default_factory=dict)
    """Values a newcomer would otherwise need an Intuit account for: the practice app's keys,
    named `<key set>_client_id` and `<key set>_client_secret`."""
    start_simulator: Callable[[], tuple[str, dict[str, str]]] | None = field(
        default=None, repr=False
    )
    """Starts the practice QuickBooks (blocking; from a thread) and returns its address and
    the prefill. Set when the wizard is to start it after its first screen is drawn."""
    approve_sign_in: Callable[[str, str], str] = field(
        default=approve_as_practice_admin, repr=False
    )
    """Presses Connect on the practice sign-in page at this address for the company the key set
    reaches (blocking; from a thread) and returns the address the browser is sent back to
    (`PracticeSignInRefused` if refused)."""
    scenarios: tuple[RehearsableScenario, ...] = field(
        default_factory=practice_scenarios, repr=False
    )
    """The failures the Rehearse tab offers, from the practice QuickBooks' one list."""

    def practice_keys(self, key_set: str) -> dict[str, str]:
        """The practice app's `client_id` and `client_secret` for one key set (`development`
        or `production`); empty until the practice QuickBooks runs."""
        prefix = f"{key_set}_"
        return {
            name.removeprefix(prefix): value
            for name, value in self.prefill.items()
            if name.startswith(prefix)
        }

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
