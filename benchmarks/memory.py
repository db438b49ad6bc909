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
    """Median peak RSS of `runs` probe runs each (product with the lists loaded, empty app)."""
    own = simulator is None
    sim = simulator or SimulatorProcess()
    details: dict[str, int] = {}
    before: list[float] = []  # the product's peak at its first screen, before the lists
    realm = [realm_id] if realm_id else []

    def product() -> float:
        report = run_probe("product-large", child_environment(), sim.url, *realm)
        details.update(accounts=report["accounts"], api_calls=report["api_calls"])
        before.append(float(report["peak_before_load_kib"]) / 1024)
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
        target=None,
        note=(
            "Peak RSS of the app's own process (VmHWM; ru_maxrss on Linux also counts the "
            f"peak of the process that started it), median of {runs} runs each. Product: "
            "`qbo-wizard --profile large` headless on a profile connected to the "
            "simulator's 10,000-account company (simulator in another process); after the first "
            "screen, the lists are loaded in a thread as the mapping step loads them, with the "
            "mapping draft, its suggestions and pickers, and a 200-row option list mounted. "
            "Baseline: the one-Static Textual app. The issue sets no target: reported, not judged."
        ),
        extra={
            "runs": runs,
            "api_calls_to_load": details["api_calls"],
            "product_before_loading_mib": round(median(before), 1),
        },
    )
