"""Start one Textual app headlessly, note when its first screen is fully drawn, and exit.

Run by the benchmarks as a child process: `python benchmarks/start_probe.py MODE REPORT [...]`.

- `baseline`: a minimal Textual app with one Static.
- `product`: `qbo-wizard --demo`, through the real command line (`qbo_wizard.cli.main`).
- `product-large SIMULATOR_URL [REALM_ID]`: `qbo-wizard --profile large` on a profile connected
  to the simulator's 10,000-account company (or REALM_ID); once the first screen is drawn, the
  company lists are loaded inside the running app the way the mapping step does (thread worker,
  mapping draft, pickers, the 200 matches a picker shows), then the peak memory is reported.

The only change to the product's path is that `App.run` is called with `headless=True`, a fixed
size and an auto-pilot that waits for the first step screen (the wizard pushes it from a worker
after mounting). "Drawn" is the moment Textual hands the last frame of that screen to the
driver, after everything the screen schedules "after the first refresh" has run, as read by
`time.monotonic()` (one clock for every process on Linux). The report is one JSON object.
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
        _report(report, drawn_at, pilot.app)
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
        _report(report, drawn_at, pilot.app)
        pilot.app.exit()

    _headless_wizard(pilot_run)
    from qbo_wizard.cli import main

    return main(["--demo"])


def load_for_mapping() -> dict[str, Any]:
    """What the mapping step holds for a company: lists, draft, suggestions and pickers."""
    from qbo_wizard.core.api import QboApi
    from qbo_wizard.core.company_lists import company_lists_for
    from qbo_wizard.core.integrations import load_integration
    from qbo_wizard.core.mapping import MappingDraft
    from qbo_wizard.core.suggestions import suggest_all

    api = QboApi.for_profile(LARGE_PROFILE)
    lists = company_lists_for(api, LARGE_PROFILE, refresh=True)
    integration = load_integration("freight-brokerage")
    draft = MappingDraft(integration, lists)
    suggestions = suggest_all(integration, lists)
    pickers = [draft.picker_for(line.id) for line in integration.lines]
    pickers.append(draft.picker_for(integration.lines[-1].id, include_unusual=True))
    pickers.append(draft.income_account_picker())
    bill_line = next(line.id for line in integration.lines if line.kind == "bill")
    shown = draft.picker_for(bill_line).filter("")
    return {
        "lists": lists,
        "draft": draft,
        "suggestions": suggestions,
        "shown": shown,
        "accounts": len(lists.accounts),
        "api_calls": api.call_count,
    }


def run_product_large(report: str, simulator_url: str, realm_id: str | None = None) -> int:
    from benchmarks.connected import connect_profile
    from qbo_wizard.core.profile import load_profile, save_profile
    from qbo_wizard.core.vault import use_memory_keyring
    from qbo_wizard.simulator.companies import LARGE_REALM

    use_memory_keyring()
    connect_profile(simulator_url, LARGE_PROFILE, realm_id or LARGE_REALM)
    profile = load_profile(LARGE_PROFILE)
    profile.current_step = "map"
    save_profile(profile)
    last_frame = _install_frame_clock()

    async def pilot_run(pilot: Any) -> None:
        import asyncio

        from textual.widgets import OptionList

        app = pilot.app
        drawn_at = await _wait_until_drawn(pilot, last_frame, wizard=True)
        before_load = _peak_rss_kib()
        loaded = await asyncio.to_thread(load_for_mapping)  # off the UI thread, as a worker
        app.mapping_benchmark_state = loaded  # kept alive while the peak is read
        options = [match.entry.label for match in loaded["shown"].matches]
        await app.screen.mount(OptionList(*options, id="benchmark-picker"))
        await pilot.pause()
        _report(
            report,
            drawn_at,
            app,
            accounts=loaded["accounts"],
            api_calls=loaded["api_calls"],
            shown=len(options),
            peak_before_load_kib=before_load,
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
    if mode == "product-large":
        return run_product_large(report, argv[2], *argv[3:4])
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
