"""Demo mode draws its first screen at once; the practice QuickBooks starts behind it, and a
step that talks to QuickBooks waits for it (saying so), or says why it could not start."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading

from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.launch import demo_profile, practice_prefill
from qbo_wizard.tui.screenshots import settle, visible_text
from qbo_wizard.tui.session import DemoInfo
from qbo_wizard.tui.widgets.secret_input import SecretInput

from .conftest import wizard


class GatedStart:
    """Starts the practice QuickBooks (the test's simulator) only once the gate is opened."""

    def __init__(self, sim: SimulatorServer, error: Exception | None = None) -> None:
        self.sim = sim
        self.error = error
        self.asked = threading.Event()
        self.gate = threading.Event()

    def __call__(self) -> tuple[str, dict[str, str]]:
        self.asked.set()
        if not self.gate.wait(10):
            raise TimeoutError("the test never opened the gate")
        if self.error is not None:
            raise self.error
        return self.sim.url, practice_prefill(self.sim.info["keys"])


def banner(app: object) -> str:
    return str(app.screen.query_one("#banner-title").render())  # type: ignore[attr-defined]


async def first_screen(pilot: object) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    while len(app.screen_stack) < 2:  # the flow pushes the first step from its worker
        await pilot.pause()  # type: ignore[attr-defined]


async def test_the_first_screen_does_not_wait_and_step_5_waits_for_the_practice_quickbooks(
    simulator: SimulatorServer,
) -> None:
    start = GatedStart(simulator)
    info = DemoInfo(home="(test)", start_simulator=start)
    app = wizard(demo_profile(info), demo=info)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_screen(pilot)
        assert banner(app).startswith("Step 1 of 9")  # drawn while nothing runs yet
        assert app.session.profile.simulator_url is None
        await pilot.press("5")
        assert await asyncio.to_thread(start.asked.wait, 10)
        await pilot.pause()
        assert banner(app) == "Step 5 of 9 · Enter the keys"  # its frame, and a note
        assert "Starting the practice QuickBooks…" in visible_text(app.export_screenshot())
        assert not app.screen.query(SecretInput)  # the keys step itself waits
        start.gate.set()
        await settle(pilot)
        await settle(pilot)
        assert banner(app) == "Step 5 of 9 · Enter the keys"
        keys = simulator.info["keys"]["development"]
        assert app.screen.query_one("#client-secret", SecretInput).value == keys["client_secret"]
        assert app.session.profile.simulator_url == simulator.url


async def test_a_practice_quickbooks_that_cannot_start_is_said_on_screen(
    simulator: SimulatorServer,
) -> None:
    start = GatedStart(simulator, OSError("no free port on 127.0.0.1"))
    start.gate.set()
    info = DemoInfo(home="(test)", start_simulator=start)
    app = wizard(demo_profile(info), demo=info)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_screen(pilot)
        await pilot.press("5")
        await settle(pilot)
        await settle(pilot)
        notes = [str(note.message) for note in app._notifications]
        assert "The practice QuickBooks could not start: no free port on 127.0.0.1" in notes
        assert banner(app) == "Step 5 of 9 · Enter the keys"  # the step says what it cannot reach


def test_demo_mode_keeps_secrets_in_memory_and_stops_the_practice_quickbooks_at_the_end() -> None:
    script = textwrap.dedent(
        """
        import os, sys, urllib.request
        from qbo_wizard.tui.launch import demo_environment
        with demo_environment(start_later=True) as info:
            assert "keyring" not in sys.modules  # chosen without importing it
            from qbo_wizard.core.connection.vault import Vault
            Vault("demo").set("client_secret", "canary-0f3a")
            import keyring
            print(type(keyring.get_keyring()).__name__, Vault("demo").get("client_secret"))
            url, prefill = info.start_simulator()
            print(sorted(prefill), urllib.request.urlopen(url + "/_simulator/info").status)
        try:
            urllib.request.urlopen(url + "/_simulator/info", timeout=5)
        except OSError:
            print("stopped")
        print(os.environ.get("PYTHON_KEYRING_BACKEND"))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "MemoryKeyring canary-0f3a",
        "['development_client_id', 'development_client_secret', 'production_client_id', "
        "'production_client_secret'] 200",
        "stopped",
        "None",
    ]
