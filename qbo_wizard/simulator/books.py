"""One company's books: its records, and the rules QuickBooks Online applies when they change.

Every create, update, void and delete goes through here, whether it comes from the seed data or
from an API call, so the seeded chart of accounts obeys the same rules an integration meets.
Rule breaks raise `ApiFault` with Intuit's code, message, detail and element.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from qbo_wizard.simulator import faults
from qbo_wizard.simulator.clock import SimulatedClock
from qbo_wizard.simulator.faults import ApiFault

# AccountType (spelled as the API spells it) -> (Classification, default AccountSubType).
ACCOUNT_TYPES: dict[str, tuple[str | None, str]] = {
    "Bank": ("Asset", "Checking"),
    "Accounts Receivable": ("Asset", "AccountsReceivable"),
    "Other Current Asset": ("Asset", "OtherCurrentAssets"),
    "Fixed Asset": ("Asset", "MachineryAndEquipment"),
    "Other Asset": ("Asset", "OtherLongTermAssets"),
    "Accounts Payable": ("Liability", "AccountsPayable"),
    "Credit Card": ("Liability", "CreditCard"),
    "Other Current Liability": ("Liability", "OtherCurrentLiabilities"),
    "Long Term Liability": ("Liability", "OtherLongTermLiabilities"),
    "Equity": ("Equity", "OwnersEquity"),
    "Income": ("Revenue", "ServiceFeeIncome"),
    "Cost of Goods Sold": ("Expense", "SuppliesMaterialsCogs"),
    "Expense": ("Expense", "OtherMiscellaneousServiceCost"),
    "Other Income": ("Revenue", "OtherMiscellaneousIncome"),
    "Other Expense": ("Expense", "OtherMiscellaneousExpense"),
    "Non-Posting": (None, "OtherNonPosting"),
}

# The AccountSubType values the simulator knows, with the AccountType each belongs to.
SUBTYPE_TYPES: dict[str, str] = {
    "Checking": "Bank",
    "Savings": "Bank",
    "MoneyMarket": "Bank",
    "CashOnHand": "Bank",
    "AccountsReceivable": "Accounts Receivable",
    "UndepositedFunds": "Other Current Asset",
    "PrepaidExpenses": "Other Current Asset",
    "OtherCurrentAssets": "Other Current Asset",
    "AllowanceForBadDebts": "Other Current Asset",
    "MachineryAndEquipment": "Fixed Asset",
    "FurnitureAndFixtures": "Fixed Asset",
    "Vehicles": "Fixed Asset",
    "AccumulatedDepreciation": "Fixed Asset",
    "OtherLongTermAssets": "Other Asset",
    "SecurityDeposits": "Other Asset",
    "AccountsPayable": "Accounts Payable",
    "CreditCard": "Credit Card",
    "OtherCurrentLiabilities": "Other Current Liability",
    "PayrollTaxPayable": "Other Current Liability",
    "LineOfCredit": "Other Current Liability",
    "SalesTaxPayable": "Other Current Liability",
    "GlobalTaxPayable": "Other Current Liability",
    "OtherLongTermLiabilities": "Long Term Liability",
    "NotesPayable": "Long Term Liability",
    "OpeningBalanceEquity": "Equity",
    "OwnersEquity": "Equity",
    "PartnerDistributions": "Equity",
    "RetainedEarnings": "Equity",
    "ServiceFeeIncome": "Income",
    "SalesOfProductIncome": "Income",
    "OtherPrimaryIncome": "Income",
    "DiscountsRefundsGiven": "Income",
    "SuppliesMaterialsCogs": "Cost of Goods Sold",
    "ShippingFreightDeliveryCos": "Cost of Goods Sold",
    "OtherCostsOfServiceCos": "Cost of Goods Sold",
    "CostOfLaborCos": "Cost of Goods Sold",
    "AdvertisingPromotional": "Expense",
    "BankCharges": "Expense",
    "Insurance": "Expense",
    "OfficeGeneralAdministrativeExpenses": "Expense",
    "RentOrLeaseOfBuildings": "Expense",
    "PayrollExpenses": "Expense",
    "Utilities": "Expense",
    "Travel": "Expense",
    "LegalProfessionalFees": "Expense",
    "DuesSubscriptions": "Expense",
    "ShippingFreightDelivery": "Expense",
    "OtherMiscellaneousServiceCost": "Expense",
    "InterestEarned": "Other Income",
    "OtherMiscellaneousIncome": "Other Income",
    "OtherMiscellaneousExpense": "Other Expense",
    "Depreciation": "Other Expense",
    "OtherNonPosting": "Non-Posting",
}

ITEM_TYPES = ("Service", "NonInventory", "Inventory", "Category")
# What QuickBooks calls sales tax in its 6000 message, by country.
_SALES_TAX_NAMES = {"GB": "VAT", "CA": "GST/HST", "AU": "GST"}

# The top-level properties each writable entity has in Intuit's v3 schema; QuickBooks refuses a
# create or update that sends any other (error 2010), so a misspelt field is never dropped
# silently.
_RECORD = ("Id", "SyncToken", "MetaData", "domain", "sparse", "status", "CustomField")
_TXN = (
    *_RECORD,
    "Line",
    "TxnDate",
    "DueDate",
    "DocNumber",
    "PrivateNote",
    "TxnStatus",
    "LinkedTxn",
    "TxnTaxDetail",
    "GlobalTaxCalculation",
    "CurrencyRef",
    "ExchangeRate",
    "DepartmentRef",
    "SalesTermRef",
    "TotalAmt",
    "HomeTotalAmt",
    "Balance",
    "HomeBalance",
    "TransactionLocationType",
    "TxnSource",
    "RecurDataRef",
    "AttachableRef",
    "ProjectRef",
)
_PARTY = (
    *_RECORD,
    "DisplayName",
    "Title",
    "GivenName",
    "MiddleName",
    "FamilyName",
    "Suffix",
    "CompanyName",
    "FullyQualifiedName",
    "PrintOnCheckName",
    "PrimaryEmailAddr",
    "PrimaryPhone",
    "AlternatePhone",
    "Mobile",
    "Fax",
    "WebAddr",
    "BillAddr",
    "OtherAddr",
    "OtherContactInfo",
    "Notes",
    "Active",
    "Balance",
    "CurrencyRef",
    "TermRef",
    "SalesTermRef",
    "BusinessNumber",
    "GSTIN",
    "GSTRegistrationType",
    "TaxIdentifier",
    "PrimaryTaxIdentifier",
    "SecondaryTaxIdentifier",
    "OpenBalanceDate",
    "Source",
)
PROPERTIES: dict[str, frozenset[str]] = {
    "Account": frozenset(
        (
            *_RECORD,
            "Name",
            "SubAccount",
            "ParentRef",
            "Description",
            "FullyQualifiedName",
            "Active",
            "Classification",
            "AccountType",
            "AccountSubType",
            "AcctNum",
            "AccountAlias",
            "CurrentBalance",
            "CurrentBalanceWithSubAccounts",
            "CurrencyRef",
            "TaxCodeRef",
            "TxnLocationType",
            "OpeningBalance",
            "OpeningBalanceDate",
        )
    ),
    "Customer": frozenset(
        (
            *_PARTY,
            "ShipAddr",
            "Job",
            "BillWithParent",
            "ParentRef",
            "Level",
            "Taxable",
            "TaxExemptionReasonId",
            "DefaultTaxCodeRef",
            "PaymentMethodRef",
            "BalanceWithJobs",
            "PreferredDeliveryMethod",
            "ResaleNum",
            "IsProject",
            "CustomerTypeRef",
            "ARAccountRef",
            "ClientEntityId",
        )
    ),
    "Vendor": frozenset(
        (
            *_PARTY,
            "Vendor1099",
            "AcctNum",
            "APAccountRef",
            "BillRate",
            "CostRate",
            "VendorPaymentBankDetail",
            "T4AEligible",
            "T5018Eligible",
            "HasTPAR",
            "TaxReportingBasis",
        )
    ),
    "Item": frozenset(
        (
            *_RECORD,
            "Name",
            "Sku",
            "Description",
            "Active",
            "SubItem",
            "ParentRef",
            "Level",
            "FullyQualifiedName",
            "Taxable",
            "SalesTaxIncluded",
            "UnitPrice",
            "Type",
            "IncomeAccountRef",
            "PurchaseDesc",
            "PurchaseTaxIncluded",
            "PurchaseCost",
            "ExpenseAccountRef",
            "AssetAccountRef",
            "TrackQtyOnHand",
            "QtyOnHand",
            "InvStartDate",
            "SalesTaxCodeRef",
            "PurchaseTaxCodeRef",
            "PrefVendorRef",
            "ClassRef",
            "ReorderPoint",
            "TaxClassificationRef",
            "ItemCategoryType",
            "Source",
        )
    ),
    "Invoice": frozenset(
        (
            *_TXN,
            "CustomerRef",
            "CustomerMemo",
            "BillAddr",
            "ShipAddr",
            "ShipFromAddr",
            "FreeFormAddress",
            "ShipDate",
            "ShipMethodRef",
            "TrackingNum",
            "BillEmail",
            "BillEmailCc",
            "BillEmailBcc",
            "ClassRef",
            "ApplyTaxAfterDiscount",
            "PrintStatus",
            "EmailStatus",
            "DeliveryInfo",
            "AllowIPNPayment",
            "AllowOnlinePayment",
            "AllowOnlineCreditCardPayment",
            "AllowOnlineACHPayment",
            "Deposit",
            "DepositToAccountRef",
            "TaxExemptionRef",
            "InvoiceLink",
            "AutoDocNumber",
        )
    ),
    "Bill": frozenset((*_TXN, "VendorRef", "APAccountRef", "VendorAddr", "IncludeInAnnualTPAR")),
}
LINE_PROPERTIES = frozenset(
    (
        "Id",
        "LineNum",
        "Description",
        "Amount",
        "DetailType",
        "LinkedTxn",
        "CustomField",
        "ProjectRef",
        "SalesItemLineDetail",
        "SubTotalLineDetail",
        "DescriptionOnly",
        "DiscountLineDetail",
        "GroupLineDetail",
        "TaxLineDetail",
        "AccountBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail",
    )
)
MAX_ACCOUNT_DEPTH = 5
CUSTOMER_LIKE = ("Customer", "Vendor", "Employee")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _ref_id(value: Any) -> str:
    """The Id inside a reference such as {"value": "42", "name": "…"}, or ""."""
    if isinstance(value, dict):
        inner = value.get("value")
        return str(inner).strip() if inner not in (None, "") else ""
    return ""


def _amount(value: Any) -> float | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return round(float(value), 2)
    except (TypeError, ValueError):
        return None


def _number(value: float) -> str:
    """A number as QuickBooks writes it in messages: 58, not 58.0."""
    return str(int(value)) if value == int(value) else str(value)


class Books:
    """The records of one company, indexed by entity name and Id."""

    def __init__(self, *, country: str, currency: tuple[str, str], clock: SimulatedClock) -> None:
        self.country = country
        self.currency = {"value": currency[0], "name": currency[1]}
        self.clock = clock
        self.records: dict[str, dict[str, dict[str, Any]]] = {}
        self.deleted: dict[str, set[str]] = {}
        self._next_id: dict[str, int] = {}
        self._names: dict[str, dict[str, str]] = {}  # entity -> lower-cased unique name -> Id
        self._next_doc_number = 1001
        self.replies: dict[str, tuple[int, bytes]] = {}  # requestid -> the original answer
        self._allow_duplicate_doc_number = False
        # Each entity's version goes up with every change to its records; a query's filtered,
        # sorted records are kept per version, so reading page after page of one query sorts
        # once (not once a page), and any change makes the next page see it.
        self._versions: dict[str, int] = {}
        self._selections: dict[tuple[str, str], tuple[int, list[dict[str, Any]]]] = {}

    # ----------------------------------------------------------------- storage

    SELECTIONS_KEPT = 16  # queries whose sorted records are kept at once

    def _changed(self, entity: str) -> None:
        self._versions[entity] = self._versions.get(entity, 0) + 1

    def selection(
        self, entity: str, query_key: str, select: Callable[[], list[dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        """The records `select` chooses and sorts for one query (named by `query_key`, the
        query without its paging), computed once while `entity` is unchanged."""
        version = self._versions.get(entity, 0)
        kept = self._selections.pop((entity, query_key), None)
        if kept is None or kept[0] != version:
            kept = (version, select())
        self._selections[(entity, query_key)] = kept  # most recently used last
        while len(self._selections) > self.SELECTIONS_KEPT:
            del self._selections[next(iter(self._selections))]
        return kept[1]

    def all(self, entity: str) -> list[dict[str, Any]]:
        return list(self.records.get(entity, {}).values())

    def find(self, entity: str, entity_id: str) -> dict[str, Any] | None:
        return self.records.get(entity, {}).get(str(entity_id))

    def require(self, entity: str, entity_id: Any) -> dict[str, Any]:
        record = self.find(entity, str(entity_id))
        if record is None:
            raise faults.not_found(entity, str(entity_id))
        return record

    def _unique_key(self, entity: str, record: dict[str, Any]) -> str | None:
        if entity in ("Account", "Item"):
            return str(record["FullyQualifiedName"]).lower()
        if entity in CUSTOMER_LIKE:
            return str(record["DisplayName"]).lower()
        return None

    def _name_owner(self, entity: str, key: str) -> str | None:
        return self._names.get(entity, {}).get(key)

    def _stamp(self) -> str:
        return self.clock.record_stamp()

    def insert(
        self, entity: str, record: dict[str, Any], entity_id: str | None = None
    ) -> dict[str, Any]:
        """Store a new record, giving it an Id, SyncToken 0 and timestamps."""
        if entity_id is None:
            number = self._next_id.get(entity, 1)
            self._next_id[entity] = number + 1
            entity_id = str(number)
        stamp = self._stamp()
        stored = {
            "Id": entity_id,
            "SyncToken": "0",
            "domain": "QBO",
            "sparse": False,
            **record,
            "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
        }
        stored["Id"] = entity_id
        self.records.setdefault(entity, {})[entity_id] = stored
        self._changed(entity)
        key = self._unique_key(entity, stored)
        if key is not None:
            self._names.setdefault(entity, {})[key] = entity_id
        return stored

    def _replace(
        self, entity: str, current: dict[str, Any], record: dict[str, Any]
    ) -> dict[str, Any]:
        old_key = self._unique_key(entity, current)
        updated = {
            **record,
            "Id": current["Id"],
            "SyncToken": str(int(current["SyncToken"]) + 1),
            "domain": "QBO",
            "sparse": False,
            "MetaData": {**current["MetaData"], "LastUpdatedTime": self._stamp()},
        }
        self.records[entity][current["Id"]] = updated
        self._changed(entity)
        if old_key is not None:
            self._names.get(entity, {}).pop(old_key, None)
        new_key = self._unique_key(entity, updated)
        if new_key is not None:
            self._names.setdefault(entity, {})[new_key] = current["Id"]
        return updated

    def _check_sync_token(self, current: dict[str, Any], body: dict[str, Any]) -> None:
        if str(body.get("SyncToken", "")).strip() != current["SyncToken"]:
            raise faults.stale_object()

    # ----------------------------------------------------------------- operations

    @staticmethod
    def check_properties(entity: str, body: dict[str, Any]) -> None:
        """Error 2010 for a field the record or one of its lines does not have (misspelt, or
        another entity's)."""
        known = PROPERTIES.get(entity)
        if known is None:
            return
        for name in body:
            if name not in known:
                raise faults.unknown_property(name, entity)
        lines = body.get("Line")
        for line in lines if isinstance(lines, list) else ():
            for name in line if isinstance(line, dict) else ():
                if name not in LINE_PROPERTIES:
                    raise faults.unknown_property(name, "Line")

    def create(
        self, entity: str, body: dict[str, Any], *, allow_duplicate_doc_number: bool = False
    ) -> dict[str, Any]:
        self._allow_duplicate_doc_number = allow_duplicate_doc_number
        try:
            return self.insert(entity, self._builder(entity)(body, None))
        finally:
            self._allow_duplicate_doc_number = False

    def update(
        self, entity: str, body: dict[str, Any], *, allow_duplicate_doc_number: bool = False
    ) -> dict[str, Any]:
        """A full or sparse update; a stale SyncToken is error 5010."""
        current = self.require(entity, body["Id"])
        self._check_sync_token(current, body)
        if body.get("sparse") in (True, "true"):
            merged = {**current, **body}
        else:
            merged = {**body, "MetaData": current["MetaData"]}
        self._allow_duplicate_doc_number = allow_duplicate_doc_number
        try:
            record = self._builder(entity)(merged, current["Id"])
        finally:
            self._allow_duplicate_doc_number = False
        return self._replace(entity, current, record)

    def void_invoice(self, body: dict[str, Any]) -> dict[str, Any]:
        current = self.require("Invoice", _text(str(body.get("Id", ""))))
        self._check_sync_token(current, body)
        voided = copy.deepcopy(current)
        for line in voided.get("Line", []):
            line["Amount"] = 0
        voided.update(TotalAmt=0, Balance=0, PrivateNote="Voided")
        if "TxnTaxDetail" in voided:
            voided["TxnTaxDetail"] = {"TotalTax": 0}
        return self._replace("Invoice", current, voided)

    def delete(self, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        current = self.require(entity, _text(str(body.get("Id", ""))))
        self._check_sync_token(current, body)
        del self.records[entity][current["Id"]]
        self._changed(entity)
        self.deleted.setdefault(entity, set()).add(current["Id"])
        return {"domain": "QBO", "status": "Deleted", "Id": current["Id"]}

    def set_active(self, entity: str, entity_id: str, active: bool) -> dict[str, Any]:
        current = self.require(entity, entity_id)
        return self._replace(entity, current, {**current, "Active": bool(active)})

    def _builder(self, entity: str) -> Callable[[dict[str, Any], str | None], dict[str, Any]]:
        builders: dict[str, Callable[[dict[str, Any], str | None], dict[str, Any]]] = {
            "Account": self._build_account,
            "Customer": self._build_customer,
            "Vendor": self._build_vendor,
            "Item": self._build_item,
            "Invoice": self._build_invoice,
            "Bill": self._build_bill,
        }
        if entity not in builders:
            raise faults.unsupported(f"Operation Create is not supported for {entity}.")
        return builders[entity]

    # ----------------------------------------------------------------- Account

    def _build_account(self, body: dict[str, Any], self_id: str | None) -> dict[str, Any]:
        name = _text(body.get("Name"))
        if not name:
            raise faults.required_missing("Name")
        account_type = _text(body.get("AccountType"))
        sub_type = _text(body.get("AccountSubType"))
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
        parent_id = _ref_id(body.get("ParentRef"))
        full_name = name
        if parent_id:
            parent = self.find("Account", parent_id)
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
        owner = self._name_owner("Account", full_name.lower())
        if owner is not None and owner != self_id:
            raise faults.duplicate_name(
                "The name supplied already exists. : Another account is already using this "
                "name. Please use a different name."
            )
        balance = _amount(body.get("CurrentBalance")) or 0.0
        record: dict[str, Any] = {
            "Name": name,
            "SubAccount": bool(parent_id),
            "FullyQualifiedName": full_name,
            "Active": body.get("Active", True) is not False,
            "AccountType": account_type,
            "AccountSubType": sub_type or default_sub_type,
            "CurrentBalance": balance,
            "CurrentBalanceWithSubAccounts": balance,
            "CurrencyRef": dict(self.currency),
        }
        if classification is not None:
            record["Classification"] = classification
        if parent_id:
            record["ParentRef"] = {"value": parent_id}
        for optional in ("AcctNum", "Description"):
            if _text(body.get(optional)):
                record[optional] = _text(body.get(optional))
        return record

    # ----------------------------------------------------------------- Customer / Vendor

    def _build_party(
        self, entity: str, body: dict[str, Any], self_id: str | None
    ) -> dict[str, Any]:
        display = _text(body.get("DisplayName"))
        if not display:
            parts = [_text(body.get(k)) for k in ("Title", "GivenName", "MiddleName")]
            parts += [_text(body.get(k)) for k in ("FamilyName", "Suffix")]
            display = " ".join(p for p in parts if p) or _text(body.get("CompanyName"))
        if not display:
            raise faults.required_missing("DisplayName")
        for other in CUSTOMER_LIKE:
            owner = self._name_owner(other, display.lower())
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
            PrintOnCheckName=_text(body.get("PrintOnCheckName")) or display,
            Active=body.get("Active", True) is not False,
            Balance=_amount(body.get("Balance")) or 0.0,
            CurrencyRef=dict(self.currency),
        )
        return record

    def _build_customer(self, body: dict[str, Any], self_id: str | None) -> dict[str, Any]:
        record = self._build_party("Customer", body, self_id)
        record["FullyQualifiedName"] = record["DisplayName"]  # customers have one, vendors not
        record.setdefault("Taxable", self.country == "US")
        record.setdefault("Job", False)
        record.setdefault("BillWithParent", False)
        record["BalanceWithJobs"] = record["Balance"]
        record.setdefault("PreferredDeliveryMethod", "Print")
        return record

    def _build_vendor(self, body: dict[str, Any], self_id: str | None) -> dict[str, Any]:
        record = self._build_party("Vendor", body, self_id)
        record.setdefault("Vendor1099", False)
        return record

    # ----------------------------------------------------------------- Item

    def _account_reference(self, value: Any, element: str) -> dict[str, str]:
        account_id = _ref_id(value)
        account = self.find("Account", account_id) if account_id else None
        if account is None:
            raise faults.invalid_reference(element)
        if not account["Active"]:
            raise faults.inactive_reference(element)
        return {"value": account["Id"], "name": account["FullyQualifiedName"]}

    def _build_item(self, body: dict[str, Any], self_id: str | None) -> dict[str, Any]:
        name = _text(body.get("Name"))
        if not name:
            raise faults.required_missing("Name")
        item_type = _text(body.get("Type")) or "Service"
        if item_type not in ITEM_TYPES:
            raise ApiFault(
                "2170", "Invalid Enumeration", f"Invalid Enumeration : {item_type}", element="Type"
            )
        parent_id = _ref_id(body.get("ParentRef"))
        full_name = name
        record: dict[str, Any] = {"Name": name, "Type": item_type}
        if parent_id:
            parent = self.find("Item", parent_id)
            if parent is None or parent["Type"] != "Category":
                raise faults.invalid_reference("ParentRef")
            full_name = f"{parent['FullyQualifiedName']}:{name}"
            record.update(ParentRef={"value": parent_id, "name": parent["Name"]}, SubItem=True)
        else:
            record["SubItem"] = False
        owner = self._name_owner("Item", full_name.lower())
        if owner is not None and owner != self_id:
            raise faults.duplicate_name(
                "The name supplied already exists. : Another product or service is already "
                "using this name. Please use a different name."
            )
        record.update(FullyQualifiedName=full_name, Active=body.get("Active", True) is not False)
        if item_type != "Category":
            if not _ref_id(body.get("IncomeAccountRef")):
                raise faults.required_missing("IncomeAccountRef")
            record["IncomeAccountRef"] = self._account_reference(
                body.get("IncomeAccountRef"), "IncomeAccountRef"
            )
            if _ref_id(body.get("ExpenseAccountRef")):
                record["ExpenseAccountRef"] = self._account_reference(
                    body.get("ExpenseAccountRef"), "ExpenseAccountRef"
                )
            record["UnitPrice"] = _amount(body.get("UnitPrice")) or 0
            record["Taxable"] = bool(body.get("Taxable", False))
        for optional in ("Description", "Sku"):
            if _text(body.get(optional)):
                record[optional] = _text(body.get(optional))
        return record

    # ----------------------------------------------------------------- transactions

    def _party_reference(self, entity: str, body: dict[str, Any], field: str) -> dict[str, str]:
        party_id = _ref_id(body.get(field))
        if not party_id:
            raise faults.required_missing(field)
        party = self.find(entity, party_id)
        if party is None:
            raise faults.invalid_reference(field)
        if not party["Active"]:
            raise faults.inactive_reference(field)
        return {"value": party["Id"], "name": party["DisplayName"]}

    def _lines(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        lines = body.get("Line")
        if not isinstance(lines, list) or not lines:
            raise faults.required_missing("Line")
        return [line for line in lines if isinstance(line, dict)]

    def _transaction(
        self, body: dict[str, Any], party_field: str, party: dict[str, str], lines: list[Any]
    ) -> dict[str, Any]:
        """The fields every invoice and bill carries: party, lines, dates, currency."""
        txn_date, due_date = self._dates(body, 30)
        return {
            party_field: party,
            "Line": lines,
            "TxnDate": txn_date,
            "DueDate": due_date,
            "CurrencyRef": dict(self.currency),
        }

    def _dates(self, body: dict[str, Any], due_days: int) -> tuple[str, str]:
        txn_date = _text(body.get("TxnDate")) or self.clock.today()
        try:
            parsed = date.fromisoformat(txn_date)
        except ValueError as error:
            raise ApiFault(
                "2010",
                "Request has invalid or unsupported property",
                f"Property Name:TxnDate has an invalid value {txn_date!r}",
                element="TxnDate",
            ) from error
        due = _text(body.get("DueDate")) or (parsed + timedelta(days=due_days)).isoformat()
        return txn_date, due

    def _tax_code(self, line_detail: dict[str, Any], element: str) -> dict[str, Any] | None:
        code_id = _ref_id(line_detail.get("TaxCodeRef"))
        if self.country == "US":
            return {"value": code_id} if code_id in ("TAX", "NON") else None
        if not code_id:
            return None
        tax_code = self.find("TaxCode", code_id)
        if tax_code is None:
            raise faults.invalid_reference(element)
        if not tax_code.get("Active", True):
            raise faults.inactive_reference(element)
        return tax_code

    def _tax_rate_percent(self, tax_code: dict[str, Any]) -> tuple[str, float]:
        details = tax_code.get("SalesTaxRateList", {}).get("TaxRateDetail", [])
        if not details:
            return "", 0.0
        rate_id = details[0]["TaxRateRef"]["value"]
        rate = self.find("TaxRate", rate_id) or {}
        return rate_id, float(rate.get("RateValue", 0))

    def _build_invoice(self, body: dict[str, Any], self_id: str | None) -> dict[str, Any]:
        customer = self._party_reference("Customer", body, "CustomerRef")
        lines = self._lines(body)
        stored_lines: list[dict[str, Any]] = []
        total = 0.0
        tax_by_rate: dict[str, list[float]] = {}
        for number, line in enumerate(
            (ln for ln in lines if ln.get("DetailType") != "SubTotalLineDetail"), start=1
        ):
            detail_type = _text(line.get("DetailType"))
            if detail_type == "DescriptionOnly":
                stored_lines.append({**line, "Id": str(number), "LineNum": number})
                continue
            if detail_type != "SalesItemLineDetail":
                raise faults.required_missing("Line.DetailType", "Line.DetailType")
            amount = _amount(line.get("Amount"))
            if amount is None:
                raise faults.required_missing("Line.Amount", "Line.Amount")
            detail = line.get("SalesItemLineDetail")
            if not isinstance(detail, dict):
                raise faults.required_missing(
                    "Line.SalesItemLineDetail", "Line.SalesItemLineDetail"
                )
            item_ref = self._invoice_item(detail)
            quantity, price = _amount(detail.get("Qty")), _amount(detail.get("UnitPrice"))
            if quantity and price and round(quantity * price, 2) != amount:
                raise ApiFault(
                    "6070",
                    "Amount calculation incorrect in the request.",
                    f"Amount is not equal to UnitPrice * Qty. Supplied value:{_number(amount)}",
                    element="Line.Amount",
                )
            stored_detail = {k: v for k, v in detail.items() if v not in ("", None)}
            stored_detail["ItemRef"] = item_ref
            tax_code = self._tax_code(detail, "Line.SalesItemLineDetail.TaxCodeRef")
            if self.country != "US":
                if tax_code is None:
                    raise faults.business_rule(
                        "Make sure all your transactions have a "
                        f"{_SALES_TAX_NAMES.get(self.country, 'tax')} rate before you save.",
                        "Line.SalesItemLineDetail.TaxCodeRef",
                    )
                stored_detail["TaxCodeRef"] = {"value": tax_code["Id"]}
                rate_id, percent = self._tax_rate_percent(tax_code)
                tax_by_rate.setdefault(f"{rate_id}|{percent}", []).append(amount)
            else:
                stored_detail["TaxCodeRef"] = tax_code or {"value": "NON"}
            total += amount
            stored_lines.append(
                {
                    "Id": str(number),
                    "LineNum": number,
                    "Description": _text(line.get("Description")) or None,
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
        record = self._transaction(body, "CustomerRef", customer, stored_lines)
        record |= {
            "Deposit": 0,
            "DocNumber": self._doc_number(body, self_id),
            "LinkedTxn": [],
            "ApplyTaxAfterDiscount": False,
            "PrintStatus": "NeedToPrint",
            "EmailStatus": "NotSet",
            "AllowIPNPayment": False,
            "AllowOnlinePayment": False,
            "AllowOnlineCreditCardPayment": False,
            "AllowOnlineACHPayment": False,
        }
        if _text(body.get("PrivateNote")):
            record["PrivateNote"] = _text(body.get("PrivateNote"))
        total_tax = 0.0
        if self.country != "US":
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
        if isinstance(memo, dict) and _text(memo.get("value")):
            record["CustomerMemo"] = {"value": _text(memo.get("value"))}
        return record

    def _invoice_item(self, detail: dict[str, Any]) -> dict[str, str]:
        element = "Line.SalesItemLineDetail.ItemRef"
        item_id = _ref_id(detail.get("ItemRef"))
        if not item_id:
            raise faults.required_missing("ItemRef", element)
        item = self.find("Item", item_id)
        if item is None:
            raise faults.invalid_reference(element)
        if not item["Active"]:
            raise faults.inactive_reference(element)
        if item["Type"] == "Category":
            raise faults.invalid_reference(
                element, "Categories can't be used in transactions. Choose a product or service."
            )
        return {"value": item["Id"], "name": item["FullyQualifiedName"]}

    def _doc_number(self, body: dict[str, Any], self_id: str | None) -> str:
        wanted = _text(body.get("DocNumber"))
        if not wanted:
            if self_id is not None:
                current = self.find("Invoice", self_id)
                if current is not None:
                    return str(current.get("DocNumber", ""))
            while any(
                r.get("DocNumber") == str(self._next_doc_number) for r in self.all("Invoice")
            ):
                self._next_doc_number += 1
            wanted = str(self._next_doc_number)
            self._next_doc_number += 1
            return wanted
        for other in self.all("Invoice"):
            if (
                other.get("DocNumber") == wanted
                and other["Id"] != self_id
                and not self._allow_duplicate_doc_number
            ):
                raise ApiFault(
                    "6140",
                    "Duplicate Document Number Error",
                    "Duplicate Document Number Error : You must specify a different number. "
                    f"This number has already been used. DocNumber={wanted} is assigned to "
                    f"TxnType=Invoice with TxnId={other['Id']}",
                    element="DocNumber",
                )
        return wanted

    def _build_bill(self, body: dict[str, Any], self_id: str | None) -> dict[str, Any]:
        vendor = self._party_reference("Vendor", body, "VendorRef")
        lines = self._lines(body)
        stored_lines: list[dict[str, Any]] = []
        total = 0.0
        for number, line in enumerate(lines, start=1):
            detail_type = _text(line.get("DetailType"))
            amount = _amount(line.get("Amount"))
            if amount is None:
                raise faults.required_missing("Line.Amount", "Line.Amount")
            if detail_type == "AccountBasedExpenseLineDetail":
                detail = line.get("AccountBasedExpenseLineDetail")
                element = "Line.AccountBasedExpenseLineDetail.AccountRef"
                if not isinstance(detail, dict) or not _ref_id(detail.get("AccountRef")):
                    raise faults.required_missing("AccountRef", element)
                account_ref = self._account_reference(detail.get("AccountRef"), element)
                account = self.require("Account", account_ref["value"])
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
                if self.country == "US":
                    stored_detail.setdefault("TaxCodeRef", {"value": "NON"})
            elif detail_type == "ItemBasedExpenseLineDetail":
                detail = line.get("ItemBasedExpenseLineDetail")
                if not isinstance(detail, dict):
                    raise faults.required_missing("ItemBasedExpenseLineDetail")
                stored_detail = {k: v for k, v in detail.items() if v not in ("", None)}
                stored_detail["ItemRef"] = self._invoice_item(detail)
                stored_detail.setdefault("BillableStatus", "NotBillable")
                if self.country == "US":
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
            if _text(line.get("Description")):
                stored_line["Description"] = _text(line.get("Description"))
            stored_lines.append(stored_line)
        record = self._transaction(body, "VendorRef", vendor, stored_lines)
        record |= {
            "APAccountRef": self._payables_account(body),
            "TotalAmt": round(total, 2),
            "Balance": round(total, 2),
            "LinkedTxn": [],
        }
        for optional in ("DocNumber", "PrivateNote"):
            if _text(body.get(optional)):
                record[optional] = _text(body.get(optional))
        return record

    def _payables_account(self, body: dict[str, Any]) -> dict[str, str]:
        if _ref_id(body.get("APAccountRef")):
            reference = self._account_reference(body.get("APAccountRef"), "APAccountRef")
            if self.require("Account", reference["value"])["AccountType"] != "Accounts Payable":
                raise faults.business_rule(
                    "The APAccountRef of a bill must be an Accounts Payable account.",
                    "APAccountRef",
                )
            return reference
        for account in self.all("Account"):
            if account["AccountType"] == "Accounts Payable" and account["Active"]:
                return {"value": account["Id"], "name": account["FullyQualifiedName"]}
        raise faults.business_rule("This company has no Accounts Payable account.")
