"""Small helpers that make identifiers safe and short to show while a screen is shared."""

from __future__ import annotations

import re

# A company (realm) ID inside a sentence: a run of at least nine digits.
_REALM_IN_TEXT = re.compile(r"\b\d{9,}\b")


def short_realm(realm_id: str | None) -> str:
    """A company (realm) ID shortened to its last four digits: `…1234`; `—` when unknown."""
    if not realm_id:
        return "—"
    realm_id = realm_id.strip()
    return f"…{realm_id[-4:]}" if len(realm_id) > 4 else realm_id


def shorten_realm_ids(text: str) -> str:
    """`text` with every company (realm) ID in it shortened to `…1234` (for screen-sharing)."""
    return _REALM_IN_TEXT.sub(lambda match: short_realm(match[0]), text)
