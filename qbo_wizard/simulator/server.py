"""The practice QuickBooks: Intuit's OAuth 2.0 server and the Accounting API v3 on 127.0.0.1.

```python
sim = SimulatorServer(port=0).start()
sim.info            # discovery_url, api_base_url, keys, companies (also GET /_simulator/info)
sim.mint_tokens(realm_id)             # tokens without the consent page, for later steps' tests
sim.control("scenario", name="takeover", realm_id=...)
sim.stop()
```

Clients talk to it unmodified; see `qbo_wizard.simulator` for the two seams (intuit-oauth's
environment argument and python-quickbooks' API URL attributes).

Everything runs under one lock: the simulator's state is small, requests are short, and a
single lock makes every rule (single-use codes, refresh rotation, SyncTokens, request ids)
trivially race-free even with the threaded server.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any
from urllib.parse import urlencode, urlsplit

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from qbo_wizard.simulator import faults, pages
from qbo_wizard.simulator.books import Books
from qbo_wizard.simulator.clock import SimulatedClock
from qbo_wizard.simulator.companies import Company, build_companies
from qbo_wizard.simulator.faults import ApiFault, GatewayFault
from qbo_wizard.simulator.oauth import (
    ACCOUNTING_SCOPE,
    KNOWN_SCOPES,
    PAYMENT_SCOPE,
    Grant,
    KeySet,
    OAuthError,
    OAuthServer,
    make_key_sets,
)
from qbo_wizard.simulator.query import QueryError, parse_query, run_query
from qbo_wizard.simulator.scenarios import (
    EVERYTHING_NORMAL,
    SCENARIO_NAMES,
    SCENARIOS,
    SCENARIOS_BY_NAME,
)
from qbo_wizard.simulator.schema import DELETABLE, ENTITIES, FILTERABLE, NAME_LISTS, WRITABLE
from qbo_wizard.simulator.xml_answers import to_xml, wants_xml

HOST = "127.0.0.1"
# The names the "scenario" control action accepts, as its refusal lists them.
CONTROL_SCENARIO_NAMES = (EVERYTHING_NORMAL.name, *SCENARIO_NAMES)
ALL_COMPANIES = "*"
PER_SECOND_LIMIT = 10
PER_MINUTE_LIMIT = 500


def _tid() -> str:
    """An intuit_tid: the id Intuit support uses to find one request in their logs."""
    return f"1-{secrets.token_hex(4)}-{secrets.token_hex(12)}"


# QuickBooks forbids caching its answers.
_NO_CACHE = {"Cache-Control": "max-age=0, no-cache, no-store, must-revalidate, private"}


def _compact(body: Any) -> str:
    """JSON as QuickBooks writes it: no spaces after `:` and `,`."""
    return json.dumps(body, separators=(",", ":"))


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        _compact(body),
        status=status,
        content_type="application/json;charset=UTF-8",
        headers=headers,
    )


def _html(text: str, status: int = 200) -> Response:
    return Response(text, status=status, content_type="text/html; charset=utf-8")


# What Intuit's load balancer answers while QuickBooks is down: a web page, not a Fault
# (recorded in https://github.com/minimul/qbo_api/issues/81).
OUTAGE_PAGE = (
    "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
    '<body bgcolor="white">\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>'
    "\r\n<hr><center>Avi Vantage/</center>\r\n</body>\r\n</html>\r\n"
)


def _outage() -> Response:
    return Response(OUTAGE_PAGE, status=503, content_type="text/html")


class _QuietRequestHandler(WSGIRequestHandler):
    """Serve without a line per request; errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def version_string(self) -> str:
        return "nginx"  # what Intuit's servers name themselves in the Server header


class _DropConnection(ConnectionAbortedError):
    """Raised after a request was processed, to close the socket without answering."""


class SimulatorServer:
    """A local QuickBooks Online and Intuit OAuth server; see the module docstring."""

    def __init__(
        self,
        port: int = 0,
        throttle: bool = True,
        rotate_every_refresh: bool = False,
        loopback_port: int = 8765,
        *,
        seed: str | None = None,
        throttle_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._requested_port = port
        self._lock = threading.RLock()
        self.clock = SimulatedClock()
        self.oauth = OAuthServer(make_key_sets(loopback_port, seed))
        self.oauth.rotate_every_refresh = rotate_every_refresh
        self.companies: dict[str, Company] = {c.realm_id: c for c in build_companies(self.clock)}
        self.throttle = throttle
        self._initial = (throttle, rotate_every_refresh)
        self._scenarios: dict[str, set[str]] = {}
        self._armed: list[tuple[str, str]] = []  # (realm or "*", event) fired after next API call
        self._drops: list[str] = []
        self._hits: dict[str, deque[float]] = {}
        # Seconds on the clock the request limits are measured on: real time, unless a test holds
        # it still so that a burst of requests is a burst however slow the machine is.
        self._throttle_clock = throttle_clock
        # Requests received, by route ("token", "query", "discovery", …): API budgets are
        # counted here, at the server, rather than trusted to the client under test.
        self.request_counts: Counter[str] = Counter()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._routes = Map(
            [
                Rule("/_simulator/info", endpoint="info", methods=["GET"]),
                Rule("/_simulator/control", endpoint="control", methods=["POST"]),
                Rule("/_simulator/", endpoint="panel", methods=["GET"]),
                Rule("/_simulator/panel", endpoint="panel_post", methods=["POST"]),
                Rule("/app/<page>", endpoint="web_page", methods=["GET"]),
                Rule("/.well-known/openid_configuration", endpoint="discovery"),
                Rule("/.well-known/openid_sandbox_configuration", endpoint="discovery"),
                Rule("/.well-known/openid-configuration", endpoint="discovery"),
                Rule("/.well-known/openid-sandbox-configuration", endpoint="discovery"),
                Rule("/connect/oauth2", endpoint="authorize", methods=["GET", "POST"]),
                Rule("/oauth2/v1/tokens/bearer", endpoint="token", methods=["POST"]),
                Rule("/v2/oauth2/tokens/revoke", endpoint="revoke", methods=["POST"]),
                Rule("/v1/openid_connect/userinfo", endpoint="userinfo", methods=["GET"]),
                Rule("/op/v1/jwks", endpoint="jwks", methods=["GET"]),
                Rule("/v3/company/<realm>/query", endpoint="query", methods=["GET", "POST"]),
                Rule(
                    "/v3/company/<realm>/companyinfo/<entity_id>",
                    endpoint="company_info",
                    methods=["GET"],
                ),
                Rule("/v3/company/<realm>/preferences", endpoint="preferences", methods=["GET"]),
                Rule(
                    "/v3/company/<realm>/taxservice/taxcode",
                    endpoint="tax_service",
                    methods=["POST"],
                ),
                Rule("/v3/company/<realm>/<entity>/<entity_id>", endpoint="read", methods=["GET"]),
                Rule("/v3/company/<realm>/<entity>", endpoint="write", methods=["POST"]),
                Rule(
                    "/v3/<path:rest>",
                    endpoint="unsupported",
                    methods=["GET", "POST", "PUT", "DELETE"],
                ),
            ],
            strict_slashes=False,
            merge_slashes=False,
        )

    # ================================================================= life cycle

    def start(self) -> SimulatorServer:
        """Bind 127.0.0.1 and serve in a background thread."""
        if self._server is not None:
            return self
        # Bind here so a taken port raises OSError (werkzeug would print and exit instead).
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((HOST, self._requested_port))
            listener.listen(64)
            server = make_server(
                HOST,
                listener.getsockname()[1],
                self._wsgi,
                threaded=True,
                request_handler=_QuietRequestHandler,
                fd=listener.fileno(),
            )
        server.daemon_threads = True  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="qbo-simulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid_configuration/"

    @property
    def api_base_url(self) -> str:
        return f"{self.url}/v3"

    @property
    def info(self) -> dict[str, Any]:
        return {
            "discovery_url": self.discovery_url,
            "api_base_url": self.api_base_url,
            "keys": {name: key_set.public() for name, key_set in self.oauth.key_sets.items()},
            "companies": [company.summary() for company in self.companies.values()],
            "url": self.url,
            "control_url": f"{self.url}/_simulator/control",
            "scenarios": [scenario.describe() for scenario in SCENARIOS],
        }

    # ================================================================= Python API

    def advance_clock(self, seconds: float) -> float:
        with self._lock:
            return self.clock.advance(seconds)

    def mint_tokens(
        self,
        realm_id: str,
        key_set: str = "development",
        *,
        include_hard_expiry: bool = False,
    ) -> dict[str, Any]:
        """A token response for a new connection, as if the consent had just happened."""
        with self._lock:
            keys = self.oauth.key_sets.get(key_set)
            if keys is None:
                raise ValueError('key_set is "development" or "production"')
            company = self.companies.get(realm_id)
            if company is None:
                raise ValueError(f"no practice company has realm ID {realm_id}")
            if company.environment != keys.environment:
                raise ValueError(
                    f"{key_set} keys cannot connect to a {company.environment} company"
                )
            now = self.clock.now()
            grant = self.oauth.create_grant(keys, realm_id, now)
            return self.oauth.token_response(grant, now, include_hard_expiry)

    def control(self, action: str, **params: Any) -> dict[str, Any]:
        """Apply one control action (same as POST /_simulator/control); raises ValueError."""
        with self._lock:
            try:
                return self._control(action, params)
            except KeyError as missing:
                raise ValueError(f"{action} needs the parameter {missing}") from None
            except ApiFault as fault:
                raise ValueError(fault.detail) from None

    # ================================================================= WSGI

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            adapter = self._routes.bind_to_environ(environ)
            endpoint, arguments = adapter.match()
            with self._lock:
                self.request_counts[endpoint] += 1
            response = getattr(self, f"_on_{endpoint}")(request, **arguments)
        except HTTPException as error:
            response = error.get_response(environ)
        response.headers["intuit_tid"] = _tid()
        with self._lock:
            drop = next((p for p in self._drops if p in request.path), None)
            if drop is not None:
                self._drops.remove(drop)
        if drop is not None:
            connection = environ.get("werkzeug.socket")
            if connection is not None:
                connection.shutdown(socket.SHUT_RDWR)
            raise _DropConnection("the simulator dropped this response on purpose")
        return response(environ, start_response)  # type: ignore[no-any-return]

    # ================================================================= simulator endpoints

    def _on_info(self, request: Request) -> Response:
        return _json(self.info)

    def _on_control(self, request: Request) -> Response:
        try:
            payload = json.loads(request.get_data(as_text=True) or "{}")
            if not isinstance(payload, dict) or not isinstance(payload.get("action"), str):
                raise ValueError('send a JSON object with an "action"')
            params = {k: v for k, v in payload.items() if k != "action"}
            return _json(self.control(payload["action"], **params))
        except (ValueError, TypeError) as error:
            return _json({"error": str(error)}, status=400)

    def _on_web_page(self, request: Request, page: str) -> Response:
        """The page a QuickBooks link opens (`/app/invoice?txnId=…`), in every company that has
        a record with that Id (as at Intuit, the link itself does not say which company)."""
        kinds = {
            "invoice": ("Invoice", "txnId"),
            "bill": ("Bill", "txnId"),
            "customerdetail": ("Customer", "nameId"),
            "vendordetail": ("Vendor", "nameId"),
        }
        if page not in kinds:
            raise NotFound()
        entity, parameter = kinds[page]
        record_id = request.args.get(parameter, "")
        found: list[tuple[str, dict[str, Any] | None]] = []
        with self._lock:
            for company in self.companies.values():
                if not company.has_books:
                    continue
                record = company.books.find(entity, record_id)
                if record is not None:
                    found.append((company.name, json.loads(json.dumps(record))))
                elif record_id in company.books.deleted.get(entity, set()):
                    found.append((company.name, None))
        page_html = pages.record_page(entity, record_id, found)
        return _html(page_html, 200 if found else 404)

    def _on_panel(self, request: Request) -> Response:
        with self._lock:
            return _html(pages.control_panel(self.info, self._state()))

    def _on_panel_post(self, request: Request) -> Response:
        form = request.form
        params: dict[str, Any] = {}
        if form.get("action") == "scenario":
            params = {"name": form.get("name", ""), "realm_id": form.get("realm_id") or None}
        elif form.get("action") == "advance_clock":
            params = {"seconds": float(form.get("seconds", "0"))}
        try:
            self.control(form.get("action", ""), **params)
        except (ValueError, TypeError) as error:
            return _html(pages.error_page("Control action refused", str(error)), 400)
        return Response(status=303, headers={"Location": "/_simulator/"})

    def _state(self) -> dict[str, Any]:
        return {
            "clock_offset_seconds": self.clock.offset,
            "throttle": self.throttle,
            "rotate_every_refresh": self.oauth.rotate_every_refresh,
            "scenarios": {realm: sorted(names) for realm, names in self._scenarios.items()},
            "armed": [{"realm_id": realm, "name": name} for realm, name in self._armed],
        }

    def _control(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        if action == "advance_clock":
            self.clock.advance(float(params["seconds"]))
        elif action == "scenario":
            return self._apply_scenario(
                str(params.get("name", "")), params.get("realm_id"), params.get("when", "now")
            )
        elif action == "set_rotation":
            self.oauth.rotate_every_refresh = bool(params["every_refresh"])
        elif action == "set_throttle":
            self.throttle = bool(params["enabled"])
            self._hits.clear()
        elif action == "set_account_active":
            books = self._company(str(params["realm_id"])).books
            books.set_active("Account", str(params["account_id"]), bool(params["active"]))
        elif action == "mint_tokens":
            tokens = self.mint_tokens(
                str(params["realm_id"]), str(params.get("key_set", "development"))
            )
            return {"ok": True, "tokens": tokens}
        elif action == "request_counts":
            counts = dict(self.request_counts)
            if params.get("reset"):
                self.request_counts.clear()
            return {"ok": True, "counts": counts}
        elif action == "drop_next_response":
            self._drops.append(str(params["path_contains"]))
        elif action == "reset":
            self.clock.reset()
            self.oauth.reset()
            for company in self.companies.values():
                company.reset()
            self._scenarios.clear()
            self._armed.clear()
            self._drops.clear()
            self._hits.clear()
            self.request_counts.clear()
            self.throttle, self.oauth.rotate_every_refresh = self._initial
        else:
            raise ValueError(f"unknown control action {action!r}")
        return {"ok": True, **self._state()}

    def _company(self, realm_id: str) -> Company:
        company = self.companies.get(realm_id)
        if company is None:
            raise ValueError(f"no practice company has realm ID {realm_id}")
        return company

    def _apply_scenario(self, name: str, realm_id: Any, when: Any) -> dict[str, Any]:
        if name not in CONTROL_SCENARIO_NAMES:
            raise ValueError(
                f"unknown scenario {name!r}; choose one of {', '.join(CONTROL_SCENARIO_NAMES)}"
            )
        target = ALL_COMPANIES if realm_id in (None, "", ALL_COMPANIES) else str(realm_id)
        if target != ALL_COMPANIES:
            self._company(target)
        result: dict[str, Any] = {"ok": True}
        if name == "none":
            if target == ALL_COMPANIES:
                self._scenarios.clear()
                self._armed.clear()
            else:
                self._scenarios.pop(target, None)
                self._armed = [(r, n) for r, n in self._armed if r != target]
        elif SCENARIOS_BY_NAME[name].lasts == "once":
            if when == "next-call":
                self._armed.append((target, name))
            elif when == "now":
                result["revoked"] = self._fire(target, name)
            else:
                raise ValueError('"when" is "now" or "next-call"')
        else:
            self._scenarios.setdefault(target, set()).add(name)
        return {**result, **self._state()}

    def _fire(self, target: str, name: str) -> int:
        reason = "another user connected" if name == "takeover" else "password changed"
        return self.oauth.revoke_realm(None if target == ALL_COMPANIES else target, reason)

    def _scenario_on(self, realm_id: str | None, name: str) -> bool:
        if name in self._scenarios.get(ALL_COMPANIES, ()):
            return True
        return realm_id is not None and name in self._scenarios.get(realm_id, ())

    # ================================================================= OAuth endpoints

    def _on_discovery(self, request: Request) -> Response:
        base = self.url
        return _json(
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

    def _on_jwks(self, request: Request) -> Response:
        return _json({"keys": []})

    def _on_authorize(self, request: Request) -> Response:
        with self._lock:
            return self._authorize(request)

    def _authorize(self, request: Request) -> Response:
        args = request.args
        client_id = args.get("client_id", "")
        redirect_uri = args.get("redirect_uri", "")
        key_set = self.oauth.key_set_for(client_id)
        if key_set is None:
            return _html(
                pages.error_page(
                    "invalid_client",
                    "The client_id query parameter value is invalid: no app has these keys. "
                    "Copy the Client ID again from the app's Keys & credentials page.",
                ),
                400,
            )
        refusal = self._redirect_refusal(key_set, redirect_uri)
        if refusal is not None:
            return _html(refusal, 400)
        state = args.get("state")
        if args.get("response_type") != "code":
            return self._redirect(redirect_uri, error="unsupported_response_type", state=state)
        scopes = args.get("scope", "").split()
        if not scopes or any(scope not in KNOWN_SCOPES for scope in scopes):
            return self._redirect(redirect_uri, error="invalid_scope", state=state)
        if self._scenario_on(None, "outage"):
            return _html(
                pages.error_page(
                    "Service unavailable", "QuickBooks is temporarily unavailable. Try later."
                ),
                503,
            )
        wants_company = ACCOUNTING_SCOPE in scopes or PAYMENT_SCOPE in scopes
        choices = [
            c.summary() for c in self.companies.values() if c.environment == key_set.environment
        ]
        if request.method == "GET":
            return _html(
                pages.consent_page(
                    request.full_path, choices, scopes, key_set.environment, wants_company
                )
            )
        if request.form.get("decision") != "allow":
            return self._redirect(redirect_uri, error="access_denied", state=state)
        realm_id = request.form.get("realm_id", "") if wants_company else ""
        if wants_company:
            company = self.companies.get(realm_id)
            if company is None or company.environment != key_set.environment:
                return _html(
                    pages.error_page(
                        "Company not available",
                        f"{key_set.name.title()} keys can only connect to "
                        f"{key_set.environment} companies. Pick one of the companies listed.",
                    ),
                    400,
                )
            if self._scenario_on(realm_id, "already-purchased"):
                return _html(
                    pages.error_page(
                        "App_Already_Purchased",
                        "The application has already been subscribed to by another user for "
                        f"this company. Please contact {company.admin} to make changes to "
                        "this subscription.",
                    ),
                    403,
                )
        code = self.oauth.issue_code(
            key_set, redirect_uri, realm_id, tuple(scopes), self.clock.now()
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
        return self.oauth.authenticate_client(client_id, client_secret)

    def _on_token(self, request: Request) -> Response:
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        with self._lock:
            if self._scenario_on(None, "outage"):
                return _outage()
            try:
                key_set = self._client(request)
                now = self.clock.now()
                grant_type = request.form.get("grant_type", "")
                grant: Grant
                if grant_type == "authorization_code":
                    if not request.form.get("code"):
                        raise OAuthError("invalid_request", "code is missing")
                    grant, _ = self.oauth.redeem_code(
                        key_set,
                        request.form.get("code", ""),
                        request.form.get("redirect_uri", ""),
                        now,
                    )
                elif grant_type == "refresh_token":
                    if not request.form.get("refresh_token"):
                        raise OAuthError("invalid_request", "refresh_token is missing")
                    grant = self.oauth.refresh(key_set, request.form.get("refresh_token", ""), now)
                    if self._scenario_on(grant.realm_id, "outage"):
                        return _outage()
                else:
                    raise OAuthError("unsupported_grant_type")
                opt_in = request.headers.get("x-include-refresh-token-hard-expires-in", "")
                body = self.oauth.token_response(grant, now, opt_in.strip().lower() == "true")
                return _json(body, headers=headers)
            except OAuthError as error:
                return _json(error.body(), error.status, headers)

    def _on_revoke(self, request: Request) -> Response:
        with self._lock:
            try:
                key_set = self._client(request)
            except OAuthError as error:
                return _json(error.body(), error.status)
            token = ""
            if request.mimetype == "application/json":
                payload = request.get_json(silent=True)
                if isinstance(payload, dict):
                    token = str(payload.get("token", ""))
            else:
                token = request.form.get("token", "")
            if not token:
                return _json({"error": "invalid_request"}, 400)
            self.oauth.revoke_token(key_set, token)
            return Response(status=200)

    def _on_userinfo(self, request: Request) -> Response:
        with self._lock:
            check = self.oauth.check_access(self._bearer(request), self.clock.now())
            if check.grant is None:
                return _json({"error": "invalid_token"}, 401)
            return _json(
                {
                    "sub": f"practice-admin-{check.grant.realm_id or 'user'}",
                    "givenName": "Practice",
                    "familyName": "Admin",
                    "email": "admin@practice-quickbooks.example",
                    "emailVerified": True,
                }
            )

    @staticmethod
    def _bearer(request: Request) -> str:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""

    # ================================================================= Accounting API

    def _api(
        self, request: Request, realm: str, handler: Callable[[Books], dict[str, Any]]
    ) -> Response:
        """Gateway checks, then the handler; faults become Intuit's two error shapes, in JSON or,
        when the client asks for it, XML."""
        xml = wants_xml(request.headers.get("Accept", ""))
        with self._lock:
            try:
                if self._scenario_on(realm, "outage"):
                    return _outage()
                token = self._bearer(request)
                if not token:
                    raise faults.authentication_failed("Authorization header missing or invalid")
                check = self.oauth.check_access(token, self.clock.now())
                if check.grant is None:
                    raise faults.authentication_failed(check.problem or "Token invalid")
                if check.grant.realm_id != realm or realm not in self.companies:
                    raise faults.authorization_failed()
                if self._scenario_on(realm, "throttle-xml"):
                    xml = True
                    raise faults.throttled()
                if self._throttled(realm):
                    self.request_counts["throttled"] += 1  # every 429 sent, for the benchmarks
                    raise faults.throttled()
                books = self.companies[realm].books
                request_id = request.args.get("requestid")
                replay_key = f"{request.path}|{request_id}"
                if request_id and request.method == "POST" and replay_key in books.replies:
                    status, data = books.replies[replay_key]
                    if xml:
                        return self._reply(json.loads(data), status, xml)
                    return Response(
                        data, status=status, content_type="application/json;charset=UTF-8"
                    )
                data = _compact({**handler(books), "time": self.clock.stamp()}).encode()
                if request_id and request.method == "POST":
                    books.replies[replay_key] = (200, data)
                self._fire_armed(realm)
                if xml:
                    return self._reply(json.loads(data), 200, xml)
                return Response(
                    data, content_type="application/json;charset=UTF-8", headers=_NO_CACHE
                )
            except GatewayFault as fault:
                return self._reply(fault.body(int(self.clock.now() * 1000)), fault.status, xml)
            except ApiFault as fault:
                return self._reply(fault.body(self.clock.stamp()), fault.status, xml)
            except QueryError as error:
                refused = ApiFault(error.code, error.message, error.detail)
                return self._reply(refused.body(self.clock.stamp()), 400, xml)

    def _reply(self, body: dict[str, Any], status: int, xml: bool) -> Response:
        if not xml:
            return _json(body, status)
        return Response(
            to_xml(body, self.clock.stamp()),
            status=status,
            content_type="application/xml;charset=UTF-8",
        )

    def _throttled(self, realm: str) -> bool:
        if self._scenario_on(realm, "throttle"):
            return True
        if not self.throttle:
            return False
        now = self._throttle_clock()
        hits = self._hits.setdefault(realm, deque())
        while hits and now - hits[0] >= 60:
            hits.popleft()
        last_second = 0
        for moment in reversed(hits):
            if now - moment >= 1:
                break
            last_second += 1
        if last_second >= PER_SECOND_LIMIT or len(hits) >= PER_MINUTE_LIMIT:
            return True
        hits.append(now)
        return False

    def _fire_armed(self, realm: str) -> None:
        for target, name in list(self._armed):
            if target in (realm, ALL_COMPANIES):
                self._armed.remove((target, name))
                self._fire(realm, name)

    @staticmethod
    def _entity(name: str) -> str:
        entity = ENTITIES.get(name.lower())
        if entity is None:
            raise faults.unsupported(
                f"Operation is not supported for the resource {name!r}. Check the URL path."
            )
        return entity

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        try:
            body = json.loads(request.get_data(as_text=True) or "null")
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            raise ApiFault(
                "2010",
                "Request has invalid or unsupported property",
                "The request body is not a JSON object.",
            )
        return body

    def _on_query(self, request: Request, realm: str) -> Response:
        text = request.args.get("query", "")
        if request.method == "POST":
            text = request.get_data(as_text=True) or text

        def run(books: Books) -> dict[str, Any]:
            query = parse_query(text)
            entity = ENTITIES.get(query.entity.lower())
            if entity is None:
                raise QueryError("4000", f"QueryParserError: Invalid entity name: {query.entity}")

            def records() -> list[dict[str, Any]]:
                every = books.all(entity)
                active_only = all(c.field.lower() != "active" for c in query.conditions)
                if entity in NAME_LISTS and active_only:
                    return [record for record in every if record.get("Active", True)]
                return every

            selection = partial(books.selection, entity)
            result = run_query(query, records, FILTERABLE.get(entity), selection)
            response: dict[str, Any] = {}
            if result.total_count is not None:
                response["totalCount"] = result.total_count
            elif result.records:
                response[entity] = result.records
                response["startPosition"] = result.start_position
                response["maxResults"] = len(result.records)
            return {"QueryResponse": response}

        return self._api(request, realm, run)

    def _on_company_info(self, request: Request, realm: str, entity_id: str) -> Response:
        def read(books: Books) -> dict[str, Any]:
            if entity_id not in (realm, "1"):
                raise faults.not_found("CompanyInfo", entity_id)
            return {"CompanyInfo": books.require("CompanyInfo", "1")}

        return self._api(request, realm, read)

    def _on_preferences(self, request: Request, realm: str) -> Response:
        return self._api(request, realm, lambda b: {"Preferences": b.require("Preferences", "1")})

    def _on_read(self, request: Request, realm: str, entity: str, entity_id: str) -> Response:
        def read(books: Books) -> dict[str, Any]:
            name = self._entity(entity)
            return {name: books.require(name, entity_id)}

        return self._api(request, realm, read)

    def _on_write(self, request: Request, realm: str, entity: str) -> Response:
        def write(books: Books) -> dict[str, Any]:
            name = self._entity(entity)
            body = self._body(request)
            operation = request.args.get("operation", "").lower()
            allow_duplicate = "allowduplicatedocnum" in request.args.get("include", "").lower()
            if operation == "void":
                if name != "Invoice":
                    raise faults.unsupported(f"Operation Void is not supported for {name}.")
                return {name: books.void_invoice(body)}
            if operation == "delete":
                if name not in DELETABLE:
                    raise faults.unsupported(
                        f"Operation Delete is not supported for {name}; make it inactive instead."
                    )
                return {name: books.delete(name, body)}
            if operation not in ("", "update", "create"):
                raise faults.unsupported(f"Operation {operation} is not supported.")
            if name not in WRITABLE:
                raise faults.unsupported(f"Operation Create is not supported for {name}.")
            books.check_properties(name, body)
            if str(body.get("Id", "")).strip() not in ("", "0", "None"):
                return {name: books.update(name, body, allow_duplicate_doc_number=allow_duplicate)}
            return {name: books.create(name, body, allow_duplicate_doc_number=allow_duplicate)}

        return self._api(request, realm, write)

    def _on_tax_service(self, request: Request, realm: str) -> Response:
        return self._api(request, realm, lambda books: books.create_tax_code(self._body(request)))

    def _on_unsupported(self, request: Request, rest: str) -> Response:
        realm = rest.split("/")[1] if rest.startswith("company/") and "/" in rest[8:] else ""
        if not realm:
            raise NotFound()

        def refuse(books: Books) -> dict[str, Any]:
            raise faults.unsupported(
                "Operation is not supported for this URL. Check the path and the HTTP method."
            )

        return self._api(request, realm, refuse)
