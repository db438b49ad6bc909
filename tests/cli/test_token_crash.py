"""A refreshing `qbo-wizard token` killed at every step: the store is never empty, corrupt or
mismatched, and only a kill between Intuit's answer and the keyring write loses the rotation."""

from __future__ import annotations

import signal
from pathlib import Path

from qbo_wizard.core.connection.interrupts import CRASH_POINTS
from qbo_wizard.core.connection.tokens import TokenSet
from qbo_wizard.core.profile import load_profile
from tests.connection_helpers import (
    US_REALM,
    SimulatorProcess,
    cli_connect,
    expire_stored_access,
    keyring_entry,
    run_qbo,
)

WINDOW = "after-intuit-answer"
BEFORE_THE_WRITE = ("lock-taken", "re-read", "before-refresh-call", WINDOW)


def test_a_kill_at_any_step_leaves_a_whole_store(shared_profile: str, isolated_home: Path) -> None:
    sim = SimulatorProcess("--rotate-every-refresh")
    try:
        cli_connect(sim, shared_profile, isolated_home)
        # The window last: after it, the connection has to be made again.
        order = [p for p in CRASH_POINTS if p != WINDOW] + [WINDOW]
        assert set(order) == set(CRASH_POINTS)
        token_args = ["token", "--profile", shared_profile]
        for point in order:
            before = expire_stored_access(shared_profile)  # so this run refreshes
            killed = run_qbo(token_args, isolated_home, QBO_WIZARD_TEST_CRASH_AT=point)
            assert killed.returncode == -signal.SIGKILL, (point, killed.stderr)
            assert killed.stdout == ""  # nothing was handed out before it was saved

            entry = keyring_entry(shared_profile)
            assert entry, point  # never empty
            tokens = TokenSet.from_json(entry)  # never corrupt
            assert tokens.realm_id == US_REALM
            # Never mismatched: the stored access token is one QuickBooks accepts for the company.
            assert sim.company_info(tokens.access_token, US_REALM).status_code == 200, point
            assert (entry == before) == (point in BEFORE_THE_WRITE), point
            load_profile(shared_profile)  # the profile file is whole too

            after = run_qbo(token_args, isolated_home)  # the next run, with no crash
            if point == WINDOW:
                assert after.returncode == 4, after.stderr
                assert "qbo-wizard login" in after.stderr
                assert keyring_entry(shared_profile) == entry  # left as it was
            else:
                assert after.returncode == 0, (point, after.stderr)
    finally:
        sim.stop()


def test_ctrl_c_between_intuits_answer_and_the_keyring_write_waits_for_the_write(
    shared_profile: str, isolated_home: Path
) -> None:
    sim = SimulatorProcess("--rotate-every-refresh")
    try:
        cli_connect(sim, shared_profile, isolated_home)
        before = expire_stored_access(shared_profile)
        token_args = ["token", "--profile", shared_profile]
        stopped = run_qbo(token_args, isolated_home, QBO_WIZARD_TEST_INTERRUPT_AT=WINDOW)
        assert stopped.returncode == 130, stopped.stderr
        assert "stopped" in stopped.stderr and stopped.stdout == ""
        entry = keyring_entry(shared_profile)
        assert entry and entry != before  # Intuit's rotated answer was saved first
        expire_stored_access(shared_profile)
        after = run_qbo(token_args, isolated_home)
        assert after.returncode == 0, after.stderr  # the connection lives on
    finally:
        sim.stop()
