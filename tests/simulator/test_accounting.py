"""The practice Accounting API through python-quickbooks objects and raw requests."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from quickbooks import QuickBooks
from quickbooks.exceptions import (
    ObjectNotFoundException,
    QuickbooksException,
    ValidationException,
)
from quickbooks.objects.account import Account
from quickbooks.objects.base import Ref
from quickbooks.objects.bill import Bill
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import (
    AccountBasedExpenseLine,
    AccountBasedExpenseLineDetail,
    SalesItemLine,
    SalesItemLineDetail,
)
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.taxcode import TaxCode
from quickbooks.objects.vendor import Vendor

from qbo_wizard.simulator.companies import LARGE_REALM
from qbo_wizard.simulator.schema import ACCOUNT_TYPES
from qbo_wizard.simulator.server import SimulatorServer
from tests.simulator.helpers import (
    UK_REALM,
    US_REALM,
    api,
    connect,
    fault,
    find,
    query,
    quickbooks,
)


@pytest.fixture
def qb(simulator: SimulatorServer) -> QuickBooks:
    return quickbooks(simulator, connect(simulator))


@pytest.fixture
def token(simulator: SimulatorServer) -> str:
    access: str = simulator.mint_tokens(US_REALM)["access_token"]
    return access


def _ref(value: str) -> Ref:
    ref = Ref()
    ref.value = value
    return ref


def _invoice(customer_id: str, item_id: str, amount: float = 1.0) -> Invoice:
    line = SalesItemLine()
    line.Amount = amount
    line.Description = "Integration test - safe to void"
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = _ref(item_id)
    invoice = Invoice()
    invoice.CustomerRef = _ref(customer_id)
    invoice.Line.append(line)
    return invoice


def _bill(vendor_id: str, account_id: str, amount: float = 1.0) -> Bill:
    line = AccountBasedExpenseLine()
    line.Amount = amount
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = _ref(account_id)
    bill = Bill()
    bill.VendorRef = _ref(vendor_id)
    bill.Line.append(line)
    return bill


def _one(entity: type[Any], qb: QuickBooks, **where: Any) -> Any:
    found = entity.filter(qb=qb, **where)
    assert len(found) == 1, found
    return found[0]


def _post(
    sim: SimulatorServer, token: str, realm: str, entity: str, body: Any, **params: str
) -> requests.Response:
    return api(sim, token, realm, entity, method="POST", json=body, params=params)


def _line(item_id: str, **detail: Any) -> list[dict[str, Any]]:
    return [
        {
            "DetailType": "SalesItemLineDetail",
            "Amount": 1.0,
            "SalesItemLineDetail": {"ItemRef": {"value": item_id}, **detail},
        }
    ]


def _invoice_body(**fields: Any) -> dict[str, Any]:
    return {"CustomerRef": {"value": "1"}, "Line": _line("2"), **fields}


def _bill_body(account_id: str) -> dict[str, Any]:
    line = {
        "DetailType": "AccountBasedExpenseLineDetail",
        "Amount": 1.0,
        "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account_id}},
    }
    return {"VendorRef": {"value": "1"}, "Line": [line]}


def _invoice_count(sim: SimulatorServer, token: str) -> int:
    answer = query(sim, token, US_REALM, "SELECT COUNT(*) FROM Invoice").json()
    count: int = answer["QueryResponse"]["totalCount"]
    return count


# ------------------------------------------------------------------ chart of accounts


def test_chart_of_accounts_looks_like_a_freight_brokers(qb: QuickBooks) -> None:
    accounts = Account.where("Active IN (true, false)", max_results=1000, qb=qb)
    assert {a.AccountType for a in accounts} == set(ACCOUNT_TYPES)  # all 16, API spelling
    by_name = {a.FullyQualifiedName: a for a in accounts}
    truckload = by_name["Freight Revenue:Truckload"]
    assert truckload.SubAccount is True
    assert truckload.Classification == "Revenue"
    assert truckload.ParentRef.value == by_name["Freight Revenue"].Id
    assert by_name["Accounts Payable (A/P)"].AccountType == "Accounts Payable"
    assert by_name["Accounts Payable (A/P)"].Classification == "Liability"
    assert by_name["Carrier Costs:Linehaul"].Classification == "Expense"
    assert not by_name["Carrier Costs:Rail Intermodal Costs"].Active
    assert sum(1 for a in accounts if not a.Active) == 4


def test_queries_leave_inactive_records_out_unless_asked(qb: QuickBooks) -> None:
    assert Account.count(qb=qb) == 58
    assert Account.count("Active IN (true, false)", qb=qb) == 62
    assert all(account.Active for account in Account.all(max_results=1000, qb=qb))
    assert [item.Name for item in Item.filter(Active=False, qb=qb)] == ["Intermodal Freight"]


def test_items_include_services_non_inventory_and_a_category(qb: QuickBooks) -> None:
    items = Item.all(qb=qb)
    kinds = {i.Type for i in items}
    assert {"Service", "NonInventory", "Category"} <= kinds
    for item in items:
        if item.Type != "Category":
            assert item.IncomeAccountRef.value
    detention = next(i for i in items if i.Name == "Detention")
    assert detention.FullyQualifiedName == "Accessorials:Detention"


def test_filter_where_and_count_through_python_quickbooks(qb: QuickBooks) -> None:
    banks = Account.filter(AccountType="Bank", Active=True, qb=qb)
    assert [a.Name for a in banks] == [
        "Operating Checking",
        "Payroll Checking",
        "Money Market Reserve",
    ]
    assert Account.count("Active = false", qb=qb) == 4
    assert _one(Account, qb, Name="Owner's Draw").AccountType == "Equity"


def test_company_info_names_the_company_and_country(simulator: SimulatorServer, token: str) -> None:
    answer = api(simulator, token, US_REALM, f"companyinfo/{US_REALM}")
    info = answer.json()["CompanyInfo"]
    assert (info["CompanyName"], info["Country"]) == ("Bluewater Freight Brokers LLC", "US")
    assert "time" in answer.json()
    uk_token = simulator.mint_tokens(UK_REALM)["access_token"]
    uk = api(simulator, uk_token, UK_REALM, "query", params={"query": "select * from CompanyInfo"})
    assert uk.json()["QueryResponse"]["CompanyInfo"][0]["Country"] == "GB"


# ------------------------------------------------------------------ queries


def test_query_by_get_and_post_agree(simulator: SimulatorServer, token: str) -> None:
    text = "SELECT * FROM Account WHERE Classification = 'Asset' ORDERBY Name DESC MAXRESULTS 3"
    by_get = api(simulator, token, US_REALM, "query", params={"query": text}).json()
    by_post = query(simulator, token, US_REALM, text).json()
    assert by_get["QueryResponse"] == by_post["QueryResponse"]
    response = by_get["QueryResponse"]
    names = [a["Name"] for a in response["Account"]]
    assert names == sorted(names, key=str.lower, reverse=True)
    assert response["startPosition"] == 1
    assert response["maxResults"] == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "SELECT * FROM Account WHERE Name LIKE 'Fuel%'",
            ["Fuel Card", "Fuel Surcharge Paid", "Fuel Surcharge Revenue"],
        ),
        ("SELECT * FROM Account WHERE Name = 'Owner\\'s Draw'", ["Owner's Draw"]),
        (
            "select * from Account where AccountType in ('Credit Card', 'Long Term Liability') "
            "and Active = true orderby Name",
            ["Company Amex", "Equipment Loan", "Fuel Card"],
        ),
        (
            "SELECT * FROM Account WHERE Name LIKE '%Insurance' AND SubAccount = true",
            ["Cargo Insurance", "General Liability Insurance"],
        ),
    ],
)
def test_query_conditions(
    simulator: SimulatorServer, token: str, text: str, expected: list[str]
) -> None:
    found = query(simulator, token, US_REALM, text).json()["QueryResponse"]["Account"]
    assert sorted(a["Name"] for a in found) == sorted(expected)


def test_query_pages_with_startposition_and_maxresults(
    simulator: SimulatorServer, token: str
) -> None:
    seen: list[str] = []
    position = 1
    while True:
        page = query(
            simulator,
            token,
            US_REALM,
            f"SELECT * FROM Account STARTPOSITION {position} MAXRESULTS 25",  # noqa: S608
        ).json()["QueryResponse"]
        rows = page.get("Account", [])
        seen += [a["Id"] for a in rows]
        if len(rows) < 25:
            break
        position += 25
    total = query(simulator, token, US_REALM, "SELECT COUNT(*) FROM Account").json()
    assert total["QueryResponse"] == {"totalCount": len(seen)}
    assert len(set(seen)) == len(seen) == 58


def test_query_with_no_rows_has_no_entity_key(simulator: SimulatorServer, token: str) -> None:
    empty = query(simulator, token, US_REALM, "SELECT * FROM Account WHERE Name = 'Nope'")
    assert empty.status_code == 200
    assert empty.json()["QueryResponse"] == {}
    assert query(simulator, token, US_REALM, "SELECT * FROM TaxCode").json()["QueryResponse"] == {}


@pytest.mark.parametrize(
    ("text", "code", "detail"),
    [
        ("SELECT * FROM Account WHERE Name = 'a' OR Name = 'b'", "4000", "QueryParserError"),
        ("SELECT * FROM Account WHERE Name = 'Owner's Draw'", "4000", "QueryParserError"),
        ("SELECT * FROM Acount", "4000", "QueryParserError"),
        ("SELECT * FROM Account MAXRESULTS 1001", "4001", "Max allowed value is 1000"),
        ("SELECT * FROM Account WHERE Colour = 'blue'", "4001", "QueryValidationError"),
        ("SELECT * FROM Invoice WHERE Line = '1'", "4001", "not queryable"),
    ],
)
def test_bad_queries_are_4000_or_4001(
    simulator: SimulatorServer, token: str, text: str, code: str, detail: str
) -> None:
    answer = query(simulator, token, US_REALM, text)
    assert answer.status_code == 400
    error = fault(answer)
    assert error["code"] == code
    assert detail in error["Detail"]
    assert error["type"] == "ValidationFault"


def test_large_company_has_10000_accounts_in_pages_of_1000(simulator: SimulatorServer) -> None:
    token = simulator.mint_tokens(LARGE_REALM)["access_token"]
    every = "SELECT {} FROM Account WHERE Active IN (true, false)"
    count = query(simulator, token, LARGE_REALM, every.format("COUNT(*)")).json()
    assert count["QueryResponse"]["totalCount"] == 10_000
    text = every.format("*") + " STARTPOSITION 9001 MAXRESULTS 1000"
    last = query(simulator, token, LARGE_REALM, text).json()["QueryResponse"]
    assert last["maxResults"] == 1000
    assert last["Account"][-1]["Id"] == "10000"


# ------------------------------------------------------------------ invoices and bills


def test_invoice_create_read_void_delete(qb: QuickBooks) -> None:
    customer = _one(Customer, qb, DisplayName="Acme Manufacturing Co.")
    item = _one(Item, qb, Name="Truckload Freight")
    saved = _invoice(customer.Id, item.Id).save(qb=qb)
    assert saved.SyncToken == "0"
    assert saved.TotalAmt == 1.0
    assert saved.Balance == 1.0
    assert saved.DocNumber == "1001"
    assert saved.CustomerRef.name == "Acme Manufacturing Co."

    read = Invoice.get(saved.Id, qb=qb)
    assert read.Line[0].SalesItemLineDetail.ItemRef.value == item.Id
    voided = read.void(qb=qb)["Invoice"]
    assert (voided["TotalAmt"], voided["Balance"], voided["SyncToken"]) == (0, 0, "1")

    again = Invoice.get(saved.Id, qb=qb)
    assert again.delete(qb=qb)["Invoice"]["status"] == "Deleted"
    with pytest.raises(ObjectNotFoundException) as gone:
        Invoice.get(saved.Id, qb=qb)
    assert gone.value.error_code == 610


def test_stale_sync_token_is_5010(simulator: SimulatorServer, token: str) -> None:
    created = _post(simulator, token, US_REALM, "invoice", _invoice_body()).json()["Invoice"]
    void = {"Id": created["Id"], "SyncToken": created["SyncToken"]}
    assert _post(simulator, token, US_REALM, "invoice", void, operation="void").ok
    stale = _post(simulator, token, US_REALM, "invoice", void, operation="delete")
    assert stale.status_code == 400
    assert fault(stale)["code"] == "5010"


def test_bill_create_and_delete(qb: QuickBooks) -> None:
    vendor = _one(Vendor, qb, DisplayName="Red River Trucking LLC")
    linehaul = _one(Account, qb, Name="Linehaul")
    saved = _bill(vendor.Id, linehaul.Id, 1.0).save(qb=qb)
    assert saved.TotalAmt == 1.0
    assert saved.APAccountRef.name == "Accounts Payable (A/P)"
    assert Bill.get(saved.Id, qb=qb).delete(qb=qb)["Bill"]["status"] == "Deleted"


@pytest.mark.parametrize(
    ("account_name", "words"),
    [("Accounts Payable (A/P)", "Accounts Payable"), ("Accounts Receivable (A/R)", "Receivable")],
)
def test_bill_line_on_payables_or_receivables_is_6000_with_detail(
    simulator: SimulatorServer, token: str, account_name: str, words: str
) -> None:
    account = find(simulator, token, US_REALM, "Account", "Name", account_name)
    answer = _post(simulator, token, US_REALM, "bill", _bill_body(account["Id"]))
    assert answer.status_code == 400
    error = fault(answer)
    assert error["code"] == "6000"
    assert error["Message"].startswith("A business validation error")
    assert words in error["Detail"]
    assert error["element"] == "Line.AccountBasedExpenseLineDetail.AccountRef"


def test_request_id_replays_the_original_response(simulator: SimulatorServer, token: str) -> None:
    request_id = "5f1c0b7e9d2a4c3e8b6a1d0f2e4c6a8b"
    first = _post(simulator, token, US_REALM, "invoice", _invoice_body(), requestid=request_id)
    second = _post(simulator, token, US_REALM, "invoice", _invoice_body(), requestid=request_id)
    assert first.json() == second.json()
    assert _invoice_count(simulator, token) == 1
    third = _post(simulator, token, US_REALM, "invoice", _invoice_body(), requestid="another-id")
    assert third.json()["Invoice"]["Id"] != first.json()["Invoice"]["Id"]


def test_a_dropped_answer_can_be_retried_safely_with_the_same_request_id(
    simulator: SimulatorServer, token: str
) -> None:
    simulator.control("drop_next_response", path_contains="/invoice")
    with pytest.raises(requests.ConnectionError):
        _post(simulator, token, US_REALM, "invoice", _invoice_body(), requestid="retry-me")
    retried = _post(simulator, token, US_REALM, "invoice", _invoice_body(), requestid="retry-me")
    assert retried.status_code == 200
    assert _invoice_count(simulator, token) == 1


# ------------------------------------------------------------------ validation faults


def test_missing_line_is_2020(simulator: SimulatorServer, token: str) -> None:
    answer = _post(simulator, token, US_REALM, "invoice", _invoice_body(Line=[]))
    error = fault(answer)
    assert (answer.status_code, error["code"]) == (400, "2020")
    assert "Line" in error["Detail"]


def test_python_quickbooks_sees_a_validation_exception(qb: QuickBooks) -> None:
    invoice = Invoice()
    invoice.CustomerRef = _ref("1")
    with pytest.raises(ValidationException) as refused:
        invoice.save(qb=qb)
    assert refused.value.error_code == 2020


@pytest.mark.parametrize(
    ("item_name", "detail"),
    [
        ("Intermodal Freight", "inactive"),
        ("Accessorials", "Categories"),
    ],
)
def test_inactive_or_category_item_is_2500(
    simulator: SimulatorServer, token: str, item_name: str, detail: str
) -> None:
    item = find(simulator, token, US_REALM, "Item", "Name", item_name)
    answer = _post(simulator, token, US_REALM, "invoice", _invoice_body(Line=_line(item["Id"])))
    error = fault(answer)
    assert (answer.status_code, error["code"]) == (400, "2500")
    assert error["Message"] == "Invalid Reference Id"
    assert error["element"] == "Line.SalesItemLineDetail.ItemRef"
    assert detail in error["Detail"]


def test_unknown_item_is_2500(simulator: SimulatorServer, token: str) -> None:
    answer = _post(simulator, token, US_REALM, "invoice", _invoice_body(Line=_line("9999")))
    assert fault(answer)["code"] == "2500"


def test_reading_an_unknown_id_is_610(simulator: SimulatorServer, token: str) -> None:
    answer = api(simulator, token, US_REALM, "customer/424242")
    assert answer.status_code == 400
    assert fault(answer)["code"] == "610"


def test_duplicate_name_across_customers_and_vendors_is_6240(
    simulator: SimulatorServer, token: str
) -> None:
    answer = api(
        simulator,
        token,
        US_REALM,
        "customer",
        method="POST",
        json={"DisplayName": "Red River Trucking LLC"},
    )
    error = fault(answer)
    assert (answer.status_code, error["code"]) == (400, "6240")
    assert "customer, vendor or employee" in error["Detail"]
    created = api(
        simulator,
        token,
        US_REALM,
        "customer",
        method="POST",
        json={"DisplayName": "Red River Trucking LLC (customer)"},
    )
    assert created.json()["Customer"]["Active"] is True


def test_account_made_inactive_by_control_is_refused_on_a_bill(
    simulator: SimulatorServer, token: str
) -> None:
    linehaul = find(simulator, token, US_REALM, "Account", "Name", "Linehaul")
    simulator.control(
        "set_account_active", realm_id=US_REALM, account_id=linehaul["Id"], active=False
    )
    answer = _post(simulator, token, US_REALM, "bill", _bill_body(linehaul["Id"]))
    assert fault(answer)["code"] == "2500"


# ------------------------------------------------------------------ non-US company


def test_uk_invoice_line_without_tax_code_is_6000(simulator: SimulatorServer) -> None:
    token = simulator.mint_tokens(UK_REALM)["access_token"]
    answer = _post(simulator, token, UK_REALM, "invoice", _invoice_body(Line=_line("1")))
    error = fault(answer)
    assert (answer.status_code, error["code"]) == (400, "6000")
    assert "VAT rate" in error["Detail"]


def test_uk_invoice_with_a_vat_code_adds_the_tax(simulator: SimulatorServer) -> None:
    token = simulator.mint_tokens(UK_REALM)["access_token"]
    qb_client = quickbooks(simulator, connect(simulator, UK_REALM))
    standard = next(code for code in TaxCode.all(qb=qb_client) if code.Name == "20.0% S")
    body = _invoice_body(Line=_line("1", TaxCodeRef={"value": standard.Id}))
    answer = _post(simulator, token, UK_REALM, "invoice", body)
    invoice = answer.json()["Invoice"]
    assert invoice["TxnTaxDetail"]["TotalTax"] == 0.2
    assert invoice["TotalAmt"] == 1.2
    assert invoice["CurrencyRef"]["value"] == "GBP"


def test_tax_service_creates_a_tax_code(simulator: SimulatorServer) -> None:
    token = simulator.mint_tokens(UK_REALM)["access_token"]
    answer = api(
        simulator,
        token,
        UK_REALM,
        "taxservice/taxcode",
        method="POST",
        json={
            "TaxCode": "Export Haulage",
            "TaxRateDetails": [
                {
                    "TaxRateName": "Export 0%",
                    "RateValue": "0",
                    "TaxAgencyId": "1",
                    "TaxApplicableOn": "Sales",
                }
            ],
        },
    )
    assert answer.status_code == 200, answer.text
    code_id = answer.json()["TaxCodeId"]
    assert api(simulator, token, UK_REALM, f"taxcode/{code_id}").json()["TaxCode"]["Name"] == (
        "Export Haulage"
    )


def test_unknown_entity_path_is_unsupported_operation(
    simulator: SimulatorServer, token: str
) -> None:
    answer = api(simulator, token, US_REALM, "spaceship", method="POST", json={})
    assert answer.status_code == 400
    assert fault(answer)["code"] == "500"


def test_updates_check_the_sync_token(qb: QuickBooks) -> None:
    account = _one(Account, qb, Name="Travel")
    account.Active = False
    saved = account.save(qb=qb)
    assert (saved.Active, saved.SyncToken) == (False, "1")
    with pytest.raises(QuickbooksException) as stale:
        account.save(qb=qb)  # still carries SyncToken 0
    assert stale.value.error_code == 5010
    assert Account.count("Active = false", qb=qb) == 5


def test_sparse_update_changes_only_what_is_sent(simulator: SimulatorServer, token: str) -> None:
    customer = find(simulator, token, US_REALM, "Customer", "DisplayName", "Great Lakes Grocers")
    change = {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "Net 45"}
    updated = _post(simulator, token, US_REALM, "customer", change).json()["Customer"]
    assert updated["Notes"] == "Net 45"
    assert updated["PrimaryEmailAddr"] == customer["PrimaryEmailAddr"]


def test_amount_must_equal_quantity_times_price(simulator: SimulatorServer, token: str) -> None:
    body = _invoice_body(Line=_line("2", Qty=2, UnitPrice=1.0))
    assert fault(_post(simulator, token, US_REALM, "invoice", body))["code"] == "6070"


def test_duplicate_doc_number_is_6140_unless_allowed(
    simulator: SimulatorServer, token: str
) -> None:
    first = _post(simulator, token, US_REALM, "invoice", _invoice_body(DocNumber="T-1"))
    assert first.json()["Invoice"]["DocNumber"] == "T-1"
    again = _post(simulator, token, US_REALM, "invoice", _invoice_body(DocNumber="T-1"))
    assert fault(again)["code"] == "6140"
    allowed = _post(
        simulator,
        token,
        US_REALM,
        "invoice",
        _invoice_body(DocNumber="T-1"),
        include="allowduplicatedocnum",
    )
    assert allowed.status_code == 200
