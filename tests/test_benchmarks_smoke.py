"""The benchmark harness still runs: every benchmark in a tiny mode, and the report it writes.

No timing is asserted (that is what `python benchmarks/run.py` is for); these tests check that
each benchmark measures what it says (the wizard's own first screen, the same pages both ways,
calls counted at the simulator) so the script cannot rot unnoticed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from benchmarks import run as runner
from benchmarks.api_budget import api_budget
from benchmarks.chart import chart_of_accounts
from benchmarks.common import Result, child_environment, run_probe
from benchmarks.connected import SimulatorProcess
from benchmarks.dollar import dollar_test
from benchmarks.mapping import mapping_ready
from benchmarks.memory import memory
from benchmarks.picker import picker_keystroke
from benchmarks.startup import cli_start, loads_textual, tui_start
from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer

REPORT_KEYS = {"value", "baseline", "ratio", "target", "unit", "met", "note"}


def _reported(result: Result) -> dict[str, object]:
    data = result.to_json()
    assert data.keys() >= REPORT_KEYS
    assert result.value > 0 and result.baseline > 0
    json.dumps(data)  # the results file can hold it
    return data


def test_the_start_probe_waits_for_the_wizards_own_first_screen() -> None:
    report = run_probe("product", child_environment())
    assert report["screen"] not in ("Screen", "_DefaultScreen")  # a step screen, not the default
    assert report["drawn_at"] >= report["first_frame_at"] > report["started_at"]
    assert report["marks"]["collection_seconds"] > 0  # the postponed collection is inside
    result = tui_start(1, warm_up=False)
    assert _reported(result)["unit"] == "ms"
    phases = result.extra["phases_ms"]
    assert len(phases["product"]) == 6 and len(phases["baseline"]) == 4
    assert all(ms >= 0 for side in phases.values() for ms in side.values())


def test_cli_start_checks_that_textual_stays_unloaded() -> None:
    results = cli_start(1, warm_up=False)
    assert {r.name for r in results} == {"cli_start_explain", "cli_start_version"}
    for result in results:
        _reported(result)
        assert result.extra["textual_imported"] is False
        assert result.extra["slowest_imports_ms"]
    assert loads_textual([(0, "qbo_wizard.cli", 1.0), (1, "textual.app", 9.0)])
    assert not loads_textual([(0, "textual_serve_like", 1.0)])


def test_chart_load_reads_the_same_pages_both_ways_and_counts_them_at_the_simulator() -> None:
    result = chart_of_accounts(1, realm_id=US_REALM, warm_up=False)
    data = _reported(result)
    assert data["account_calls"] == 1  # the US chart fits in one short page
    assert data["api_calls"] == 2  # accounts, items (no tax codes in the US; country known)


def test_picker_times_every_keystroke_with_the_list_rebuilt() -> None:
    result = picker_keystroke(1, queries=("lane 042",), count=300, baseline_queries=1)
    data = _reported(result)
    assert data["keystrokes"] == 8 and data["entries"] == 300
    assert data["target_of"] == "absolute"


def test_the_mapping_step_is_timed_in_the_wizard_against_the_same_pages() -> None:
    with SimulatorProcess(throttle=True) as simulator:
        result, samples, _ = mapping_ready(1, simulator, warm_up=False, realm_id=US_REALM)
    data = _reported(result)
    assert len(samples) == 1 and data["throttled"] == 0
    assert data["query_calls"] == 2  # accounts, items


def test_the_dollar_test_runs_with_and_without_the_limits_and_counts_refusals() -> None:
    with SimulatorProcess(throttle=True) as simulator:
        result = dollar_test(1, simulator, warm_up=False)
    data = _reported(result)
    assert data["throttled"] == 0 and data["calls_per_test"] > 0


def test_api_budget_walks_steps_5_to_8_and_counts_each_step() -> None:
    result = api_budget()
    data = _reported(result)
    assert set(result.extra["calls_by_step"]) == {"credentials", "connect", "map", "test"}
    assert result.value >= result.baseline  # nothing can do the task in fewer than the minimum
    assert data["target"] == 1.14 and data["met"] is (result.ratio <= 1.14)


def test_memory_is_read_inside_the_wizard_holding_the_company_lists() -> None:
    with SimulatorProcess() as simulator:
        report = run_probe("mapping", child_environment(), simulator.url, US_REALM)
        assert report["screen"] == "MappingScreen" and report["suggestions"] > 0
        result = memory(1, simulator=simulator, realm_id=US_REALM, warm_up=False)
    assert _reported(result)["unit"] == "MiB"


def test_the_simulator_counts_requests_by_route_until_reset() -> None:
    with SimulatorServer(port=0, throttle=False) as sim:
        sim.control("request_counts", reset=True)
        sim.control("reset")
        assert sim.control("request_counts")["counts"] == {}
        requests.get(f"{sim.url}/_simulator/info", timeout=10)
        requests.get(sim.discovery_url, timeout=10)
        counts = sim.control("request_counts", reset=True)["counts"]
        assert counts == {"info": 1, "discovery": 1}
        assert sim.control("request_counts")["counts"] == {}


def test_the_report_rewrites_only_the_readme_section_and_merges_results(
    tmp_path: Path,
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# Title\n\nbefore\n{runner.START_MARKER}\nold table\n{runner.END_MARKER}\nafter\n",
        encoding="utf-8",
    )
    results_file = tmp_path / "results.json"
    results_file.write_text(
        json.dumps({"memory": {"kept": True}, "picker": {"gone": True}}), encoding="utf-8"
    )
    met = Result(
        "picker_keystroke", "Picker", 5.0, 100.0, "ms", 16.0, "a note", target_of="absolute"
    )
    missed = Result("tui_start", "TUI start", 400.0, 100.0, "ms", 1.3, "another note")
    runner.write_results([met, missed], results_file)
    written = json.loads(results_file.read_text(encoding="utf-8"))
    # Benchmark order; an entry not run this time kept, one no longer measured dropped.
    assert list(written) == ["tui_start", "picker_keystroke", "memory"]
    assert written["picker_keystroke"]["met"] is True and written["tui_start"]["met"] is False
    assert written["tui_start"]["ratio"] == 4.0
    runner.update_readme(runner.render_table([missed, met]), "Last run: test.", readme)
    text = readme.read_text(encoding="utf-8")
    assert "old table" not in text
    assert text.startswith("# Title\n\nbefore\n") and text.endswith("\nafter\n")
    assert "| TUI start | 400 ms | 100 ms | 4.00× | ≤ 1.3× | **no** |" in text
    assert "| Picker | 5.0 ms | 100 ms | 0.05× | < 16.0 ms | yes |" in text
    rebuilt = Result.from_json("picker_keystroke", written["picker_keystroke"])
    assert rebuilt.met is True and rebuilt.title == "Picker"


def test_a_readme_without_the_markers_is_refused(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        runner.update_readme("table", "caption", readme)
    assert readme.read_text(encoding="utf-8") == "# Title\n"
