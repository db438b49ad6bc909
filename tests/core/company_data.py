"""A small, hand-made company for the mapping rules: one account or item per case to decide."""

from __future__ import annotations

from typing import Any

from qbo_wizard.core.mapping.company_lists import Account, CompanyLists, Item, TaxCode

REALM = "4620816365264345000"


def ridgeline_accounts() -> list[Account]:
    return [
        Account("1", "Checking", "Checking", "Bank", "Checking", "1000"),
        Account(
            "2", "Accounts Receivable (A/R)", "Accounts Receivable (A/R)", "Accounts Receivable"
        ),
        Account("3", "Accounts Payable (A/P)", "Accounts Payable (A/P)", "Accounts Payable"),
        Account("4", "Visa", "Visa", "Credit Card"),
        Account("5", "Owner's Equity", "Owner's Equity", "Equity"),
        Account("6", "Purchase Orders", "Purchase Orders", "Non-Posting"),
        Account("10", "Freight Income", "Freight Income", "Income", "ServiceFeeIncome", "4010"),
        Account("11", "Fuel Surcharge Income", "Fuel Surcharge Income", "Income", number="4020"),
        Account("12", "Late Fee Income", "Late Fee Income", "Other Income"),
        Account(
            "20", "Cost of Goods Sold", "Cost of Goods Sold", "Cost of Goods Sold", number="5000"
        ),
        Account("21", "Carrier Costs", "Cost of Goods Sold:Carrier Costs", "Cost of Goods Sold"),
        Account("22", "Office Supplies", "Office Supplies", "Expense"),
        Account("23", "Trucks", "Trucks", "Fixed Asset"),
        Account("24", "Prepaid Expenses", "Prepaid Expenses", "Other Current Asset"),
        Account("25", "Old Carrier Costs", "Old Carrier Costs", "Cost of Goods Sold", active=False),
        Account("26", "Equipment Loan", "Equipment Loan", "Long Term Liability"),
        Account("27", "Interest Expense", "Interest Expense", "Other Expense"),
        Account("28", "Old Income", "Old Income", "Income", active=False),
    ]


def ridgeline_items() -> list[Item]:
    return [
        Item("100", "Freight", "Freight", "Service", True, "10", "Freight Income"),
        Item("101", "Fuel Surcharge", "Fuel Surcharge", "Service", True, "11"),
        Item("102", "Transportation", "Transportation", "Category"),
        Item("103", "Old Freight", "Old Freight", "Service", False, "10"),
        Item("104", "Pallets", "Pallets", "Inventory", True, "10"),
        Item("105", "Misc Charge", "Misc Charge", "NonInventory", True, "22"),
        Item("106", "Detention Charge", "Detention Charge", "Service", True, None),
        Item("107", "Legacy", "Legacy", "Service", True, "28"),
        Item("108", "Late Fees", "Late Fees", "NonInventory", True, "12"),
    ]


def ridgeline_tax_codes() -> list[TaxCode]:
    return [
        TaxCode("1", "GST", "Goods and services tax", True, 1, 1),
        TaxCode("2", "Exempt", "Exempt", True, 1, 1),
        TaxCode("3", "Old PST", "Retired", False, 1, 0),
        TaxCode("4", "Input Only", "Purchases only", True, 0, 1),
    ]


def ridgeline(country: str = "US", realm_id: str = REALM, **changes: Any) -> CompanyLists:
    """The company's lists; `changes` replace accounts/items/tax_codes wholesale."""
    return CompanyLists(
        realm_id=realm_id,
        company_name="Ridgeline Freight",
        country=country,
        accounts=changes.get("accounts", ridgeline_accounts()),
        items=changes.get("items", ridgeline_items()),
        tax_codes=changes.get("tax_codes", ridgeline_tax_codes()),
    )


class NoNetwork:
    """A client for code paths that must refuse before talking to QuickBooks."""

    call_count = 0

    def query_all(self, entity: str, where: str | None = None, order_by: str | None = None) -> Any:
        raise AssertionError(f"no QuickBooks call expected (query {entity})")

    def create(self, entity: str, body: dict[str, Any], request_id: str) -> Any:
        raise AssertionError(f"no QuickBooks call expected (create {entity})")
