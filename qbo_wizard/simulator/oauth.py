"""Intuit's OAuth 2.0 server, as the simulator plays it: the app's keys, codes, grants and tokens.

A *grant* is one connection between the app and one company: the authorization code that
created it, its current refresh token, the access tokens it has issued, and its expiry dates.
Rules follow Intuit's documentation (see the README's simulator section for the differences):

- codes are single-use and expire after 10 simulated minutes; redeeming one twice is
  `invalid_grant` and revokes what the first redemption issued;
- access tokens live 3600 s; refresh tokens roll forward 100 days on every use, with a 5-year cap;
- the refresh token *value* rotates once a simulated day (or on every refresh when asked); until
  it rotates a refresh returns the same value, and once it has rotated the old value is refused;
- a grant, and every token it issued, is bound to one company and one key set.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

ACCESS_TOKEN_SECONDS = 3600
# Intuit says 100 days, but every token response it sends counts 101 (8726400 seconds).
REFRESH_TOKEN_SECONDS = 101 * 24 * 3600
HARD_EXPIRY_SECONDS = 5 * 365 * 24 * 3600
CODE_SECONDS = 600
ROTATION_SECONDS = 24 * 3600
PLAYGROUND_REDIRECT = "https://developer.intuit.com/v2/OAuth2Playground/RedirectUrl"
PRODUCTION_REDIRECT = "https://connect.qbo-wizard.example/callback"
ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
PAYMENT_SCOPE = "com.intuit.quickbooks.payment"
KNOWN_SCOPES = {
    ACCOUNTING_SCOPE,
    PAYMENT_SCOPE,
    "openid",
    "profile",
    "email",
    "phone",
    "address",
}

_ALPHANUMERIC = string.ascii_letters + string.digits


class OAuthError(Exception):
    """A token-endpoint error: `{"error": …, "error_description": …}` with an HTTP status."""

    def __init__(self, error: str, description: str = "", status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body


@dataclass(frozen=True)
class KeySet:
    """One of the app's two key pairs, with its registered redirect URIs."""

    name: str  # "development" or "production"
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]

    @property
    def environment(self) -> str:
        return "sandbox" if self.name == "development" else "production"

    def public(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": list(self.redirect_uris),
        }


def make_key_sets(loopback_port: int, seed: str | None) -> dict[str, KeySet]:
    """Development and production keys; the same seed always gives the same keys."""

    def draw(label: str, length: int) -> str:
        if seed is None:
            return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))
        digest = b""
        counter = 0
        while len(digest) < length:
            digest += hashlib.sha256(f"{seed}/{label}/{counter}".encode()).digest()
            counter += 1
        return "".join(_ALPHANUMERIC[byte % len(_ALPHANUMERIC)] for byte in digest[:length])

    return {
        "development": KeySet(
            "development",
            "AB" + draw("development-id", 48),
            draw("development-secret", 40),
            (f"http://localhost:{loopback_port}/callback", PLAYGROUND_REDIRECT),
        ),
        "production": KeySet(
            "production",
            "AB" + draw("production-id", 48),
            draw("production-secret", 40),
            (PRODUCTION_REDIRECT, PLAYGROUND_REDIRECT),
        ),
    }


def _token(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def new_access_token() -> str:
    # Intuit's access tokens are long opaque JWE strings; the length matters to some storage.
    return _token("eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..", 640)


def new_refresh_token() -> str:
    return _token("AB11", 46)


def new_code() -> str:
    return _token("AB11", 60)


@dataclass
class AuthorizationCode:
    value: str
    client_id: str
    redirect_uri: str
    realm_id: str
    scopes: tuple[str, ...]
    issued_at: float
    redeemed: bool = False
    grant: Grant | None = None


@dataclass
class Grant:
    """One connection: a company, a key set, and the tokens issued for it."""

    realm_id: str
    key_set: str
    client_id: str
    created_at: float
    refresh_token: str
    refresh_issued_at: float
    refresh_expires_at: float
    hard_expires_at: float
    access_tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry
    superseded: set[str] = field(default_factory=set)
    revoked_because: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_because is None


@dataclass
class AccessCheck:
    """What an access token proved: a live grant, or why not."""

    grant: Grant | None
    problem: str | None


class OAuthServer:
    """Codes, grants and tokens for the app's two key sets."""

    def __init__(self, key_sets: dict[str, KeySet]) -> None:
        self.key_sets = key_sets
        self.rotate_every_refresh = False
        self.codes: dict[str, AuthorizationCode] = {}
        self.grants: list[Grant] = []
        self._by_refresh: dict[str, Grant] = {}
        self._by_access: dict[str, Grant] = {}

    def reset(self) -> None:
        self.codes.clear()
        self.grants.clear()
        self._by_refresh.clear()
        self._by_access.clear()

    # ----------------------------------------------------------------- keys

    def key_set_for(self, client_id: str) -> KeySet | None:
        return next((k for k in self.key_sets.values() if k.client_id == client_id), None)

    def authenticate_client(self, client_id: str, client_secret: str) -> KeySet:
        """HTTP Basic (or form) client credentials; anything wrong is 401 invalid_client."""
        key_set = self.key_set_for(client_id)
        if key_set is None or not secrets.compare_digest(
            key_set.client_secret.encode(), client_secret.encode()
        ):
            raise OAuthError("invalid_client", status=401)
        return key_set

    # ----------------------------------------------------------------- codes

    def issue_code(
        self, key_set: KeySet, redirect_uri: str, realm_id: str, scopes: tuple[str, ...], now: float
    ) -> AuthorizationCode:
        code = AuthorizationCode(
            new_code(), key_set.client_id, redirect_uri, realm_id, scopes, issued_at=now
        )
        self.codes[code.value] = code
        return code

    def redeem_code(
        self, key_set: KeySet, code_value: str, redirect_uri: str, now: float
    ) -> tuple[Grant, AuthorizationCode]:
        code = self.codes.get(code_value)
        if code is None or code.client_id != key_set.client_id:
            raise OAuthError("invalid_grant", "Token invalid")
        if code.redeemed:
            # Intuit treats a second redemption as a possible replay and revokes what it issued.
            if code.grant is not None:
                self.revoke_grant(code.grant, "authorization code used twice")
            raise OAuthError("invalid_grant", "Token invalid")
        code.redeemed = True
        if now - code.issued_at > CODE_SECONDS:
            raise OAuthError("invalid_grant", "Token invalid")
        if redirect_uri != code.redirect_uri:
            raise OAuthError("invalid_grant", "Token invalid")
        grant = self.create_grant(key_set, code.realm_id, now)
        code.grant = grant
        return grant, code

    # ----------------------------------------------------------------- grants and tokens

    def create_grant(self, key_set: KeySet, realm_id: str, now: float) -> Grant:
        grant = Grant(
            realm_id=realm_id,
            key_set=key_set.name,
            client_id=key_set.client_id,
            created_at=now,
            refresh_token=new_refresh_token(),
            refresh_issued_at=now,
            refresh_expires_at=now + REFRESH_TOKEN_SECONDS,
            hard_expires_at=now + HARD_EXPIRY_SECONDS,
        )
        self.grants.append(grant)
        self._by_refresh[grant.refresh_token] = grant
        self._issue_access(grant, now)
        return grant

    def _issue_access(self, grant: Grant, now: float) -> str:
        token = new_access_token()
        grant.access_tokens[token] = now + ACCESS_TOKEN_SECONDS
        self._by_access[token] = grant
        return token

    def refresh(self, key_set: KeySet, refresh_token: str, now: float) -> Grant:
        grant = self._by_refresh.get(refresh_token)
        if grant is None or grant.client_id != key_set.client_id:
            raise OAuthError("invalid_grant", "Incorrect or invalid refresh token")
        if refresh_token in grant.superseded:
            raise OAuthError("invalid_grant", "Incorrect or invalid refresh token")
        if not grant.active:
            raise OAuthError("invalid_grant", "Token has been expired or revoked")
        if now >= min(grant.refresh_expires_at, grant.hard_expires_at):
            raise OAuthError("invalid_grant", "Token has been expired or revoked")
        if self.rotate_every_refresh or now - grant.refresh_issued_at >= ROTATION_SECONDS:
            grant.superseded.add(grant.refresh_token)
            grant.refresh_token = new_refresh_token()
            grant.refresh_issued_at = now
            self._by_refresh[grant.refresh_token] = grant
        grant.refresh_expires_at = now + REFRESH_TOKEN_SECONDS
        self._issue_access(grant, now)
        return grant

    def token_response(self, grant: Grant, now: float, include_hard_expiry: bool) -> dict[str, Any]:
        """The token endpoint's JSON for the newest access token of a grant."""
        access_token = next(reversed(grant.access_tokens))
        refresh_left = min(grant.refresh_expires_at, grant.hard_expires_at) - now
        body: dict[str, Any] = {
            "token_type": "bearer",
            "access_token": access_token,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "refresh_token": grant.refresh_token,
            "x_refresh_token_expires_in": int(refresh_left),
        }
        if include_hard_expiry:
            body["x_refresh_token_hard_expires_in"] = int(grant.hard_expires_at - now)
        return body

    def revoke_grant(self, grant: Grant, reason: str) -> None:
        if grant.active:
            grant.revoked_because = reason

    def revoke_token(self, key_set: KeySet, token: str) -> bool:
        """Revoke the grant a refresh or access token belongs to; False if it is unknown."""
        grant = self._by_refresh.get(token) or self._by_access.get(token)
        if grant is None or grant.client_id != key_set.client_id:
            return False
        self.revoke_grant(grant, "revoked by the app")
        return True

    def revoke_realm(self, realm_id: str | None, reason: str) -> int:
        """Revoke every live grant for a company (all companies when realm_id is None)."""
        count = 0
        for grant in self.grants:
            if grant.active and (realm_id is None or grant.realm_id == realm_id):
                self.revoke_grant(grant, reason)
                count += 1
        return count

    def check_access(self, token: str, now: float) -> AccessCheck:
        grant = self._by_access.get(token)
        if grant is None:
            return AccessCheck(None, "Token invalid")
        if not grant.active:
            return AccessCheck(None, "Token revoked")
        if now >= grant.access_tokens[token]:
            return AccessCheck(None, "Token expired")
        return AccessCheck(grant, None)
