"""Small helpers that make identifiers safe and short to show while a screen is shared."""

from __future__ import annotations


def short_realm(realm_id: str | None) -> str:
    """A company (realm) ID shortened to its last four digits: `…1234`; `—` when unknown."""
    if not realm_id:
        return "—"
    realm_id = realm_id.strip()
    return f"…{realm_id[-4:]}" if len(realm_id) > 4 else realm_id
