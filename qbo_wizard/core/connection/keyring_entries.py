"""The names of a profile's keyring entries, and removing the connection's one.

The keys and the tokens both live in the profile's keyring; changing the keys removes the old
connection's tokens, so both features need the entry names without needing each other.
"""

from __future__ import annotations

from qbo_wizard.core.connection.vault import Vault

CLIENT_ID = "client_id"
CLIENT_SECRET = "client_secret"  # noqa: S105
TOKENS_ENTRY = "tokens"


def forget_tokens(profile_name: str, vault: Vault | None = None) -> bool:
    """Remove a profile's stored tokens (not its keys); True if there were any."""
    return (vault if vault is not None else Vault(profile_name)).delete(TOKENS_ENTRY)
