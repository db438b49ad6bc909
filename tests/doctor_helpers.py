"""Profiles in the states doctor and diagnostics tests need, made through the real cores."""

from __future__ import annotations

from qbo_wizard import connection
from qbo_wizard.core.mapping.company_lists import CompanyLists, company_lists_for
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import SavedMapping
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import US_REALM, connect_by_paste, save_keys

# Two lines mapped by name in the US practice company; every other line is marked unused.
INVOICE_ITEM = "Truckload Freight"
BILL_ACCOUNT = "Carrier Costs:Linehaul"


def connected(sim: SimulatorServer, profile: str = "acme", realm_id: str = US_REALM) -> None:
    """Keys checked live and a paste-back sign-in on the consent page, as step 5 and 6 do."""
    save_keys(sim, profile)
    connect_by_paste(sim, profile, realm_id)


def account_id(lists: CompanyLists, full_name: str) -> str:
    (found,) = [a.id for a in lists.accounts if a.full_name == full_name]
    return found


def map_two_lines(profile: str = "acme") -> SavedMapping:
    """Save a mapping of linehaul (an item) and carrier linehaul (an expense account)."""
    lists = company_lists_for(connection(profile), profile, refresh=True)
    draft = MappingDraft(load_integration("freight-brokerage"), lists)
    (item,) = [i.id for i in lists.items if i.full_name == INVOICE_ITEM]
    draft.choose("linehaul", item)
    draft.choose("carrier-linehaul", account_id(lists, BILL_ACCOUNT))
    for line in draft.unmapped():
        draft.set_unused(line.id)
    return draft.save(profile)


def healthy(sim: SimulatorServer, profile: str = "acme") -> SavedMapping:
    """Connected, with a mapping that posts: what a finished setup looks like."""
    connected(sim, profile)
    return map_two_lines(profile)
