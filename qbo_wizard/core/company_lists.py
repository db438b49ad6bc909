"""The live company's accounts, items and tax codes, loaded page by page and cached per profile.

The mapping step needs the whole chart of accounts (10,000 accounts is a real size), every item
and the tax codes. Reading them is metered by Intuit and can be throttled, so they are read once,
one request at a time, and kept in the profile's `cache/` folder with the time they were read;
the screen's refresh action and `mapping check` read them again.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from qbo_wizard.core.files import atomic_write_text
from qbo_wizard.core.paths import profile_dir
from qbo_wizard.core.problems import WizardError
from qbo_wizard.core.profile import load_profile
from qbo_wizard.core.timestamps import utc_timestamp

PAGE_SIZE = 1000  # Intuit's maximum MAXRESULTS
# Name lists leave inactive records out unless asked; they are read too, so that a mapping to a
# deactivated account can say "inactive" (and how to undo it) rather than "not found".
ACTIVE_AND_INACTIVE = "Active IN (true, false)"
CACHE_FOLDER = "cache"
CACHE_FILE = "company-lists.json"
CACHE_FORMAT = 1

ProgressCallback = Callable[[int, "int | None"], None]
# What each list is called when progress is shown, in the order the lists are read.
LIST_LABELS = {"Account": "accounts", "Item": "items", "TaxCode": "tax codes"}


@dataclass(frozen=True)
class ListProgress:
    """How far reading one of the company's lists has got (for a progress line or bar)."""

    entity: str
    """The QuickBooks entity being read: `Account`, `Item` or `TaxCode`."""
    loaded: int
    """Rows of this list read so far."""
    total: int | None
    """Rows the list has, once known (asked only when a list fills more than one page)."""

    @property
    def label(self) -> str:
        """`accounts`, `items` or `tax codes`."""
        return LIST_LABELS.get(self.entity, self.entity)


ListProgressCallback = Callable[[ListProgress], None]


class QboClient(Protocol):
    """What the mapping step needs from the QuickBooks API client (`core.api.QboApi` fits)."""

    @property
    def call_count(self) -> int: ...

    def query_all(
        self, entity: str, where: str | None = None, order_by: str | None = None
    ) -> list[dict[str, Any]]: ...

    def create(self, entity: str, body: dict[str, Any], request_id: str) -> dict[str, Any]: ...


@runtime_checkable
class CountingQboClient(Protocol):
    """A client that can also count a query's rows (`SELECT COUNT(*)`), for a progress total."""

    def count(self, entity: str, where: str | None = None) -> int: ...


@runtime_checkable
class PagedQboClient(Protocol):
    """A client that can also read one page of a query (for progress on long lists)."""

    def query_page(
        self,
        entity: str,
        where: str | None,
        order_by: str | None,
        start_position: int,
        max_results: int,
    ) -> list[dict[str, Any]]: ...


def _ref(value: object) -> tuple[str | None, str | None]:
    """(id, name) of a QuickBooks reference such as IncomeAccountRef."""
    if isinstance(value, dict):
        ident = value.get("value")
        name = value.get("name")
        return (str(ident) if ident is not None else None, str(name) if name else None)
    return None, None


def _active(value: object) -> bool:
    # QuickBooks sends a JSON boolean; a missing flag means active.
    return value is not False and str(value).lower() != "false"


@dataclass(frozen=True)
class Account:
    """One account of the chart of accounts. `account_type` is Intuit's exact AccountType text."""

    id: str
    name: str
    full_name: str
    account_type: str
    sub_type: str = ""
    number: str = ""
    active: bool = True

    @classmethod
    def from_qbo(cls, data: dict[str, Any]) -> Account:
        name = str(data.get("Name") or "")
        return cls(
            id=str(data.get("Id")),
            name=name,
            full_name=str(data.get("FullyQualifiedName") or name),
            account_type=str(data.get("AccountType") or ""),
            sub_type=str(data.get("AccountSubType") or ""),
            number=str(data.get("AcctNum") or ""),
            active=_active(data.get("Active", True)),
        )

    @property
    def display(self) -> str:
        """`4010 · Sales:Freight Income (Income)`: what a person recognises in a list."""
        number = f"{self.number} · " if self.number else ""
        return f"{number}{self.full_name} ({self.account_type})"


@dataclass(frozen=True)
class Item:
    """One product/service. Invoice lines post through it to its income account."""

    id: str
    name: str
    full_name: str
    item_type: str
    active: bool = True
    income_account_id: str | None = None
    income_account_name: str | None = None

    @classmethod
    def from_qbo(cls, data: dict[str, Any]) -> Item:
        name = str(data.get("Name") or "")
        income_id, income_name = _ref(data.get("IncomeAccountRef"))
        return cls(
            id=str(data.get("Id")),
            name=name,
            full_name=str(data.get("FullyQualifiedName") or name),
            item_type=str(data.get("Type") or ""),
            active=_active(data.get("Active", True)),
            income_account_id=income_id,
            income_account_name=income_name,
        )


@dataclass(frozen=True)
class TaxCode:
    """One sales tax code (GST, VAT 20%, Exempt …); non-US companies need one on every line."""

    id: str
    name: str
    description: str = ""
    active: bool = True
    sales_rates: int | None = None  # how many sales rates it carries; None when not reported
    purchase_rates: int | None = None

    @classmethod
    def from_qbo(cls, data: dict[str, Any]) -> TaxCode:
        return cls(
            id=str(data.get("Id")),
            name=str(data.get("Name") or ""),
            description=str(data.get("Description") or ""),
            active=_active(data.get("Active", True)),
            sales_rates=_rate_count(data.get("SalesTaxRateList")),
            purchase_rates=_rate_count(data.get("PurchaseTaxRateList")),
        )


def _rate_count(rate_list: object) -> int | None:
    """Entries in a SalesTaxRateList / PurchaseTaxRateList, or None when it is absent."""
    if not isinstance(rate_list, dict):
        return None
    details = rate_list.get("TaxRateDetail")
    return len(details) if isinstance(details, list) else 0


_COUNTRY_NAMES = {"USA": "US", "UNITED STATES": "US", "UK": "GB", "UNITED KINGDOM": "GB"}


def normalise_country(value: object) -> str | None:
    """ISO-style country code from CompanyInfo (`US`, `CA`, `GB`, `AU` …), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().upper()
    return _COUNTRY_NAMES.get(text, text)


def company_country(info: dict[str, Any]) -> str | None:
    """The company's country from a CompanyInfo record (its own field, else an address)."""
    for candidate in (
        info.get("Country"),
        (info.get("CompanyAddr") or {}).get("Country"),
        (info.get("LegalAddr") or {}).get("Country"),
    ):
        country = normalise_country(candidate)
        if country:
            return country
    return None


@dataclass
class CompanyLists:
    """Accounts, items and tax codes of one company (realm), with lookups by id."""

    realm_id: str
    company_name: str
    country: str | None
    accounts: list[Account]
    items: list[Item]
    tax_codes: list[TaxCode]
    loaded_at: str = field(default_factory=utc_timestamp)
    cached: bool = False

    def __post_init__(self) -> None:
        self._accounts = {account.id: account for account in self.accounts}
        self._items = {item.id: item for item in self.items}
        self._tax_codes = {code.id: code for code in self.tax_codes}

    @property
    def tax_codes_required(self) -> bool:
        """True outside the US: every line needs a tax code or QuickBooks answers error 6000."""
        return self.country is not None and self.country != "US"

    def account(self, account_id: str | None) -> Account | None:
        return self._accounts.get(account_id) if account_id else None

    def item(self, item_id: str | None) -> Item | None:
        return self._items.get(item_id) if item_id else None

    def tax_code(self, tax_code_id: str | None) -> TaxCode | None:
        return self._tax_codes.get(tax_code_id) if tax_code_id else None

    def add_item(self, item: Item) -> None:
        """Include an item created during this session (e.g. a new Service item)."""
        self.items.append(item)
        self._items[item.id] = item

    def to_cache(self) -> dict[str, Any]:
        return {
            "format": CACHE_FORMAT,
            "realm_id": self.realm_id,
            "company_name": self.company_name,
            "country": self.country,
            "loaded_at": self.loaded_at,
            "accounts": [asdict(a) for a in self.accounts],
            "items": [asdict(i) for i in self.items],
            "tax_codes": [asdict(t) for t in self.tax_codes],
        }

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> CompanyLists:
        return cls(
            realm_id=str(data["realm_id"]),
            company_name=str(data.get("company_name") or ""),
            country=data.get("country"),
            accounts=[Account(**a) for a in data["accounts"]],
            items=[Item(**i) for i in data["items"]],
            tax_codes=[TaxCode(**t) for t in data["tax_codes"]],
            loaded_at=str(data["loaded_at"]),
            cached=True,
        )


def cache_path(profile_name: str) -> Path:
    """Where a profile's copy of the company lists is kept."""
    return profile_dir(profile_name) / CACHE_FOLDER / CACHE_FILE


def cached_company_lists(profile_name: str, realm_id: str) -> CompanyLists | None:
    """The cached lists of this company, or None when there are none (or they are unusable)."""
    try:
        data = json.loads(cache_path(profile_name).read_text(encoding="utf-8"))
        if data.get("format") != CACHE_FORMAT or str(data.get("realm_id")) != realm_id:
            return None
        return CompanyLists.from_cache(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        # A cache is only a copy: when it is missing or damaged the lists are read again.
        return None


def save_cached_company_lists(profile_name: str, lists: CompanyLists) -> None:
    """Keep the lists in the profile's cache folder (private, written atomically)."""
    text = json.dumps(lists.to_cache(), separators=(",", ":"), ensure_ascii=False)
    atomic_write_text(cache_path(profile_name), text)


def forget_cached_company_lists(profile_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        cache_path(profile_name).unlink()


def query_every_page(
    client: QboClient,
    entity: str,
    where: str | None = None,
    on_rows: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Every row of a query, one page of 1000 at a time, until a page comes back short.

    With a client that can read single pages, `on_rows(n)` is called after each page so a
    screen can show progress; otherwise the client pages on its own and `on_rows` is called once.
    With `on_total`, a list longer than one page is counted first (one more call) and the count
    is passed on, so progress can read "3,000 of 10,000".
    Requests are strictly one after another: the client handles throttling (429) and backs off.
    """
    if not isinstance(client, PagedQboClient):
        rows = client.query_all(entity, where=where, order_by="Id")
        if on_rows is not None:
            on_rows(len(rows))
        return rows
    rows = []
    start = 1
    while True:
        page = client.query_page(entity, where, "Id", start, PAGE_SIZE)
        first_of_many = start == 1 and len(page) == PAGE_SIZE
        if first_of_many and on_total is not None and isinstance(client, CountingQboClient):
            on_total(client.count(entity, where))
        rows.extend(page)
        if on_rows is not None:
            on_rows(len(page))
        if len(page) < PAGE_SIZE:
            return rows
        start += PAGE_SIZE


def fetch_company_lists(
    client: QboClient,
    realm_id: str,
    on_progress: ProgressCallback | None = None,
    on_list: ListProgressCallback | None = None,
) -> CompanyLists:
    """Read the company's country, accounts, items and tax codes from QuickBooks now.

    `on_progress(loaded, total)` counts rows over all lists; `on_list` reports each list on its
    own, with its total when the list is longer than a page.
    """
    loaded = 0

    def reader(entity: str) -> tuple[Callable[[int], None], Callable[[int], None] | None]:
        read = 0
        total: int | None = None

        def count(rows: int) -> None:
            nonlocal loaded, read
            loaded += rows
            read += rows
            if on_progress is not None:
                on_progress(loaded, None)
            if on_list is not None:
                on_list(ListProgress(entity, read, total))

        def know_total(rows: int) -> None:
            nonlocal total
            total = rows
            if on_list is not None:
                on_list(ListProgress(entity, read, total))

        return count, (know_total if on_list is not None else None)

    if on_progress is not None:
        on_progress(0, None)
    infos = client.query_all("CompanyInfo")
    info = infos[0] if infos else {}
    rows = {}
    for entity in LIST_LABELS:
        if on_list is not None:
            on_list(ListProgress(entity, 0, None))
        on_rows, on_total = reader(entity)
        rows[entity] = query_every_page(client, entity, ACTIVE_AND_INACTIVE, on_rows, on_total)
    accounts = [Account.from_qbo(row) for row in rows["Account"]]
    items = [Item.from_qbo(row) for row in rows["Item"]]
    tax_codes = [TaxCode.from_qbo(row) for row in rows["TaxCode"]]
    if on_progress is not None:
        on_progress(loaded, loaded)
    return CompanyLists(
        realm_id=realm_id,
        company_name=str(info.get("CompanyName") or ""),
        country=company_country(info),
        accounts=accounts,
        items=items,
        tax_codes=tax_codes,
    )


def load_company_lists(
    client: QboClient,
    profile_name: str,
    realm_id: str,
    *,
    refresh: bool = False,
    on_progress: ProgressCallback | None = None,
    on_list: ListProgressCallback | None = None,
) -> CompanyLists:
    """The company lists: from the profile's cache, or read live (and cached) when asked or absent.

    `on_progress(loaded, total)` reports rows read so far; `total` is None until the end.
    `on_list` reports each list separately (see `fetch_company_lists`). Runs the network calls
    on the caller's thread: a screen calls it from a thread worker.
    """
    if not refresh:
        cached = cached_company_lists(profile_name, realm_id)
        if cached is not None:
            total = len(cached.accounts) + len(cached.items) + len(cached.tax_codes)
            if on_progress is not None:
                on_progress(total, total)
            return cached
    lists = fetch_company_lists(client, realm_id, on_progress, on_list)
    save_cached_company_lists(profile_name, lists)
    return lists


def connected_realm(client: object, profile_name: str) -> str:
    """The company a client talks to (its `realm_id`), else the one the profile was connected to."""
    realm_id = getattr(client, "realm_id", None) or load_profile(profile_name).realm_id
    if not realm_id:
        raise WizardError(
            f"The profile '{profile_name}' is not connected to a QuickBooks company yet. "
            "Connect it first (step 6)."
        )
    return str(realm_id)


def company_lists_for(
    client: QboClient,
    profile_name: str,
    *,
    refresh: bool = False,
    on_progress: ProgressCallback | None = None,
    on_list: ListProgressCallback | None = None,
) -> CompanyLists:
    """`load_company_lists` for the company the client (or the profile) is connected to."""
    realm_id = connected_realm(client, profile_name)
    return load_company_lists(
        client, profile_name, realm_id, refresh=refresh, on_progress=on_progress, on_list=on_list
    )
