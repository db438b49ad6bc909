"""The mapping step (step 7), opened for real: from starting to load to a table the user can use.

Each product run is `qbo-wizard --profile …` headless in its own process, on a profile
connected to a scaled company of the practice QuickBooks (`benchmarks/scaled.py`, throttling
on as at Intuit) with the integration chosen, so step 7 opens and loads by itself: the company
lists page by page, the suggestions, the pickers, then the table drawn and focused. The
baseline is a bare `requests` loop over the same pages, keeping the same per-second limit.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks.chart import PAGE_SIZE, bare_load
from benchmarks.common import Result, child_environment, interleaved, median, run_probe
from benchmarks.connected import SimulatorProcess, mint, quiet_second
from benchmarks.scaled import BIG_REALM, SIZES, SMALL_REALM


def lists_read(tax_codes: bool) -> tuple[tuple[str, str | None, str | None], ...]:
    """The pages the product reads for the mapping step, as the baseline reads them: accounts,
    items, and tax codes only outside the US (the company's name and country are known from
    step 6, as the benchmark's profile keeps them)."""
    from benchmarks.chart import LISTS

    return tuple(
        entry
        for entry in LISTS
        if entry[0] != "CompanyInfo" and (entry[0] != "TaxCode" or tax_codes)
    )


def progress_counts(accounts: int, items: int) -> int:
    """The COUNT queries the product adds for "3,000 of 10,000": one per list over a page."""
    return int(accounts >= PAGE_SIZE) + int(items >= PAGE_SIZE)


def open_mapping_step(sim: SimulatorProcess, realm_id: str) -> dict[str, Any]:
    """One product run; its report with `seconds` (loading started to table ready) added."""
    quiet_second()
    sim.counts(reset=True)
    report = run_probe("mapping", child_environment(), sim.url, realm_id)
    counts = sim.counts()
    report["seconds"] = seconds = report["drawn_at"] - report["marks"]["loading_started"]
    phases = report.setdefault("phase_seconds", {})
    accounted = sum(v for k, v in phases.items() if not k.startswith("of which"))
    phases["the rest: starting the worker, the table drawn, messages"] = seconds - accounted
    report["query_calls"] = counts.get("query", 0)
    report["throttled"] = counts.get("throttled", 0)
    return report


def bare_pages(sim: SimulatorProcess, realm_id: str, report: dict[str, Any]) -> dict[str, Any]:
    """The baseline: the same pages with nothing but `requests`; seconds and calls."""
    token = str(mint(sim.url, realm_id)["access_token"])
    quiet_second()
    sim.counts(reset=True)
    started = time.perf_counter()
    lists = lists_read(bool(report["tax_codes_required"]))
    rows = bare_load(str(sim.info["api_base_url"]), realm_id, token, lists)
    seconds = time.perf_counter() - started
    counts = sim.counts()
    return {
        "seconds": seconds,
        "query_calls": counts.get("query", 0),
        "throttled": counts.get("throttled", 0),
        "accounts": len(rows.get("Account", [])),
    }


def median_phases(reports: list[dict[str, Any]]) -> dict[str, float]:
    """Median milliseconds of each loading phase over the product's runs."""
    names = reports[-1]["phase_seconds"]
    return {
        name: round(median([r["phase_seconds"].get(name, 0.0) for r in reports]) * 1000)
        for name in names
    }


def _checked(report: dict[str, Any], bare: dict[str, Any] | None = None) -> None:
    if report["throttled"] or (bare is not None and bare["throttled"]):
        raise RuntimeError("QuickBooks refused a request (429) during the mapping benchmark")
    if bare is not None:
        counts = progress_counts(report["accounts"], report["items"])
        if bare["query_calls"] + counts != report["query_calls"]:
            raise RuntimeError(f"not the same pages: {report['query_calls']} vs {bare}")


def mapping_ready(
    runs: int, sim: SimulatorProcess, *, warm_up: bool = True, realm_id: str = SMALL_REALM
) -> tuple[Result, list[float], dict[str, Any]]:
    """Step 7 on the 10,000-account, 5,000-item company against the bare page loop; also the
    product's own samples and last report, for the scaling figure."""
    reports: list[dict[str, Any]] = []
    bares: list[dict[str, Any]] = []
    last: dict[str, Any] = {}

    def product() -> float:
        report = open_mapping_step(sim, realm_id)
        _checked(report)
        reports.append(report)
        last.update(report)
        return float(report["seconds"])

    def baseline() -> float:
        if not last:  # the pages to read are the ones the product read
            last.update(open_mapping_step(sim, realm_id))
        bare = bare_pages(sim, realm_id, last)
        _checked(last, bare)
        bares.append(bare)
        return float(bare["seconds"])

    if warm_up:  # the simulator builds the company's books on first use
        product()
        reports.clear()
    products, baselines = interleaved(runs, product, baseline, warm_up=False)
    report = reports[-1]
    accounts, items = report["accounts"], report["items"]
    result = Result(
        name="mapping_ready",
        title=f"Mapping step ready ({accounts:,} accounts, {items:,} items)",
        value=median(products) * 1000,
        baseline=median(baselines) * 1000,
        unit="ms",
        target=1.5,
        note=(
            f"Median of {runs} runs each, interleaved, throttling on (Intuit's 10 requests a "
            "second per company). Product: `qbo-wizard` headless in its own process opening "
            "step 7 on a connected profile with the integration chosen, from the moment the "
            "screen starts loading to the last frame of its table, focused, with suggestions "
            f"and every picker built ({report['query_calls']} queries: the pages, and a count "
            "of each list over a page for its progress line; "
            f"{report['suggestions']} suggestions for {report['lines']} lines). Baseline: "
            "the same pages with a bare requests.Session that keeps the same per-second limit "
            "the plainest safe way (fewer than ten answers in the last second before a request). "
            "No request was refused (429) on either side."
        ),
        extra={
            "runs": runs,
            "accounts": report["accounts"],
            "items": report["items"],
            "query_calls": report["query_calls"],
            "product_paced_seconds": report.get("paced_seconds"),
            "phases_ms": median_phases(reports),
            "throttled": 0,
        },
    )
    return result, products, report


def mapping_scaling(
    runs: int,
    sim: SimulatorProcess,
    small_samples: list[float],
    *,
    warm_up: bool = True,
    small_report: dict[str, Any] | None = None,
) -> Result:
    """Step 7 on 40,000 accounts and 20,000 items against 10,000 and 5,000, same run; the
    bare page loop's own growth between the two companies is reported beside it."""
    big: list[float] = []
    small = list(small_samples)
    reports: list[dict[str, Any]] = []
    bare_big: list[float] = []
    bare_small: list[float] = []
    if warm_up:
        open_mapping_step(sim, BIG_REALM)
    for _ in range(runs):
        report = open_mapping_step(sim, BIG_REALM)
        _checked(report)
        reports.append(report)
        big.append(float(report["seconds"]))
        bare = bare_pages(sim, BIG_REALM, report)
        _checked(report, bare)
        bare_big.append(float(bare["seconds"]))
        if len(small) < runs or small_report is None:
            small_report = open_mapping_step(sim, SMALL_REALM)
            if len(small) < runs:
                small.append(float(small_report["seconds"]))
        bare_small.append(float(bare_pages(sim, SMALL_REALM, small_report)["seconds"]))
    report = reports[-1]
    (big_accounts, big_items), (accounts, items) = SIZES[BIG_REALM], SIZES[SMALL_REALM]
    bare_ratio = median(bare_big) / median(bare_small)
    return Result(
        name="mapping_scaling",
        title=(
            f"Mapping step scaling ({big_accounts // 1000}k+{big_items // 1000}k "
            f"vs {accounts // 1000}k+{items // 1000}k)"
        ),
        value=median(big) * 1000,
        baseline=median(small) * 1000,
        unit="ms",
        target=4.4,
        note=(
            f"Median of {runs} runs each, the same measurement as the mapping-step figure, on "
            f"a company with {big_accounts:,} accounts and {big_items:,} items against one "
            f"with {accounts:,} and {items:,}, same run. Four times the data: 4x is linear. "
            f"The bare page loop over the same pages grew {bare_ratio:.2f}x between the two "
            f"({report['query_calls']} queries against {small_report['query_calls']}): "
            "under Intuit's per-second limit the first ten requests go at once and every ten "
            "after wait for the next second, so the time is about (requests - 10) / 10 s and "
            "grows faster than the data when the smaller load is only a little over ten."
        ),
        extra={
            "runs": runs,
            "query_calls": report["query_calls"],
            "product_paced_seconds": report.get("paced_seconds"),
            "phases_ms": median_phases(reports),
            "bare_ms": {
                "large": round(median(bare_big) * 1000),
                "small": round(median(bare_small) * 1000),
            },
            "bare_ratio": round(bare_ratio, 3),
            "throttled": 0,
        },
    )
