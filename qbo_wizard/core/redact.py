"""Scrub secrets out of free text before it is logged, shown, or bundled for support.

`redact_text` replaces anything that looks like a credential with `[redacted sha256:xxxxxxxx]`:
the fingerprint lets support tell whether two texts carried the same token (for example the
stored refresh token and the one a failed refresh sent) without either ever seeing it. What it
recognises:

- `Authorization:` header values and any `Bearer …` / `Basic …` credential;
- key/value pairs whose key names a secret (`refresh_token=…`, `"client_secret": "…"`,
  `'access_token': '…'`, `password=…`), in query strings, form bodies, JSON and Python reprs;
- `code=…` in URLs (OAuth authorization codes);
- JWT/JWE-shaped strings (`eyJ…` with dot-separated parts);
- long runs of token characters that mix upper case, lower case and digits (Intuit's refresh
  tokens, client IDs and client secrets look like this). Error codes, realm IDs, `intuit_tid`
  values and UUIDs do not, so they survive.

Callers that know the exact secrets (the profile's keyring values) pass them as `known_secrets`
so they are scrubbed wherever they appear, whatever their shape. The app's key and token holders
also `remember_secret` what they hold, so every later redaction in the process scrubs those
values even when no rule would spot them (a client secret without digits, say) and the caller
passed nothing.

Every pattern is linear in the input, so megabytes of text are handled without blow-ups.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from qbo_wizard.core.patterns import LazyPattern

FINGERPRINT_PREFIX = "sha256:"

# Values shorter than this are left to the key/value rules: too short to be a secret on their own.
_MIN_KNOWN_SECRET_LENGTH = 6
# A bare token must be at least this long to be redacted without a telling key in front of it.
_MIN_BARE_TOKEN_LENGTH = 32

_CREDENTIAL_FIELD_NAMES = (
    r"access_token|refresh_token|id_token|client_secret|client_id|clientsecret|clientid"
    r"|password|passwd|api_key|apikey|secret|assertion|authorization_code"
)

_AUTHORIZATION_HEADER = LazyPattern(
    r"(?P<keep>\bAuthorization[\"']?\s*[:=]\s*[\"']?(?:(?:Bearer|Basic)\s+)?)"
    r"(?P<secret>[^\s\"',;}]+)",
    re.IGNORECASE,
)
_SCHEME_CREDENTIAL = LazyPattern(
    r"(?P<keep>\b(?:Bearer|Basic)\s+)(?P<secret>[A-Za-z0-9._~+/=-]{16,})",
    re.IGNORECASE,
)
_SECRET_PAIR = LazyPattern(
    rf"(?P<keep>(?<![A-Za-z0-9])(?:{_CREDENTIAL_FIELD_NAMES})[\"']?\s*[:=]\s*[\"']?)"
    r"(?P<secret>[^\s\"'&,;}<]+)",
    re.IGNORECASE,
)
_URL_CODE = LazyPattern(
    r"(?P<keep>(?:^|[?&#])code=)(?P<secret>[^\s&#\"'<]+)", re.IGNORECASE | re.MULTILINE
)
_JWT = LazyPattern(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_.-]*")
_BARE_TOKEN = LazyPattern(rf"[A-Za-z0-9+/_=-]{{{_MIN_BARE_TOKEN_LENGTH},}}")

_ALREADY_REDACTED = LazyPattern(r"^\[redacted(?: sha256:[0-9a-f]{8})?\]$")

# Secrets this process has held, newest last; bounded so a long session cannot grow it forever.
_REMEMBER_LIMIT = 64
# Shorter values are not remembered: test doubles and words must not be scrubbed everywhere.
_MIN_REMEMBERED_LENGTH = 16
_remembered: dict[str, None] = {}
_remembered_lock = threading.Lock()


def remember_secret(value: str) -> None:
    """Scrub `value` from every text this process redacts from now on (keys, tokens)."""
    if len(value) < _MIN_REMEMBERED_LENGTH:
        return
    with _remembered_lock:
        _remembered.pop(value, None)
        _remembered[value] = None
        while len(_remembered) > _REMEMBER_LIMIT:
            del _remembered[next(iter(_remembered))]


def _remembered_secrets() -> list[str]:
    with _remembered_lock:
        return list(_remembered)


def fingerprint(secret: str) -> str:
    """A short, non-reversible name for a secret: `sha256:` and the first 8 hex digits."""
    import hashlib  # not needed by most runs, which never fingerprint anything

    digest = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{FINGERPRINT_PREFIX}{digest[:8]}"


def _placeholder(secret: str) -> str:
    return f"[redacted {fingerprint(secret)}]"


def _looks_like_token(run: str) -> bool:
    """True for a long run that mixes cases and digits; false for hex ids, UUIDs, words."""
    if not (
        any(c.isdigit() for c in run)
        and any(c.isupper() for c in run)
        and any(c.islower() for c in run)
    ):
        return False
    # intuit_tid values and UUIDs are hex with dashes; keep them readable for support.
    return not all(c in "0123456789abcdefABCDEF-" for c in run)


def _replace_group(match: re.Match[str]) -> str:
    secret = match.group("secret")
    if _ALREADY_REDACTED.match(secret) or secret.startswith("[redacted"):
        return match.group(0)
    return match.group("keep") + _placeholder(secret)


def _replace_scheme_credential(match: re.Match[str]) -> str:
    # "Basic authentication failed" names a scheme; only a value with token characters is one.
    if match.group("secret").isalpha():
        return match.group(0)
    return _replace_group(match)


def _replace_bare(match: re.Match[str]) -> str:
    run = match.group(0)
    return _placeholder(run) if _looks_like_token(run) else run


def redact_text(text: str, known_secrets: Iterable[str] = ()) -> str:
    """`text` with every secret-looking value replaced by a fingerprinted placeholder."""
    if not text:
        return text
    every = {s for s in known_secrets if s} | set(_remembered_secrets())
    for secret in sorted(every, key=len, reverse=True):
        if len(secret) >= _MIN_KNOWN_SECRET_LENGTH and secret in text:
            text = text.replace(secret, _placeholder(secret))
    lowered = text.lower()  # cheap checks first, so most text skips most patterns
    if "authorization" in lowered:
        text = _AUTHORIZATION_HEADER.sub(_replace_group, text)
    if "bearer" in lowered or "basic" in lowered:
        text = _SCHEME_CREDENTIAL.sub(_replace_scheme_credential, text)
    text = _SECRET_PAIR.sub(_replace_group, text)
    if "code=" in lowered:
        text = _URL_CODE.sub(_replace_group, text)
    if "eyj" in lowered:
        text = _JWT.sub(lambda m: _placeholder(m.group(0)), text)
    return _BARE_TOKEN.sub(_replace_bare, text)
