"""Start one Textual app headlessly, note when its first screen is fully drawn, and exit.

Run by the benchmarks as a child process: `python benchmarks/start_probe.py MODE REPORT [...]`.

- `baseline`: a minimal Textual app with one Static.
- `product`: `qbo-wizard --demo`, through the real command line (`qbo_wizard.cli.main`).
- `mapping SIMULATOR_URL REALM_ID`: `qbo-wizard --profile large` on a profile connected to a
  company of the practice QuickBooks, with the integration chosen; step 7 is opened from the
  status home and loads as it does for a user (lists page by page, suggestions, pickers, the
  table). Reports when loading started, when the table was drawn and focused, and the peak
  memory.

The only change to the product's path is that `App.run` is called with `headless=True`, a fixed
size and an auto-pilot that waits for the first step screen (the wizard pushes it from a worker
after mounting). "Drawn" is the moment Textual hands the last frame of that screen to the
driver, after everything the screen schedules "after the first refresh" has run, as read by
`time.monotonic()` (one clock for every process on Linux). "Drawn and idle" (`drawn_at` in the
report) adds the work start-up postponed past that frame: the wizard's after-start work and a
full garbage collection, the one its paused collector owes (timed in both apps). The report is
one JSON object.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `benchmarks` as a package

SIZE = (120, 40)
LARGE_PROFILE = "large"
MARKS: dict[str, float] = {}  # moments on the way to the first screen, for the phase profile


def _mark(name: str) -> None:
    MARKS.setdefault(name, time.monotonic())


def _peak_rss_kib() -> int:
    """This process's peak resident memory, in KiB.

    On Linux this is `VmHWM` from /proc/self/status. `ru_maxrss` is not used there because
    exec() carries the peak of the process that started the child into the child's own
    figure: a probe started by a benchmark runner holding 70 MiB would report at least that.
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak // 1024 if sys.platform == "darwin" else peak)  # macOS reports bytes


def _install_frame_clock() -> dict[int, float]:
    """Note, per screen, when Textual last handed a frame of it to the driver."""
    from textual.app import App

    _mark("textual_imported")
    last_frame: dict[int, float] = {}
    original = App._display

    def display(self: App[Any], screen: Any, renderable: Any) -> None:
        if renderable is not None:
            last_frame[id(screen)] = time.monotonic()
        original(self, screen, renderable)

    App._display = display  # type: ignore[method-assign]
    return last_frame


async def _wait_until_drawn(pilot: Any, last_frame: dict[int, float], wizard: bool) -> float:
    """Wait for the first real screen, let it settle, return when its last frame was drawn."""
    import asyncio

    app = pilot.app
    _mark("app_ready")
    deadline = time.monotonic() + 60
    # The wizard pushes its first step screen from a worker; the default screen is not it.
    while wizard and len(app.screen_stack) < 2:
        if time.monotonic() > deadline:
            raise TimeoutError("the wizard's first screen never opened")
        await asyncio.sleep(0.001)
    screen = app.screen
    await pilot.pause()  # mounts and messages done, one more refresh
    await pilot.pause()  # what the screen scheduled after that refresh, drawn too
    return last_frame.get(id(screen), time.monotonic())


async def _postponed_work_seconds(wizard: bool) -> float:
    """What start-up left for after the first frame, in seconds of work (not of waiting).

    The wizard pauses the garbage collector until its first screen is shown and resumes it a
    moment later, with other start-up work (`WizardApp._after_start`): that work is waited for
    and its own duration counted. Then a full collection runs, timed, in both apps: the one
    the paused collector owes (for the one-Static app, the one it would run anyway)."""
    import asyncio
    import gc

    deadline = time.monotonic() + 30
    while wizard and not gc.isenabled():
        if time.monotonic() > deadline:
            raise TimeoutError("the wizard never resumed its garbage collector")
        await asyncio.sleep(0.005)
    started = time.monotonic()
    gc.collect()
    collected = time.monotonic() - started
    MARKS["collection_seconds"] = collected
    return AFTER_START_SECONDS[0] + collected


AFTER_START_SECONDS = [0.0]  # how long the wizard's own after-start work took


def _time_after_start() -> None:
    """Note how long `WizardApp._after_start` runs (the work, not the timer before it)."""
    from qbo_wizard.tui.app import WizardApp

    original = WizardApp._after_start

    def after_start(self: WizardApp) -> None:
        started = time.monotonic()
        original(self)
        AFTER_START_SECONDS[0] += time.monotonic() - started

    WizardApp._after_start = after_start  # type: ignore[method-assign]


def _report(path: str, drawn_at: float, app: Any, **extra: Any) -> None:
    data = {
        "drawn_at": drawn_at,
        "screen": type(app.screen).__name__,
        "peak_rss_kib": _peak_rss_kib(),
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "textual_modules": sum(1 for name in sys.modules if name.startswith("textual")),
        "marks": MARKS,
        **extra,
    }
    Path(path).write_text(json.dumps(data), encoding="utf-8")


def run_baseline(report: str) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    last_frame = _install_frame_clock()

    class BaselineApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Hello")

    async def pilot_run(pilot: Any) -> None:
        drawn_at = await _wait_until_drawn(pilot, last_frame, wizard=False)
        postponed = await _postponed_work_seconds(wizard=False)
        _report(report, drawn_at + postponed, pilot.app, first_frame_at=drawn_at)
        pilot.app.exit()

    BaselineApp().run(headless=True, size=SIZE, auto_pilot=pilot_run)


def _headless_wizard(pilot_run: Any) -> None:
    """Make the wizard's own `App.run` call headless, with `pilot_run` as its auto-pilot."""
    from textual.app import App

    original_run = App.run

    def run(self: App[Any], **options: Any) -> Any:
        _mark("app_run_called")
        options.update(headless=True, size=SIZE, auto_pilot=pilot_run)
        return original_run(self, **options)

    App.run = run  # type: ignore[method-assign]


def _mark_demo_environment() -> None:
    """Note when demo mode starts and finishes what it sets up before the first frame."""
    from collections.abc import Iterator
    from contextlib import contextmanager

    from qbo_wizard.tui import launch

    original = launch.demo_environment

    @contextmanager
    def demo_environment(**options: Any) -> Iterator[Any]:
        _mark("demo_environment_entered")
        with original(**options) as info:
            _mark("demo_environment_ready")
            yield info

    launch.demo_environment = demo_environment


def run_product(report: str) -> int:
    last_frame = _install_frame_clock()
    _mark_demo_environment()

    async def pilot_run(pilot: Any) -> None:
        drawn_at = await _wait_until_drawn(pilot, last_frame, wizard=True)
        postponed = await _postponed_work_seconds(wizard=True)
        MARKS["after_start_seconds"] = AFTER_START_SECONDS[0]
        _report(report, drawn_at + postponed, pilot.app, first_frame_at=drawn_at)
        pilot.app.exit()

    _time_after_start()
    _headless_wizard(pilot_run)
    from qbo_wizard.cli import main

    return main(["--demo"])


PHASE_SECONDS: dict[str, float] = {}  # the mapping step's loading, phase by phase
PEAK_BEFORE_LOADING: dict[str, int] = {}  # the peak memory when step 7 starts loading


def _time_loading_phases() -> None:
    """Note how long each part of step 7's loading takes (in its worker thread)."""
    from collections.abc import Callable

    import qbo_wizard.core.mapping.company_lists as company_lists
    import qbo_wizard.core.mapping.session as session
    import qbo_wizard.core.mapping.suggestions as suggestions
    from qbo_wizard.core.mapping.draft import MappingDraft

    def timed(owner: Any, name: str, phase: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            try:
                return original(*args, **kwargs)
            finally:
                PHASE_SECONDS[phase] = PHASE_SECONDS.get(phase, 0.0) + time.monotonic() - started

        setattr(owner, name, run)

    # The session calls `company_lists_for` by the name it imported; the lists phase includes
    # the suggestions' name index, filled page by page while the lists are read.
    timed(session, "company_lists_for", "lists read (paced), indexed for suggestions, cached")
    timed(company_lists, "save_cached_company_lists", "of which: cache file written")
    timed(suggestions, "suggest_all", "suggestions")
    timed(MappingDraft, "prepare_pickers", "pickers")


def run_mapping(report: str, simulator_url: str, realm_id: str) -> int:
    """Open step 7 from the status home of a connected profile with the integration chosen;
    report from the moment the screen starts loading to its table drawn, interactive, with
    suggestions and pickers ready."""
    import asyncio
    import contextlib

    from textual.css.query import NoMatches

    from benchmarks.connected import connect_profile
    from qbo_wizard.core.connection.vault import use_memory_keyring
    from qbo_wizard.core.mapping.integrations import choose_integration
    from qbo_wizard.core.profile import load_profile, save_profile
    from qbo_wizard.tui.outcomes import JumpTo
    from qbo_wizard.tui.screens.mapping import MappingScreen
    from qbo_wizard.tui.screens.status_home import StatusHomeScreen

    use_memory_keyring()
    connect_profile(simulator_url, LARGE_PROFILE, realm_id)
    profile = load_profile(LARGE_PROFILE)
    profile.current_step = "map"
    choose_integration(profile, "freight-brokerage")
    save_profile(profile)
    last_frame = _install_frame_clock()
    original_start = MappingScreen.start_loading

    def start_loading(self: MappingScreen, *args: Any, **kwargs: Any) -> None:
        _mark("loading_started")
        PEAK_BEFORE_LOADING.setdefault("kib", _peak_rss_kib())
        original_start(self, *args, **kwargs)

    MappingScreen.start_loading = start_loading  # type: ignore[method-assign]
    _time_loading_phases()

    async def pilot_run(pilot: Any) -> None:
        app = pilot.app
        opened: list[Any] = []
        deadline = time.monotonic() + 600
        while True:
            screen = app.screen
            if (
                isinstance(screen, MappingScreen)
                and screen.draft is not None
                and not screen.loader.reading
                and screen.table.has_focus
            ):
                break
            with contextlib.suppress(NoMatches):  # until the screen is composed
                if isinstance(screen, MappingScreen) and screen.panes.current == "pane-loading":
                    failed = str(screen.query_one("#load-status").render())
                    if failed.strip():
                        raise RuntimeError(f"the mapping step failed to load: {failed}")
            if time.monotonic() > deadline:
                raise TimeoutError("the mapping step never became ready")
            if isinstance(screen, StatusHomeScreen) and not opened:
                # A connected profile opens on its status home: choose step 7 there, after
                # the second or so a person takes to read it (untimed: the stopwatch starts
                # when step 7 starts loading), so the status home's own CompanyInfo read is
                # no longer in Intuit's per-second window.
                opened.append(screen)
                await pilot.pause()
                await asyncio.sleep(1.05)
                screen.dismiss(JumpTo("map"))
            await asyncio.sleep(0.002)
        await pilot.pause()  # the table's first frame, and what it scheduled after it
        await pilot.pause()
        draft = screen.draft
        _report(
            report,
            last_frame.get(id(screen), time.monotonic()),
            app,
            accounts=len(draft.lists.accounts),
            items=len(draft.lists.items),
            lines=len(draft.integration.lines),
            tax_codes_required=draft.lists.tax_codes_required,
            suggestions=len(screen.suggestions),
            api_calls=getattr(screen.client, "call_count", None),
            paced_seconds=round(getattr(getattr(screen.client, "pace", None), "waited", 0.0), 3),
            phase_seconds=PHASE_SECONDS,
            peak_before_loading_kib=PEAK_BEFORE_LOADING.get("kib"),
        )
        app.exit()

    _headless_wizard(pilot_run)
    from qbo_wizard.cli import main

    return main(["--profile", LARGE_PROFILE])


def main(argv: list[str]) -> int:
    mode, report = argv[0], argv[1]
    if mode == "baseline":
        run_baseline(report)
        return 0
    if mode == "product":
        return run_product(report)
    if mode == "mapping":
        return run_mapping(report, argv[2], argv[3])
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
