#!/usr/bin/env python3
"""Run every benchmark, print the table, write benchmarks/results.json and the README table.

    python benchmarks/run.py [--quick] [--only NAME ...]

Each figure is a ratio against a baseline measured in the same run, with product and baseline
runs interleaved, so a busy machine slows both alike. `--quick` uses fewer repetitions (about
two minutes on two cores); the committed results come from a full run. Benchmarks: tui_start,
cli_start, chart_of_accounts, mapping (mapping_ready and mapping_scaling), picker_keystroke,
api_budget, dollar_test, memory.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` importable as a package

from benchmarks.common import Result  # noqa: E402

VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
RESULTS = ROOT / "benchmarks" / "results.json"
README = ROOT / "README.md"
START_MARKER = "<!-- benchmarks:start -->"
END_MARKER = "<!-- benchmarks:end -->"
NAMES = (
    "tui_start",
    "cli_start",
    "chart_of_accounts",
    "mapping",
    "picker_keystroke",
    "api_budget",
    "dollar_test",
    "memory",
)


@dataclass(frozen=True)
class Repetitions:
    """How many times each benchmark repeats (interleaved product/baseline pairs)."""

    tui_start: int
    cli_start: int
    chart: int
    mapping: int
    picker: int
    picker_baseline_queries: int | None
    dollar: int
    memory: int
    warm_up: bool = True


FULL = Repetitions(
    tui_start=21,
    cli_start=25,
    chart=7,
    mapping=5,
    picker=3,
    picker_baseline_queries=None,
    dollar=3,
    memory=3,
)
QUICK = Repetitions(
    tui_start=6,
    cli_start=5,
    chart=1,
    mapping=1,
    picker=1,
    picker_baseline_queries=1,
    dollar=1,
    memory=1,
    warm_up=False,
)


def _use_project_environment() -> None:
    """Re-run under the project's .venv when started with another Python (`python3 dev.py
    setup` creates it), so `python benchmarks/run.py` works from a plain shell."""
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])  # noqa: S606


def _isolate() -> None:
    """A throwaway config folder and an in-memory keyring: nothing of the user's is touched."""
    home = tempfile.mkdtemp(prefix="qbo-bench-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["QBO_WIZARD_HOME"] = home
    from qbo_wizard.core.connection.vault import use_memory_keyring

    use_memory_keyring()


def collect(names: Sequence[str], repetitions: Repetitions) -> list[Result]:
    """Run the chosen benchmarks in a fixed order; their results."""
    from benchmarks.api_budget import api_budget
    from benchmarks.chart import chart_of_accounts
    from benchmarks.connected import SimulatorProcess
    from benchmarks.dollar import dollar_test
    from benchmarks.mapping import mapping_ready, mapping_scaling
    from benchmarks.memory import memory
    from benchmarks.picker import picker_keystroke
    from benchmarks.startup import cli_start, tui_start

    results: list[Result] = []
    warm = repetitions.warm_up

    def step(name: str) -> None:
        print(f"… {name}", file=sys.stderr, flush=True)

    if "tui_start" in names:
        step("tui_start")
        results.append(tui_start(repetitions.tui_start, warm_up=warm))
    if "cli_start" in names:
        step("cli_start")
        results.extend(cli_start(repetitions.cli_start, warm_up=warm))
    if {"chart_of_accounts", "mapping", "memory", "dollar_test"} & set(names):
        # Intuit's limits on, as for a real company: every client must keep them.
        with SimulatorProcess(throttle=True) as simulator:
            if "chart_of_accounts" in names:
                step("chart_of_accounts")
                results.append(
                    chart_of_accounts(repetitions.chart, simulator=simulator, warm_up=True)
                )
            if "mapping" in names:
                step("mapping_ready")
                ready, samples, report = mapping_ready(repetitions.mapping, simulator)
                results.append(ready)
                step("mapping_scaling")
                results.append(
                    mapping_scaling(
                        repetitions.mapping, simulator, samples, warm_up=warm, small_report=report
                    )
                )
            if "memory" in names:
                step("memory")
                results.append(memory(repetitions.memory, simulator=simulator, warm_up=warm))
            if "dollar_test" in names:
                step("dollar_test")
                results.append(dollar_test(repetitions.dollar, simulator, warm_up=warm))
    if "picker_keystroke" in names:
        step("picker_keystroke")
        results.append(
            picker_keystroke(
                repetitions.picker, baseline_queries=repetitions.picker_baseline_queries
            )
        )
    if "api_budget" in names:
        step("api_budget")
        results.append(api_budget())
    results.sort(key=lambda r: _position(r.name))
    return results


# --- presenting ------------------------------------------------------------------------------


def _amount(value: float, unit: str) -> str:
    if unit == "calls":
        return f"{value:.0f} calls"
    if unit == "ms" and value < 100:
        return f"{value:.1f} ms"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:.0f} {unit}"


def _target(result: Result) -> str:
    if result.target is None:
        return "none set"
    if result.target_of == "absolute":
        return f"< {_amount(result.target, result.unit)}"
    return f"≤ {result.target:g}×"


def _met(result: Result) -> str:
    return {True: "yes", False: "**no**", None: "—"}[result.met]


def render_table(results: Sequence[Result]) -> str:
    """A Markdown table: one row per benchmark."""
    rows = [
        "| benchmark | product | baseline | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r.title} | {_amount(r.value, r.unit)} | {_amount(r.baseline, r.unit)} "
            f"| {r.ratio:.2f}× | {_target(r)} | {_met(r)} |"
        )
    return "\n".join(rows)


def results_json(results: Sequence[Result]) -> dict[str, dict[str, object]]:
    return {r.name: r.to_json() for r in results}


def write_results(results: Sequence[Result], path: Path = RESULTS) -> None:
    """Merge these results into the JSON file (benchmarks not run keep their last figures)."""
    try:
        existing = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        existing = {}
    existing.update(results_json(results))
    known = {name: entry for name, entry in existing.items() if _position(name) < len(NAMES)}
    ordered = dict(sorted(known.items(), key=lambda item: _position(item[0])))
    path.write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _load_average() -> str:
    """The 1-minute load average, as `uptime` shows it (other work slows both sides alike)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def _position(name: str) -> int:
    for index, prefix in enumerate(NAMES):
        if name.startswith(prefix):
            return index
    return len(NAMES)


def update_readme(table: str, caption: str, path: Path = README) -> None:
    """Replace what is between the README's benchmark markers with the caption and table."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        raise SystemExit(f"{path} has no {START_MARKER} … {END_MARKER} section to rewrite")
    body = f"{START_MARKER}\n{caption}\n\n{table}\n{END_MARKER}"
    path.write_text(text[:start] + body + text[end + len(END_MARKER) :], encoding="utf-8")


def table_from_results_file(path: Path = RESULTS) -> str:
    """The README table for every benchmark in the results file (so partial runs keep the rest)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    results = [Result.from_json(name, entry) for name, entry in data.items()]
    return render_table(results)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions (within two minutes)"
    )
    parser.add_argument("--only", nargs="+", choices=NAMES, help="run only these benchmarks")
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave results.json and README alone"
    )
    options = parser.parse_args(argv)
    _isolate()
    started = time.perf_counter()
    load_before = _load_average()
    results = collect(options.only or NAMES, QUICK if options.quick else FULL)
    elapsed = time.perf_counter() - started
    load = f"load average {load_before} before, {_load_average()} after"
    for result in results:
        result.extra["machine_load"] = load
    print(render_table(results))
    for r in results:
        print(f"\n{r.title}: {r.note}")
    print(f"\n{len(results)} figures in {elapsed:.0f} s", file=sys.stderr)
    if not options.no_write:
        write_results(results)
        caption = (
            f"Last {'quick' if options.quick else 'full'} run: "
            f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPU cores, Python "
            f"{sys.version.split()[0]}, {load} (the machine is shared); figures and notes in "
            "`benchmarks/results.json`."
        )
        update_readme(table_from_results_file(), caption)
    return 0


if __name__ == "__main__":
    _use_project_environment()
    sys.exit(main())
