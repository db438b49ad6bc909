"""Leaving the wizard: Ctrl+C asks whether to save and quit, and demo mode leaves no folder
behind, however it ends (a closed terminal included), tidying up after earlier runs too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from qbo_wizard.core.problems import EXIT_OK
from qbo_wizard.core.profile import Profile, load_profile
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.launch import DEMO_FOLDER_PREFIX, OWNER_FILE, remove_stale_demo_folders
from qbo_wizard.tui.screens.confirm import QuitQuestion
from qbo_wizard.tui.screenshots import settle, visible_text

from .conftest import demo_wizard, wizard


async def test_ctrl_c_asks_whether_to_save_and_quit() -> None:
    app = wizard(Profile(name="acme", current_step="create-app"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert isinstance(app.screen, QuitQuestion)
        shown = visible_text(app.export_screenshot())
        assert "Quit the wizard?" in shown
        assert "Your place is saved" in shown
        assert "ctrl+q" not in shown.lower()
        await pilot.press("n")  # keep going
        await settle(pilot)
        assert app.is_running and app.screen.id == "step-create-app"
        await pilot.press("ctrl+c")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    assert app.return_code == EXIT_OK
    assert load_profile("acme").current_step == "create-app"


async def test_ctrl_c_twice_quits_and_the_demo_says_what_is_thrown_away(
    simulator: SimulatorServer,
) -> None:
    app = demo_wizard(simulator)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await settle(pilot)
        shown = visible_text(app.export_screenshot())
        assert "demo mode" in shown and "Quit the demo" in shown
        await pilot.press("ctrl+c")
        await settle(pilot)
    assert app.return_code == EXIT_OK


def test_stale_demo_folders_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    stale = tmp_path / f"{DEMO_FOLDER_PREFIX}closed-terminal"
    stale.mkdir()
    (stale / OWNER_FILE).write_text(ended.stdout.strip())
    live = tmp_path / f"{DEMO_FOLDER_PREFIX}running"
    live.mkdir()
    (live / OWNER_FILE).write_text(str(os.getpid()))
    other = tmp_path / "someone-elses-folder"
    other.mkdir()
    assert remove_stale_demo_folders(tmp_path) == [stale]
    assert not stale.exists()
    assert live.exists() and other.exists()


def test_closing_the_terminal_removes_the_demo_folder(tmp_path: Path) -> None:
    script = (
        "import signal\n"
        "from qbo_wizard.tui.launch import demo_environment\n"
        "with demo_environment(start_later=True) as info:\n"
        "    print(info.home, flush=True)\n"
        "    signal.pause()\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    home = Path(child.stdout.readline().strip())
    assert home.is_dir() and home.parent == tmp_path
    child.send_signal(signal.SIGHUP)  # what closing the terminal sends
    assert child.wait(timeout=60) == -signal.SIGHUP
    assert not home.exists()
    assert list(tmp_path.glob(f"{DEMO_FOLDER_PREFIX}*")) == []


async def test_step_1_of_the_demo_says_nothing_is_kept(simulator: SimulatorServer) -> None:
    profile = Profile(name="acme", environment="simulator", simulator_url=simulator.url)
    app = demo_wizard(simulator, profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = visible_text(app.export_screenshot())
        assert "Not in demo mode, though: nothing is kept" in shown
    real = wizard(Profile(name="other"))
    async with real.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "nothing is kept" not in visible_text(real.export_screenshot())
