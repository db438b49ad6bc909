"""The demo at every terminal size people use: no key, pressed anywhere, stops the wizard.

Screen-share and SSH sessions are often 80×24 or smaller. A seeded stream of the keys people
press out of habit (and the wizard's own keys) is fed to the whole demo at four sizes; the
wizard must keep running and never report an unexpected error. The seed makes every run press
the same keys, so a failure can be replayed.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from qbo_wizard.core.problems import EXIT_PROBLEM
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.steps import STEPS
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screenshots import settle
from qbo_wizard.tui.widgets.status_line import StatusLine

from .conftest import demo_wizard

SIZES = [(60, 20), (80, 24), (99, 30), (120, 40)]
HABIT_KEYS = ["pageup", "pagedown", "home", "end", "up", "down", "left", "right"]
# Every key the wizard binds, the keys people press out of habit, and some typing. Never the
# keys that quit (q, Ctrl+Q, Ctrl+C): the test is about everything else.
RANDOM_KEYS = [
    *HABIT_KEYS,
    *"nbgsoaxrecdiuf",
    *[str(number) for number in range(1, 10)],
    "escape",
    "enter",
    "space",
    "tab",
    "shift+tab",
    "ctrl+s",
    "delete",
    "backspace",
    "f2",
    "ctrl+p",
    "z",
    "7",
]
KEYS_PER_SIZE = 200
SEED = 15


def unexpected_problems(app: Any) -> list[str]:
    """What the wizard said went unexpectedly wrong: stopped, or a message about an error it
    did not expect (in a status line or a notification)."""
    problems = []
    if app.return_code == EXIT_PROBLEM or app._exception is not None:
        problems.append(f"the wizard stopped: {app._exception!r}")
    said = [str(note.message) for note in app._notifications]
    for screen in app.screen_stack:
        said.extend(str(line.render()) for line in screen.query(StatusLine))
    problems.extend(text for text in said if "unexpected" in text.lower())
    return problems


def fresh_demo(sim: SimulatorServer) -> Any:
    """The demo as `qbo-wizard --demo` opens it: step 1 of a new practice profile."""
    profile = Profile(name="acme", environment="simulator", simulator_url=sim.url)
    app = demo_wizard(sim, profile)
    app.animation_level = "none"  # scrolling jumps instead of gliding: the keys go faster
    return app


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_habit_keys_on_every_step_never_stop_the_wizard(
    free_port_simulator: SimulatorServer, no_browser: list[str], size: tuple[int, int]
) -> None:
    app = fresh_demo(free_port_simulator)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for step in STEPS:
            await pilot.press("escape", str(step.number))
            await settle(pilot)
            assert app.screen.id == f"step-{step.id}", app.screen
            await pilot.press(*HABIT_KEYS, *reversed(HABIT_KEYS))
            await settle(pilot)
            assert app.is_running, f"stopped by a habit key on step {step.number}"
            assert unexpected_problems(app) == [], step.number
        # The step list in the "Go to step" dialog takes the same keys.
        await pilot.press("escape", "g", *HABIT_KEYS)
        await settle(pilot)
        assert app.is_running
        assert unexpected_problems(app) == []


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_random_keys_never_stop_the_wizard(
    free_port_simulator: SimulatorServer, no_browser: list[str], size: tuple[int, int]
) -> None:
    chooser = random.Random(f"{SEED}-{size}")
    keys = [chooser.choice(RANDOM_KEYS) for _ in range(KEYS_PER_SIZE)]
    app = fresh_demo(free_port_simulator)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for done, key in enumerate(keys):
            await pilot.press(key)
            assert app.is_running, f"stopped after {keys[: done + 1]}"
            if done % 20 == 19:
                await pilot.pause()
                assert unexpected_problems(app) == [], keys[: done + 1]
        await pilot.pause()
        assert unexpected_problems(app) == [], keys


async def test_a_list_hidden_by_narrowing_the_terminal_gives_up_the_keys(
    free_port_simulator: SimulatorServer, no_browser: list[str]
) -> None:
    app = fresh_demo(free_port_simulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#step-options").focus()
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.press("pagedown", "end", "enter")
        await settle(pilot)
        assert app.is_running
        assert app.screen.id == "step-overview"  # Enter chose no unseen step either
        assert unexpected_problems(app) == []
