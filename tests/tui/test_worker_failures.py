"""A job that stops on an error nobody expected never leaves a screen waiting forever."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from textual import work
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.worker import WorkerFailed

from qbo_wizard.core.health import status
from qbo_wizard.core.profile import Profile
from qbo_wizard.tui.app import WizardApp
from qbo_wizard.tui.outcomes import GoNext, StepOutcome
from qbo_wizard.tui.screens.base import StepScreen
from qbo_wizard.tui.screens.status_home import StatusHomeScreen, StatusRow
from qbo_wizard.tui.session import ProfileWriter, WizardSession
from qbo_wizard.tui.widgets.status_line import StatusLine

CANARY = "canary-refresh-token-AB12CD34"


class StepWithAJob(StepScreen):
    """A step whose save job breaks in a way it does not catch."""

    def compose_step(self) -> ComposeResult:
        yield StatusLine(id="job-status")

    def start_job(self) -> None:
        self.busy = True
        self.query_one("#job-status", StatusLine).working("Saving…")
        self.broken_job()

    @work(thread=True, exit_on_error=False)
    def broken_job(self) -> None:
        raise ValueError(f"refused: {CANARY}")


class Host(App[None]):
    CSS_PATH = WizardApp.CSS_PATH

    def __init__(self, screen: Any) -> None:
        super().__init__()
        self.session = WizardSession(profile=Profile(name="acme"), writer=ProfileWriter(self))
        self.first = screen(self.session)
        self.outcomes: list[StepOutcome | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.first, self.outcomes.append)


async def finish_jobs(pilot: Pilot[Any]) -> None:
    """Wait for every job, including the ones that failed."""
    await pilot.pause()
    for worker in list(pilot.app.workers):
        with contextlib.suppress(WorkerFailed):
            await worker.wait()
    await pilot.pause()


async def test_a_step_whose_job_breaks_says_so_and_can_be_left() -> None:
    app = Host(lambda session: StepWithAJob("overview", session))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.first
        assert isinstance(screen, StepWithAJob)
        screen.start_job()
        await finish_jobs(pilot)
        shown = str(screen.query_one("#job-status", StatusLine).render())
        assert shown.startswith("✗ Something unexpected stopped this (ValueError)")
        assert CANARY not in app.export_screenshot()
        assert not screen.busy
        await pilot.press("n")  # not "still saving": the step can be left
        await pilot.pause()
    assert app.outcomes == [GoNext()]


async def test_a_status_check_that_breaks_leaves_no_row_checking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_report(*_: object) -> None:
        raise RuntimeError(CANARY)

    monkeypatch.setattr(status, "status_report", broken_report)  # the status home runs it
    app = Host(StatusHomeScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await finish_jobs(pilot)
        rows = [row.render_text() for row in app.screen.query(StatusRow).results(StatusRow)]
        assert rows and all("Could not be checked (RuntimeError)." in row for row in rows)
        assert not any("Checking…" in row for row in rows)
        assert CANARY not in app.export_screenshot()
