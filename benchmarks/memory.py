"""Memory: peak RSS of the wizard holding the 10,000-account company, against an empty app."""

from __future__ import annotations

from benchmarks.common import Result, child_environment, interleaved, median, run_probe
from benchmarks.connected import SimulatorProcess


def memory(
    runs: int,
    simulator: SimulatorProcess | None = None,
    realm_id: str | None = None,
    *,
    warm_up: bool = True,
) -> Result:
    """Median peak RSS of `runs` probe runs each (step 7 open and loaded, empty app)."""
    from qbo_wizard.simulator.companies import LARGE_REALM

    own = simulator is None
    sim = simulator or SimulatorProcess()
    details: dict[str, int] = {}
    before: list[float] = []  # the product's peak when step 7 starts loading

    def product() -> float:
        report = run_probe("mapping", child_environment(), sim.url, realm_id or LARGE_REALM)
        details.update(accounts=report["accounts"], items=report["items"])
        before.append(float(report["peak_before_loading_kib"]) / 1024)
        return float(report["peak_rss_kib"]) / 1024

    def baseline() -> float:
        return float(run_probe("baseline", child_environment())["peak_rss_kib"]) / 1024

    try:
        products, baselines = interleaved(runs, product, baseline, warm_up=warm_up)
    finally:
        if own:
            sim.stop()
    return Result(
        name="memory",
        title=f"Peak memory with {details['accounts']:,} accounts loaded",
        value=median(products),
        baseline=median(baselines),
        unit="MiB",
        target=2.0,
        note=(
            "Peak RSS of the app's own process (VmHWM; ru_maxrss on Linux also counts the "
            f"peak of the process that started it), median of {runs} runs each. Product: "
            "`qbo-wizard --profile …` headless on a profile connected to the practice "
            f"QuickBooks' {details['accounts']:,}-account company (simulator in another "
            "process), opening step 7 for real: the lists read page by page, suggestions, "
            "every picker, the table drawn. Baseline: the one-Static Textual app."
        ),
        extra={
            "runs": runs,
            "accounts": details["accounts"],
            "items": details["items"],
            "product_before_loading_mib": round(median(before), 1),
        },
    )
