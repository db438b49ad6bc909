"""Chart of accounts: the product's loader against a bare `requests` loop over the same pages."""

from __future__ import annotations

import time
from typing import Any

import requests

from benchmarks.common import Result, interleaved, median
from benchmarks.connected import SimulatorProcess, connect_profile, mint, quiet_second

PROFILE = "chart"
PAGE_SIZE = 1000
MINOR_VERSION = "75"
ACCOUNT_CALL_TARGET = 11
# What the mapping step reads, in the loader's order: entity, WHERE, ORDERBY.
LISTS: tuple[tuple[str, str | None, str | None], ...] = (
    ("CompanyInfo", None, None),
    ("Account", "Active IN (true, false)", "Id"),
    ("Item", "Active IN (true, false)", "Id"),
    ("TaxCode", "Active IN (true, false)", "Id"),
)


class BarePace:
    """The plainest safe way to stay under Intuit's 10 requests a second per company: a request
    waits until fewer than ten answers arrived in the last second (plus a small margin), the
    same rule the product keeps. Counting from when requests *started* is not safe: a request
    that reached QuickBooks late still counts in QuickBooks' second."""

    WINDOW = 1.02

    def __init__(self, per_second: int = 10) -> None:
        self.per_second = per_second
        self.answered: list[float] = []

    def wait(self) -> None:
        now = time.monotonic()
        recent = [moment for moment in self.answered if moment > now - self.WINDOW]
        if len(recent) >= self.per_second:
            time.sleep(recent[-self.per_second] + self.WINDOW - now)
        self.answered = recent[-self.per_second :]

    def answer_arrived(self) -> None:
        self.answered.append(time.monotonic())


def bare_load(
    api_base_url: str,
    realm_id: str,
    access_token: str,
    lists: tuple[tuple[str, str | None, str | None], ...] = LISTS,
) -> dict[str, list[Any]]:
    """Every row of the same lists with nothing but `requests`: page until a page is short,
    keeping Intuit's per-second limit as simply as it can safely be kept."""
    rows: dict[str, list[Any]] = {}
    pace = BarePace()
    with requests.Session() as session:
        session.headers.update(
            {
                "Authorization": f"Bearer {access_token}",
                "Accept": "application/json",
                "Content-Type": "application/text",
            }
        )
        url = f"{api_base_url}/company/{realm_id}/query"
        for entity, where, order_by in lists:
            found: list[Any] = []
            start = 1
            while True:
                select = f"SELECT * FROM {entity}"  # noqa: S608 (QuickBooks' query language)
                select += f" WHERE {where}" if where else ""
                select += f" ORDERBY {order_by}" if order_by else ""
                select += f" STARTPOSITION {start} MAXRESULTS {PAGE_SIZE}"
                pace.wait()
                answer = session.post(
                    url, data=select, params={"minorversion": MINOR_VERSION}, timeout=60
                )
                pace.answer_arrived()
                answer.raise_for_status()  # a 429 here would make the baseline invalid
                page = answer.json()["QueryResponse"].get(entity, [])
                found.extend(page)
                if len(page) < PAGE_SIZE:
                    break
                start += PAGE_SIZE
            rows[entity] = found
    return rows


def chart_of_accounts(
    runs: int,
    realm_id: str | None = None,
    simulator: SimulatorProcess | None = None,
    *,
    warm_up: bool = True,
) -> Result:
    """Load the lists `runs` times each way, interleaved; the medians and the calls made."""
    from qbo_wizard.core.connection.api import QboApi
    from qbo_wizard.core.mapping.company_lists import (
        ACTIVE_AND_INACTIVE,
        load_company_lists,
        query_every_page,
    )
    from qbo_wizard.simulator.companies import LARGE_REALM

    realm_id = realm_id or LARGE_REALM
    own = simulator is None
    sim = simulator or SimulatorProcess()
    try:
        connect_profile(sim.url, PROFILE, realm_id)
        token = str(mint(sim.url, realm_id)["access_token"])
        api_base = str(sim.info["api_base_url"])
        api = QboApi.for_profile(PROFILE)
        sizes: dict[str, int] = {}
        calls: dict[str, dict[str, int]] = {}

        def product() -> float:
            quiet_second()
            sim.counts(reset=True)
            started = time.perf_counter()
            lists = load_company_lists(api, PROFILE, realm_id, refresh=True)
            elapsed = time.perf_counter() - started
            calls["product"] = sim.counts()
            sizes["accounts"] = len(lists.accounts)
            return elapsed

        def bare() -> float:
            quiet_second()
            sim.counts(reset=True)
            started = time.perf_counter()
            rows = bare_load(api_base, realm_id, token, lists_read)
            elapsed = time.perf_counter() - started
            calls["bare"] = sim.counts()
            sizes["bare_accounts"] = len(rows["Account"])
            return elapsed

        # The warm-up load also has the simulator build the company's books (done on first use).
        first = load_company_lists(api, PROFILE, realm_id, refresh=True)
        # The profile knows the company's country from step 6: no CompanyInfo read, and tax
        # codes only outside the US.
        lists_read = tuple(
            entry
            for entry in LISTS
            if entry[0] != "CompanyInfo" and (entry[0] != "TaxCode" or first.tax_codes_required)
        )
        products, baselines = interleaved(runs, product, bare, warm_up=warm_up)
        quiet_second()
        sim.counts(reset=True)
        query_every_page(api, "Account", ACTIVE_AND_INACTIVE)  # the accounts alone, counted
        account_calls = sim.counts().get("query", 0)
    finally:
        if own:
            sim.stop()
    if any(side.get("throttled", 0) for side in calls.values()):
        raise RuntimeError(f"QuickBooks refused a request (429) while loading: {calls}")
    if sizes["accounts"] != sizes["bare_accounts"]:
        raise RuntimeError(f"the two loads disagree: {sizes}")
    product_queries = calls["product"].get("query", 0)
    bare_queries = calls["bare"].get("query", 0)
    # The product also counts each list longer than a page, for its "3,000 of 10,000" line.
    if product_queries - bare_queries not in (0, 1, 2):
        raise RuntimeError(f"not the same pages: {calls}")
    api_calls = sum(n for route, n in calls["product"].items() if route not in ("control", "info"))
    result = Result(
        name="chart_of_accounts",
        title=f"Chart of accounts ({sizes['accounts']:,} accounts)",
        value=median(products) * 1000,
        baseline=median(baselines) * 1000,
        unit="ms",
        target=1.5,
        note=(
            f"Median of {runs} loads each, interleaved, throttling on (Intuit's 10 requests a "
            "second per company), simulator in its own process. Product: "
            "`load_company_lists(refresh=True)` (QboApi on python-quickbooks keeping the "
            "limits, Account/Item objects made page by page, the profile's cache file; a US "
            "company's tax codes are not read). Baseline: the same "
            f"{bare_queries} query pages with a bare requests.Session keeping the same "
            f"per-second limit the plainest safe way ({product_queries - bare_queries} more "
            "for the product: a count of each list over a page). Calls counted at the "
            f"simulator: {account_calls} for the accounts ({sizes['accounts'] // PAGE_SIZE} "
            "full pages and the short page that ends the list; target <= "
            f"{ACCOUNT_CALL_TARGET}), {api_calls} for the whole "
            "mapping-step load (accounts and items: the profile knows the company's country "
            "from step 6, and a US company's tax codes are not read)."
        ),
        extra={
            "runs": runs,
            "accounts": sizes["accounts"],
            "account_calls": account_calls,
            "account_calls_target": ACCOUNT_CALL_TARGET,
            "api_calls": api_calls,
        },
    )
    result.met_override = result.ratio <= 1.5 and account_calls <= ACCOUNT_CALL_TARGET
    return result
