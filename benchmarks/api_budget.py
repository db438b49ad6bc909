"""API budget: the calls a complete run of steps 5 to 8 makes, counted at the simulator.

The run goes through the product's core exactly as the step screens call it: keys checked and
stored (step 5), a loopback sign-in with the consent page approved by a stand-in browser and the
company read (step 6), the company lists loaded and every suggestion taken and saved (step 7),
then the $1.00 invoice and bill posted and cleaned up (step 8). The caller provides a throwaway
config home and an in-memory keyring.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import requests

from benchmarks.common import Result
from benchmarks.connected import free_port

PROFILE = "budget"
OAUTH_ROUTES = ("discovery", "token", "revoke", "userinfo", "jwks")
API_ROUTES = (
    "query",
    "company_info",
    "read",
    "write",
    "preferences",
    "tax_service",
    "unsupported",
)
BROWSER_ROUTES = ("authorize",)  # the user's browser on the consent page, not the wizard
PAGE_SIZE = 1000


def _calls(counts: dict[str, int]) -> int:
    """Calls to Intuit (OAuth and Accounting API); the browser and simulator-only routes aside."""
    return sum(n for route, n in counts.items() if route in OAUTH_ROUTES + API_ROUTES)


def run_steps_5_to_8(realm_id: str | None = None) -> dict[str, Any]:
    """One complete run on a fresh simulator; calls per step, by route, and what was done."""
    from qbo_wizard.core.connection.api import QboApi
    from qbo_wizard.core.connection.credentials import check_shape, store_credentials
    from qbo_wizard.core.connection.oauth import (
        open_loopback,
        save_connection,
        start_authorization,
        wait_for_loopback,
    )
    from qbo_wizard.core.dollar_test.plan import plan_dollar_check
    from qbo_wizard.core.dollar_test.run import run_dollar_check
    from qbo_wizard.core.mapping.company_lists import company_lists_for
    from qbo_wizard.core.mapping.draft import MappingDraft
    from qbo_wizard.core.mapping.integrations import load_integration
    from qbo_wizard.core.mapping.suggestions import suggest_all
    from qbo_wizard.simulator.browser import approve
    from qbo_wizard.simulator.companies import US_REALM
    from qbo_wizard.simulator.server import SimulatorServer

    realm_id = realm_id or US_REALM
    sim = SimulatorServer(port=0, throttle=False, loopback_port=free_port()).start()
    steps: dict[str, dict[str, int]] = {}

    def step_done(name: str) -> None:
        steps[name] = sim.control("request_counts", reset=True)["counts"]

    try:
        sim.control("request_counts", reset=True)
        # Step 5: keys, checked for shape here and live with Intuit, then stored.
        keys = sim.info["keys"]["development"]
        checked = check_shape(keys["client_id"], keys["client_secret"])
        store_credentials(PROFILE, "development", checked.credentials, sim.url)
        step_done("credentials")
        # Step 6: loopback sign-in; the browser approves the consent page for the company.
        authorization = start_authorization(PROFILE, "loopback")
        listener = open_loopback(authorization)

        def browser() -> None:
            requests.get(approve(authorization.url, realm_id), timeout=30)

        visit = threading.Thread(target=browser, daemon=True)
        visit.start()
        pending = wait_for_loopback(authorization, listener)
        visit.join(timeout=30)
        save_connection(pending)
        step_done("connect")
        # Step 7: the lists, every suggestion accepted (creating proposed items), saved.
        api = QboApi.for_profile(PROFILE)
        lists = company_lists_for(api, PROFILE)
        integration = load_integration("freight-brokerage")
        draft = MappingDraft(integration, lists)
        created = 0
        for line_id, proposal in suggest_all(integration, lists).items():
            target = proposal.target_id
            if proposal.creates_item:
                assert proposal.new_item_name and proposal.income_account_id
                target = draft.create_service_item(
                    api, proposal.new_item_name, proposal.income_account_id, profile_name=PROFILE
                ).id
                created += 1
            draft.choose(line_id, target)
        for line in draft.unmapped():
            draft.set_unused(line.id)
        draft.save(PROFILE)
        step_done("map")
        # Step 8: the $1.00 invoice and bill, then void and delete.
        plan = plan_dollar_check(PROFILE, api)
        outcome = run_dollar_check(PROFILE, api=api, plan=plan, cleanup=True)
        step_done("test")
        if not outcome.ok:
            raise RuntimeError(f"the $1.00 test did not pass: {outcome.summary()}")
    finally:
        sim.stop()
    return {
        "steps": steps,
        "accounts": len(lists.accounts),
        "items": len(lists.items) - created,
        "items_created": created,
        "tax_codes_needed": lists.tax_codes_required,
        "documents": sum(1 for d in outcome.documents if d.status == "posted"),
        "client_call_count": api.call_count,
    }


def minimum_calls(run: dict[str, Any]) -> dict[str, int]:
    """The fewest calls to Intuit the same task can be done with, per step (see the note)."""
    documents = int(run["documents"])
    return {
        # One discovery document for the process, and one refresh with a made-up token.
        "credentials": 2,
        # The code exchange, and one CompanyInfo read to show which company was reached.
        "connect": 2,
        # Account and Item pages (a short page ends each list), tax codes only outside the US
        # (the country came with CompanyInfo), and each item the mapping had to create.
        "map": int(run["accounts"]) // PAGE_SIZE
        + 1
        + int(run["items"]) // PAGE_SIZE
        + 1
        + (1 if run["tax_codes_needed"] else 0)
        + int(run["items_created"]),
        # Per document: its party (one find-or-create call), the post, the void or delete
        # (the SyncToken comes back with the post).
        "test": 3 * documents,
    }


def api_budget(realm_id: str | None = None) -> Result:
    run = run_steps_5_to_8(realm_id)
    steps: dict[str, dict[str, int]] = run["steps"]
    per_step = {step: _calls(counts) for step, counts in steps.items()}
    minimum = minimum_calls(run)
    routes: Counter[str] = Counter()
    for counts in steps.values():
        routes.update(counts)
    by_step = ", ".join(f"{step} {n} (min {minimum[step]})" for step, n in per_step.items())
    return Result(
        name="api_budget",
        title="API budget, steps 5-8 (US company)",
        value=float(sum(per_step.values())),
        baseline=float(sum(minimum.values())),
        unit="calls",
        target=1.14,
        note=(
            "Calls to Intuit (OAuth and Accounting API) counted at the simulator for one run "
            "through the product's core; the consent page (the user's browser) and the "
            f"simulator's own routes are not counted. By step: {by_step}. Minimum: 1 discovery "
            "document + 1 key check (step 5); code exchange + CompanyInfo (step 6); one page per "
            "1,000 accounts and items plus the short last page, no tax codes for a US company, "
            "plus each item the mapping creates (step 7); per test document one find-or-create "
            "of its party, the post, and the void/delete using the SyncToken the post returned "
            "(step 8)."
        ),
        extra={
            "calls_by_step": per_step,
            "minimum_by_step": minimum,
            "calls_by_route": dict(sorted(routes.items())),
            "client_call_count": run["client_call_count"],
        },
    )
