"""Measure the crash window: how long a refreshed connection exists only in memory.

The window runs from the moment Intuit's refresh answer has fully arrived to the moment the
keyring write of the new tokens returns; a crash inside it loses the rotated refresh token.
This script refreshes a practice connection many times (rotation on every refresh) through the
real keyring and prints the spread. Run it inside a Secret Service session:

    scripts/with-secret-service .venv/bin/python scripts/measure_crash_window.py [COUNT]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile


def main(count: int) -> int:
    os.environ["QBO_WIZARD_HOME"] = tempfile.mkdtemp(prefix="qbo-wizard-window-")
    import keyring

    from qbo_wizard.core.connection.credentials import Credentials, store_credentials
    from qbo_wizard.core.connection.oauth import connect_with_tokens, disconnect, save_connection
    from qbo_wizard.core.connection.tokens import TokenKeeper
    from qbo_wizard.core.connection.vault import backend_name
    from qbo_wizard.simulator.server import SimulatorServer

    sim = SimulatorServer(port=0, throttle=False, rotate_every_refresh=True).start()
    profile = "crash-window"
    try:
        keys = sim.info["keys"]["development"]
        store_credentials(
            profile,
            "development",
            Credentials(keys["client_id"], keys["client_secret"]),
            sim.url,
        )
        realm = sim.info["companies"][0]["realm_id"]
        minted = sim.mint_tokens(realm)
        save_connection(connect_with_tokens(profile, minted["refresh_token"], realm))
        keeper = TokenKeeper(profile)
        windows = []
        for _ in range(count):
            keeper.tokens(force=True)
            assert keeper.last_unsaved_seconds is not None
            windows.append(keeper.last_unsaved_seconds * 1000)
        windows.sort()
        print(f"keyring backend: {backend_name(keyring.get_keyring())}")
        print(
            f"{count} refreshes; window in ms: median {statistics.median(windows):.1f}, "
            f"95th percentile {windows[int(0.95 * (count - 1))]:.1f}, max {windows[-1]:.1f}"
        )
    finally:
        disconnect(profile)
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
