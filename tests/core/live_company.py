"""A profile connected to the practice QuickBooks, the way step 6 leaves it, for mapping tests."""

from __future__ import annotations

import time

from qbo_wizard import connection
from qbo_wizard.core.connection.api import QboApi
from qbo_wizard.core.connection.credentials import Credentials, store_credentials
from qbo_wizard.core.connection.tokens import TokenSet, store_new_connection
from qbo_wizard.core.profile import KeySet, load_profile, save_profile
from qbo_wizard.simulator.companies import LARGE_REALM, UK_REALM, US_REALM
from qbo_wizard.simulator.server import SimulatorServer

__all__ = ["LARGE_REALM", "UK_REALM", "US_REALM", "connect_profile"]


def connect_profile(
    sim: SimulatorServer, profile_name: str, realm_id: str, key_set: KeySet = "development"
) -> QboApi:
    """Store keys and fresh tokens for `realm_id` (no consent page) and open the real client."""
    keys = sim.info["keys"][key_set]
    store_credentials(
        profile_name,
        key_set,
        Credentials(keys["client_id"], keys["client_secret"]),
        simulator_url=sim.url,
        verify=False,
    )
    answer = sim.mint_tokens(realm_id, key_set=key_set)
    now = time.time()
    store_new_connection(
        profile_name,
        TokenSet(
            access_token=answer["access_token"],
            refresh_token=answer["refresh_token"],
            realm_id=realm_id,
            access_expires_at=now + float(answer["expires_in"]),
            refresh_expires_at=now + float(answer["x_refresh_token_expires_in"]),
            issued_at=now,
        ),
    )
    profile = load_profile(profile_name)
    profile.realm_id = realm_id
    names = {c["realm_id"]: c["name"] for c in sim.info["companies"]}
    profile.company_name = names[realm_id]
    save_profile(profile)
    return connection(profile_name)
