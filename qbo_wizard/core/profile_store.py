"""The one owner of each profile's settings file: every read, change and save goes through it.

Commands, use cases and the wizard reach a profile's `profile.yaml` only through the store that
`profile_store(name)` returns, one per profile in a process. A change is made under the profile
lock on the newest saved content, so no writer's change is lost. A front end that keeps a copy
of the profile in memory (the wizard) watches the store: it is asked to write what it has not
saved yet before anyone reads the file, and it is told what others saved, so its copy never goes
stale and no caller has to remember either step.
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any, Protocol

from qbo_wizard.core.files import StagedFile
from qbo_wizard.core.paths import profile_dir, validate_profile_name
from qbo_wizard.core.profile import (
    PROFILE_FILE,
    Profile,
    load_profile,
    save_profile,
    stage_profile,
)
from qbo_wizard.core.profile_lock import holds_refresh_lock, refresh_lock, when_released

# Fields that are a set of named entries: merged entry by entry, not as a whole.
MERGED_BY_ENTRY = ("step_states", "checklists", "extra")


class ProfileWatcher(Protocol):
    """A front end's copy of the profile, kept in step with the file by the store."""

    def write_pending(self) -> None:
        """Write the changes not saved yet (called before the file is read for a change)."""

    def saved_elsewhere(self, saved: Profile, version: int) -> None:
        """The file now holds `saved`, written by someone else in this process.

        `version` numbers the store's writes in the order they reached the file: a watcher
        that already took in a later one ignores this.
        """


class StagedProfile:
    """A profile's new content on disk beside its file, put in place by `commit`.

    Callers that also write the keyring stage first: a full disk or a read-only folder then stops
    them before the keyring is touched, and the rename that follows cannot run out of space.
    """

    def __init__(self, store: ProfileStore, profile: Profile) -> None:
        self._store = store
        self._profile = profile
        self._staged: StagedFile = stage_profile(profile)

    def commit(self) -> None:
        """Put the new content in place; watchers hear of it once the profile lock is let go."""
        self._staged.commit()
        self._store.written(self._profile)

    def discard(self) -> None:
        """Forget the new content; the file keeps what it had."""
        self._staged.discard()


class ProfileEdit:
    """The newest saved profile, being changed under the profile lock (see `ProfileStore.edit`)."""

    def __init__(self, store: ProfileStore, profile: Profile) -> None:
        self.profile = profile
        self._store = store

    def save(self) -> None:
        """Write the profile as it is now (atomically, 0600)."""
        save_profile(self.profile)
        self._store.written(self.profile)

    def stage(self) -> StagedProfile:
        """The profile's new content staged beside the file, for a commit after other writes."""
        return StagedProfile(self._store, self.profile)


class ProfileStore:
    """Reads, changes and saves one profile's settings, and keeps its watchers in step."""

    def __init__(self, name: str) -> None:
        validate_profile_name(name)
        self.name = name
        self._watchers: weakref.WeakSet[ProfileWatcher] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._version = 0

    @property
    def path(self) -> Path:
        """The profile's settings file."""
        return profile_dir(self.name) / PROFILE_FILE

    def exists(self) -> bool:
        """True if the profile has been saved at least once, counting a watcher's changes not
        written yet (they are written first)."""
        self._write_pending()
        return self.path.exists()

    def read(self) -> Profile:
        """The profile as saved, after any watcher's unsaved changes are written (a fresh copy).

        A profile with no file is a fresh, unsaved one; a damaged file is a `ConfigFileError`.
        """
        self._write_pending()
        return load_profile(self.name)

    @contextmanager
    def edit(self) -> Iterator[ProfileEdit]:
        """The newest saved profile to change under the profile lock, held for the whole block.

        Nothing is written unless the block calls `save` or commits a `stage`; watchers hear of
        what was written once the lock is let go.
        """
        self._write_pending()
        with refresh_lock(self.name):
            yield ProfileEdit(self, load_profile(self.name))

    @contextmanager
    def change(self) -> Iterator[Profile]:
        """The newest saved profile to change; saved when the block ends without an error."""
        with self.edit() as edit:
            yield edit.profile
            edit.save()

    def stage(self, profile: Profile) -> StagedProfile:
        """`profile` staged beside the file, for a caller that commits it after other writes."""
        return StagedProfile(self, profile)

    def save_merged(self, base: Profile, ours: Profile) -> tuple[Profile, int]:
        """Save a watcher's copy without losing what others wrote since it read `base`.

        Under the profile lock the file is read again and the copy's changes since `base` are
        applied to it (see `merge_profile`), then it is written atomically.

        Returns:
            What was written (the watcher's new `base`) and its version.
        """
        with refresh_lock(self.name):
            merged = ours
            if self.path.exists():
                merged = merge_profile(base, ours, load_profile(self.name))
            save_profile(merged)
            version = self._next_version()
        return copy.deepcopy(merged), version

    def watch(self, watcher: ProfileWatcher) -> None:
        """Keep `watcher` in step with the file until `unwatch`."""
        with self._lock:
            self._watchers.add(watcher)

    def unwatch(self, watcher: ProfileWatcher) -> None:
        """Stop telling `watcher` about the file (safe to call when not watching)."""
        with self._lock:
            self._watchers.discard(watcher)

    def _next_version(self) -> int:
        """The version of a write that just reached the file (called under the profile lock)."""
        with self._lock:
            self._version += 1
            return self._version

    def written(self, profile: Profile) -> None:
        """`profile` just reached the file: watchers hear of it once the profile lock is free
        (a watcher may need the UI thread, which may be waiting for that lock)."""
        saved, version = copy.deepcopy(profile), self._next_version()
        when_released(self.name, lambda: self._announce(saved, version))

    def _announce(self, saved: Profile, version: int) -> None:
        for watcher in self._current_watchers():
            watcher.saved_elsewhere(copy.deepcopy(saved), version)

    def _write_pending(self) -> None:
        if holds_refresh_lock(self.name):
            return  # a watcher's write would wait for this thread's own lock
        for watcher in self._current_watchers():
            watcher.write_pending()

    def _current_watchers(self) -> list[ProfileWatcher]:
        with self._lock:
            return list(self._watchers)


_stores: dict[Path, ProfileStore] = {}
_stores_lock = threading.Lock()


def profile_store(name: str) -> ProfileStore:
    """The store of profile `name` in this process (one per profile folder)."""
    validate_profile_name(name)
    key = profile_dir(name)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = ProfileStore(name)
        return store


def _merged(field_name: str, base: Any, ours: Any, theirs: Any) -> Any:
    """One field: ours if it changed since `base`, else what the file has now."""
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
    """A three-way merge: the changes to `ours` since `base`, applied to the file's `theirs`."""
    values = {}
    for item in fields(Profile):
        name = item.name
        if name != "name":
            values[name] = _merged(
                name, getattr(base, name), getattr(ours, name), getattr(theirs, name)
            )
    return Profile(name=ours.name, **values)
