"""Set up profiles the way a user would, against the practice QuickBooks."""

from __future__ import annotations

from qbo_wizard.core.credentials import Credentials, store_credentials
from qbo_wizard.core.oauth import connect_with_tokens, save_connection
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
