"""Building invoices and bills from a request body, with the rules QuickBooks Online applies:
active parties and items, amounts that add up, tax codes outside the US (and the tax they add),
unique invoice numbers, and bill lines that stay off A/P and A/R."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from qbo_wizard.simulator import faults
from qbo_wizard.simulator.body_values import message_number, money, reference_id, text
from qbo_wizard.simulator.faults import ApiFault
from qbo_wizard.simulator.name_lists import account_reference
from qbo_wizard.simulator.record_store import RecordStore

# What QuickBooks calls sales tax in its 6000 message, by country.
_SALES_TAX_NAMES = {"GB": "VAT", "CA": "GST/HST", "AU": "GST"}


def _party_reference(
    store: RecordStore, entity: str, body: dict[str, Any], field: str
) -> dict[str, str]:
    party_id = reference_id(body.get(field))
    if not party_id:
        raise faults.required_missing(field)
    party = store.find(entity, party_id)
    if party is None:
        raise faults.invalid_reference(field)
    if not party["Active"]:
        raise faults.inactive_reference(field)
    return {"value": party["Id"], "name": party["DisplayName"]}


def _lines(body: dict[str, Any]) -> list[dict[str, Any]]:
    lines = body.get("Line")
    if not isinstance(lines, list) or not lines:
        raise faults.required_missing("Line")
    return [line for line in lines if isinstance(line, dict)]


def _transaction(
    store: RecordStore,
    body: dict[str, Any],
    party_field: str,
    party: dict[str, str],
    lines: list[Any],
) -> dict[str, Any]:
    """The fields every invoice and bill carries: party, lines, dates, currency."""
    txn_date, due_date = _dates(store, body, 30)
    return {
        party_field: party,
        "Line": lines,
        "TxnDate": txn_date,
        "DueDate": due_date,
        "CurrencyRef": dict(store.currency),
    }


def _dates(store: RecordStore, body: dict[str, Any], due_days: int) -> tuple[str, str]:
    txn_date = text(body.get("TxnDate")) or store.clock.today()
    try:
        parsed = date.fromisoformat(txn_date)
    except ValueError as error:
        raise ApiFault(
            "2010",
            "Request has invalid or unsupported property",
            f"Property Name:TxnDate has an invalid value {txn_date!r}",
            element="TxnDate",
        ) from error
    due = text(body.get("DueDate")) or (parsed + timedelta(days=due_days)).isoformat()
    return txn_date, due


def _tax_code(
    store: RecordStore, line_detail: dict[str, Any], element: str
) -> dict[str, Any] | None:
    code_id = reference_id(line_detail.get("TaxCodeRef"))
    if store.country == "US":
        return {"value": code_id} if code_id in ("TAX", "NON") else None
    if not code_id:
        return None
    tax_code = store.find("TaxCode", code_id)
    if tax_code is None:
        raise faults.invalid_reference(element)
    if not tax_code.get("Active", True):
        raise faults.inactive_reference(element)
    return tax_code


def _tax_rate_percent(store: RecordStore, tax_code: dict[str, Any]) -> tuple[str, float]:
    details = tax_code.get("SalesTaxRateList", {}).get("TaxRateDetail", [])
    if not details:
        return "", 0.0
    rate_id = details[0]["TaxRateRef"]["value"]
    rate = store.find("TaxRate", rate_id) or {}
    return rate_id, float(rate.get("RateValue", 0))


def build_invoice(
    store: RecordStore,
    body: dict[str, Any],
    self_id: str | None,
    *,
    allow_duplicate_doc_number: bool = False,
) -> dict[str, Any]:
    customer = _party_reference(store, "Customer", body, "CustomerRef")
    lines = _lines(body)
    stored_lines: list[dict[str, Any]] = []
    total = 0.0
    tax_by_rate: dict[str, list[float]] = {}
    for number, line in enumerate(
        (ln for ln in lines if ln.get("DetailType") != "SubTotalLineDetail"), start=1
    ):
        detail_type = text(line.get("DetailType"))
        if detail_type == "DescriptionOnly":
            stored_lines.append({**line, "Id": str(number), "LineNum": number})
            continue
        if detail_type != "SalesItemLineDetail":
            raise faults.required_missing("Line.DetailType", "Line.DetailType")
        amount = money(line.get("Amount"))
        if amount is None:
            raise faults.required_missing("Line.Amount", "Line.Amount")
        detail = line.get("SalesItemLineDetail")
        if not isinstance(detail, dict):
            raise faults.required_missing("Line.SalesItemLineDetail", "Line.SalesItemLineDetail")
        item_ref = invoice_item(store, detail)
        quantity, price = money(detail.get("Qty")), money(detail.get("UnitPrice"))
        if quantity and price and round(quantity * price, 2) != amount:
            raise ApiFault(
                "6070",
                "Amount calculation incorrect in the request.",
                f"Amount is not equal to UnitPrice * Qty. Supplied value:{message_number(amount)}",
                element="Line.Amount",
            )
        stored_detail = {k: v for k, v in detail.items() if v not in ("", None)}
        stored_detail["ItemRef"] = item_ref
        tax_code = _tax_code(store, detail, "Line.SalesItemLineDetail.TaxCodeRef")
        if store.country != "US":
            if tax_code is None:
                raise faults.business_rule(
                    "Make sure all your transactions have a "
                    f"{_SALES_TAX_NAMES.get(store.country, 'tax')} rate before you save.",
                    "Line.SalesItemLineDetail.TaxCodeRef",
                )
            stored_detail["TaxCodeRef"] = {"value": tax_code["Id"]}
            rate_id, percent = _tax_rate_percent(store, tax_code)
            tax_by_rate.setdefault(f"{rate_id}|{percent}", []).append(amount)
        else:
            stored_detail["TaxCodeRef"] = tax_code or {"value": "NON"}
        total += amount
        stored_lines.append(
            {
                "Id": str(number),
                "LineNum": number,
                "Description": text(line.get("Description")) or None,
                "Amount": amount,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": stored_detail,
            }
        )
    stored_lines = [{k: v for k, v in ln.items() if v is not None} for ln in stored_lines]
    stored_lines.append(
        {
            "Amount": round(total, 2),
            "DetailType": "SubTotalLineDetail",
            "SubTotalLineDetail": {},
        }
    )
    record = _transaction(store, body, "CustomerRef", customer, stored_lines)
    record |= {
        "Deposit": 0,
        "DocNumber": _doc_number(store, body, self_id, allow_duplicate_doc_number),
        "LinkedTxn": [],
        "ApplyTaxAfterDiscount": False,
        "PrintStatus": "NeedToPrint",
        "EmailStatus": "NotSet",
        "AllowIPNPayment": False,
        "AllowOnlinePayment": False,
        "AllowOnlineCreditCardPayment": False,
        "AllowOnlineACHPayment": False,
    }
    if text(body.get("PrivateNote")):
        record["PrivateNote"] = text(body.get("PrivateNote"))
    total_tax = 0.0
    if store.country != "US":
        tax_lines = []
        for key, amounts in tax_by_rate.items():
            rate_id, percent_text = key.split("|")
            net = round(sum(amounts), 2)
            tax = round(net * float(percent_text) / 100, 2)
            total_tax += tax
            tax_lines.append(
                {
                    "Amount": tax,
                    "DetailType": "TaxLineDetail",
                    "TaxLineDetail": {
                        "TaxRateRef": {"value": rate_id},
                        "PercentBased": True,
                        "TaxPercent": float(percent_text),
                        "NetAmountTaxable": net,
                    },
                }
            )
        record["TxnTaxDetail"] = {"TotalTax": round(total_tax, 2), "TaxLine": tax_lines}
        record["GlobalTaxCalculation"] = "TaxExcluded"
    else:
        record["TxnTaxDetail"] = {"TotalTax": 0}
    grand_total = round(total + total_tax, 2)
    record.update(TotalAmt=grand_total, Balance=grand_total)
    memo = body.get("CustomerMemo")
    if isinstance(memo, dict) and text(memo.get("value")):
        record["CustomerMemo"] = {"value": text(memo.get("value"))}
    return record


def invoice_item(store: RecordStore, detail: dict[str, Any]) -> dict[str, str]:
    element = "Line.SalesItemLineDetail.ItemRef"
    item_id = reference_id(detail.get("ItemRef"))
    if not item_id:
        raise faults.required_missing("ItemRef", element)
    item = store.find("Item", item_id)
    if item is None:
        raise faults.invalid_reference(element)
    if not item["Active"]:
        raise faults.inactive_reference(element)
    if item["Type"] == "Category":
        raise faults.invalid_reference(
            element, "Categories can't be used in transactions. Choose a product or service."
        )
    return {"value": item["Id"], "name": item["FullyQualifiedName"]}


def _doc_number(
    store: RecordStore, body: dict[str, Any], self_id: str | None, allow_duplicate: bool
) -> str:
    wanted = text(body.get("DocNumber"))
    if not wanted:
        if self_id is not None:
            current = store.find("Invoice", self_id)
            if current is not None:
                return str(current.get("DocNumber", ""))
        while any(r.get("DocNumber") == str(store.next_doc_number) for r in store.all("Invoice")):
            store.next_doc_number += 1
        wanted = str(store.next_doc_number)
        store.next_doc_number += 1
        return wanted
    for other in store.all("Invoice"):
        if other.get("DocNumber") == wanted and other["Id"] != self_id and not allow_duplicate:
            raise ApiFault(
                "6140",
                "Duplicate Document Number Error",
                "Duplicate Document Number Error : You must specify a different number. "
                f"This number has already been used. DocNumber={wanted} is assigned to "
                f"TxnType=Invoice with TxnId={other['Id']}",
                element="DocNumber",
            )
    return wanted


def build_bill(store: RecordStore, body: dict[str, Any], self_id: str | None) -> dict[str, Any]:
    vendor = _party_reference(store, "Vendor", body, "VendorRef")
    lines = _lines(body)
    stored_lines: list[dict[str, Any]] = []
    total = 0.0
    for number, line in enumerate(lines, start=1):
        detail_type = text(line.get("DetailType"))
        amount = money(line.get("Amount"))
        if amount is None:
            raise faults.required_missing("Line.Amount", "Line.Amount")
        if detail_type == "AccountBasedExpenseLineDetail":
            detail = line.get("AccountBasedExpenseLineDetail")
            element = "Line.AccountBasedExpenseLineDetail.AccountRef"
            if not isinstance(detail, dict) or not reference_id(detail.get("AccountRef")):
                raise faults.required_missing("AccountRef", element)
            account_ref = account_reference(store, detail.get("AccountRef"), element)
            account = store.require("Account", account_ref["value"])
            if account["AccountType"] in ("Accounts Payable", "Accounts Receivable"):
                kind = (
                    "Accounts Payable (A/P)"
                    if account["AccountType"] == ("Accounts Payable")
                    else "Accounts Receivable (A/R)"
                )
                raise faults.business_rule(
                    f'You can\'t use {kind} accounts like "{account["Name"]}" on the lines '
                    "of a bill. Choose an expense, cost of goods sold or other account "
                    "for each line.",
                    element,
                )
            stored_detail = {k: v for k, v in detail.items() if v not in ("", None)}
            stored_detail["AccountRef"] = account_ref
            stored_detail.setdefault("BillableStatus", "NotBillable")
            if store.country == "US":
                stored_detail.setdefault("TaxCodeRef", {"value": "NON"})
        elif detail_type == "ItemBasedExpenseLineDetail":
            detail = line.get("ItemBasedExpenseLineDetail")
            if not isinstance(detail, dict):
                raise faults.required_missing("ItemBasedExpenseLineDetail")
            stored_detail = {k: v for k, v in detail.items() if v not in ("", None)}
            stored_detail["ItemRef"] = invoice_item(store, detail)
            stored_detail.setdefault("BillableStatus", "NotBillable")
            if store.country == "US":
                stored_detail.setdefault("TaxCodeRef", {"value": "NON"})
        else:
            raise faults.required_missing("Line.DetailType", "Line.DetailType")
        total += amount
        stored_line: dict[str, Any] = {
            "Id": str(number),
            "LineNum": number,
            "Amount": amount,
            "DetailType": detail_type,
            detail_type: stored_detail,
        }
        if text(line.get("Description")):
            stored_line["Description"] = text(line.get("Description"))
        stored_lines.append(stored_line)
    record = _transaction(store, body, "VendorRef", vendor, stored_lines)
    record |= {
        "APAccountRef": _payables_account(store, body),
        "TotalAmt": round(total, 2),
        "Balance": round(total, 2),
        "LinkedTxn": [],
    }
    for optional in ("DocNumber", "PrivateNote"):
        if text(body.get(optional)):
            record[optional] = text(body.get(optional))
    return record


def _payables_account(store: RecordStore, body: dict[str, Any]) -> dict[str, str]:
    if reference_id(body.get("APAccountRef")):
        reference = account_reference(store, body.get("APAccountRef"), "APAccountRef")
        if store.require("Account", reference["value"])["AccountType"] != "Accounts Payable":
            raise faults.business_rule(
                "The APAccountRef of a bill must be an Accounts Payable account.",
                "APAccountRef",
            )
        return reference
    for account in store.all("Account"):
        if account["AccountType"] == "Accounts Payable" and account["Active"]:
            return {"value": account["Id"], "name": account["FullyQualifiedName"]}
    raise faults.business_rule("This company has no Accounts Payable account.")
