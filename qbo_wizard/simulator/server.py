"""The practice QuickBooks: Intuit's OAuth 2.0 server and the Accounting API v3 on 127.0.0.1.

```python
sim = SimulatorServer(port=0).start()
sim.info            # discovery_url, api_base_url, keys, companies, scenarios (GET /_simulator/info)
sim.mint_tokens(realm_id)             # tokens without the consent page, for later steps' tests
sim.control("scenario", name="takeover", realm_id=...)
sim.stop()
```

Clients talk to it unmodified; see `qbo_wizard.simulator` for the two seams (intuit-oauth's
environment argument and python-quickbooks' API URL attributes).

This module routes requests and answers the simulator's own routes (`/_simulator/…` and the
`/app/…` pages links open); `oauth_endpoints` and `accounting_api` answer Intuit's routes. They
share one `state.SimulatorState`, used under one lock.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from qbo_wizard.simulator import pages
from qbo_wizard.simulator.accounting_api import AccountingApi
from qbo_wizard.simulator.clock import SimulatedClock
from qbo_wizard.simulator.companies import Company, build_companies
from qbo_wizard.simulator.faults import ApiFault
from qbo_wizard.simulator.oauth import OAuthServer, make_key_sets
from qbo_wizard.simulator.oauth_endpoints import OAuthEndpoints
from qbo_wizard.simulator.pacing import RequestPacer
from qbo_wizard.simulator.rehearsals import Rehearsals
from qbo_wizard.simulator.responses import html_response, json_response, new_intuit_tid
from qbo_wizard.simulator.scenarios import SCENARIOS
from qbo_wizard.simulator.state import SimulatorState

HOST = "127.0.0.1"


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
        self._initial = (throttle, rotate_every_refresh)
        self._drops: list[str] = []
        # `throttle_clock`: the seconds the request limits are measured on (see RequestPacer).
        self._pacer = RequestPacer(throttle, throttle_clock)
        self._rehearsals = Rehearsals(self.oauth, self.companies)
        self.request_counts: Counter[str] = Counter()  # requests received, by route
        state = SimulatorState(
            lock=self._lock,
            clock=self.clock,
            oauth=self.oauth,
            companies=self.companies,
            rehearsals=self._rehearsals,
            pacer=self._pacer,
            request_counts=self.request_counts,
            url=lambda: self.url,
        )
        oauth = OAuthEndpoints(state)
        api = AccountingApi(state)
        # Each route's endpoint name (also the key its requests are counted under) -> handler.
        self._handlers: dict[str, Callable[..., Response]] = {
            "info": self._on_info,
            "control": self._on_control,
            "panel": self._on_panel,
            "panel_post": self._on_panel_post,
            "web_page": self._on_web_page,
            "discovery": oauth.discovery,
            "authorize": oauth.authorize,
            "token": oauth.token,
            "revoke": oauth.revoke,
            "userinfo": oauth.userinfo,
            "jwks": oauth.jwks,
            "query": api.query,
            "company_info": api.company_info,
            "preferences": api.preferences,
            "tax_service": api.tax_service,
            "read": api.read,
            "write": api.write,
            "unsupported": api.unsupported,
        }
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
    def throttle(self) -> bool:
        """Whether Intuit's request limits are enforced."""
        return self._pacer.enabled

    @throttle.setter
    def throttle(self, enabled: bool) -> None:
        self._pacer.enabled = enabled

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
            response = self._handlers[endpoint](request, **arguments)
        except HTTPException as error:
            response = error.get_response(environ)
        response.headers["intuit_tid"] = new_intuit_tid()
        with self._lock:
            drop = next((p for p in self._drops if p in request.path), None)
            if drop is not None:
                self._drops.remove(drop)
        if drop is not None:
            connection = environ.get("werkzeug.socket")
            if connection is not None:
                connection.shutdown(socket.SHUT_RDWR)
            raise _DropConnection("the simulator dropped this response on purpose")
        return response(environ, start_response)

    # ================================================================= simulator endpoints

    def _on_info(self, request: Request) -> Response:
        return json_response(self.info)

    def _on_control(self, request: Request) -> Response:
        try:
            payload = json.loads(request.get_data(as_text=True) or "{}")
            if not isinstance(payload, dict) or not isinstance(payload.get("action"), str):
                raise ValueError('send a JSON object with an "action"')
            params = {k: v for k, v in payload.items() if k != "action"}
            return json_response(self.control(payload["action"], **params))
        except (ValueError, TypeError) as error:
            return json_response({"error": str(error)}, status=400)

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
        return html_response(page_html, 200 if found else 404)

    def _on_panel(self, request: Request) -> Response:
        with self._lock:
            return html_response(pages.control_panel(self.info, self._state()))

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
            return html_response(pages.error_page("Control action refused", str(error)), 400)
        return Response(status=303, headers={"Location": "/_simulator/"})

    def _state(self) -> dict[str, Any]:
        return {
            "clock_offset_seconds": self.clock.offset,
            "throttle": self.throttle,
            "rotate_every_refresh": self.oauth.rotate_every_refresh,
            **self._rehearsals.summary(),
        }

    def _control(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        if action == "advance_clock":
            self.clock.advance(float(params["seconds"]))
        elif action == "scenario":
            result = self._rehearsals.apply(
                str(params.get("name", "")), params.get("realm_id"), params.get("when", "now")
            )
            return {**result, **self._state()}
        elif action == "set_rotation":
            self.oauth.rotate_every_refresh = bool(params["every_refresh"])
        elif action == "set_throttle":
            self.throttle = bool(params["enabled"])
            self._pacer.forget()
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
            self._rehearsals.clear()
            self._drops.clear()
            self._pacer.forget()
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
