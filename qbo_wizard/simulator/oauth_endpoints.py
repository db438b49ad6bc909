"""Intuit's OAuth 2.0 endpoints: the discovery document, the consent page, the token endpoint
(codes and refreshes), revocation, userinfo and the key set."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode, urlsplit

from werkzeug.wrappers import Request, Response

from qbo_wizard.simulator import pages
from qbo_wizard.simulator.oauth import (
    ACCOUNTING_SCOPE,
    KNOWN_SCOPES,
    PAYMENT_SCOPE,
    Grant,
    KeySet,
    OAuthError,
)
from qbo_wizard.simulator.responses import html_response, json_response, outage_response
from qbo_wizard.simulator.state import SimulatorState


def bearer_token(request: Request) -> str:
    """The access token in a request's `Authorization: Bearer …` header, or ""."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class OAuthEndpoints:
    """The OAuth routes of one simulator; each method answers one route."""

    def __init__(self, state: SimulatorState) -> None:
        self._state = state

    def discovery(self, request: Request) -> Response:
        base = self._state.url()
        return json_response(
            {
                "issuer": f"{base}/op/v1",
                "authorization_endpoint": f"{base}/connect/oauth2",
                "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
                "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
                "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
                "jwks_uri": f"{base}/op/v1/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile", "address", "phone"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
                "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
            }
        )

    def jwks(self, request: Request) -> Response:
        return json_response({"keys": []})

    def authorize(self, request: Request) -> Response:
        with self._state.lock:
            return self._authorize(request)

    def _authorize(self, request: Request) -> Response:
        args = request.args
        client_id = args.get("client_id", "")
        redirect_uri = args.get("redirect_uri", "")
        key_set = self._state.oauth.key_set_for(client_id)
        if key_set is None:
            return html_response(
                pages.error_page(
                    "invalid_client",
                    "The client_id query parameter value is invalid: no app has these keys. "
                    "Copy the Client ID again from the app's Keys & credentials page.",
                ),
                400,
            )
        refusal = self._redirect_refusal(key_set, redirect_uri)
        if refusal is not None:
            return html_response(refusal, 400)
        state = args.get("state")
        if args.get("response_type") != "code":
            return self._redirect(redirect_uri, error="unsupported_response_type", state=state)
        scopes = args.get("scope", "").split()
        if not scopes or any(scope not in KNOWN_SCOPES for scope in scopes):
            return self._redirect(redirect_uri, error="invalid_scope", state=state)
        if self._state.rehearsals.is_on(None, "outage"):
            return html_response(
                pages.error_page(
                    "Service unavailable", "QuickBooks is temporarily unavailable. Try later."
                ),
                503,
            )
        wants_company = ACCOUNTING_SCOPE in scopes or PAYMENT_SCOPE in scopes
        choices = [
            c.summary()
            for c in self._state.companies.values()
            if c.environment == key_set.environment
        ]
        if request.method == "GET":
            return html_response(
                pages.consent_page(
                    request.full_path, choices, scopes, key_set.environment, wants_company
                )
            )
        if request.form.get("decision") != "allow":
            return self._redirect(redirect_uri, error="access_denied", state=state)
        realm_id = request.form.get("realm_id", "") if wants_company else ""
        if wants_company:
            company = self._state.companies.get(realm_id)
            if company is None or company.environment != key_set.environment:
                return html_response(
                    pages.error_page(
                        "Company not available",
                        f"{key_set.name.title()} keys can only connect to "
                        f"{key_set.environment} companies. Pick one of the companies listed.",
                    ),
                    400,
                )
            if self._state.rehearsals.is_on(realm_id, "already-purchased"):
                return html_response(
                    pages.error_page(
                        "App_Already_Purchased",
                        "The application has already been subscribed to by another user for "
                        f"this company. Please contact {company.admin} to make changes to "
                        "this subscription.",
                    ),
                    403,
                )
        code = self._state.oauth.issue_code(
            key_set, redirect_uri, realm_id, tuple(scopes), self._state.clock.now()
        )
        params: dict[str, str | None] = {"code": code.value, "state": state}
        if realm_id:
            params["realmId"] = realm_id
        return self._redirect(redirect_uri, **params)

    @staticmethod
    def _redirect_refusal(key_set: KeySet, redirect_uri: str) -> str | None:
        """The error page Intuit shows instead of redirecting, or None when the URI is fine."""
        details = {"redirect_uri": redirect_uri or "(missing)"}
        if key_set.name == "production":
            parts = urlsplit(redirect_uri)
            host = (parts.hostname or "").lower()
            is_address = host.replace(".", "").isdigit() or ":" in host
            if parts.scheme != "https" or host == "localhost" or is_address:
                return pages.error_page(
                    "invalid_request",
                    "Production keys need an https:// redirect URI on a public host name; "
                    "http://, localhost and IP addresses are not accepted for production.",
                    details,
                )
        if redirect_uri not in key_set.redirect_uris:
            return pages.error_page(
                "invalid_request",
                "The redirect_uri query parameter value is invalid. Make sure it is listed in "
                "the Redirect URIs section on your app's keys tab and matches it exactly.",
                details,
            )
        return None

    @staticmethod
    def _redirect(redirect_uri: str, **params: str | None) -> Response:
        query = urlencode({k: v for k, v in params.items() if v is not None})
        separator = "&" if "?" in redirect_uri else "?"
        return Response(status=302, headers={"Location": f"{redirect_uri}{separator}{query}"})

    def _client(self, request: Request) -> KeySet:
        header = request.headers.get("Authorization", "")
        client_id = client_secret = ""
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            client_id, _, client_secret = decoded.partition(":")
        elif request.form.get("client_id"):
            client_id = request.form.get("client_id", "")
            client_secret = request.form.get("client_secret", "")
        return self._state.oauth.authenticate_client(client_id, client_secret)

    def token(self, request: Request) -> Response:
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        with self._state.lock:
            if self._state.rehearsals.is_on(None, "outage"):
                return outage_response()
            try:
                key_set = self._client(request)
                now = self._state.clock.now()
                grant_type = request.form.get("grant_type", "")
                grant: Grant
                if grant_type == "authorization_code":
                    if not request.form.get("code"):
                        raise OAuthError("invalid_request", "code is missing")
                    grant, _ = self._state.oauth.redeem_code(
                        key_set,
                        request.form.get("code", ""),
                        request.form.get("redirect_uri", ""),
                        now,
                    )
                elif grant_type == "refresh_token":
                    if not request.form.get("refresh_token"):
                        raise OAuthError("invalid_request", "refresh_token is missing")
                    grant = self._state.oauth.refresh(
                        key_set, request.form.get("refresh_token", ""), now
                    )
                    if self._state.rehearsals.is_on(grant.realm_id, "outage"):
                        return outage_response()
                else:
                    raise OAuthError("unsupported_grant_type")
                opt_in = request.headers.get("x-include-refresh-token-hard-expires-in", "")
                body = self._state.oauth.token_response(
                    grant, now, opt_in.strip().lower() == "true"
                )
                return json_response(body, headers=headers)
            except OAuthError as error:
                return json_response(error.body(), error.status, headers)

    def revoke(self, request: Request) -> Response:
        with self._state.lock:
            try:
                key_set = self._client(request)
            except OAuthError as error:
                return json_response(error.body(), error.status)
            token = ""
            if request.mimetype == "application/json":
                payload = request.get_json(silent=True)
                if isinstance(payload, dict):
                    token = str(payload.get("token", ""))
            else:
                token = request.form.get("token", "")
            if not token:
                return json_response({"error": "invalid_request"}, 400)
            self._state.oauth.revoke_token(key_set, token)
            return Response(status=200)

    def userinfo(self, request: Request) -> Response:
        with self._state.lock:
            check = self._state.oauth.check_access(bearer_token(request), self._state.clock.now())
            if check.grant is None:
                return json_response({"error": "invalid_token"}, 401)
            return json_response(
                {
                    "sub": f"practice-admin-{check.grant.realm_id or 'user'}",
                    "givenName": "Practice",
                    "familyName": "Admin",
                    "email": "admin@practice-quickbooks.example",
                    "emailVerified": True,
                }
            )
