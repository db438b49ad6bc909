"""Building accounts, customers, vendors, items and tax codes from a request body, with the rules
QuickBooks Online applies: required fields, enumerations, sub-account nesting, unique names and
references to active accounts."""

from __future__ import annotations

from typing import Any

from qbo_wizard.simulator import faults
from qbo_wizard.simulator.body_values import money, reference_id, text
from qbo_wizard.simulator.faults import ApiFault
from qbo_wizard.simulator.record_store import RecordStore
from qbo_wizard.simulator.schema import (
    ACCOUNT_TYPES,
    CUSTOMER_LIKE,
    ITEM_TYPES,
    MAX_ACCOUNT_DEPTH,
    SUBTYPE_TYPES,
)


def build_account(store: RecordStore, body: dict[str, Any], self_id: str | None) -> dict[str, Any]:
    name = text(body.get("Name"))
    if not name:
        raise faults.required_missing("Name")
    account_type = text(body.get("AccountType"))
    sub_type = text(body.get("AccountSubType"))
    if not account_type and not sub_type:
        raise ApiFault(
            "6010",
            faults.BUSINESS_VALIDATION,
            "Business Validation Error: Choose an account type: send AccountType or "
            "AccountSubType.",
            element="AccountType",
        )
    if account_type and account_type not in ACCOUNT_TYPES:
        raise ApiFault(
            "2170",
            "Invalid Enumeration",
            f"Invalid Enumeration : {account_type}",
            element="AccountType",
        )
    if not account_type:
        if sub_type not in SUBTYPE_TYPES:
            raise ApiFault(
                "2170",
                "Invalid Enumeration",
                f"Invalid Enumeration : {sub_type}",
                element="AccountSubType",
            )
        account_type = SUBTYPE_TYPES[sub_type]
    classification, default_sub_type = ACCOUNT_TYPES[account_type]
    parent_id = reference_id(body.get("ParentRef"))
    full_name = name
    if parent_id:
        parent = store.find("Account", parent_id)
        if parent is None:
            raise faults.invalid_reference("ParentRef")
        if parent["AccountType"] != account_type:
            raise faults.business_rule(
                "A sub-account must have the same account type as its parent.", "ParentRef"
            )
        full_name = f"{parent['FullyQualifiedName']}:{name}"
        if full_name.count(":") >= MAX_ACCOUNT_DEPTH:
            raise faults.business_rule(
                "Sub-accounts can only be nested five levels deep.", "ParentRef"
            )
    owner = store.name_owner("Account", full_name.lower())
    if owner is not None and owner != self_id:
        raise faults.duplicate_name(
            "The name supplied already exists. : Another account is already using this "
            "name. Please use a different name."
        )
    balance = money(body.get("CurrentBalance")) or 0.0
    record: dict[str, Any] = {
        "Name": name,
        "SubAccount": bool(parent_id),
        "FullyQualifiedName": full_name,
        "Active": body.get("Active", True) is not False,
        "AccountType": account_type,
        "AccountSubType": sub_type or default_sub_type,
        "CurrentBalance": balance,
        "CurrentBalanceWithSubAccounts": balance,
        "CurrencyRef": dict(store.currency),
    }
    if classification is not None:
        record["Classification"] = classification
    if parent_id:
        record["ParentRef"] = {"value": parent_id}
    for optional in ("AcctNum", "Description"):
        if text(body.get(optional)):
            record[optional] = text(body.get(optional))
    return record


def _build_party(
    store: RecordStore, entity: str, body: dict[str, Any], self_id: str | None
) -> dict[str, Any]:
    display = text(body.get("DisplayName"))
    if not display:
        parts = [text(body.get(k)) for k in ("Title", "GivenName", "MiddleName")]
        parts += [text(body.get(k)) for k in ("FamilyName", "Suffix")]
        display = " ".join(p for p in parts if p) or text(body.get("CompanyName"))
    if not display:
        raise faults.required_missing("DisplayName")
    for other in CUSTOMER_LIKE:
        owner = store.name_owner(other, display.lower())
        if owner is not None and not (other == entity and owner == self_id):
            raise faults.duplicate_name(
                "The name supplied already exists. : Another customer, vendor or employee "
                "is already using this name. Please use a different name."
            )
    record: dict[str, Any] = {
        key: value
        for key, value in body.items()
        if key not in {"Id", "SyncToken", "MetaData", "domain", "sparse"}
        and value not in ("", None, [])
    }
    record.update(
        DisplayName=display,
        PrintOnCheckName=text(body.get("PrintOnCheckName")) or display,
        Active=body.get("Active", True) is not False,
        Balance=money(body.get("Balance")) or 0.0,
        CurrencyRef=dict(store.currency),
    )
    return record


def build_customer(store: RecordStore, body: dict[str, Any], self_id: str | None) -> dict[str, Any]:
    record = _build_party(store, "Customer", body, self_id)
    record["FullyQualifiedName"] = record["DisplayName"]  # customers have one, vendors not
    record.setdefault("Taxable", store.country == "US")
    record.setdefault("Job", False)
    record.setdefault("BillWithParent", False)
    record["BalanceWithJobs"] = record["Balance"]
    record.setdefault("PreferredDeliveryMethod", "Print")
    return record


def build_vendor(store: RecordStore, body: dict[str, Any], self_id: str | None) -> dict[str, Any]:
    record = _build_party(store, "Vendor", body, self_id)
    record.setdefault("Vendor1099", False)
    return record


def account_reference(store: RecordStore, value: Any, element: str) -> dict[str, str]:
    account_id = reference_id(value)
    account = store.find("Account", account_id) if account_id else None
    if account is None:
        raise faults.invalid_reference(element)
    if not account["Active"]:
        raise faults.inactive_reference(element)
    return {"value": account["Id"], "name": account["FullyQualifiedName"]}


def build_item(store: RecordStore, body: dict[str, Any], self_id: str | None) -> dict[str, Any]:
    name = text(body.get("Name"))
    if not name:
        raise faults.required_missing("Name")
    item_type = text(body.get("Type")) or "Service"
    if item_type not in ITEM_TYPES:
        raise ApiFault(
            "2170", "Invalid Enumeration", f"Invalid Enumeration : {item_type}", element="Type"
        )
    parent_id = reference_id(body.get("ParentRef"))
    full_name = name
    record: dict[str, Any] = {"Name": name, "Type": item_type}
    if parent_id:
        parent = store.find("Item", parent_id)
        if parent is None or parent["Type"] != "Category":
            raise faults.invalid_reference("ParentRef")
        full_name = f"{parent['FullyQualifiedName']}:{name}"
        record.update(ParentRef={"value": parent_id, "name": parent["Name"]}, SubItem=True)
    else:
        record["SubItem"] = False
    owner = store.name_owner("Item", full_name.lower())
    if owner is not None and owner != self_id:
        raise faults.duplicate_name(
            "The name supplied already exists. : Another product or service is already "
            "using this name. Please use a different name."
        )
    record.update(FullyQualifiedName=full_name, Active=body.get("Active", True) is not False)
    if item_type != "Category":
        if not reference_id(body.get("IncomeAccountRef")):
            raise faults.required_missing("IncomeAccountRef")
        record["IncomeAccountRef"] = account_reference(
            store, body.get("IncomeAccountRef"), "IncomeAccountRef"
        )
        if reference_id(body.get("ExpenseAccountRef")):
            record["ExpenseAccountRef"] = account_reference(
                store, body.get("ExpenseAccountRef"), "ExpenseAccountRef"
            )
        record["UnitPrice"] = money(body.get("UnitPrice")) or 0
        record["Taxable"] = bool(body.get("Taxable", False))
    for optional in ("Description", "Sku"):
        if text(body.get(optional)):
            record[optional] = text(body.get(optional))
    return record


def create_tax_code(store: RecordStore, body: dict[str, Any]) -> dict[str, Any]:
    """POST …/taxservice/taxcode: a new tax code with one or more new rates."""
    name = str(body.get("TaxCode", "")).strip()
    if not name:
        raise faults.required_missing("TaxCode")
    details = body.get("TaxRateDetails")
    if not isinstance(details, list) or not details:
        raise faults.required_missing("TaxRateDetails")
    if any(str(c.get("Name", "")).lower() == name.lower() for c in store.all("TaxCode")):
        raise faults.duplicate_name(
            "The name supplied already exists. : Another tax code is already using this name."
        )
    answered: list[dict[str, Any]] = []
    sales: list[dict[str, Any]] = []
    for detail in details:
        rate_name = str(detail.get("TaxRateName", "")).strip()
        if not rate_name:
            raise faults.required_missing("TaxRateName")
        agency_id = str(detail.get("TaxAgencyId", "")).strip()
        if store.find("TaxAgency", agency_id) is None:
            raise faults.invalid_reference("TaxAgencyId", f"TaxAgency with Id {agency_id}")
        try:
            rate_value = float(detail.get("RateValue", 0))
        except (TypeError, ValueError):
            raise faults.required_missing("RateValue") from None
        rate = store.insert(
            "TaxRate",
            {
                "Name": rate_name,
                "Active": True,
                "RateValue": rate_value,
                "AgencyRef": {"value": agency_id},
                "SpecialTaxType": "NONE",
                "DisplayType": "ReadOnly",
            },
        )
        sales.append(
            {
                "TaxRateRef": {"value": rate["Id"], "name": rate_name},
                "TaxTypeApplicable": "TaxOnAmount",
                "TaxOrder": 0,
            }
        )
        answered.append(
            {
                "TaxRateName": rate_name,
                "TaxRateId": rate["Id"],
                "RateValue": rate_value,
                "TaxAgencyId": agency_id,
                "TaxApplicableOn": str(detail.get("TaxApplicableOn", "Sales")),
            }
        )
    code = store.insert(
        "TaxCode",
        {
            "Name": name,
            "Description": name,
            "Active": True,
            "Hidden": False,
            "Taxable": True,
            "TaxGroup": len(sales) > 1,
            "SalesTaxRateList": {"TaxRateDetail": sales},
            "PurchaseTaxRateList": {"TaxRateDetail": []},
        },
    )
    return {"TaxCode": name, "TaxCodeId": code["Id"], "TaxRateDetails": answered}
