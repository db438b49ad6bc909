"""Where a token refresh may not be stopped, and the test hooks that stop it on purpose.

Both the refresh and a change of keys hold Ctrl+C from the moment Intuit (or the keyring) has the
new secret until it is saved; the crash tests kill the refresh at each named step to prove that.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Test hook: the refresh kills its own process (SIGKILL) on reaching the named step.
CRASH_ENV_VAR = "QBO_WIZARD_TEST_CRASH_AT"
CRASH_POINTS = (
    "lock-taken",
    "re-read",
    "before-refresh-call",
    "after-intuit-answer",  # the crash window opens: Intuit has rotated, nothing saved yet
    "after-keyring-write",  # the window is closed: the new pair is safe
    "after-profile-write",
    "before-unlock",
)


#: Test hook: the refresh sends itself Ctrl+C (SIGINT) on reaching the named step.
INTERRUPT_ENV_VAR = "QBO_WIZARD_TEST_INTERRUPT_AT"


def crash_point(name: str) -> None:
    """Kill or interrupt this process when a test hook names this step (tests only)."""
    if os.environ.get(CRASH_ENV_VAR) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    if os.environ.get(INTERRUPT_ENV_VAR) == name:
        os.kill(os.getpid(), signal.SIGINT)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl+C inside the block takes effect when the block ends (as KeyboardInterrupt).

    Used from the refresh call until the keyring write returns: stopping in between would lose
    the refresh token Intuit has just replaced. Only the main thread receives signals, so
    elsewhere (the wizard's worker threads) this changes nothing.
    """
    received: list[int] = []
    previous: Any = None
    held = threading.current_thread() is threading.main_thread()
    if held:
        try:
            previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
        except (ValueError, OSError):
            held = False
    try:
        yield
    finally:
        if held:
            signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt
