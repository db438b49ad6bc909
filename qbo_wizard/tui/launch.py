"""Build and run the wizard app: a real profile, or demo mode on a throwaway one."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from qbo_wizard.core.paths import HOME_ENV_VAR
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.tui.session import DemoInfo

if TYPE_CHECKING:
    from qbo_wizard.simulator.server import SimulatorServer

DEMO_PROFILE = "demo"
# Set by textual-serve for each browser tab's wizard.
WEB_DRIVER_ENV_VAR = "TEXTUAL_DRIVER"
DEMO_FOLDER_PREFIX = "qbo-wizard-demo-"
OWNER_FILE = "owner.pid"
"""In each demo folder: the process id of the wizard using it."""
STALE_UNOWNED_SECONDS = 24 * 3600
"""A demo folder with no owner file (left by an older version) is removed after a day."""
CLOSING_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
"""Closing the terminal (SIGHUP) or being asked to stop (SIGTERM): demo mode tidies up first."""
KEYRING_BACKEND_ENV_VAR = "PYTHON_KEYRING_BACKEND"  # read by `keyring` when first used
MEMORY_KEYRING = "qbo_wizard.core.connection.vault.MemoryKeyring"


def _loopback_port() -> int:
    """The loopback port step 2 asks users to register when it is free, else any free one
    (the practice QuickBooks registers whichever it gets)."""
    from qbo_wizard.core.step_content import LOOPBACK_PORT

    for port in (LOOPBACK_PORT, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise OSError("no free port on 127.0.0.1")


def practice_prefill(keys: dict[str, dict[str, str]]) -> dict[str, str]:
    """Both practice key sets, for step 5 to fill in whichever set the user rehearses."""
    return {
        f"{key_set}_{name}": keys[key_set][name]
        for key_set in ("development", "production")
        for name in ("client_id", "client_secret")
    }


class PracticeQuickBooks:
    """Demo mode's practice QuickBooks: started once, when first asked for, and stopped when
    demo mode ends (waiting for a start still under way, so none is left running)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: SimulatorServer | None = None
        self._closed = False

    def start(self) -> tuple[str, dict[str, str]]:
        """Start it if it is not running; its address and the demo's keys. Blocks for a
        moment (imports and binds a port), so the wizard calls it from a thread worker."""
        with self._lock:
            if self._closed:
                raise RuntimeError("demo mode has ended")
            if self._server is None:
                from qbo_wizard.simulator.server import SimulatorServer

                self._server = SimulatorServer(
                    port=0, loopback_port=_loopback_port(), seed="demo"
                ).start()
            server = self._server
        return server.url, practice_prefill(server.info["keys"])

    def stop(self) -> None:
        with self._lock:
            self._closed = True
            server, self._server = self._server, None
        if server is not None:
            server.stop()


@contextmanager
def _memory_keyring() -> Iterator[None]:
    """An in-memory keyring for everything that touches the keyring while this lasts.

    When `keyring` is not imported yet, the choice is made through its environment variable,
    which it reads on first use: the demo's first screen need not import it.
    """
    if "keyring" in sys.modules:
        from qbo_wizard.core.connection.vault import use_memory_keyring

        use_memory_keyring()
        yield
        return
    previous = os.environ.get(KEYRING_BACKEND_ENV_VAR)
    os.environ[KEYRING_BACKEND_ENV_VAR] = MEMORY_KEYRING
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(KEYRING_BACKEND_ENV_VAR, None)
        else:
            os.environ[KEYRING_BACKEND_ENV_VAR] = previous


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_demo_folders(temp_root: Path | None = None) -> list[Path]:
    """Remove this user's demo folders whose wizard is no longer running (a terminal closed
    before it could tidy up, or a crash). Returns the folders removed."""
    root = Path(temp_root or tempfile.gettempdir())
    removed = []
    for folder in root.glob(f"{DEMO_FOLDER_PREFIX}*"):
        try:
            if not folder.is_dir() or folder.stat().st_uid != os.getuid():
                continue
            owner = folder / OWNER_FILE
            if owner.exists():
                stale = not _process_alive(int(owner.read_text().strip() or "0"))
            else:
                stale = time.time() - folder.stat().st_mtime > STALE_UNOWNED_SECONDS
        except (OSError, ValueError):
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextmanager
def _tidy_on_close(tidy: Callable[[], None]) -> Iterator[None]:
    """Run `tidy` when the terminal closes or the process is told to stop, then end the
    process as the signal would have. Only the main thread can set signal handlers; elsewhere
    (tests driving the wizard from a worker thread) the normal exit path tidies up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def closing(number: int, frame: FrameType | None) -> None:
        tidy()
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)

    previous = {number: signal.signal(number, closing) for number in CLOSING_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def demo_environment(*, start_later: bool = False) -> Iterator[DemoInfo]:
    """The practice QuickBooks on 127.0.0.1, a throwaway config folder and an in-memory
    keyring; all of it is gone again afterwards.

    Args:
        start_later: Leave the practice QuickBooks to the wizard, which starts it in the
            background once its first screen is drawn (`DemoInfo.start_simulator`); by
            default it is running before this yields.
    """
    remove_stale_demo_folders()
    home = tempfile.mkdtemp(prefix=DEMO_FOLDER_PREFIX)
    Path(home, OWNER_FILE).write_text(str(os.getpid()))
    previous_home = os.environ.get(HOME_ENV_VAR)
    os.environ[HOME_ENV_VAR] = home
    practice = PracticeQuickBooks()

    def tidy() -> None:  # the process ends right after: its threads and ports go with it
        shutil.rmtree(home, ignore_errors=True)

    try:
        with _memory_keyring(), _tidy_on_close(tidy):
            if start_later:
                yield DemoInfo(home=home, start_simulator=practice.start)
            else:
                url, prefill = practice.start()
                yield DemoInfo(home=home, simulator_url=url, prefill=prefill)
    finally:
        practice.stop()
        if previous_home is None:
            os.environ.pop(HOME_ENV_VAR, None)
        else:
            os.environ[HOME_ENV_VAR] = previous_home
        shutil.rmtree(home, ignore_errors=True)


def demo_profile(info: DemoInfo) -> Profile:
    """The practice profile demo mode opens on: development keys against the simulator (its
    address is filled in once the practice QuickBooks runs, when started later)."""
    return Profile(
        name=DEMO_PROFILE,
        environment="simulator",
        key_set="development",
        simulator_url=info.simulator_url,
    )


def run_wizard(*, profile_name: str, demo: bool, presenter: bool | None) -> int:
    """Run the wizard until the user quits; returns the app's exit code.

    Start-up (importing Textual, building and drawing the first screen) makes a great many
    objects that live as long as the app; Python's cyclic garbage collector would walk them
    several times over before the first screen is drawn, for a tenth of the start-up time and
    nothing to collect. It is paused until the app has drawn its first screen.

    A real profile is opened by one wizard at a time: while this one runs it holds the
    profile's wizard lock; if another wizard holds it, this one shows who and the status,
    read-only.
    """
    gc.disable()
    try:
        from qbo_wizard.tui.app import WizardApp

        if demo:
            with demo_environment(start_later=True) as info:
                app = WizardApp(demo_profile(info), presenter=presenter, demo=info, resume_gc=True)
                app.run()
                return app.return_code or 0
        from qbo_wizard.core.wizard_lock import WizardLock

        in_browser = "WebDriver" in os.environ.get(WEB_DRIVER_ENV_VAR, "")
        lock = WizardLock(profile_name, "browser" if in_browser else "terminal")
        holder = lock.acquire()
        try:
            profile = profile_store(profile_name).read()
            app = WizardApp(profile, presenter=presenter, resume_gc=True, busy=holder)
            app.run()
            return app.return_code or 0
        finally:
            lock.release()
    finally:
        gc.enable()
