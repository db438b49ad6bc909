"""The practice companies: seeded, deterministic books that look like a small freight broker's.

- a US sandbox company with a full chart of accounts (all 16 account types, sub-accounts,
  inactive accounts), products and services (including a Category), shippers and carriers;
- a UK sandbox company whose invoice lines need a VAT `TaxCodeRef`;
- a Canadian sandbox company (GST/HST codes) and an Australian one (GST), whose invoice lines
  need a `TaxCodeRef` too;
- a production company (only production keys can connect to it);
- a sandbox company with 10,000 accounts for performance work, built on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qbo_wizard.simulator.books import Books
from qbo_wizard.simulator.clock import SimulatedClock

SANDBOX = "sandbox"
PRODUCTION = "production"

US_REALM = "9341452962835018"
UK_REALM = "9341452962835139"
LARGE_REALM = "9341452962835260"
PRODUCTION_REALM = "123146096291789"
CA_REALM = "9341452962835381"
AU_REALM = "9341452962835402"
LARGE_ACCOUNT_COUNT = 10_000

# (name, AccountType, AccountSubType, parent name or None, active, opening balance)
AccountSeed = tuple[str, str, str, "str | None", bool, float]

US_CHART: tuple[AccountSeed, ...] = (
    ("Operating Checking", "Bank", "Checking", None, True, 84213.57),
    ("Payroll Checking", "Bank", "Checking", None, True, 12650.00),
    ("Money Market Reserve", "Bank", "MoneyMarket", None, True, 40000.00),
    ("Old Savings", "Bank", "Savings", None, False, 0.0),
    (
        "Accounts Receivable (A/R)",
        "Accounts Receivable",
        "AccountsReceivable",
        None,
        True,
        61877.40,
    ),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds", None, True, 0.0),
    ("Prepaid Insurance", "Other Current Asset", "PrepaidExpenses", None, True, 7200.00),
    ("Carrier Advances", "Other Current Asset", "OtherCurrentAssets", None, True, 1850.00),
    ("Factoring Reserve", "Other Current Asset", "OtherCurrentAssets", None, True, 9320.15),
    ("Office Furniture & Equipment", "Fixed Asset", "FurnitureAndFixtures", None, True, 14380.00),
    ("Computer Equipment", "Fixed Asset", "MachineryAndEquipment", None, True, 9875.00),
    ("Accumulated Depreciation", "Fixed Asset", "AccumulatedDepreciation", None, True, -8420.00),
    ("Security Deposits", "Other Asset", "SecurityDeposits", None, True, 4500.00),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", None, True, 38214.90),
    ("Carrier Payables", "Accounts Payable", "AccountsPayable", None, True, 22741.35),
    ("Company Amex", "Credit Card", "CreditCard", None, True, 3127.44),
    ("Fuel Card", "Credit Card", "CreditCard", None, True, 0.0),
    ("Payroll Liabilities", "Other Current Liability", "PayrollTaxPayable", None, True, 4188.23),
    (
        "Accrued Carrier Costs",
        "Other Current Liability",
        "OtherCurrentLiabilities",
        None,
        True,
        6120.00,
    ),
    ("Line of Credit", "Other Current Liability", "LineOfCredit", None, True, 15000.00),
    ("Equipment Loan", "Long Term Liability", "NotesPayable", None, True, 18500.00),
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity", None, True, 0.0),
    ("Owner's Investment", "Equity", "OwnersEquity", None, True, 50000.00),
    ("Owner's Draw", "Equity", "PartnerDistributions", None, True, -12000.00),
    ("Retained Earnings", "Equity", "RetainedEarnings", None, True, 0.0),
    ("Freight Revenue", "Income", "ServiceFeeIncome", None, True, 0.0),
    ("Truckload", "Income", "ServiceFeeIncome", "Freight Revenue", True, 412730.50),
    ("LTL", "Income", "ServiceFeeIncome", "Freight Revenue", True, 96410.25),
    ("Expedited", "Income", "ServiceFeeIncome", "Freight Revenue", True, 38220.00),
    ("Intermodal", "Income", "ServiceFeeIncome", "Freight Revenue", False, 0.0),
    ("Fuel Surcharge Revenue", "Income", "ServiceFeeIncome", None, True, 51214.80),
    ("Accessorial Revenue", "Income", "ServiceFeeIncome", None, True, 0.0),
    ("Detention", "Income", "ServiceFeeIncome", "Accessorial Revenue", True, 6450.00),
    ("Lumper Reimbursements", "Income", "ServiceFeeIncome", "Accessorial Revenue", True, 3275.00),
    ("Services", "Income", "ServiceFeeIncome", None, True, 0.0),
    ("Sales of Product Income", "Income", "SalesOfProductIncome", None, True, 0.0),
    ("Carrier Costs", "Cost of Goods Sold", "ShippingFreightDeliveryCos", None, True, 0.0),
    (
        "Linehaul",
        "Cost of Goods Sold",
        "ShippingFreightDeliveryCos",
        "Carrier Costs",
        True,
        421386.10,
    ),
    (
        "Fuel Surcharge Paid",
        "Cost of Goods Sold",
        "ShippingFreightDeliveryCos",
        "Carrier Costs",
        True,
        44918.35,
    ),
    (
        "Accessorials Paid",
        "Cost of Goods Sold",
        "ShippingFreightDeliveryCos",
        "Carrier Costs",
        True,
        8125.00,
    ),
    (
        "Rail Intermodal Costs",
        "Cost of Goods Sold",
        "ShippingFreightDeliveryCos",
        "Carrier Costs",
        False,
        0.0,
    ),
    ("Cargo Claims", "Cost of Goods Sold", "OtherCostsOfServiceCos", None, True, 2310.00),
    ("Advertising & Marketing", "Expense", "AdvertisingPromotional", None, True, 4120.00),
    ("Bank Charges & Fees", "Expense", "BankCharges", None, True, 612.40),
    ("Insurance", "Expense", "Insurance", None, True, 0.0),
    ("Cargo Insurance", "Expense", "Insurance", "Insurance", True, 9800.00),
    ("General Liability Insurance", "Expense", "Insurance", "Insurance", True, 3600.00),
    ("Load Boards & Software", "Expense", "DuesSubscriptions", None, True, 7788.00),
    ("Office Supplies", "Expense", "OfficeGeneralAdministrativeExpenses", None, True, 1432.19),
    ("Rent & Lease", "Expense", "RentOrLeaseOfBuildings", None, True, 28800.00),
    ("Salaries & Wages", "Expense", "PayrollExpenses", None, True, 186400.00),
    ("Telephone & Internet", "Expense", "Utilities", None, True, 4210.55),
    ("Travel", "Expense", "Travel", None, True, 2280.00),
    ("Legal & Professional Fees", "Expense", "LegalProfessionalFees", None, True, 5150.00),
    ("Postage & Delivery", "Expense", "ShippingFreightDelivery", None, False, 0.0),
    ("Uncategorized Expense", "Expense", "OtherMiscellaneousServiceCost", None, True, 0.0),
    ("Interest Earned", "Other Income", "InterestEarned", None, True, 318.22),
    ("Factoring Rebates", "Other Income", "OtherMiscellaneousIncome", None, True, 940.00),
    ("Factoring Fees", "Other Expense", "OtherMiscellaneousExpense", None, True, 11873.60),
    ("Depreciation", "Other Expense", "Depreciation", None, True, 4210.00),
    ("Purchase Orders", "Non-Posting", "OtherNonPosting", None, True, 0.0),
    ("Estimates", "Non-Posting", "OtherNonPosting", None, True, 0.0),
)

UK_CHART: tuple[AccountSeed, ...] = (
    ("Current Account", "Bank", "Checking", None, True, 36120.80),
    ("Debtors", "Accounts Receivable", "AccountsReceivable", None, True, 22410.00),
    ("Prepayments", "Other Current Asset", "PrepaidExpenses", None, True, 2400.00),
    ("Office Equipment", "Fixed Asset", "MachineryAndEquipment", None, True, 6200.00),
    ("Rent Deposit", "Other Asset", "SecurityDeposits", None, True, 3000.00),
    ("Creditors", "Accounts Payable", "AccountsPayable", None, True, 14980.25),
    ("Company Credit Card", "Credit Card", "CreditCard", None, True, 842.10),
    ("VAT Control", "Other Current Liability", "GlobalTaxPayable", None, True, 5120.00),
    ("Director's Loan", "Long Term Liability", "NotesPayable", None, True, 10000.00),
    ("Share Capital", "Equity", "OwnersEquity", None, True, 100.00),
    ("Retained Earnings", "Equity", "RetainedEarnings", None, True, 0.0),
    ("Haulage Income", "Income", "ServiceFeeIncome", None, True, 0.0),
    ("Full Loads", "Income", "ServiceFeeIncome", "Haulage Income", True, 188400.00),
    ("Part Loads", "Income", "ServiceFeeIncome", "Haulage Income", True, 41250.00),
    ("Fuel Surcharge Income", "Income", "ServiceFeeIncome", None, True, 17340.00),
    (
        "Subcontractor Haulage",
        "Cost of Goods Sold",
        "ShippingFreightDeliveryCos",
        None,
        True,
        151220.00,
    ),
    ("Ferry & Tolls", "Cost of Goods Sold", "ShippingFreightDeliveryCos", None, True, 9980.00),
    ("Office Costs", "Expense", "OfficeGeneralAdministrativeExpenses", None, True, 2210.40),
    ("Insurance", "Expense", "Insurance", None, True, 7400.00),
    ("Bank Interest Received", "Other Income", "InterestEarned", None, True, 84.12),
    ("Depreciation", "Other Expense", "Depreciation", None, True, 1550.00),
    ("Old Courier Costs", "Expense", "ShippingFreightDelivery", None, False, 0.0),
    ("Purchase Orders", "Non-Posting", "OtherNonPosting", None, True, 0.0),
)

# (display name, email, active)
PartySeed = tuple[str, str, bool]

US_CUSTOMERS: tuple[PartySeed, ...] = (
    ("Acme Manufacturing Co.", "ap@acme-mfg.example", True),
    ("Great Lakes Grocers", "payables@greatlakesgrocers.example", True),
    ("Summit Building Supply", "invoices@summitbuild.example", True),
    ("Prairie Farm Cooperative", "office@prairiefarm.example", True),
    ("Riverside Paper Mill", "ap@riversidepaper.example", True),
    ("Old Town Furniture", "owner@oldtownfurniture.example", False),
)
US_VENDORS: tuple[PartySeed, ...] = (
    ("Red River Trucking LLC", "dispatch@redrivertrucking.example", True),
    ("Blue Ox Transport Inc", "billing@blueox.example", True),
    ("Coastal Reefer Lines", "ar@coastalreefer.example", True),
    ("Interstate Fuel Card Services", "support@interstatefuel.example", True),
    ("LoadLink Board Subscriptions", "billing@loadlink.example", True),
    ("Midwest Hotshot Express", "office@midwesthotshot.example", False),
)
UK_CUSTOMERS: tuple[PartySeed, ...] = (
    ("Medway Paper Products Ltd", "accounts@medwaypaper.example", True),
    ("Kentish Fruit Growers", "finance@kentishfruit.example", True),
)
UK_VENDORS: tuple[PartySeed, ...] = (
    ("North Sea Freight Partners", "billing@northseafreight.example", True),
    ("Dover Ferry Bookings", "accounts@doverferry.example", True),
)

# (name, Type, income account, parent category or None, active, unit price)
ItemSeed = tuple[str, str, "str | None", "str | None", bool, float]

US_ITEMS: tuple[ItemSeed, ...] = (
    ("Services", "Service", "Services", None, True, 0.0),
    ("Truckload Freight", "Service", "Freight Revenue:Truckload", None, True, 0.0),
    ("LTL Freight", "Service", "Freight Revenue:LTL", None, True, 0.0),
    ("Expedited Freight", "Service", "Freight Revenue:Expedited", None, True, 0.0),
    ("Fuel Surcharge", "Service", "Fuel Surcharge Revenue", None, True, 0.0),
    ("Accessorials", "Category", None, None, True, 0.0),
    ("Detention", "Service", "Accessorial Revenue:Detention", "Accessorials", True, 75.0),
    (
        "Lumper Fee",
        "Service",
        "Accessorial Revenue:Lumper Reimbursements",
        "Accessorials",
        True,
        0.0,
    ),
    ("Pallets", "NonInventory", "Sales of Product Income", None, True, 18.0),
    ("Intermodal Freight", "Service", "Freight Revenue:Truckload", None, False, 0.0),
)
UK_ITEMS: tuple[ItemSeed, ...] = (
    ("Full Load", "Service", "Haulage Income:Full Loads", None, True, 0.0),
    ("Part Load", "Service", "Haulage Income:Part Loads", None, True, 0.0),
    ("Fuel Surcharge", "Service", "Fuel Surcharge Income", None, True, 0.0),
    ("Extras", "Category", None, None, True, 0.0),
    ("Waiting Time", "Service", "Haulage Income:Full Loads", "Extras", True, 45.0),
)

# (tax code name, description, rate name, rate value)
TaxCodeSeed = tuple[str, str, str, float]

# UK VAT
UK_TAX_CODES: tuple[TaxCodeSeed, ...] = (
    ("20.0% S", "Standard rated sales", "20.0% S", 20.0),
    ("5.0% R", "Reduced rated sales", "5.0% R", 5.0),
    ("0.0% Z", "Zero-rated sales", "0.0% Z", 0.0),
    ("Exempt", "Exempt from VAT", "Exempt", 0.0),
    ("No VAT", "Outside the scope of VAT", "No VAT", 0.0),
)


# Canada: GST/HST codes as a Canadian QuickBooks company lists them (single-rate codes only).
CA_TAX_CODES: tuple[TaxCodeSeed, ...] = (
    ("HST ON", "Ontario harmonized sales tax", "HST ON", 13.0),
    ("GST", "Goods and services tax", "GST", 5.0),
    ("Zero-rated", "Zero-rated supplies", "GST/HST ZR", 0.0),
    ("Exempt", "Exempt supplies", "Exempt", 0.0),
)
# Australia: GST codes as an Australian QuickBooks company lists them.
AU_TAX_CODES: tuple[TaxCodeSeed, ...] = (
    ("GST", "GST on sales", "GST (sales)", 10.0),
    ("GST free", "GST free sales", "GST free (sales)", 0.0),
    ("Input taxed", "Input taxed sales", "Input taxed (sales)", 0.0),
    ("Out of scope", "Outside the scope of GST", "Out of scope", 0.0),
)


def _regional_chart(tax_account: str) -> tuple[AccountSeed, ...]:
    """The haulier's chart of the UK company, with the region's tax account and names."""
    names = {
        "VAT Control": tax_account,
        "Debtors": "Accounts Receivable (A/R)",
        "Creditors": "Accounts Payable (A/P)",
        "Director's Loan": "Shareholder Loan",
        "Ferry & Tolls": "Tolls & Permits",
    }
    return tuple((names.get(row[0], row[0]), *row[1:]) for row in UK_CHART)


CA_CUSTOMERS: tuple[PartySeed, ...] = (
    ("Great Lakes Steel Supply", "ap@greatlakessteel.example", True),
    ("Niagara Orchards Co-op", "finance@niagaraorchards.example", True),
)
CA_VENDORS: tuple[PartySeed, ...] = (
    ("Trans-Canada Linehaul Inc", "billing@transcanadalinehaul.example", True),
    ("401 Fuel Cards", "accounts@401fuel.example", True),
)
AU_CUSTOMERS: tuple[PartySeed, ...] = (
    ("Hunter Valley Wines Pty Ltd", "accounts@huntervalleywines.example", True),
    ("Pacific Building Supplies", "ap@pacificbuilding.example", True),
)
AU_VENDORS: tuple[PartySeed, ...] = (
    ("Outback Road Trains Pty Ltd", "billing@outbackroadtrains.example", True),
    ("Harbour Tolls Australia", "accounts@harbourtolls.example", True),
)


@dataclass
class Company:
    """A practice QuickBooks company; its books are built the first time they are needed."""

    realm_id: str
    name: str
    country: str
    environment: str
    currency: tuple[str, str]
    address: dict[str, str]
    admin: str  # the QuickBooks admin named when the app is "already purchased"
    seed: Callable[[Books], None]
    clock: SimulatedClock
    phone: str = "(312) 555-0142"
    _books: Books | None = field(default=None, repr=False)

    @property
    def books(self) -> Books:
        if self._books is None:
            books = Books(country=self.country, currency=self.currency, clock=self.clock)
            self.seed(books)
            books.insert("CompanyInfo", self._company_info(), entity_id="1")
            books.insert("Preferences", _preferences(self.currency[0]), entity_id="1")
            self._books = books
        return self._books

    @property
    def has_books(self) -> bool:
        """True once the books were opened (a page that only looks need not build them)."""
        return self._books is not None

    def reset(self) -> None:
        self._books = None

    def summary(self) -> dict[str, str]:
        return {
            "realm_id": self.realm_id,
            "name": self.name,
            "country": self.country,
            "environment": self.environment,
        }

    def _company_info(self) -> dict[str, Any]:
        # QuickBooks numbers each address and sends the same one three times.
        address = {"Id": "1", **self.address}
        return {
            "CompanyName": self.name,
            "LegalName": self.name,
            "CompanyAddr": dict(address),
            "CustomerCommunicationAddr": dict(address),
            "LegalAddr": dict(address),
            "PrimaryPhone": {"FreeFormNumber": self.phone},
            "CompanyStartDate": "2019-03-01",
            "FiscalYearStartMonth": "January",
            "Country": self.country,
            "Email": {"Address": self.admin.split("<")[-1].rstrip(">")},
            "WebAddr": {},
            "SupportedLanguages": "en",
            "NameValue": [
                {"Name": "NeoEnabled", "Value": "true"},
                {"Name": "IndustryType", "Value": "Freight transportation arrangement"},
                {"Name": "IndustryCode", "Value": "488510"},
                {"Name": "SubscriptionStatus", "Value": "SUBSCRIBED"},
                {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
                {"Name": "PayrollFeature", "Value": "false"},
                {"Name": "AccountantFeature", "Value": "false"},
            ],
        }


def _preferences(currency: str) -> dict[str, Any]:
    return {
        "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": currency}},
        "SalesFormsPrefs": {"CustomTxnNumbers": False, "AllowDiscount": True},
        "AccountingInfoPrefs": {"TrackDepartments": False, "ClassTrackingPerTxn": False},
    }


def _seed_accounts(books: Books, chart: tuple[AccountSeed, ...]) -> dict[str, str]:
    """Create the chart in order; returns full account name -> Id."""
    ids: dict[str, str] = {}
    for name, account_type, sub_type, parent, active, balance in chart:
        body: dict[str, Any] = {
            "Name": name,
            "AccountType": account_type,
            "AccountSubType": sub_type,
            "CurrentBalance": balance,
            "Active": active,
        }
        if parent is not None:
            body["ParentRef"] = {"value": ids[parent]}
        record = books.create("Account", body)
        ids[record["FullyQualifiedName"]] = record["Id"]
    return ids


def _seed_parties(books: Books, entity: str, rows: tuple[PartySeed, ...]) -> None:
    for name, email, active in rows:
        record = books.create(
            entity,
            {"DisplayName": name, "CompanyName": name, "PrimaryEmailAddr": {"Address": email}},
        )
        if not active:
            books.set_active(entity, record["Id"], False)


def _seed_items(books: Books, rows: tuple[ItemSeed, ...], accounts: dict[str, str]) -> None:
    ids: dict[str, str] = {}
    for name, item_type, income, parent, active, price in rows:
        body: dict[str, Any] = {"Name": name, "Type": item_type, "UnitPrice": price}
        if income is not None:
            body["IncomeAccountRef"] = {"value": accounts[income]}
        if parent is not None:
            body["ParentRef"] = {"value": ids[parent]}
        record = books.create("Item", body)
        ids[name] = record["Id"]
        if not active:
            books.set_active("Item", record["Id"], False)


def seed_us_broker(books: Books) -> None:
    accounts = _seed_accounts(books, US_CHART)
    _seed_parties(books, "Customer", US_CUSTOMERS)
    _seed_parties(books, "Vendor", US_VENDORS)
    _seed_items(books, US_ITEMS, accounts)


@dataclass(frozen=True)
class HaulierRegion:
    """A haulier outside the US, built one way for every region: the chart, the region's tax
    agency with one rate per tax code (every sales line needs one of the codes), its customers
    and vendors, and the UK company's products and services."""

    chart: tuple[AccountSeed, ...]
    tax_agency: str
    tax_codes: tuple[TaxCodeSeed, ...]
    customers: tuple[PartySeed, ...]
    vendors: tuple[PartySeed, ...]

    def seed(self, books: Books) -> None:
        accounts = _seed_accounts(books, self.chart)
        agency = books.insert("TaxAgency", {"DisplayName": self.tax_agency})
        for name, description, rate_name, rate in self.tax_codes:
            rate_record = books.insert(
                "TaxRate",
                {
                    "Name": rate_name,
                    "Description": description,
                    "Active": True,
                    "RateValue": rate,
                    "AgencyRef": {"value": agency["Id"]},
                    "SpecialTaxType": "NONE",
                    "DisplayType": "ReadOnly",
                },
            )
            reference = {
                "TaxRateRef": {"value": rate_record["Id"], "name": rate_name},
                "TaxTypeApplicable": "TaxOnAmount",
                "TaxOrder": 0,
            }
            books.insert(
                "TaxCode",
                {
                    "Name": name,
                    "Description": description,
                    "Active": True,
                    "Hidden": False,
                    "Taxable": rate > 0,
                    "TaxGroup": False,
                    "SalesTaxRateList": {"TaxRateDetail": [reference]},
                    "PurchaseTaxRateList": {"TaxRateDetail": [reference]},
                },
            )
        _seed_parties(books, "Customer", self.customers)
        _seed_parties(books, "Vendor", self.vendors)
        _seed_items(books, UK_ITEMS, accounts)


UK_HAULIER = HaulierRegion(UK_CHART, "HM Revenue & Customs", UK_TAX_CODES, UK_CUSTOMERS, UK_VENDORS)
CA_HAULIER = HaulierRegion(
    _regional_chart("GST/HST Payable"),
    "Canada Revenue Agency",
    CA_TAX_CODES,
    CA_CUSTOMERS,
    CA_VENDORS,
)
AU_HAULIER = HaulierRegion(
    _regional_chart("GST Payable"),
    "Australian Taxation Office",
    AU_TAX_CODES,
    AU_CUSTOMERS,
    AU_VENDORS,
)


_LANE_CITIES = (
    "ATL",
    "BNA",
    "CHI",
    "CLT",
    "CVG",
    "DAL",
    "DEN",
    "DTW",
    "HOU",
    "IND",
    "JAX",
    "KCI",
    "LAX",
    "LRD",
    "MEM",
    "MSP",
    "OMA",
    "PHX",
    "PIT",
    "SAV",
    "SEA",
    "SLC",
    "STL",
    "TOL",
)


def create_lane_account(
    books: Books, lane: str, number: int, parent_id: str, is_revenue: bool
) -> dict[str, Any]:
    """One lane sub-account of a large practice chart (every 97th is inactive)."""
    return books.create(
        "Account",
        {
            "Name": lane,
            "AccountType": "Income" if is_revenue else "Cost of Goods Sold",
            "AccountSubType": "ServiceFeeIncome" if is_revenue else "ShippingFreightDeliveryCos",
            "ParentRef": {"value": parent_id},
            "Active": number % 97 != 0,
        },
    )


def seed_large_broker(books: Books) -> None:
    """The US chart plus lane sub-accounts under revenue and carrier costs, 10,000 in all."""
    accounts = _seed_accounts(books, US_CHART)
    _seed_parties(books, "Customer", US_CUSTOMERS)
    _seed_parties(books, "Vendor", US_VENDORS)
    _seed_items(books, US_ITEMS, accounts)
    revenue = accounts["Freight Revenue:Truckload"]
    costs = accounts["Carrier Costs:Linehaul"]
    remaining = LARGE_ACCOUNT_COUNT - len(US_CHART)
    cities = _LANE_CITIES
    for number in range(remaining):
        lane_index = number // 2
        origin = cities[lane_index % len(cities)]
        step = lane_index // len(cities) % (len(cities) - 1) + 1
        destination = cities[(lane_index + step) % len(cities)]
        is_revenue = number % 2 == 0
        lane = f"Lane {lane_index + 1:04d} {origin}-{destination}"
        create_lane_account(books, lane, number, revenue if is_revenue else costs, is_revenue)


def build_companies(clock: SimulatedClock) -> list[Company]:
    """The six practice companies, in the order the consent page lists them."""
    us_address = {
        "Line1": "1420 W Fulton Market, Suite 300",
        "City": "Chicago",
        "CountrySubDivisionCode": "IL",
        "PostalCode": "60607",
        "Country": "US",
    }
    return [
        Company(
            realm_id=US_REALM,
            name="Bluewater Freight Brokers LLC",
            country="US",
            environment=SANDBOX,
            currency=("USD", "United States Dollar"),
            address=us_address,
            admin="Dana Whitfield <dana.whitfield@bluewaterfreight.example>",
            seed=seed_us_broker,
            clock=clock,
        ),
        Company(
            realm_id=UK_REALM,
            name="Thames Gateway Haulage Ltd",
            country="GB",
            environment=SANDBOX,
            currency=("GBP", "British Pound Sterling"),
            address={
                "Line1": "Unit 7, London Road Industrial Estate",
                "City": "Grays",
                "CountrySubDivisionCode": "Essex",
                "PostalCode": "RM17 5YZ",
                "Country": "GB",
            },
            admin="Priya Shah <priya.shah@thamesgatewayhaulage.example>",
            seed=UK_HAULIER.seed,
            clock=clock,
        ),
        Company(
            realm_id=LARGE_REALM,
            name="Continental Lanes Logistics",
            country="US",
            environment=SANDBOX,
            currency=("USD", "United States Dollar"),
            address={
                **us_address,
                "Line1": "800 Commerce St",
                "City": "Dallas",
                "CountrySubDivisionCode": "TX",
                "PostalCode": "75202",
            },
            admin="Marco Reyes <marco.reyes@continentallanes.example>",
            seed=seed_large_broker,
            clock=clock,
        ),
        Company(
            realm_id=PRODUCTION_REALM,
            name="Harbor Point Freight Inc",
            country="US",
            environment=PRODUCTION,
            currency=("USD", "United States Dollar"),
            address={
                **us_address,
                "Line1": "2100 Harbor Point Blvd",
                "City": "Baltimore",
                "CountrySubDivisionCode": "MD",
                "PostalCode": "21231",
            },
            admin="Lena Okafor <lena.okafor@harborpointfreight.example>",
            seed=seed_us_broker,
            clock=clock,
        ),
        Company(
            realm_id=CA_REALM,
            name="Maple Corridor Freight Ltd",
            country="CA",
            environment=SANDBOX,
            currency=("CAD", "Canadian Dollar"),
            address={
                "Line1": "6705 Millcreek Dr, Unit 4",
                "City": "Mississauga",
                "CountrySubDivisionCode": "ON",
                "PostalCode": "L5N 5M4",
                "Country": "CA",
            },
            admin="Marie Tremblay <marie.tremblay@maplecorridor.example>",
            seed=CA_HAULIER.seed,
            clock=clock,
            phone="(905) 555-0187",
        ),
        Company(
            realm_id=AU_REALM,
            name="Southern Cross Haulage Pty Ltd",
            country="AU",
            environment=SANDBOX,
            currency=("AUD", "Australian Dollar"),
            address={
                "Line1": "12 Botany Rd",
                "City": "Alexandria",
                "CountrySubDivisionCode": "NSW",
                "PostalCode": "2015",
                "Country": "AU",
            },
            admin="Jack Nguyen <jack.nguyen@southerncrosshaulage.example>",
            seed=AU_HAULIER.seed,
            clock=clock,
            phone="(02) 5550 1234",
        ),
    ]
