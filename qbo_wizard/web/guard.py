"""The guard around `qbo-wizard serve`: only the person who started it gets in.

textual-serve runs a wizard process per browser tab and has no login of its own. This module
wraps its aiohttp application (a small subclass of its `Server`, not a fork) with one middleware:

- The Host header must name this server (`127.0.0.1:PORT` or `localhost:PORT`), so a page on
  another name that resolves here (DNS rebinding) is refused.
- Every route that starts or drives a wizard (the page, `/ws`, downloads) needs the per-launch
  secret: the `token` in the printed address, once, which sets an HttpOnly, SameSite=Strict
  cookie and redirects to the clean address; afterwards the cookie. Anything else gets 403 and a
  short page pointing at the address printed in the terminal. Static assets (the terminal's
  script, style and fonts) stay public: they hold nothing private.
- The WebSocket's Origin must be the page's own origin: a page from anywhere else (another
  port on this computer included, which browsers count as the same site) cannot open it.

The page itself comes from this package's template: fonts and icon are served from this
computer, so opening it asks nothing of any other server.
"""

from __future__ import annotations

import errno
import logging
import secrets
import socket
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path
from typing import Any

from aiohttp import web

from qbo_wizard.core.problems import WizardError

HOST = "127.0.0.1"
TOKEN_PARAMETER = "token"  # noqa: S105 (the name of the query parameter)
TOKEN_BYTES = 32  # 256 bits, from the operating system's random source
GUARDED_PATHS = ("/", "/ws", "/download/")
TEMPLATES = Path(__file__).with_name("templates")

REFUSED_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>qbo-wizard · not allowed</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>This wizard is not open to this page</h1>
<p>{reason}</p>
<p>Open the address printed in the terminal where <code>qbo-wizard serve</code> runs
(it starts with <code>http://127.0.0.1:</code> and ends with <code>?token=…</code>).</p>
</body></html>
"""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger("qbo_wizard.serve")


class PortUnavailable(WizardError):
    """The chosen port cannot be listened on (in use, or not allowed)."""


def new_token() -> str:
    """A fresh per-launch secret (256 bits, URL-safe)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def listen(port: int) -> socket.socket:
    """A socket listening on 127.0.0.1:`port` (0: any free port), or a plain-words error.

    Binding before anything is printed means a busy port is reported before an address is
    offered, and `--port 0` learns which port it got.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PortUnavailable(
                f"Port {port} on {HOST} is already in use (perhaps by another "
                "`qbo-wizard serve`). Run `qbo-wizard serve --port 0` to use any free port; "
                "the address to open is then printed."
            ) from None
        if error.errno == errno.EACCES:
            raise PortUnavailable(
                f"This computer does not let qbo-wizard use port {port} (ports below 1024 "
                "usually need an administrator). Run `qbo-wizard serve --port 0` to use any "
                "free port."
            ) from None
        raise PortUnavailable(
            f"Port {port} on {HOST} cannot be used ({error.strerror or 'refused'}). "
            "Run `qbo-wizard serve --port 0` to use any free port."
        ) from None
    sock.setblocking(False)
    return sock


class Guard:
    """Decides, per request, whether it comes from the person who started the server."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.cookie_name = f"qbo_wizard_{port}"  # cookies ignore ports: one name per server
        self.hosts = (f"{HOST}:{port}", f"localhost:{port}")

    @property
    def address(self) -> str:
        """The address to print: opening it once lets this browser in."""
        return f"http://{HOST}:{self.port}/?{TOKEN_PARAMETER}={self.token}"

    def _matches(self, value: str | None) -> bool:
        return value is not None and secrets.compare_digest(value.encode(), self.token.encode())

    @staticmethod
    def _guarded(path: str) -> bool:
        return path in GUARDED_PATHS[:2] or path.startswith(GUARDED_PATHS[2])

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse foreign hosts, then anything guarded without the secret or from elsewhere."""
        if request.host not in self.hosts:
            return refused(request, f"This server answers only to {self.hosts[0]}.", status=421)
        if self._guarded(request.path):
            from_link = self._matches(request.query.get(TOKEN_PARAMETER))
            if not (from_link or self._matches(request.cookies.get(self.cookie_name))):
                return refused(request, "This page needs the secret address of this server.")
            if request.path == "/ws" and request.headers.get("Origin") != f"http://{request.host}":
                return refused(request, "A page from another address cannot drive this wizard.")
            if from_link and request.path == "/":
                return self._let_in(request)
        response = await handler(request)
        if not response.prepared:  # a WebSocket or a download has sent its headers already
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            response.headers.setdefault("X-Frame-Options", "DENY")  # no framing by other pages
            response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        return response

    def _let_in(self, request: web.Request) -> web.StreamResponse:
        """Set the cookie and send the browser to the same address without the secret."""
        query = {k: v for k, v in request.query.items() if k != TOKEN_PARAMETER}
        clean = request.rel_url.with_query(query)
        response = web.HTTPSeeOther(location=str(clean))
        response.set_cookie(
            self.cookie_name, self.token, httponly=True, samesite="Strict", path="/"
        )
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response


def refused(request: web.Request, reason: str, *, status: int = 403) -> web.Response:
    """The short page every refused request gets; the terminal notes it (never the query,
    which may hold a secret)."""
    log.warning(
        "Refused %s %s (host %s, page %s): %s",
        request.method,
        request.path,
        request.host,
        request.headers.get("Origin", "none"),
        reason,
    )
    return web.Response(
        status=status,
        text=REFUSED_PAGE.format(reason=escape(reason)),
        content_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def guarded_server_class() -> type[Any]:
    """textual-serve's `Server` with the guard around it (imported only when serving)."""
    import aiohttp_jinja2
    from textual_serve.server import Server

    class GuardedServer(Server):
        """textual-serve's server, listening on a socket bound beforehand, behind the guard."""

        def __init__(self, command: str, *, port: int, title: str) -> None:
            super().__init__(command, host=HOST, port=port, title=title, templates_path=TEMPLATES)
            self.guard = Guard(port, new_token())
            self.socket: socket.socket | None = None

        def listen(self) -> str:
            """Bind the port (a busy one raises `PortUnavailable`); the address to open."""
            self.socket = listen(self.port)
            self.port = int(self.socket.getsockname()[1])
            self.public_url = f"http://{HOST}:{self.port}"
            self.guard = Guard(self.port, self.guard.token)
            return self.guard.address

        async def _make_app(self) -> web.Application:
            app: web.Application = await super()._make_app()
            app.middlewares.insert(0, self.guard.middleware)
            # The page builds its WebSocket address from the host it was opened on, so
            # `localhost:PORT` works as well as 127.0.0.1 (the Origin check needs them equal).
            app[aiohttp_jinja2.APP_CONTEXT_PROCESSORS_KEY] = [aiohttp_jinja2.request_processor]
            app.middlewares.append(aiohttp_jinja2.context_processors_middleware)
            return app

        async def on_startup(self, app: web.Application) -> None:
            """textual-serve prints a banner here; the command prints its own address."""

        def serve(self, debug: bool = False) -> None:
            """Serve on the socket from `listen` until Ctrl+C."""
            if self.socket is None:
                self.listen()
            self.debug = debug
            self.initialize_logging()
            import asyncio
            import signal

            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            for signal_number in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signal_number, self.request_exit)
            web.run_app(
                self._make_app(),
                sock=self.socket,
                handle_signals=False,
                loop=loop,
                access_log=None,  # it would repeat the secret address in the terminal
                print=lambda *args: None,
            )

    return GuardedServer
