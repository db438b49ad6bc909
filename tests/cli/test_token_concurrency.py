"""Many processes asking for a token at once, while every refresh rotates the refresh token."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qbo_wizard.core.connection.tokens import TokenSet
from tests.connection_helpers import (
    SimulatorProcess,
    cli_connect,
    expire_stored_access,
    keyring_entry,
    run_qbo,
)

PROCESSES = 4
CALLS_EACH = 10


def test_parallel_token_processes_never_lose_a_rotation(
    shared_profile: str, isolated_home: Path
) -> None:
    sim = SimulatorProcess("--rotate-every-refresh")
    try:
        cli_connect(sim, shared_profile, isolated_home)

        def one_process_after_another(worker: int) -> list[tuple[int, str, str]]:
            results = []
            for _ in range(CALLS_EACH):
                # The stored access token is marked expired before every call (under the lock,
                # as another writer would), so calls keep meeting at the lock and refreshing.
                expire_stored_access(shared_profile)
                done = run_qbo(["token", "--profile", shared_profile], isolated_home)
                results.append((done.returncode, done.stdout, done.stderr))
            return results

        with ThreadPoolExecutor(PROCESSES) as pool:
            runs = [r for rs in pool.map(one_process_after_another, range(PROCESSES)) for r in rs]

        assert [code for code, _, _ in runs] == [0] * PROCESSES * CALLS_EACH
        assert all(err == "" for _, _, err in runs)
        printed = [out.strip() for _, out, _ in runs]
        assert all(len(out.splitlines()) == 1 for _, out, _ in runs)
        assert len(set(printed)) >= CALLS_EACH  # many refreshes, each one rotating
        log = isolated_home / "profiles" / shared_profile / "errors.log"
        assert not log.exists() or "invalid_grant" not in log.read_text()
        final = TokenSet.from_json(keyring_entry(shared_profile) or "")
        assert final.access_token == printed[-1] or final.access_token in printed
        assert sim.refresh(final.refresh_token).status_code == 200  # the stored one still works
    finally:
        sim.stop()
