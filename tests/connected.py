"""Set up profiles the way a user would, against the practice QuickBooks."""

from __future__ import annotations

from qbo_wizard import connection
from qbo_wizard.core.connection.credentials import Credentials, store_credentials
from qbo_wizard.core.connection.oauth import connect_with_tokens, save_connection
from qbo_wizard.core.mapping.company_lists import company_lists_for
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import SavedMapping
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.mapping.suggestions import suggest_all
from qbo_wizard.core.profile import Profile, load_profile, save_profile
from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer


def store_demo_keys(sim: SimulatorServer, name: str = "acme") -> Profile:
    """Save the simulator's development keys for profile `name`, checked live."""
    keys = sim.info["keys"]["development"]
    credentials = Credentials(keys["client_id"], keys["client_secret"])
    return store_credentials(name, "development", credentials, simulator_url=sim.url)


def connected_profile(
    sim: SimulatorServer, name: str = "acme", realm_id: str = US_REALM, **settings: object
) -> Profile:
    """A profile with keys and a live connection to `realm_id`, plus any extra settings."""
    store_demo_keys(sim, name)
    tokens = sim.mint_tokens(realm_id)
    save_connection(connect_with_tokens(name, tokens["refresh_token"], realm_id))
    profile = load_profile(name)
    for key, value in settings.items():
        setattr(profile, key, value)
    save_profile(profile)
    return profile


def save_suggested_mapping(
    name: str = "acme", integration: str = "freight-brokerage"
) -> SavedMapping:
    """Map each line to its suggested existing item or account, mark the rest unused, and save.

    Creates nothing in QuickBooks. On the US company every line ends up ready to post.
    """
    lists = company_lists_for(connection(name), name, refresh=True)
    draft = MappingDraft(load_integration(integration), lists)
    for line_id, proposal in suggest_all(draft.integration, lists).items():
        if not proposal.creates_item:
            draft.choose(line_id, proposal.target_id)
    for line in draft.unmapped():
        draft.set_unused(line.id)
    return draft.save(name)
