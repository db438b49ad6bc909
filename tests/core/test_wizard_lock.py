"""One wizard per profile, and wizard saves that keep what commands wrote meanwhile."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

from qbo_wizard.core.profile import Profile, load_profile, save_profile
from qbo_wizard.core.profile_store import merge_profile, profile_store
from qbo_wizard.core.wizard_lock import WizardLock


def test_a_second_wizard_learns_who_has_the_profile_and_since_when() -> None:
    first = WizardLock("acme", "browser")
    assert first.acquire() is None
    try:
        holder = WizardLock("acme", "terminal").acquire()
        assert holder is not None
        assert holder.where == "browser"
        assert holder.since is not None
        assert abs((datetime.now(timezone.utc) - holder.since).total_seconds()) < 3600
        said = holder.describe()
        assert said.startswith("It has been open in a browser tab served by qbo-wizard serve")
        assert " since " in said
        assert WizardLock("other", "terminal").acquire() is None  # other profiles are free
    finally:
        first.release()
    again = WizardLock("acme", "terminal")
    assert again.acquire() is None  # released: the next wizard gets in
    again.release()


def test_the_lock_is_let_go_when_its_wizard_dies(isolated_home: object) -> None:
    # A process that takes the lock and is killed holds nothing afterwards.
    script = (
        "import os, sys\n"
        "from qbo_wizard.core.wizard_lock import WizardLock\n"
        "assert WizardLock('acme', 'terminal').acquire() is None\n"
        "print('held', flush=True)\n"
        "os._exit(0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "held"
    lock = WizardLock("acme", "terminal")
    assert lock.acquire() is None
    lock.release()


def test_a_merge_keeps_the_wizards_changes_and_everything_else_from_the_file() -> None:
    base = Profile(name="acme", current_step="production-settings", checklists={"overview": []})
    ours = Profile(
        name="acme",
        current_step="credentials",
        checklists={"overview": [], "create-app": ["scope"]},
        step_states={"production-settings": "done"},
    )
    theirs = Profile(
        name="acme",
        current_step="production-settings",
        realm_id="9130000000000001",
        company_name="Acme Freight",
        checklists={"overview": ["admin-login", "time"]},
        step_states={"connect": "done"},
        last_test={"outcome": "passed"},
    )
    merged = merge_profile(base, ours, theirs)
    assert merged.current_step == "credentials"  # the wizard moved on
    assert merged.realm_id == "9130000000000001"  # a command connected meanwhile
    assert merged.company_name == "Acme Freight"
    assert merged.last_test == {"outcome": "passed"}
    assert merged.checklists == {"overview": ["admin-login", "time"], "create-app": ["scope"]}
    assert merged.step_states == {"connect": "done", "production-settings": "done"}


def test_a_wizard_save_does_not_undo_what_a_command_wrote_meanwhile() -> None:
    base = Profile(name="acme", current_step="production-settings")
    save_profile(base)
    by_command = load_profile("acme")  # e.g. `qbo-wizard login` while the wizard is open
    by_command.realm_id = "9130000000000001"
    by_command.checklists = {"overview": ["admin-login"]}
    save_profile(by_command)

    ours = Profile(name="acme", current_step="credentials")
    written, _ = profile_store("acme").save_merged(base, ours)
    on_disk = load_profile("acme")
    assert on_disk == written
    assert on_disk.current_step == "credentials"
    assert on_disk.realm_id == "9130000000000001"
    assert on_disk.checklists == {"overview": ["admin-login"]}
