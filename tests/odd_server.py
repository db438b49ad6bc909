"""A real HTTP server on 127.0.0.1 that answers like something standing in Intuit's place: a
captive portal's HTML page, a proxy's odd JSON, a server that sends nothing useful."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PORTAL_PAGE = (
    "<html><body><h1>Welcome to Guest Wi-Fi</h1><a href='/login'>Sign in</a></body></html>"
)


class OddServer:
    """Answers each path with a fixed (status, content type, body); counts requests per path."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, str, str]] = {}
        self.headers: dict[str, dict[str, str]] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def _answer(self) -> None:
                path = self.path.split("?", 1)[0]
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                server.hits[path] = server.hits.get(path, 0) + 1
                status, content_type, body = server.answers.get(
                    path, (200, "text/html", PORTAL_PAGE)
                )
                data = body.encode()
                self.send_response(status)
                for name, value in server.headers.get(path, {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _answer
            do_POST = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def answer(
        self,
        path: str,
        status: int,
        body: Any,
        content_type: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer `path` with `body` (JSON-encoded unless it is already text) and `headers`."""
        self.headers[path] = dict(headers or {})
        if isinstance(body, str):
            self.answers[path] = (status, content_type or "text/html", body)
        else:
            self.answers[path] = (status, content_type or "application/json", json.dumps(body))

    def discovery_document(self) -> dict[str, str]:
        """A discovery document whose endpoints all point at this server."""
        return {
            "issuer": f"{self.url}/op/v1",
            "authorization_endpoint": f"{self.url}/connect/oauth2",
            "token_endpoint": f"{self.url}/token",
            "revocation_endpoint": f"{self.url}/revoke",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
        }

    def start(self) -> OddServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def odd_server() -> Iterator[OddServer]:
    server = OddServer().start()
    try:
        yield server
    finally:
        server.stop()
