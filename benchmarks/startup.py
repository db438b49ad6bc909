"""Start-up: the wizard's first drawn screen, and UI-free commands, each against a bare baseline."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from functools import partial
from typing import Any

from benchmarks.common import (
    PYTHON,
    QBO_WIZARD,
    Result,
    child_environment,
    interleaved,
    median,
    run_probe,
    timed_command,
)

EXPLAIN_TEXT = "errorCode=003200"  # a short error text the explainer recognises (a 401)


# Phases of a start, between the probe's marks: (label, from mark, to mark).
PHASES = {
    "product": (
        ("interpreter start and Textual import", "started_at", "textual_imported"),
        (
            "wizard imports (cli, launch, tui.app and its screens)",
            "textual_imported",
            "demo_environment_entered",
        ),
        (
            "demo environment before the first frame (throwaway home, keyring choice)",
            "demo_environment_entered",
            "demo_environment_ready",
        ),
        ("app start to mounted", "demo_environment_ready", "app_ready"),
        (
            "first step screen: pushed, composed, styled, laid out, drawn",
            "app_ready",
            "first_frame_at",
        ),
        (
            "postponed past the first frame: after-start work, a full garbage collection",
            "first_frame_at",
            "drawn_at",
        ),
    ),
    "baseline": (
        ("interpreter start and Textual import", "started_at", "textual_imported"),
        ("app start to mounted", "textual_imported", "app_ready"),
        ("first screen drawn", "app_ready", "first_frame_at"),
        ("a full garbage collection", "first_frame_at", "drawn_at"),
    ),
}


def phases(mode: str, report: dict[str, Any]) -> dict[str, float]:
    """Milliseconds spent in each phase of one start (see PHASES)."""
    moments = {
        **report["marks"],
        "started_at": report["started_at"],
        "first_frame_at": report["first_frame_at"],
        "drawn_at": report["drawn_at"],
    }
    return {label: (moments[end] - moments[start]) * 1000 for label, start, end in PHASES[mode]}


def seconds_to_first_screen(mode: str, phase_log: list[dict[str, float]] | None = None) -> float:
    """Process start to the first fully drawn screen of one probe run (see start_probe.py)."""
    report = run_probe(mode, child_environment())
    if phase_log is not None:
        phase_log.append(phases(mode, report))
    return float(report["drawn_at"] - report["started_at"])


def median_phases(log: list[dict[str, float]]) -> dict[str, float]:
    return {label: round(median([run[label] for run in log]), 1) for label in log[0]}


def tui_start(runs: int, *, warm_up: bool = True) -> Result:
    """`qbo-wizard --demo` against a one-Static Textual app, both headless, median of `runs`."""
    if warm_up:  # untimed, and kept out of the phase profile
        seconds_to_first_screen("product")
        seconds_to_first_screen("baseline")
    product_phases: list[dict[str, float]] = []
    baseline_phases: list[dict[str, float]] = []
    products, baselines = interleaved(
        runs,
        partial(seconds_to_first_screen, "product", product_phases),
        partial(seconds_to_first_screen, "baseline", baseline_phases),
        warm_up=False,
    )
    return Result(
        name="tui_start",
        title="TUI start (first screen drawn and idle)",
        value=median(products) * 1000,
        baseline=median(baselines) * 1000,
        unit="ms",
        target=1.3,
        note=(
            f"Median of {runs} headless runs each, interleaved: process start to the first step "
            "screen of `qbo-wizard --demo` drawn and idle (its last frame, after what it mounts "
            "after its first paint, plus the work start-up postponed past it: the after-start "
            "work and a full garbage collection, the one the paused collector owes), against a "
            "minimal Textual app with one Static measured the same way (its frame, then a full "
            "collection). Waiting between frame and postponed work is not counted; the "
            "practice QuickBooks starting in a thread is not counted."
        ),
        extra={
            "runs": runs,
            "phases_ms": {
                "product": median_phases(product_phases),
                "baseline": median_phases(baseline_phases),
            },
        },
    )


def import_profile(arguments: Sequence[str]) -> list[tuple[int, str, float]]:
    """What `qbo-wizard ARGUMENTS` imports, as PYTHONPROFILEIMPORTTIME reports it: (nesting
    depth, module, cumulative milliseconds) per import; the figures run somewhat high."""
    done = subprocess.run(
        [QBO_WIZARD, *arguments],
        env=child_environment(PYTHONPROFILEIMPORTTIME="1"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    imports: list[tuple[int, str, float]] = []
    for line in done.stderr.splitlines():
        fields = line.split("|")
        if not line.startswith("import time:") or len(fields) != 3:
            continue
        cumulative, name = fields[1].strip(), fields[2].rstrip()
        if cumulative.isdigit():
            depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
            imports.append((depth, name.strip(), int(cumulative) / 1000))
    return imports


def loads_textual(imports: list[tuple[int, str, float]]) -> bool:
    return any(name == "textual" or name.startswith("textual.") for _, name, _ in imports)


def slowest_imports(imports: list[tuple[int, str, float]], count: int = 5) -> dict[str, float]:
    """The slowest imports made directly by the program (not by another import)."""
    top = sorted((ms, name) for depth, name, ms in imports if depth == 0)[::-1][:count]
    return {name: round(ms, 1) for ms, name in top}


def cli_start(runs: int, *, warm_up: bool = True) -> list[Result]:
    """`qbo-wizard explain --json TEXT` and `qbo-wizard --version` against `import yaml`."""
    commands = {
        "cli_start_explain": (
            f"CLI start: explain --json {EXPLAIN_TEXT!r}",
            ["explain", "--json", EXPLAIN_TEXT],
        ),
        "cli_start_version": ("CLI start: --version", ["--version"]),
    }
    baseline_command = [PYTHON, "-c", "import yaml"]
    environment = child_environment()
    results = []
    for name, (title, arguments) in commands.items():
        products, baselines = interleaved(
            runs,
            partial(timed_command, [QBO_WIZARD, *arguments], environment),
            partial(timed_command, baseline_command, environment),
            warm_up=warm_up,
        )
        imports = import_profile(arguments)
        textual_loaded = loads_textual(imports)
        result = Result(
            name=name,
            title=title,
            value=median(products) * 1000,
            baseline=median(baselines) * 1000,
            unit="ms",
            target=2.0,
            note=(
                f"Median of {runs} runs each, interleaved, process start to exit, against "
                "`python -c 'import yaml'`. "
                + (
                    "Textual was imported: a UI-free command must not load it."
                    if textual_loaded
                    else "Textual is not imported (checked with PYTHONPROFILEIMPORTTIME)."
                )
            ),
            extra={
                "runs": runs,
                "textual_imported": textual_loaded,
                "slowest_imports_ms": slowest_imports(imports),
            },
        )
        if textual_loaded:
            result.met_override = False
        results.append(result)
    return results
