"""One company's books: its records, and the rules QuickBooks Online applies when they change.

Every create, update, void and delete goes through here, whether it comes from the seed data or
from an API call, so the seeded chart of accounts obeys the same rules an integration meets.
Rule breaks raise `ApiFault` with Intuit's code, message, detail and element. The records are
stored by `record_store.RecordStore`; each entity's rules are in `name_lists` (accounts,
customers, vendors, items, tax codes) and `transactions` (invoices and bills).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import partial
from typing import Any

from qbo_wizard.simulator import faults
from qbo_wizard.simulator.body_values import text
from qbo_wizard.simulator.name_lists import (
    build_account,
    build_customer,
    build_item,
    build_vendor,
    create_tax_code,
)
from qbo_wizard.simulator.record_store import RecordStore
from qbo_wizard.simulator.schema import LINE_PROPERTIES, PROPERTIES
from qbo_wizard.simulator.transactions import build_bill, build_invoice

# What builds each writable entity's record from a request body (invoices also take whether a
# duplicate invoice number is allowed).
_BUILDERS: dict[str, Callable[[RecordStore, dict[str, Any], str | None], dict[str, Any]]] = {
    "Account": build_account,
    "Customer": build_customer,
    "Vendor": build_vendor,
    "Item": build_item,
    "Bill": build_bill,
}


class Books(RecordStore):
    """The records of one company, changed only through QuickBooks Online's rules."""

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
        return self.insert(entity, self._builder(entity, allow_duplicate_doc_number)(body, None))

    def update(
        self, entity: str, body: dict[str, Any], *, allow_duplicate_doc_number: bool = False
    ) -> dict[str, Any]:
        """A full or sparse update; a stale SyncToken is error 5010."""
        current = self.require(entity, body["Id"])
        self.check_sync_token(current, body)
        if body.get("sparse") in (True, "true"):
            merged = {**current, **body}
        else:
            merged = {**body, "MetaData": current["MetaData"]}
        record = self._builder(entity, allow_duplicate_doc_number)(merged, current["Id"])
        return self.replace(entity, current, record)

    def void_invoice(self, body: dict[str, Any]) -> dict[str, Any]:
        current = self.require("Invoice", text(str(body.get("Id", ""))))
        self.check_sync_token(current, body)
        voided = copy.deepcopy(current)
        for line in voided.get("Line", []):
            line["Amount"] = 0
        voided.update(TotalAmt=0, Balance=0, PrivateNote="Voided")
        if "TxnTaxDetail" in voided:
            voided["TxnTaxDetail"] = {"TotalTax": 0}
        return self.replace("Invoice", current, voided)

    def delete(self, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        current = self.require(entity, text(str(body.get("Id", ""))))
        self.check_sync_token(current, body)
        del self.records[entity][current["Id"]]
        self._changed(entity)
        self.deleted.setdefault(entity, set()).add(current["Id"])
        return {"domain": "QBO", "status": "Deleted", "Id": current["Id"]}

    def set_active(self, entity: str, entity_id: str, active: bool) -> dict[str, Any]:
        current = self.require(entity, entity_id)
        return self.replace(entity, current, {**current, "Active": bool(active)})

    def create_tax_code(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST …/taxservice/taxcode: a new tax code with one or more new rates."""
        return create_tax_code(self, body)

    def _builder(
        self, entity: str, allow_duplicate_doc_number: bool
    ) -> Callable[[dict[str, Any], str | None], dict[str, Any]]:
        """The function that turns a request body into the record to store, bound to these
        books."""
        if entity == "Invoice":
            return partial(
                build_invoice, self, allow_duplicate_doc_number=allow_duplicate_doc_number
            )
        builder = _BUILDERS.get(entity)
        if builder is None:
            raise faults.unsupported(f"Operation Create is not supported for {entity}.")
        return partial(builder, self)
