"""Where one company's records live: stored by entity and Id, with Ids, SyncTokens, timestamps,
the unique names QuickBooks enforces, and each query's sorted records kept between pages.

It applies no business rule; `books.Books` does, through the record builders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qbo_wizard.simulator import faults
from qbo_wizard.simulator.clock import SimulatedClock
from qbo_wizard.simulator.schema import CUSTOMER_LIKE


class RecordStore:
    """The records of one company, indexed by entity name and Id, with their unique names."""

    def __init__(self, *, country: str, currency: tuple[str, str], clock: SimulatedClock) -> None:
        self.country = country
        self.currency = {"value": currency[0], "name": currency[1]}
        self.clock = clock
        self.records: dict[str, dict[str, dict[str, Any]]] = {}
        self.deleted: dict[str, set[str]] = {}
        self._next_id: dict[str, int] = {}
        self._names: dict[str, dict[str, str]] = {}  # entity -> lower-cased unique name -> Id
        self.next_doc_number = 1001  # the next invoice number QuickBooks would give
        self.replies: dict[str, tuple[int, bytes]] = {}  # requestid -> the original answer
        # Each entity's version goes up with every change to its records; a query's filtered,
        # sorted records are kept per version, so reading page after page of one query sorts
        # once (not once a page), and any change makes the next page see it.
        self._versions: dict[str, int] = {}
        self._selections: dict[tuple[str, str], tuple[int, list[dict[str, Any]]]] = {}

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

    def name_owner(self, entity: str, key: str) -> str | None:
        """The Id of the record whose unique name is `key` (lower-cased), if any."""
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

    def replace(
        self, entity: str, current: dict[str, Any], record: dict[str, Any]
    ) -> dict[str, Any]:
        """Store a new version of a record: its SyncToken goes up and its update time moves."""
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

    def check_sync_token(self, current: dict[str, Any], body: dict[str, Any]) -> None:
        """Error 5010 unless the body names the record's current SyncToken."""
        if str(body.get("SyncToken", "")).strip() != current["SyncToken"]:
            raise faults.stale_object()
