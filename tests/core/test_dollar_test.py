"""Step 8 against the practice QuickBooks: the $1.00 invoice and bill, retries, cleanup."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from typing import Any

import filelock
import pytest

from qbo_wizard.core import profile_lock
from qbo_wizard.core.connection.api import QboApi
from qbo_wizard.core.dollar_test.plan import ProductionConfirmationRequired, plan_dollar_check
from qbo_wizard.core.dollar_test.record import (
    DollarCheckAlreadyRunning,
    load_record,
    pending_cleanup,
    record_path,
)
from qbo_wizard.core.dollar_test.results import DollarCheckProgress, DollarCheckResult
from qbo_wizard.core.dollar_test.run import (
    RESEND_ADVICE,
    clean_up_check_documents,
    run_dollar_check,
)
from qbo_wizard.core.health.errorlog import recent_failures
from qbo_wizard.core.line_kinds import BILL, INVOICE
from qbo_wizard.core.mapping.file import mapping_path
from qbo_wizard.core.problems import EXIT_OK, EXIT_PROBLEM, EXIT_RECONNECT
from qbo_wizard.core.profile import load_profile
from qbo_wizard.simulator.companies import (
    AU_REALM,
    CA_REALM,
    PRODUCTION_REALM,
    UK_REALM,
    US_REALM,
)
from qbo_wizard.simulator.server import SimulatorServer

from .dollar_test_helpers import (
    connect,
    documents_for,
    map_in_step_7,
    no_wait,
    open_link,
    write_mapping,
)

US_ITEM, US_ACCOUNT = "Truckload Freight", "Carrier Costs:Linehaul"
TEST_CUSTOMER_NAME, TEST_VENDOR_NAME = INVOICE.check_party_name, BILL.check_party_name


@pytest.fixture
def us(simulator: SimulatorServer) -> QboApi:
    api = connect(simulator, "acme", US_REALM)
    map_in_step_7(api, "acme", US_ITEM, US_ACCOUNT)
    return api


def _invoice(result: DollarCheckResult) -> Any:
    return next(d for d in result.documents if d.kind == "invoice")


def _bill(result: DollarCheckResult) -> Any:
    return next(d for d in result.documents if d.kind == "bill")


def _named(api: QboApi, entity: str, name: str) -> list[dict[str, Any]]:
    where = f"DisplayName = '{name}' AND Active IN (true, false)"
    return api.query_all(entity, where=where)


def test_us_company_posts_both_documents_links_them_and_tidies_up(
    simulator: SimulatorServer, us: QboApi
) -> None:
    seen: list[DollarCheckProgress] = []
    result = run_dollar_check("acme", api=us, on_progress=seen.append)

    assert result.ok and result.exit_code == EXIT_OK, result.problems()
    invoice, bill = _invoice(result), _bill(result)
    assert invoice.status == "posted" and re.fullmatch(r"QBW-TEST-[0-9A-F]{6}", invoice.number)
    assert us.query_all("Invoice", where="DocNumber = '1001'") == []  # no real number taken
    assert (invoice.amount, invoice.currency, invoice.line_id) == (1.0, "USD", "linehaul")
    assert bill.status == "posted" and bill.amount_text() == "1.00 USD"
    assert invoice.link == f"{simulator.url}/app/invoice?txnId={invoice.document_id}"
    assert bill.link == f"{simulator.url}/app/bill?txnId={bill.document_id}"
    # Cleanup: the invoice stays, voided, for the audit trail; the bill is gone.
    assert (invoice.cleanup.status, bill.cleanup.status) == ("voided", "deleted")
    voided = us.get("Invoice", invoice.document_id)
    assert voided["TotalAmt"] == 0 and "Voided" in voided["PrivateNote"]
    assert documents_for(us, "Bill", "VendorRef", result.vendor.id) == []
    page = open_link(invoice.link)
    assert page.status_code == 200 and "Voided" in page.text and invoice.number in page.text
    page = open_link(bill.link)
    assert page.status_code == 200 and "Deleted" in page.text
    # The documents went to clearly named test parties.
    assert result.customer.name == TEST_CUSTOMER_NAME and result.customer.created
    assert result.vendor.name == TEST_VENDOR_NAME
    # Progress is reported step by step, numbered up to the total.
    assert [p.stage for p in seen] == [
        "company", "customer", "invoice", "vendor", "bill", "void", "delete"
    ]  # fmt: skip
    assert [p.index for p in seen] == list(range(1, 8)) and seen[0].total == 7
    # The status home reads the outcome from the profile; nothing is left to clean.
    last = load_profile("acme").last_test
    assert last["ok"] is True and last["pending_cleanup"] is False
    assert f"Invoice {invoice.number} posted (1.00 USD)" in last["summary"]
    assert load_profile("acme").step_state("test") == "done"
    assert pending_cleanup("acme") == []


def test_a_second_run_reuses_the_test_parties(us: QboApi) -> None:
    first = run_dollar_check("acme", api=us)
    second = run_dollar_check("acme", api=us)
    assert second.ok
    assert second.customer.id == first.customer.id and not second.customer.created
    assert second.vendor.id == first.vendor.id
    assert len(_named(us, "Customer", TEST_CUSTOMER_NAME)) == 1
    assert _invoice(second).number != _invoice(first).number


def test_uk_company_posts_with_the_mapped_tax_code(simulator: SimulatorServer) -> None:
    api = connect(simulator, "thames", UK_REALM)
    map_in_step_7(api, "thames", "Full Load", "Subcontractor Haulage", tax_code="20.0% S")
    result = run_dollar_check("thames", api=api, cleanup=False)
    assert result.ok, result.problems()
    invoice, bill = _invoice(result), _bill(result)
    assert invoice.amount_text() == "1.20 GBP"  # $1.00 plus 20% VAT
    assert bill.amount_text() == "1.00 GBP"
    posted = api.get("Invoice", invoice.document_id)
    assert posted["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"]["value"]
    assert (invoice.cleanup.status, bill.cleanup.status) == ("kept", "kept")


@pytest.mark.parametrize(
    ("realm_id", "tax_code", "invoice_total", "bill_total"),
    [
        (CA_REALM, "HST ON", "1.13 CAD", "1.00 CAD"),  # Ontario's 13% HST
        (AU_REALM, "GST", "1.10 AUD", "1.00 AUD"),  # Australia's 10% GST
    ],
)
def test_canadian_and_australian_companies_post_with_the_mapped_tax_code(
    simulator: SimulatorServer, realm_id: str, tax_code: str, invoice_total: str, bill_total: str
) -> None:
    api = connect(simulator, "haulier", realm_id)
    map_in_step_7(api, "haulier", "Full Load", "Subcontractor Haulage", tax_code=tax_code)
    result = run_dollar_check("haulier", api=api, cleanup=False)
    assert result.ok, result.problems()
    invoice, bill = _invoice(result), _bill(result)
    assert invoice.amount_text() == invoice_total
    assert bill.amount_text() == bill_total
    posted = api.get("Invoice", invoice.document_id)
    code_id = posted["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"]["value"]
    assert api.get("TaxCode", code_id)["Name"] == tax_code


def test_a_dropped_answer_is_retried_and_makes_exactly_one_invoice(
    simulator: SimulatorServer, us: QboApi
) -> None:
    simulator.control("drop_next_response", path_contains="/invoice")
    result = run_dollar_check("acme", api=us, cleanup=False)
    assert result.ok, result.problems()
    assert len(documents_for(us, "Invoice", "CustomerRef", result.customer.id)) == 1


def test_a_lost_connection_is_replayed_by_the_next_run_not_posted_twice(
    simulator: SimulatorServer, us: QboApi
) -> None:
    for _ in range(3):  # the first try and both retries lose their answers
        simulator.control("drop_next_response", path_contains="/invoice")
    first = run_dollar_check("acme", api=us)
    invoice = _invoice(first)
    assert invoice.status == "failed" and first.exit_code == EXIT_PROBLEM
    assert RESEND_ADVICE in invoice.problem.fix
    assert _bill(first).status == "not-tried"
    (waiting,) = load_record("acme")[US_REALM].documents
    assert waiting.state == "sending"

    second = run_dollar_check("acme", api=us, cleanup=False)
    again = _invoice(second)
    assert second.ok and again.resent
    made = documents_for(us, "Invoice", "CustomerRef", second.customer.id)
    assert [row["Id"] for row in made] == [again.document_id]


def test_a_bill_mapped_to_accounts_payable_fails_with_6000_explained_and_points_to_the_line(
    simulator: SimulatorServer,
) -> None:
    api = connect(simulator, "acme", US_REALM)
    write_mapping(api, "acme", US_ITEM, "Accounts Payable (A/P)")
    result = run_dollar_check("acme", api=api)

    assert not result.ok and result.exit_code == EXIT_PROBLEM
    invoice, bill = _invoice(result), _bill(result)
    assert invoice.status == "posted" and invoice.cleanup.status == "voided"
    assert bill.status == "failed" and bill.document_id is None
    problem = bill.problem
    assert problem.code == "6000" and "Accounts Payable" in problem.title
    assert problem.step == "map" and problem.line_id == "carrier-linehaul"
    assert any("expense or cost of goods sold" in fix for fix in problem.fix)
    assert problem.intuit_tid
    assert documents_for(api, "Bill", "VendorRef", result.vendor.id) == []
    # The API client logged the refusal once; the test did not log it again.
    assert [f["code"] for f in recent_failures("acme")].count("6000") == 1
    last = load_profile("acme").last_test
    assert last["ok"] is False and "Accounts Payable" in last["summary"]
    assert load_profile("acme").step_state("test") == "needs-attention"


def test_an_access_token_expiring_mid_test_is_refreshed_once_and_the_test_continues(
    simulator: SimulatorServer, us: QboApi
) -> None:
    def expire_before_the_bill(step: DollarCheckProgress) -> None:
        if step.stage == "vendor":
            simulator.advance_clock(3700)  # QuickBooks now refuses the hour-old access token

    result = run_dollar_check("acme", api=us, on_progress=expire_before_the_bill)
    assert result.ok, result.problems()
    (grant,) = [g for g in simulator.oauth.grants if g.realm_id == US_REALM]
    assert len(grant.access_tokens) == 2  # the minted one and exactly one refresh
    assert recent_failures("acme") == []  # the refresh put it right: nothing to report


def test_an_interrupted_cleanup_is_finished_by_the_next_run(
    simulator: SimulatorServer, us: QboApi
) -> None:
    def stop_at_cleanup(step: DollarCheckProgress) -> None:
        if step.stage == "void":
            raise KeyboardInterrupt  # the user pressed Ctrl+C, or the window closed

    with pytest.raises(KeyboardInterrupt):
        run_dollar_check("acme", api=us, on_progress=stop_at_cleanup)
    left = pending_cleanup("acme")
    assert sorted(d.kind for d in left) == ["bill", "invoice"]
    assert len(plan_dollar_check("acme", us).pending_cleanup) == 2
    left_invoice = next(d.id for d in left if d.kind == "invoice")
    left_bill = next(d.id for d in left if d.kind == "bill")

    result = run_dollar_check("acme", api=us)
    assert result.ok
    assert {(o.kind, o.document_id, o.status) for o in result.earlier_cleanup} == {
        ("invoice", left_invoice, "voided"),
        ("bill", left_bill, "deleted"),
    }
    assert us.get("Invoice", left_invoice)["TotalAmt"] == 0
    assert documents_for(us, "Bill", "VendorRef", result.vendor.id) == []
    assert pending_cleanup("acme") == []


def test_an_intuit_outage_mid_test_stops_the_run_and_the_next_run_tidies_up(
    simulator: SimulatorServer, us: QboApi
) -> None:
    def outage_after_the_invoice(step: DollarCheckProgress) -> None:
        if step.stage == "vendor":
            simulator.control("scenario", name="outage")

    result = run_dollar_check("acme", api=us, on_progress=outage_after_the_invoice)
    assert result.exit_code == EXIT_PROBLEM
    invoice, bill = _invoice(result), _bill(result)
    assert invoice.status == "posted" and invoice.cleanup.status == "not-tried"
    assert bill.status == "failed" and bill.problem.connection_wide
    assert "Intuit's side" in bill.problem.message
    assert load_profile("acme").last_test["pending_cleanup"] is True
    # What the user met is in the log once (not each of the client's three retries).
    assert [f["code"] for f in recent_failures("acme")] == ["HTTP 503"]

    simulator.control("scenario", name="none")
    later = run_dollar_check("acme", api=us)
    assert later.ok
    assert [(o.kind, o.document_id, o.status) for o in later.earlier_cleanup] == [
        ("invoice", invoice.document_id, "voided")
    ]


def test_documents_kept_on_purpose_are_left_alone_until_cleanup_is_asked_for(
    us: QboApi,
) -> None:
    kept = run_dollar_check("acme", api=us, cleanup=False)
    assert load_profile("acme").last_test["pending_cleanup"] is True
    later = run_dollar_check("acme", api=us)
    assert later.earlier_cleanup == ()
    assert us.get("Invoice", _invoice(kept).document_id)["TotalAmt"] == 1.0
    cleaned = clean_up_check_documents("acme", api=us)
    assert {o.status for o in cleaned.earlier_cleanup} == {"voided", "deleted"}
    assert cleaned.ok and pending_cleanup("acme") == []
    assert load_profile("acme").last_test["pending_cleanup"] is False


def test_a_document_already_voided_or_deleted_by_hand_counts_as_cleaned(us: QboApi) -> None:
    kept = run_dollar_check("acme", api=us, cleanup=False)
    invoice, bill = _invoice(kept), _bill(kept)
    other = QboApi.for_profile("acme", sleep=no_wait)
    current = other.get("Invoice", invoice.document_id)
    other.void_invoice(invoice.document_id, current["SyncToken"])
    other.delete("Bill", bill.document_id, other.get("Bill", bill.document_id)["SyncToken"])
    cleaned = clean_up_check_documents("acme", api=us)
    assert {(o.kind, o.status) for o in cleaned.earlier_cleanup} == {
        ("invoice", "voided"),
        ("bill", "already-gone"),
    }
    assert cleaned.ok


class _SomeoneEditsAfterThePost(QboApi):
    """The books change between the test's post and its cleanup, as when a colleague edits:
    the SyncToken the post returned is stale by the time the document is voided or deleted."""

    def create(self, entity: str, body: dict[str, Any], request_id: str) -> dict[str, Any]:
        record = super().create(entity, body, request_id)
        if entity in ("Invoice", "Bill"):
            colleague = QboApi.for_profile(str(self.profile_name), sleep=no_wait)
            colleague.create(
                entity,
                {**record, "PrivateNote": "edited meanwhile", "sparse": True},
                f"edit-{entity}",
            )
        return record


def test_a_stale_sync_token_gets_one_more_read_and_try(simulator: SimulatorServer) -> None:
    connect(simulator, "acme", US_REALM)
    plain = QboApi.for_profile("acme", sleep=no_wait)
    map_in_step_7(plain, "acme", US_ITEM, US_ACCOUNT)
    api = _SomeoneEditsAfterThePost.for_profile("acme", sleep=no_wait)
    result = run_dollar_check("acme", api=api)
    assert result.ok, result.problems()
    assert [f["code"] for f in recent_failures("acme")].count("5010") == 2
    assert plain.get("Invoice", _invoice(result).document_id)["TotalAmt"] == 0


def test_production_needs_the_company_name_typed_before_anything_is_written(
    simulator: SimulatorServer,
) -> None:
    api = connect(simulator, "live", PRODUCTION_REALM, key_set="production")
    map_in_step_7(api, "live", US_ITEM, US_ACCOUNT)
    plan = plan_dollar_check("live", api)
    assert plan.production and plan.company_name == "Harbor Point Freight Inc"
    assert "real" in plan.warning and "voided" in plan.warning and "deleted" in plan.warning
    for typed in (None, "", "Harbor Point"):
        with pytest.raises(ProductionConfirmationRequired) as refused:
            run_dollar_check("live", api=api, confirm_production=typed)
        assert '--confirm-production "Harbor Point Freight Inc"' in str(refused.value)
    assert _named(api, "Customer", TEST_CUSTOMER_NAME) == []
    assert not record_path("live").exists()

    result = run_dollar_check("live", api=api, confirm_production="  harbor point  FREIGHT inc ")
    assert result.ok, result.problems()


def test_a_sandbox_company_needs_no_confirmation(us: QboApi) -> None:
    plan = plan_dollar_check("acme", us)
    assert not plan.production and plan.warning is None


@pytest.mark.parametrize("holder", ["Vendor", "Customer-inactive"])
def test_a_name_taken_by_another_record_gets_a_numbered_name(us: QboApi, holder: str) -> None:
    entity = holder.split("-")[0]
    squatter = us.create(entity, {"DisplayName": TEST_CUSTOMER_NAME}, f"squat-{holder}")
    if holder.endswith("inactive"):
        us.create(
            "Customer",
            {**squatter, "Active": False, "sparse": True},
            "squat-deactivate",
        )
    result = run_dollar_check("acme", api=us)
    assert result.ok, result.problems()
    assert result.customer.name == f"{TEST_CUSTOMER_NAME} 2"
    (made,) = _named(us, "Customer", f"{TEST_CUSTOMER_NAME} 2")
    assert made["Id"] == result.customer.id and made["Active"] is True


def test_an_active_customer_with_the_name_is_reused(us: QboApi) -> None:
    existing = us.create("Customer", {"DisplayName": TEST_CUSTOMER_NAME}, "made-by-hand")
    result = run_dollar_check("acme", api=us)
    assert result.customer.id == existing["Id"] and not result.customer.created


def test_without_a_mapping_the_test_points_to_step_7(
    simulator: SimulatorServer,
) -> None:
    api = connect(simulator, "acme", US_REALM)
    result = run_dollar_check("acme", api=api)
    assert result.exit_code == EXIT_PROBLEM and result.documents == ()
    assert result.problem.step == "map" and "not mapped" in result.problem.message
    assert recent_failures("acme")[0]["source"] == "test"


def test_a_mapping_of_another_company_is_not_used(simulator: SimulatorServer) -> None:
    api = connect(simulator, "acme", US_REALM)
    map_in_step_7(api, "acme", US_ITEM, US_ACCOUNT)
    moved = connect(simulator, "acme", UK_REALM)
    result = run_dollar_check("acme", api=moved)
    assert result.problem.step == "map"
    assert "Bluewater Freight Brokers LLC" in result.problem.message
    assert _named(moved, "Customer", TEST_CUSTOMER_NAME) == []


def test_a_connection_taken_over_asks_for_reconnect(simulator: SimulatorServer, us: QboApi) -> None:
    simulator.advance_clock(3700)
    simulator.control("scenario", name="takeover", realm_id=US_REALM)
    result = run_dollar_check("acme", api=us)
    assert result.exit_code == EXIT_RECONNECT
    assert result.problem.step == "connect"


def test_a_damaged_record_is_named_and_left_as_it_is(us: QboApi) -> None:
    path = record_path("acme")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("companies: [not, a, mapping\n")
    result = run_dollar_check("acme", api=us)
    assert result.exit_code == EXIT_PROBLEM and str(path) in result.problem.message
    assert path.read_text() == "companies: [not, a, mapping\n"
    assert _named(us, "Customer", TEST_CUSTOMER_NAME) == []


def test_a_damaged_mapping_points_to_step_7(us: QboApi) -> None:
    mapping_path("acme").write_text("lines: {linehaul: [}\n")
    result = run_dollar_check("acme", api=us)
    assert result.problem.step == "map" and "mapping.yaml" in result.problem.message


def test_only_one_test_runs_at_a_time_per_profile(us: QboApi) -> None:
    held = filelock.FileLock(str(record_path("acme").parent / ".test-run.lock"))
    with held, pytest.raises(DollarCheckAlreadyRunning):
        run_dollar_check("acme", api=us)
    assert run_dollar_check("acme", api=us).ok


@contextlib.contextmanager
def held_by_another_writer(profile: str) -> Iterator[None]:
    """The profile lock held by another thread (as a refresh elsewhere would) for the block."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with profile_lock.refresh_lock(profile):
            taken.set()
            release.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait()
    try:
        yield
    finally:
        release.set()
        holder.join()


def test_the_outcome_is_saved_under_the_profile_lock_token_refreshes_take(
    us: QboApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another writer (a token refresh, a command, the wizard) holds the profile and does not
    # let go: the outcome waits for it instead of writing over what that writer saves.
    monkeypatch.setattr(profile_lock, "LOCK_TIMEOUT_SECONDS", 0)
    before = load_profile("acme").path.read_text()
    with held_by_another_writer("acme"), pytest.raises(profile_lock.RefreshBusy):
        run_dollar_check("acme", api=us)
    assert load_profile("acme").path.read_text() == before
    assert pending_cleanup("acme") == []  # the documents were still voided and deleted
    assert run_dollar_check("acme", api=us).ok
    assert load_profile("acme").last_test["ok"] is True


def test_no_token_reaches_the_record_the_profile_or_the_result(
    simulator: SimulatorServer, us: QboApi
) -> None:
    from qbo_wizard.core.connection.tokens import TokenStore

    tokens = TokenStore("acme").load()
    assert tokens is not None
    result = run_dollar_check("acme", api=us, cleanup=False)
    written = record_path("acme").read_text() + load_profile("acme").path.read_text()
    written += str(result.to_json())
    for secret in (tokens.access_token, tokens.refresh_token):
        assert secret not in written


def test_a_server_error_after_quickbooks_made_the_invoice_never_leads_to_a_second_one(
    simulator: SimulatorServer,
) -> None:
    """The first try is processed but its answer lost; the retries meet an outage (5xx).
    QuickBooks made the invoice, so the next run must get that one back, not post another."""

    def outage_from_the_first_retry(seconds: float) -> None:
        simulator.control("scenario", name="outage")

    connect(simulator, "acme", US_REALM)
    api = QboApi.for_profile("acme", sleep=outage_from_the_first_retry)
    map_in_step_7(api, "acme", US_ITEM, US_ACCOUNT)
    simulator.control("drop_next_response", path_contains="/invoice")
    first = run_dollar_check("acme", api=api, cleanup=False)
    invoice = _invoice(first)
    assert invoice.status == "failed" and "Intuit's side" in invoice.problem.message
    assert RESEND_ADVICE in invoice.problem.fix
    (waiting,) = load_record("acme")[US_REALM].documents
    assert waiting.state == "sending"

    simulator.control("scenario", name="none")
    second = run_dollar_check("acme", api=QboApi.for_profile("acme", sleep=no_wait), cleanup=False)
    again = _invoice(second)
    assert second.ok and again.resent
    made = documents_for(api, "Invoice", "CustomerRef", second.customer.id)
    assert [row["Id"] for row in made] == [again.document_id]


def test_a_refused_post_forgets_its_request_id(simulator: SimulatorServer) -> None:
    api = connect(simulator, "acme", US_REALM)
    write_mapping(api, "acme", US_ITEM, "Accounts Payable (A/P)")  # 6000 for the bill
    result = run_dollar_check("acme", api=api, cleanup=False)
    assert _bill(result).status == "failed"
    kinds = [d.kind for d in load_record("acme")[US_REALM].documents]
    assert "bill" not in kinds  # a 400 made nothing: no request id is kept for it


def test_on_a_fresh_company_the_test_costs_one_call_per_party_post_and_cleanup(
    simulator: SimulatorServer, us: QboApi
) -> None:
    """One look at the company before posting, no look-up before creating the test parties,
    and the void and delete use the SyncToken the post returned."""
    simulator.control("request_counts", reset=True)
    result = run_dollar_check("acme", api=us, plan=plan_dollar_check("acme", us))
    assert result.ok, result.problems()
    counts: dict[str, int] = simulator.control("request_counts")["counts"]
    assert counts.get("write", 0) == 6  # two parties, two posts, one void, one delete
    assert counts.get("query", 0) == counts.get("read", 0) == 0
    assert counts.get("company_info", 0) == 1  # the plan's check that the connection works
    # A second run finds the parties it made, checking each is still there (one read each).
    simulator.control("request_counts", reset=True)
    assert run_dollar_check("acme", api=us, plan=plan_dollar_check("acme", us)).ok
    again: dict[str, int] = simulator.control("request_counts")["counts"]
    assert again.get("write", 0) == 4 and again.get("read", 0) == 2
