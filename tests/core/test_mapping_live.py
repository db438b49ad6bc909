"""Step 7 against the practice QuickBooks: real HTTP, the real API client, all three companies.

US (a full chart with every account type), UK (tax codes required on every line) and the
10,000-account company. A mapping made here must let the $1.00 invoice and bill post.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from qbo_wizard.cli import main
from qbo_wizard.core.connection.api import QboApi, QboApiError
from qbo_wizard.core.connection.tokens import TokenStore
from qbo_wizard.core.health.errorlog import recent_failures
from qbo_wizard.core.mapping.check import validate_saved_mapping
from qbo_wizard.core.mapping.company_lists import (
    CompanyLists,
    ListProgress,
    cache_path,
    company_lists_for,
    fetch_company_lists,
)
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import SavedMapping, load_saved_mapping
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.mapping.rules import MappingRefused
from qbo_wizard.core.mapping.suggestions import suggest_all
from qbo_wizard.core.problems import EXIT_OK, EXIT_PROBLEM
from qbo_wizard.simulator.companies import AU_REALM, CA_REALM
from qbo_wizard.simulator.server import SimulatorServer

from ..request_clock import RequestClock
from .live_company import LARGE_REALM, UK_REALM, US_REALM, connect_profile
from .plain_api import PlainApi

FREIGHT = load_integration("freight-brokerage")


def _account(lists: CompanyLists, full_name: str) -> str:
    (found,) = [a.id for a in lists.accounts if a.full_name == full_name]
    return found


def _item(lists: CompanyLists, full_name: str) -> str:
    (found,) = [i.id for i in lists.items if i.full_name == full_name]
    return found


def _map_everything(api: QboApi, profile: str) -> tuple[MappingDraft, SavedMapping]:
    """Take every suggestion (creating the proposed items), add tax codes where needed, save."""
    lists = company_lists_for(api, profile, refresh=True)
    draft = MappingDraft(FREIGHT, lists)
    for line_id, proposal in suggest_all(FREIGHT, lists).items():
        target = proposal.target_id
        if proposal.creates_item:
            assert proposal.new_item_name and proposal.income_account_id
            made = draft.create_service_item(
                api, proposal.new_item_name, proposal.income_account_id, profile_name=profile
            )
            target = made.id
        draft.choose(line_id, target)
    if lists.tax_codes_required:
        standard = next(c.id for c in lists.tax_codes if c.name == "20.0% S")
        for line in FREIGHT.lines:
            draft.choose_tax_code(line.id, standard)
    for line in draft.unmapped():
        draft.set_unused(line.id)
    assert draft.refused() == []
    return draft, draft.save(profile)


def _first_party(api: QboApi, entity: str) -> str:
    return str(api.query_all(entity, where="Active = true")[0]["Id"])


def _post_test_documents(api: QboApi, saved: SavedMapping) -> tuple[dict[str, Any], ...]:
    invoice_line = saved.lines["linehaul"].posting_line(1.00, "Integration test, safe to void")
    bill_line = saved.lines["carrier-linehaul"].posting_line(1.00, "Integration test")
    invoice = api.create(
        "Invoice",
        {"CustomerRef": {"value": _first_party(api, "Customer")}, "Line": [invoice_line]},
        uuid.uuid4().hex,
    )
    bill = api.create(
        "Bill",
        {"VendorRef": {"value": _first_party(api, "Vendor")}, "Line": [bill_line]},
        uuid.uuid4().hex,
    )
    return invoice, bill


@pytest.mark.parametrize("realm_id", [US_REALM, UK_REALM, LARGE_REALM])
def test_a_complete_mapping_is_saved_reloaded_and_lets_the_test_documents_post(
    simulator: SimulatorServer, realm_id: str
) -> None:
    api = connect_profile(simulator, "acme", realm_id)
    draft, saved = _map_everything(api, "acme")
    reloaded = load_saved_mapping("acme")
    assert reloaded == saved and reloaded.realm_id == realm_id
    again = MappingDraft(FREIGHT, draft.lists, reloaded)
    assert {k: v.target_id for k, v in again.choices.items()} == {
        k: v.target_id for k, v in draft.choices.items()
    }
    report = validate_saved_mapping(api, "acme")
    assert report.ok, report.summary()
    invoice, bill = _post_test_documents(api, saved)
    assert invoice["TotalAmt"] >= 1.00 and bill["TotalAmt"] == 1.00


def test_the_bill_line_rule_is_the_one_quickbooks_enforces(simulator: SimulatorServer) -> None:
    """Without the rule, a carrier bill on Accounts Payable fails just as the seed article says."""
    api = connect_profile(simulator, "acme", US_REALM)
    lists = company_lists_for(api, "acme")
    payable = _account(lists, "Accounts Payable (A/P)")
    draft = MappingDraft(FREIGHT, lists)
    (refusal,) = draft.choose("carrier-linehaul", payable)
    assert "error 6000" in refusal.reason
    with pytest.raises(QboApiError) as caught:
        api.create(
            "Bill",
            {
                "VendorRef": {"value": _first_party(api, "Vendor")},
                "Line": [
                    {
                        "DetailType": "AccountBasedExpenseLineDetail",
                        "Amount": 1.0,
                        "AccountBasedExpenseLineDetail": {"AccountRef": {"value": payable}},
                    }
                ],
            },
            uuid.uuid4().hex,
        )
    assert caught.value.code == "6000"


@pytest.mark.parametrize(
    ("line_id", "name", "code"),
    [
        ("carrier-linehaul", "Accounts Payable (A/P)", "account-type-refused"),
        ("carrier-linehaul", "Carrier Payables", "account-type-refused"),
        ("carrier-fuel", "Accounts Receivable (A/R)", "account-type-refused"),
        ("carrier-fuel", "Operating Checking", "account-type-refused"),
        ("carrier-fuel", "Company Amex", "account-type-refused"),
        ("carrier-fuel", "Owner's Investment", "account-type-refused"),
        ("carrier-fuel", "Purchase Orders", "account-type-refused"),
        ("carrier-fuel", "Carrier Costs:Rail Intermodal Costs", "account-inactive"),
        ("linehaul", "Accessorials", "item-category"),
        ("linehaul", "Intermodal Freight", "item-inactive"),
    ],
)
def test_each_forbidden_choice_in_a_live_company_is_refused_with_its_reason(
    simulator: SimulatorServer, line_id: str, name: str, code: str
) -> None:
    api = connect_profile(simulator, "acme", US_REALM)
    lists = company_lists_for(api, "acme")
    target = _item(lists, name) if line_id == "linehaul" else _account(lists, name)
    draft = MappingDraft(FREIGHT, lists)
    findings = draft.choose(line_id, target)
    assert code in [f.code for f in findings]
    assert all(f.reason and f.fix for f in findings)
    with pytest.raises(MappingRefused):
        draft.save("acme")
    assert load_saved_mapping("acme") is None


@pytest.mark.parametrize(
    ("realm_id", "country"), [(UK_REALM, "GB"), (CA_REALM, "CA"), (AU_REALM, "AU")]
)
def test_outside_the_us_a_line_without_a_tax_code_is_refused(
    simulator: SimulatorServer, realm_id: str, country: str
) -> None:
    api = connect_profile(simulator, "acme", realm_id)
    lists = company_lists_for(api, "acme")
    assert lists.country == country and lists.tax_codes_required
    draft = MappingDraft(FREIGHT, lists)
    (finding,) = draft.choose("linehaul", _item(lists, "Full Load"))
    assert finding.code == "tax-code-required"
    assert draft.choose_tax_code("linehaul", lists.tax_codes[0].id) == []


def test_lists_are_read_page_by_page_once_and_cached_in_the_profile(
    simulator: SimulatorServer,
) -> None:
    api = connect_profile(simulator, "acme", LARGE_REALM)
    progress: list[tuple[int, int | None]] = []
    lists = company_lists_for(api, "acme", on_progress=lambda n, total: progress.append((n, total)))
    assert len(lists.accounts) == 10_000
    loaded = [n for n, _ in progress]
    assert loaded == sorted(loaded) and progress[-1] == (len(lists.accounts) + 10, loaded[-1])
    calls = api.call_count
    assert calls <= 1 + 11 + 1 + 1  # company, 10 full pages + 1 short, items, tax codes
    cached = json.loads(cache_path("acme").read_text())
    assert cached["realm_id"] == LARGE_REALM and cached["loaded_at"]
    again = company_lists_for(api, "acme")
    assert again.cached and api.call_count == calls  # no QuickBooks call at all
    assert len(again.accounts) == 10_000
    company_lists_for(api, "acme", refresh=True)
    assert api.call_count > calls


def test_the_picker_over_the_10000_account_company(simulator: SimulatorServer) -> None:
    api = connect_profile(simulator, "acme", LARGE_REALM)
    draft = MappingDraft(FREIGHT, company_lists_for(api, "acme"))
    picker = draft.picker_for("carrier-linehaul")
    first = picker.filter("lane 0042")
    assert first.matches[0].entry.name.startswith("Lane 0042 ")
    assert all(m.entry.full_name.startswith("Carrier Costs:Linehaul:") for m in first.matches[:1])
    assert picker.filter("carrier costs:fuel").matches[0].entry.name == "Fuel Surcharge Paid"
    # Income lanes never appear for a bill line, and neither does Accounts Payable.
    everything = picker.filter("", limit=None).matches
    assert not any(m.entry.full_name.startswith("Freight Revenue") for m in everything)
    assert not any("Payable" in m.entry.name for m in everything)


def test_a_service_item_is_created_on_the_chosen_income_account(
    simulator: SimulatorServer,
) -> None:
    api = connect_profile(simulator, "acme", US_REALM)
    lists = company_lists_for(api, "acme")
    draft = MappingDraft(FREIGHT, lists)
    income = _account(lists, "Accessorial Revenue")
    item = draft.create_service_item(api, "Stop-off", income, profile_name="acme")
    assert item.item_type == "Service" and item.income_account_id == income
    assert draft.choose("stop-off", item.id) == []
    live = {row["Id"]: row for row in api.query_all("Item")}
    assert live[item.id]["IncomeAccountRef"]["value"] == income
    assert company_lists_for(api, "acme").item(item.id) is not None  # the cache knows it


def test_a_mapping_broken_afterwards_is_caught_by_the_next_check(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api = connect_profile(simulator, "acme", US_REALM)
    _, saved = _map_everything(api, "acme")
    assert main(["mapping", "check", "--profile", "acme"]) == EXIT_OK
    capsys.readouterr()
    carrier = saved.lines["carrier-linehaul"].target
    assert carrier is not None
    simulator.control("set_account_active", realm_id=US_REALM, account_id=carrier.id, active=False)
    assert main(["mapping", "check", "--profile", "acme"]) == EXIT_PROBLEM
    out = capsys.readouterr().out
    assert f"BROKEN     Carrier linehaul → {carrier.name}" in out
    assert "Fix: Make it active in QuickBooks" in out
    assert main(["mapping", "check", "--json", "--profile", "acme"]) == EXIT_PROBLEM
    data = json.loads(capsys.readouterr().out)
    broken = [line["id"] for line in data["lines"] if line["status"] == "broken"]
    assert broken == ["carrier-linehaul"]


def test_a_consultant_reuses_a_mapping_in_another_company(
    simulator: SimulatorServer, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    api = connect_profile(simulator, "first", US_REALM)
    _map_everything(api, "first")
    shared = tmp_path / "bluewater.yaml"
    assert main(["mapping", "export", str(shared), "--profile", "first"]) == EXIT_OK
    connect_profile(simulator, "second", LARGE_REALM)
    # Items created in the first company (e.g. "Layover") do not exist in the second one yet.
    assert main(["mapping", "import", str(shared), "--profile", "second"]) == EXIT_PROBLEM
    out = capsys.readouterr().out
    assert "NOT MATCHED      Layover: no item named 'Layover' in this company" in out
    args = ["mapping", "import", str(shared), "--create-items", "--profile", "second"]
    assert main(args) == EXIT_OK
    out = capsys.readouterr().out
    assert "created          Layover: new Service item 'Layover' posting to" in out
    assert "Every line was matched" in out and "mapping.before-import.yaml" in out
    saved = load_saved_mapping("second")
    assert saved is not None and saved.realm_id == LARGE_REALM
    assert main(["mapping", "check", "--profile", "second"]) == EXIT_OK
    connect_profile(simulator, "third", UK_REALM)
    assert main(["mapping", "import", str(shared), "--profile", "third"]) == EXIT_PROBLEM
    out = capsys.readouterr().out
    assert "NOT MATCHED" in out and "no account named 'Carrier Costs:Linehaul'" in out


def test_a_client_that_reads_single_pages_reports_progress_page_by_page(
    simulator: SimulatorServer,
) -> None:
    """STARTPOSITION 1, 1001, … with MAXRESULTS 1000 until a short page; progress after each."""
    token = simulator.mint_tokens(LARGE_REALM)["access_token"]
    api = PlainApi(simulator.api_base_url, LARGE_REALM, token)
    progress: list[tuple[int, int | None]] = []
    lists = fetch_company_lists(api, LARGE_REALM, lambda n, total: progress.append((n, total)))
    assert len(lists.accounts) == 10_000
    account_pages = [q for q in api.queries if q.startswith("SELECT * FROM Account ")]
    assert all("WHERE Active IN (true, false)" in q for q in account_pages)
    starts = [int(q.split("STARTPOSITION ")[1].split()[0]) for q in account_pages]
    assert starts == [1 + 1000 * n for n in range(11)]  # the 11th page comes back empty
    assert all(q.endswith("MAXRESULTS 1000") for q in account_pages)
    counts = [n for n, total in progress if total is None]
    assert counts[:11] == [0, *range(1000, 10_001, 1000)]


def test_progress_names_each_list_and_counts_a_long_one_first(simulator: SimulatorServer) -> None:
    """For "Reading accounts… 3,000 of 10,000": one COUNT, asked only for a list over a page."""
    api = connect_profile(simulator, "acme", LARGE_REALM)
    seen: list[ListProgress] = []
    company_lists_for(api, "acme", refresh=True, on_list=seen.append)
    accounts = [step for step in seen if step.entity == "Account"]
    assert accounts[0] == ListProgress("Account", 0, None)
    assert ListProgress("Account", 3000, 10_000) in accounts
    assert accounts[-1] == ListProgress("Account", 10_000, 10_000)
    assert accounts[-1].label == "accounts"
    items = [step for step in seen if step.entity == "Item"]
    assert items[-1] == ListProgress("Item", 10, None)  # one short page: nothing to count
    assert api.call_count <= 1 + 1 + 11 + 1 + 1  # company, the count, 11 pages, items, tax codes


@pytest.mark.simulator_options(throttle=True)
def test_loading_10000_accounts_keeps_under_the_limit_instead_of_being_throttled(
    simulator: SimulatorServer, request_clock: RequestClock
) -> None:
    """Intuit allows 10 requests a second per company; the 13 reads here go over that, so
    the client spreads them out rather than meeting a 429 and a 15-second wait."""
    connect_profile(simulator, "acme", LARGE_REALM)
    # The client really waits its turn, so the limit is measured on real time here.
    request_clock.follow_real_time()
    api = QboApi.for_profile("acme", sleep=lambda seconds: time.sleep(min(seconds, 1.0)))
    simulator.control("request_counts", reset=True)
    lists = company_lists_for(api, "acme", refresh=True)
    assert len(lists.accounts) == 10_000
    counts: dict[str, int] = simulator.control("request_counts")["counts"]
    assert counts.get("query", 0) > 10 and counts.get("throttled", 0) == 0
    assert recent_failures("acme") == []


def test_no_secret_reaches_the_mapping_files_or_the_terminal(
    simulator: SimulatorServer,
    tmp_path: Any,
    isolated_home: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    api = connect_profile(simulator, "acme", UK_REALM)
    _map_everything(api, "acme")
    shared = tmp_path / "shared.yaml"
    assert main(["mapping", "export", str(shared), "--profile", "acme"]) == EXIT_OK
    assert main(["mapping", "check", "--json", "--profile", "acme"]) == EXIT_OK
    assert main(["mapping", "show", "--profile", "acme"]) == EXIT_OK
    tokens = TokenStore("acme").load()
    assert tokens is not None
    secrets = [
        tokens.access_token,
        tokens.refresh_token,
        simulator.info["keys"]["development"]["client_secret"],
    ]
    written = [p.read_text(errors="replace") for p in isolated_home.rglob("*") if p.is_file()]
    written.append(shared.read_text())
    printed = capsys.readouterr()
    for secret in secrets:
        assert all(secret not in text for text in written)
        assert secret not in printed.out and secret not in printed.err


def test_an_item_whose_income_account_changed_is_flagged_then_accepted(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api = connect_profile(simulator, "acme", US_REALM)
    _, saved = _map_everything(api, "acme")
    item_ref = saved.lines["linehaul"].target
    assert item_ref is not None and item_ref.name == "Truckload Freight"
    # Someone edits the item in QuickBooks: its sales now go to the LTL revenue account.
    bookkeeper = PlainApi(
        simulator.api_base_url, US_REALM, simulator.mint_tokens(US_REALM)["access_token"]
    )
    item = next(row for row in bookkeeper.query_all("Item") if row["Id"] == item_ref.id)
    lists = company_lists_for(api, "acme")
    ltl = _account(lists, "Freight Revenue:LTL")
    bookkeeper.create(
        "Item",
        {
            "Id": item["Id"],
            "SyncToken": item["SyncToken"],
            "sparse": True,
            "IncomeAccountRef": {"value": ltl},
        },
        uuid.uuid4().hex,
    )
    assert main(["mapping", "check", "--profile", "acme"]) == EXIT_PROBLEM
    out = capsys.readouterr().out
    assert "BROKEN     Linehaul → Truckload Freight" in out
    assert "now posts its sales to 'Freight Revenue:LTL' instead of" in out
    assert main(["mapping", "check", "--update", "--profile", "acme"]) == EXIT_OK
    accepted = load_saved_mapping("acme")
    assert accepted is not None and accepted.lines["linehaul"].income_account is not None
    assert accepted.lines["linehaul"].income_account.name == "Freight Revenue:LTL"
    assert main(["mapping", "check", "--profile", "acme"]) == EXIT_OK


def test_the_real_client_reports_loading_progress_page_by_page(
    simulator: SimulatorServer,
) -> None:
    api = connect_profile(simulator, "acme", LARGE_REALM)
    progress: list[int] = []
    lists = fetch_company_lists(api, LARGE_REALM, lambda n, total: progress.append(n))
    assert len(lists.accounts) == 10_000
    assert progress[:11] == [0, *range(1000, 10_001, 1000)]
