"""The $1.00 test (step 8) with the practice QuickBooks enforcing Intuit's limits, and without.

Each run does what a user does at the end of step 7 and then in step 8: the company lists are
read again (untimed, the mapping step's last calls), then the $1.00 invoice and bill are
planned, posted, voided and deleted through the product's core (timed). With throttling on,
a client that does not keep Intuit's 10 requests a second is refused (429) and waits 15 s;
with it off nothing is refused. The ratio says what the limits cost the user; every 429 the
simulator sent is counted.
"""

from __future__ import annotations

import time

from benchmarks.common import Result, interleaved, median
from benchmarks.connected import SimulatorProcess, connect_profile, quiet_second

PROFILE = "dollar"


def _map_company(profile: str) -> None:
    """Take every suggestion (creating the proposed items) and save the mapping, as in step 7."""
    from qbo_wizard.core.connection.api import QboApi
    from qbo_wizard.core.mapping.company_lists import company_lists_for
    from qbo_wizard.core.mapping.draft import MappingDraft
    from qbo_wizard.core.mapping.integrations import load_integration
    from qbo_wizard.core.mapping.suggestions import suggest_all

    api = QboApi.for_profile(profile)
    lists = company_lists_for(api, profile, refresh=True)
    integration = load_integration("freight-brokerage")
    draft = MappingDraft(integration, lists)
    for line_id, proposal in suggest_all(integration, lists).items():
        target = proposal.target_id
        if proposal.creates_item:
            assert proposal.new_item_name and proposal.income_account_id
            target = draft.create_service_item(
                api, proposal.new_item_name, proposal.income_account_id, profile_name=profile
            ).id
        draft.choose(line_id, target)
    for line in draft.unmapped():
        draft.set_unused(line.id)
    draft.save(profile)


def dollar_test(runs: int, sim: SimulatorProcess, *, warm_up: bool = True) -> Result:
    """Median seconds of the $1.00 test with throttling on against off, interleaved."""
    from qbo_wizard.core.connection.api import QboApi
    from qbo_wizard.core.dollar_test.plan import plan_dollar_check
    from qbo_wizard.core.dollar_test.run import run_dollar_check
    from qbo_wizard.core.mapping.company_lists import company_lists_for
    from qbo_wizard.simulator.companies import US_REALM

    connect_profile(sim.url, PROFILE, US_REALM)
    sim.set_throttle(False)
    _map_company(PROFILE)
    refused: dict[str, int] = {"on": 0, "off": 0}
    calls: list[int] = []

    def one_run(throttle: bool) -> float:
        quiet_second()  # the run before does not spend this one's allowance
        sim.set_throttle(throttle)
        api = QboApi.for_profile(PROFILE)
        company_lists_for(api, PROFILE, refresh=True)  # step 7's last reads, just before
        sim.counts(reset=True)
        started = time.perf_counter()
        plan = plan_dollar_check(PROFILE, api)
        outcome = run_dollar_check(PROFILE, api=api, plan=plan, cleanup=True)
        elapsed = time.perf_counter() - started
        counts = sim.counts()
        refused["on" if throttle else "off"] += counts.get("throttled", 0)
        calls.append(sum(n for route, n in counts.items() if route not in ("control", "info")))
        if not outcome.ok:
            raise RuntimeError(f"the $1.00 test did not pass: {outcome.summary()}")
        return elapsed

    try:
        on, off = interleaved(runs, lambda: one_run(True), lambda: one_run(False), warm_up=warm_up)
    finally:
        sim.set_throttle(False)
    result = Result(
        name="dollar_test",
        title="$1.00 test, throttling on vs off",
        value=median(on) * 1000,
        baseline=median(off) * 1000,
        unit="ms",
        target=1.2,
        note=(
            f"Median of {runs} runs each, interleaved, on the US practice company (simulator in "
            "its own process). Each run starts with the whole per-second allowance, reads the "
            "company lists first, untimed, as the end of "
            "step 7 does, then plans, posts, voids and deletes the $1.00 invoice and bill "
            "through the product's core (timed). Product: the practice QuickBooks enforcing "
            "Intuit's 10 requests a second and 500 a minute per company; baseline: the same "
            f"with no limit. Requests refused with 429 (warm-up included): {refused['on']} with "
            f"the limits on, {refused['off']} with them off. Met only with none."
        ),
        extra={"runs": runs, "throttled": refused["on"], "calls_per_test": max(calls)},
    )
    result.met_override = result.ratio <= 1.2 and refused["on"] == 0
    return result
