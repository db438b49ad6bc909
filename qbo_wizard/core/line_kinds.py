"""The two kinds of line an integration sends, and everything that differs between them.

An `invoice` line posts on a QuickBooks Invoice through an Item (which carries the income
account); a `bill` line posts on a Bill straight to an account. Mapping, the $1.00 check and the
screens read this one table instead of branching on the kind's name, so a third kind (or a change
to one) is made here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LineKind = Literal["invoice", "bill"]
LINE_KINDS: tuple[LineKind, ...] = ("invoice", "bill")

TaxSide = Literal["sales", "purchase"]
PickerFilter = Literal["items", "accounts"]


@dataclass(frozen=True)
class LineKindFacts:
    """What one kind of line is in QuickBooks and in the words finance staff see."""

    kind: LineKind
    entity: str
    """The QuickBooks entity a line of this kind is posted on: 'Invoice' or 'Bill'."""
    document: str
    """That document in words: 'invoice' or 'bill'."""
    target_noun: str
    """What a line of this kind is mapped to, in words: 'item' or 'account'."""
    target_article: str
    """The same with its article, for sentences: 'an item' or 'an account'."""
    target_ref_field: str
    """The posted line's field naming the target: 'ItemRef' or 'AccountRef'."""
    line_detail_type: str
    """The posted line's DetailType (also the key of its detail)."""
    priced_by_quantity: bool
    """The posted line carries a quantity and unit price (item lines), not just an amount."""
    target_has_income_account: bool
    """The target names the income account sales post to (an item does), saved with the line."""
    party_entity: str
    """The QuickBooks entity the document is addressed to: 'Customer' or 'Vendor'."""
    party_ref_field: str
    """The document's field naming that party: 'CustomerRef' or 'VendorRef'."""
    party_role: str
    """What the $1.00 check calls its party while finding it: 'customer' or 'carrier'."""
    check_party_name: str
    """The display name of the party the $1.00 check posts to (found or created once)."""
    tax_side: TaxSide
    """Which rates of a tax code apply to the line: sales rates or purchase rates."""
    cleanup_verb: str
    """How a $1.00 check document of this kind is undone: 'void' or 'delete'."""
    cleanup_done: str
    """The same, done: 'voided' or 'deleted'."""
    cleanup_doing: str
    """The same, under way: 'Voiding' or 'Deleting'."""
    picker_filter: PickerFilter
    """What the picker offers a line of this kind: the company's items or its accounts."""
    can_create_target: bool
    """The picker can create a new target (a Service item) without leaving the wizard."""
    has_unusual_targets: bool
    """Some targets are allowed only with a warning and are offered on request."""


INVOICE = LineKindFacts(
    kind="invoice",
    entity="Invoice",
    document="invoice",
    target_noun="item",
    target_article="an item",
    target_ref_field="ItemRef",
    line_detail_type="SalesItemLineDetail",
    priced_by_quantity=True,
    target_has_income_account=True,
    party_entity="Customer",
    party_ref_field="CustomerRef",
    party_role="customer",
    check_party_name="qbo-wizard test customer",
    tax_side="sales",
    cleanup_verb="void",
    cleanup_done="voided",
    cleanup_doing="Voiding",
    picker_filter="items",
    can_create_target=True,
    has_unusual_targets=False,
)

BILL = LineKindFacts(
    kind="bill",
    entity="Bill",
    document="bill",
    target_noun="account",
    target_article="an account",
    target_ref_field="AccountRef",
    line_detail_type="AccountBasedExpenseLineDetail",
    priced_by_quantity=False,
    target_has_income_account=False,
    party_entity="Vendor",
    party_ref_field="VendorRef",
    party_role="carrier",
    check_party_name="qbo-wizard test carrier",
    tax_side="purchase",
    cleanup_verb="delete",
    cleanup_done="deleted",
    cleanup_doing="Deleting",
    picker_filter="accounts",
    can_create_target=False,
    has_unusual_targets=True,
)

LINE_KIND_TABLE: dict[LineKind, LineKindFacts] = {facts.kind: facts for facts in (INVOICE, BILL)}


def line_kind(kind: LineKind) -> LineKindFacts:
    """The facts for one kind of line."""
    return LINE_KIND_TABLE[kind]
