"""The profile store: one owner of profile.yaml, so no writer's change is lost and no copy of
the profile goes stale."""

from __future__ import annotations

import copy
import threading

from qbo_wizard.core.profile import Profile, load_profile, save_profile
from qbo_wizard.core.profile_lock import refresh_lock
from qbo_wizard.core.profile_store import profile_store


class Copy:
    """A front end's copy of the profile with one unsaved change, kept as the wizard keeps it."""

    def __init__(self, profile: Profile) -> None:
        self.base = profile
        self.profile = copy.deepcopy(profile)
        self.heard: list[tuple[Profile, int]] = []
        self.lock_free_when_heard: list[bool] = []

    def write_pending(self) -> None:
        self.base, _ = profile_store(self.profile.name).save_merged(self.base, self.profile)

    def saved_elsewhere(self, saved: Profile, version: int) -> None:
        self.heard.append((saved, version))
        self.lock_free_when_heard.append(_free_for_another_thread(saved.name))


def _free_for_another_thread(name: str) -> bool:
    """True if another thread can take the profile lock now (it waits at most five seconds)."""
    taken = threading.Event()

    def take() -> None:
        with refresh_lock(name):
            taken.set()

    other = threading.Thread(target=take)
    other.start()
    other.join(timeout=5)
    return taken.is_set()


def test_changes_from_many_threads_are_all_kept() -> None:
    save_profile(Profile(name="acme"))
    store = profile_store("acme")

    def tick(step: str) -> None:
        for number in range(15):
            with store.change() as profile:
                profile.checklists.setdefault(step, []).append(f"item-{number}")

    workers = [threading.Thread(target=tick, args=(step,)) for step in ("overview", "create-app")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    saved = load_profile("acme")
    assert saved.checklists["overview"] == [f"item-{n}" for n in range(15)]
    assert saved.checklists["create-app"] == [f"item-{n}" for n in range(15)]


def test_a_copys_unsaved_change_is_in_the_file_before_anyone_reads_it() -> None:
    save_profile(Profile(name="acme"))
    store = profile_store("acme")
    front = Copy(load_profile("acme"))
    store.watch(front)
    try:
        front.profile.checklists["overview"] = ["admin-login"]  # not saved yet
        assert store.read().checklists == {"overview": ["admin-login"]}
        with store.change() as profile:  # a command's change starts from it too
            profile.company_name = "Acme Freight"
        saved = load_profile("acme")
        assert saved.checklists == {"overview": ["admin-login"]}
        assert saved.company_name == "Acme Freight"
    finally:
        store.unwatch(front)


def test_a_profile_only_a_copy_holds_yet_counts_as_set_up() -> None:
    """The wizard's first save of a new profile may still be waiting when the health checks
    ask whether the profile exists: they must find it, not report it missing."""
    store = profile_store("fresh")
    front = Copy(Profile(name="fresh"))
    store.watch(front)
    try:
        assert store.exists()
        assert store.path.exists()
    finally:
        store.unwatch(front)


def test_a_copy_hears_of_each_save_in_order_once_the_lock_is_free() -> None:
    save_profile(Profile(name="acme"))
    store = profile_store("acme")
    front = Copy(load_profile("acme"))
    store.watch(front)
    try:
        with store.change() as profile:
            profile.company_name = "Acme Freight"
        with store.edit() as edit:
            edit.profile.realm_id = "9130000000000001"
            staged = edit.stage()
            staged.commit()
            assert front.heard[-1][0].company_name == "Acme Freight"  # not yet: lock held
        assert [saved.realm_id for saved, _ in front.heard] == [None, "9130000000000001"]
        versions = [version for _, version in front.heard]
        assert versions == sorted(versions) and len(set(versions)) == 2
        assert front.lock_free_when_heard == [True, True]
    finally:
        store.unwatch(front)
    with store.change() as profile:
        profile.country = "US"
    assert len(front.heard) == 2  # no longer watching


def test_an_edit_that_saves_nothing_writes_nothing() -> None:
    store = profile_store("acme")
    with store.edit() as edit:
        edit.profile.company_name = "Never saved"
    assert not store.exists()


def test_the_profile_lock_taken_again_on_one_thread_does_not_wait_for_itself() -> None:
    # A token refresh holds the lock while it records the new expiry dates in the profile.
    save_profile(Profile(name="acme"))
    with refresh_lock("acme"):
        with profile_store("acme").change() as profile:
            profile.access_token_expires_at = "2026-12-06T10:00:00+00:00"
        assert not _free_for_another_thread("acme")  # still held by the outer block
    assert load_profile("acme").access_token_expires_at == "2026-12-06T10:00:00+00:00"
    assert _free_for_another_thread("acme")
