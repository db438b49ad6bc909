"""Intuit's discovery document, kept for a day so a refresh costs one call, not two.

intuit-oauth reads the discovery document (where the authorize, token and revoke endpoints are)
every time a client is made, so every refresh would first fetch it. Intuit asks integrations to
use the document, not to fetch it before every call: it changes rarely. The wizard keeps each
document it has read, per discovery URL, in this process and in a small file under
`config_home()/cache`, for `CACHE_SECONDS`. Only a document that has every endpoint the wizard
uses is kept, so a captive portal's page or a broken answer is never remembered. The document
holds no secret.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from qbo_wizard.core.files import atomic_write_text
from qbo_wizard.core.paths import config_home
from qbo_wizard.core.problems import ConfigFileError

CACHE_SECONDS = 24 * 3600.0
CACHE_FOLDER = "cache"
_REQUIRED_FIELDS = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "revocation_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
)
_CLOCK_SKEW_SECONDS = 300.0  # a file stamped a little in the future still counts

# (config folder, discovery URL) -> (fetched at, document)
_in_memory: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}


def usable(document: object) -> bool:
    """True for a dict carrying every endpoint the wizard uses, each a web address."""
    if not isinstance(document, dict):
        return False
    return all(
        isinstance(document.get(name), str) and document[name].startswith(("https://", "http://"))
        for name in _REQUIRED_FIELDS
    )


def cache_file(url: str) -> Path:
    """The file that keeps the document read from `url`."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
    return config_home() / CACHE_FOLDER / f"discovery-{digest}.json"


def _fresh(fetched_at: float, now: float) -> bool:
    return now - CACHE_SECONDS < fetched_at <= now + _CLOCK_SKEW_SECONDS


def _from_file(url: str, now: float) -> tuple[float, dict[str, Any]] | None:
    try:
        saved = json.loads(cache_file(url).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # missing, damaged, or nested beyond reason
        return None
    if not isinstance(saved, dict) or saved.get("url") != url:
        return None
    fetched_at = saved.get("fetched_at")
    document = saved.get("document")
    if not isinstance(fetched_at, (int, float)) or not usable(document):
        return None
    assert isinstance(document, dict)
    return float(fetched_at), document


def cached_document(url: str, now: float | None = None) -> dict[str, Any] | None:
    """The document read from `url` within the last day, or None."""
    moment = time.time() if now is None else now
    key = (str(config_home()), url)
    found = _in_memory.get(key) or _from_file(url, moment)
    if found is None or not _fresh(found[0], moment):
        _in_memory.pop(key, None)
        return None
    _in_memory[key] = found
    return dict(found[1])


def remember_document(url: str, document: object, now: float | None = None) -> bool:
    """Keep a document just read from `url` (if it is usable); True if it was kept."""
    if not usable(document):
        return False
    assert isinstance(document, dict)
    moment = time.time() if now is None else now
    _in_memory[(str(config_home()), url)] = (moment, dict(document))
    record = {"url": url, "fetched_at": moment, "document": document}
    with contextlib.suppress(ConfigFileError):  # a read-only config folder only costs a fetch
        atomic_write_text(cache_file(url), json.dumps(record, indent=1) + "\n")
    return True


def forget_in_memory() -> None:
    """Drop this process's copies (the files stay); the next read starts from the files."""
    _in_memory.clear()
