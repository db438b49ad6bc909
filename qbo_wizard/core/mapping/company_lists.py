"""The live company's accounts, items and tax codes, loaded page by page and cached per profile.

The mapping step needs the whole chart of accounts (10,000 accounts is a real size), every item
and the tax codes. Reading them is metered by Intuit and can be throttled, so they are read once,
one request at a time, and kept in the profile's `cache/` folder with the time they were read;
the screen's refresh action and `mapping check` read them again.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar, runtime_checkable

from qbo_wizard.core.files import atomic_write_text
from qbo_wizard.core.mapping.allocator import return_large_buffers
from qbo_wizard.core.paths import profile_dir
from qbo_wizard.core.problems import WizardError
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.core.steps import step_ref
from qbo_wizard.core.timestamps import utc_timestamp

PAGE_SIZE = 1000  # Intuit's maximum MAXRESULTS
# Name lists leave inactive records out unless asked; they are read too, so that a mapping to a
# deactivated account can say "inactive" (and how to undo it) rather than "not found".
ACTIVE_AND_INACTIVE = "Active IN (true, false)"
CACHE_FOLDER = "cache"
CACHE_FILE = "company-lists.json"
# Items created since the cache file was written, one JSON object a line: adding an item to a
# 40,000-account company's cache appends one line instead of rewriting the whole file.
CACHE_ADDED_FILE = "company-lists.added.jsonl"
CACHE_FORMAT = 1
CACHE_PART = 1000  # records turned into the cache file's text at a time
_COPY_CHARS = 1 << 15  # text copied at a time from a list encoded while read: small buffers

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


class PageObserver(Protocol):
    """Told each page of accounts and of items as it is read, in list order, so work on them
    can be done while the next request waits its turn under Intuit's limits."""

    def add_accounts(self, accounts: Iterable[Account]) -> None: ...

    def add_items(self, items: Iterable[Item]) -> None: ...


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


def _full_name(data: dict[str, Any], name: str) -> str:
    full = str(data.get("FullyQualifiedName") or name)
    return name if full == name else full  # a top-level record's: one string, not two equal


def _active(value: object) -> bool:
    # QuickBooks sends a JSON boolean; a missing flag means active.
    return value is not False and str(value).lower() != "false"


@dataclass(frozen=True, slots=True)
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
            full_name=_full_name(data, name),
            # A few types name thousands of accounts: one string each, not one per account.
            account_type=sys.intern(str(data.get("AccountType") or "")),
            sub_type=sys.intern(str(data.get("AccountSubType") or "")),
            number=str(data.get("AcctNum") or ""),
            active=_active(data.get("Active", True)),
        )

    @property
    def display(self) -> str:
        """`4010 · Sales:Freight Income (Income)`: what a person recognises in a list."""
        number = f"{self.number} · " if self.number else ""
        return f"{number}{self.full_name} ({self.account_type})"

    @property
    def key(self) -> str:
        """What a picker gives back when the account is chosen: its id."""
        return self.id

    @property
    def label(self) -> str:
        """The account's row in a picker (`display`), made each time it is asked for."""
        return self.display


@dataclass(frozen=True, slots=True)
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
            full_name=_full_name(data, name),
            item_type=sys.intern(str(data.get("Type") or "")),
            active=_active(data.get("Active", True)),
            income_account_id=income_id,
            income_account_name=income_name,
        )


@dataclass(frozen=True, slots=True)
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


_FIELDS = {kind: tuple(f.name for f in fields(kind)) for kind in (Account, Item, TaxCode)}
_GET_FIELDS = {kind: attrgetter(*names) for kind, names in _FIELDS.items()}


def record_fields(record: Account | Item | TaxCode) -> dict[str, Any]:
    """A record's fields by name, as the cache keeps them (records keep no `__dict__`: a
    40,000-account chart is held in step 7)."""
    kind = type(record)
    return dict(zip(_FIELDS[kind], _GET_FIELDS[kind](record), strict=True))


def _to_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


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
            **self._cache_heading(),
            "accounts": [record_fields(a) for a in self.accounts],
            "items": [record_fields(i) for i in self.items],
            "tax_codes": [record_fields(t) for t in self.tax_codes],
        }

    def _cache_heading(self) -> dict[str, Any]:
        return {
            "format": CACHE_FORMAT,
            "realm_id": self.realm_id,
            "company_name": self.company_name,
            "country": self.country,
            "loaded_at": self.loaded_at,
        }

    def cache_text(self, encoded: Mapping[str, Iterable[str]] | None = None) -> Iterator[str]:
        """`to_cache()` as compact JSON, in parts of at most `CACHE_PART` records, so a
        40,000-account chart's text (several times the records' size) is never held whole.
        `encoded` gives, by list name, the text between a list's brackets when it was made
        already (as the pages were read)."""
        yield _to_json(self._cache_heading())[:-1]
        lists: dict[str, Sequence[Account | Item | TaxCode]] = {
            "accounts": self.accounts,
            "items": self.items,
            "tax_codes": self.tax_codes,
        }
        for name, records in lists.items():
            yield f",{_to_json(name)}:["
            if encoded is not None and name in encoded:
                yield from encoded[name]
            else:
                for start in range(0, len(records), CACHE_PART):
                    part = records[start : start + CACHE_PART]
                    text = _to_json([record_fields(r) for r in part])[1:-1]
                    yield f",{text}" if start else text
            yield "]"
        yield "}"

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


def _added_path(profile_name: str) -> Path:
    return profile_dir(profile_name) / CACHE_FOLDER / CACHE_ADDED_FILE


def _added_items(profile_name: str, realm_id: str) -> list[Item]:
    """Items recorded as created since the cache file was written (a damaged line is skipped)."""
    try:
        text = _added_path(profile_name).read_text(encoding="utf-8")
    except OSError:
        return []
    items = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            if str(entry["realm_id"]) == realm_id:
                items.append(Item(**entry["item"]))
        except (ValueError, KeyError, TypeError):
            continue
    return items


def cached_company_lists(profile_name: str, realm_id: str) -> CompanyLists | None:
    """The cached lists of this company, or None when there are none (or they are unusable)."""
    try:
        data = json.loads(cache_path(profile_name).read_text(encoding="utf-8"))
        if data.get("format") != CACHE_FORMAT or str(data.get("realm_id")) != realm_id:
            return None
        lists = CompanyLists.from_cache(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        # A cache is only a copy: when it is missing or damaged the lists are read again.
        return None
    for item in _added_items(profile_name, realm_id):
        if lists.item(item.id) is None:
            lists.add_item(item)
    return lists


def save_cached_company_lists(
    profile_name: str, lists: CompanyLists, encoded: EncodedPages | None = None
) -> None:
    """Keep the lists in the profile's cache folder (private, written atomically); with
    `encoded`, the accounts' and items' text made while their pages were read is used."""
    text = encoded.text_of(lists) if encoded is not None else None
    atomic_write_text(cache_path(profile_name), lists.cache_text(text))
    with contextlib.suppress(FileNotFoundError):
        _added_path(profile_name).unlink()  # the file written now includes them


def cache_created_item(profile_name: str, lists: CompanyLists, item: Item) -> None:
    """Add one item created in QuickBooks to the profile's cached lists.

    When there is a cache file, one line tagged with the company is appended (the time it
    takes does not grow with the chart of accounts; a cache of another company ignores it);
    otherwise the whole lists are written.
    """
    if not cache_path(profile_name).exists():
        save_cached_company_lists(profile_name, lists)
        return
    line = json.dumps({"realm_id": lists.realm_id, "item": record_fields(item)}, ensure_ascii=False)
    descriptor = os.open(_added_path(profile_name), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as added:
        added.write(line + "\n")


class EncodedPages:
    """The cache file's text of the accounts and of the items, made page by page as the pages
    are read (while the next request waits its turn under Intuit's limits) and written to
    `files` (unnamed temporary files), so neither the work nor a large chart's text is left
    for after the last page. Passes each page on to `observer` too."""

    def __init__(self, files: Mapping[str, IO[str]], observer: PageObserver | None) -> None:
        self._files = files
        self._observer = observer
        self._counts = dict.fromkeys(files, 0)

    def add_accounts(self, accounts: Iterable[Account]) -> None:
        page = list(accounts)
        if self._observer is not None:
            self._observer.add_accounts(page)
        self._add("accounts", page)

    def add_items(self, items: Iterable[Item]) -> None:
        page = list(items)
        if self._observer is not None:
            self._observer.add_items(page)
        self._add("items", page)

    def _add(self, name: str, records: list[Account] | list[Item]) -> None:
        if records:
            text = _to_json([record_fields(r) for r in records])[1:-1]
            self._files[name].write(f",{text}" if self._counts[name] else text)
            self._counts[name] += len(records)

    def text_of(self, lists: CompanyLists) -> dict[str, Iterator[str]] | None:
        """Each list's text when every one of its records was seen, else None (encoded whole)."""
        seen = [self._counts["accounts"], self._counts["items"]]
        if seen != [len(lists.accounts), len(lists.items)]:
            return None
        return {name: _read_back(handle) for name, handle in self._files.items()}


def _read_back(handle: IO[str]) -> Iterator[str]:
    handle.seek(0)
    while part := handle.read(_COPY_CHARS):
        yield part


def forget_cached_company_lists(profile_name: str) -> None:
    for path in (cache_path(profile_name), _added_path(profile_name)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


Row = TypeVar("Row")


def read_every_page(
    client: QboClient,
    entity: str,
    where: str | None,
    convert: Callable[[dict[str, Any]], Row],
    on_rows: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    on_page: Callable[[list[Row]], None] | None = None,
) -> list[Row]:
    """Every row of a query as `convert` makes it, one page of 1000 at a time, until a page
    comes back short. Each page is converted as it arrives and its raw rows let go, so the
    answers of a 40,000-account chart are never all held at once.

    With a client that can read single pages, `on_rows(n)` is called after each page so a
    screen can show progress; otherwise the client pages on its own and `on_rows` is called once.
    With `on_total`, a list longer than one page is counted first (one more call) and the count
    is passed on, so progress can read "3,000 of 10,000". `on_page(rows)` is given each page's
    converted rows as it arrives (before the next request waits its turn).
    Requests are strictly one after another: the client keeps Intuit's limits and backs off.
    """
    if not isinstance(client, PagedQboClient):
        converted = [convert(row) for row in client.query_all(entity, where=where, order_by="Id")]
        if on_page is not None:
            on_page(converted)
        if on_rows is not None:
            on_rows(len(converted))
        return converted
    found: list[Row] = []
    start = 1
    while True:
        page = client.query_page(entity, where, "Id", start, PAGE_SIZE)
        first_of_many = start == 1 and len(page) == PAGE_SIZE
        if first_of_many and on_total is not None and isinstance(client, CountingQboClient):
            on_total(client.count(entity, where))
        rows = [convert(row) for row in page]
        found.extend(rows)
        size = len(page)
        del page
        if on_page is not None:
            on_page(rows)
        del rows
        if on_rows is not None:
            on_rows(size)
        if size < PAGE_SIZE:
            return found
        start += PAGE_SIZE


def query_every_page(
    client: QboClient,
    entity: str,
    where: str | None = None,
    on_rows: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Every row of a query as QuickBooks sent it (see `read_every_page`)."""
    return read_every_page(client, entity, where, lambda row: row, on_rows, on_total)


def fetch_company_lists(
    client: QboClient,
    realm_id: str,
    on_progress: ProgressCallback | None = None,
    on_list: ListProgressCallback | None = None,
    *,
    company_name: str | None = None,
    country: str | None = None,
    observer: PageObserver | None = None,
) -> CompanyLists:
    """Read the company's accounts, items and tax codes (and its country) from QuickBooks now.

    With `country` (and `company_name`) already known, as step 6 keeps them, CompanyInfo is not
    read again; a US company's tax codes are not read (nothing in a US mapping uses them).
    `on_progress(loaded, total)` counts rows over all lists; `on_list` reports each list on its
    own, with its total when the list is longer than a page. `observer` is given the accounts
    and items page by page as they arrive.
    """
    loaded = 0
    return_large_buffers()  # each page's answer freed back to the system, not kept in the heap

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
    if country is None:
        infos = client.query_all("CompanyInfo")
        info = infos[0] if infos else {}
        company_name = str(info.get("CompanyName") or company_name or "")
        country = company_country(info)

    def read(
        entity: str,
        convert: Callable[[dict[str, Any]], Row],
        on_page: Callable[[list[Row]], None] | None = None,
    ) -> list[Row]:
        if on_list is not None:
            on_list(ListProgress(entity, 0, None))
        on_rows, on_total = reader(entity)
        return read_every_page(
            client, entity, ACTIVE_AND_INACTIVE, convert, on_rows, on_total, on_page
        )

    accounts = read("Account", Account.from_qbo, observer.add_accounts if observer else None)
    items = read("Item", Item.from_qbo, observer.add_items if observer else None)
    tax_codes = [] if country == "US" else read("TaxCode", TaxCode.from_qbo)
    if on_progress is not None:
        on_progress(loaded, loaded)
    return CompanyLists(
        realm_id=realm_id,
        company_name=company_name or "",
        country=country,
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
    observer: PageObserver | None = None,
) -> CompanyLists:
    """The company lists: from the profile's cache, or read live (and cached) when asked or absent.

    `on_progress(loaded, total)` reports rows read so far; `total` is None until the end.
    `on_list` reports each list separately (see `fetch_company_lists`). Runs the network calls
    on the caller's thread: a screen calls it from a thread worker. The company's name and
    country come from the profile when step 6 kept them for this company. `observer` sees the
    pages of a live read (a cached copy is returned whole, unobserved).
    """
    if not refresh:
        cached = cached_company_lists(profile_name, realm_id)
        if cached is not None:
            total = len(cached.accounts) + len(cached.items) + len(cached.tax_codes)
            if on_progress is not None:
                on_progress(total, total)
            return cached
    known_name = known_country = None
    with contextlib.suppress(WizardError):
        profile = profile_store(profile_name).read()
        if profile.realm_id == realm_id and profile.country:
            known_name, known_country = profile.company_name, normalise_country(profile.country)
    with contextlib.ExitStack() as scratch:
        try:  # unnamed, owner-only files, gone when closed
            files = {
                name: scratch.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
                for name in ("accounts", "items")
            }
        except OSError:  # none can be made: the lists are encoded once read, as a whole
            files = {}
        encoded = EncodedPages(files, observer) if files else None
        lists = fetch_company_lists(
            client,
            realm_id,
            on_progress,
            on_list,
            company_name=known_name,
            country=known_country,
            observer=encoded or observer,
        )
        save_cached_company_lists(profile_name, lists, encoded)
    return lists


def connected_realm(client: object, profile_name: str) -> str:
    """The company a client talks to (its `realm_id`), else the one the profile was connected to."""
    realm_id = getattr(client, "realm_id", None) or profile_store(profile_name).read().realm_id
    if not realm_id:
        raise WizardError(
            f"The profile '{profile_name}' is not connected to a QuickBooks company yet. "
            f"Connect it first ({step_ref('connect')})."
        )
    return str(realm_id)


def company_lists_for(
    client: QboClient,
    profile_name: str,
    *,
    refresh: bool = False,
    on_progress: ProgressCallback | None = None,
    on_list: ListProgressCallback | None = None,
    observer: PageObserver | None = None,
) -> CompanyLists:
    """`load_company_lists` for the company the client (or the profile) is connected to."""
    realm_id = connected_realm(client, profile_name)
    return load_company_lists(
        client,
        profile_name,
        realm_id,
        refresh=refresh,
        on_progress=on_progress,
        on_list=on_list,
        observer=observer,
    )
