"""Start-up: the wizard's first drawn screen, and UI-free commands, each against a bare baseline."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from functools import partial

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


def seconds_to_first_screen(mode: str) -> float:
    """Process start to the first fully drawn screen of one probe run (see start_probe.py)."""
    report = run_probe(mode, child_environment())
    return float(report["drawn_at"] - report["started_at"])


def tui_start(runs: int, *, warm_up: bool = True) -> Result:
    """`qbo-wizard --demo` against a one-Static Textual app, both headless, median of `runs`."""
    products, baselines = interleaved(
        runs,
        lambda: seconds_to_first_screen("product"),
        lambda: seconds_to_first_screen("baseline"),
    )
    return Result(
        name="tui_start",
        title="TUI start (first drawn screen)",
        value=median(products) * 1000,
        baseline=median(baselines) * 1000,
        unit="ms",
        target=1.3,
        note=(
            f"Median of {runs} headless runs each, interleaved: process start to the last frame "
            "of the first step screen of `qbo-wizard --demo` (after what it mounts after its "
            "first paint), against a minimal Textual app with one Static."
        ),
        extra={"runs": runs},
    )


def textual_imported(arguments: Sequence[str]) -> bool:
    """Whether running `qbo-wizard ARGUMENTS` imports any part of Textual."""
    done = subprocess.run(
        [QBO_WIZARD, *arguments],
        env=child_environment(PYTHONPROFILEIMPORTTIME="1"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    return any(name == "textual" or name.startswith("textual.") for name in imported)


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
        loads_textual = textual_imported(arguments)
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
                    if loads_textual
                    else "Textual is not imported (checked with PYTHONPROFILEIMPORTTIME)."
                )
            ),
            extra={"runs": runs, "textual_imported": loads_textual},
        )
        if loads_textual:
            result.met_override = False
        results.append(result)
    return results
