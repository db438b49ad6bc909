"""The state one run of the wizard shares between its screens, and the profile's writer."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from qbo_wizard.core.problems import WizardError
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.profile_store import ProfileStore, profile_store
from qbo_wizard.tui.practice import (
    RehearsableScenario,
    approve_as_practice_admin,
    practice_scenarios,
)

if TYPE_CHECKING:
    from textual.app import App


class ProfileWriter:
    """The profile store's adapter for the wizard: saves off the UI thread, newest version last,
    and keeps the wizard's copy of the profile in step with what others save.

    Each `save` takes a snapshot on the UI thread and writes it from a thread worker through
    the store, which merges it with what commands wrote to the file meanwhile (see
    `ProfileStore.save_merged`); a sequence number makes sure an older snapshot never
    overwrites a newer one. The writer watches the store: before core code reads the profile,
    the newest snapshot is written; when core code saves the profile, what it wrote is taken
    into the wizard's copy on the UI thread, except the fields the wizard changed again since.
    """

    def __init__(self, app: App[Any], base: Profile | None = None) -> None:
        """Create the writer.

        Args:
            app: The app whose workers write and which reports a failed save.
            base: The profile as read from its file; None when the file is not read yet (the
                profile given to `attach` is taken as it).
        """
        self._app = app
        self._ui_thread = threading.get_ident()
        self._lock = threading.Lock()
        self._latest: tuple[int, Profile, Profile] | None = None
        self._written = 0
        self._sequence = 0
        self._live: Profile | None = None
        self._store: ProfileStore | None = None
        # The file as the wizard's profile last took it in (UI thread only), and that write's
        # version: each snapshot is merged against it, and older writes are not taken in.
        self._known = copy.deepcopy(base) if base is not None else None
        self._known_version = 0
        self._holding = False  # the next save waits for `release`
        self._held = False  # a save is waiting for `release`

    def attach(self, profile: Profile) -> None:
        """Keep `profile` (the wizard's copy) saved and in step with its store."""
        self._live = profile
        if self._known is None:
            self._known = copy.deepcopy(profile)
        self._store = profile_store(profile.name)
        self._store.watch(self)

    def detach(self) -> None:
        """Stop watching the store (the wizard is ending)."""
        if self._store is not None:
            self._store.unwatch(self)

    def save(self) -> None:
        """Queue a save of the wizard's profile as it is now."""
        assert self._live is not None and self._known is not None, "attach a profile first"
        self._sequence += 1
        snapshot = (self._sequence, copy.deepcopy(self._live), self._known)
        self._latest = snapshot
        if self._holding:
            self._holding, self._held = False, True
            return
        self._held = False
        self._write_in_background(snapshot)

    def hold(self) -> None:
        """Keep the next snapshot `save` takes without writing it until `release`. A later
        `save` writes the newest snapshot at once, and a `flush` or a read of the store does
        too, so only the wait differs."""
        self._holding = True

    def release(self) -> None:
        """Write the snapshot kept by `hold`, if it is still waiting, in the background."""
        held, self._held, self._holding = self._held, False, False
        if held and self._latest is not None:
            self._write_in_background(self._latest)

    def _write_in_background(self, snapshot: tuple[int, Profile, Profile]) -> None:
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
            self._write(*self._latest)

    def write_pending(self) -> None:
        """The store is about to be read: write what the wizard has not saved yet."""
        self.flush()

    def saved_elsewhere(self, saved: Profile, version: int) -> None:
        """Core code saved the profile: take in what it wrote (on the UI thread)."""
        known = self._known
        if self._app.is_running and known is not None:  # an ended wizard keeps no copy
            self._on_ui_thread(self._take_in, version, known, saved)

    def _write(self, sequence: int, snapshot: Profile, base: Profile) -> None:
        """Write one snapshot, merged against `base`: the file as the wizard knew it when the
        snapshot was taken."""
        with self._lock:
            if sequence <= self._written or self._store is None:
                return
            try:
                written, version = self._store.save_merged(base, snapshot)
            except (OSError, WizardError) as error:
                reason = (error.strerror if isinstance(error, OSError) else None) or str(error)
                failure: str | None = f"Your progress could not be saved: {reason}"
            else:
                self._written, failure = sequence, None
        # Outside the lock: the UI thread may be waiting for it (a flush) while this waits for
        # the UI thread.
        if failure is not None:
            self._on_ui_thread(
                self._app.notify, failure, severity="error", timeout=10, markup=False
            )
            return
        self._on_ui_thread(self._take_in, version, snapshot, written)

    def _on_ui_thread(self, callback: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Run `callback` on the UI thread: now when called there, else waiting for it."""
        if threading.get_ident() == self._ui_thread:
            callback(*args, **kwargs)
        else:
            self._app.call_from_thread(callback, *args, **kwargs)

    def _take_in(self, version: int, reference: Profile, written: Profile) -> None:
        """Copy into the wizard's profile what the file has newer than `reference` (the copy it
        was derived from), leaving alone every field the wizard changed again since."""
        if version <= self._known_version or self._live is None:
            return  # a later write was taken in already
        self._known_version = version
        self._known = written
        live = self._live
        for item in fields(Profile):
            name = item.name
            theirs = getattr(written, name)
            if getattr(live, name) == getattr(reference, name) != theirs:
                setattr(live, name, copy.deepcopy(theirs))


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

    def __post_init__(self) -> None:
        self.writer.attach(self.profile)

    def save(self) -> None:
        """Save the profile as it is now (off the UI thread)."""
        self.writer.save()
