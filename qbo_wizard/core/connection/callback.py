"""The end of Intuit's consent page: the redirect that carries `code`, `state` and `realmId`.

Two ways it reaches the wizard:

- **paste-back**: the user copies the address their browser landed on (for example Intuit's
  OAuth Playground redirect page) and pastes it. `parse_redirect` accepts anything plausible:
  the whole URL, only the query string, text wrapped over several lines, with quotes, angle
  brackets or HTML-escaped `&amp;`, even the same address pasted twice.
- **loopback**: `LoopbackListener` waits on the exact registered `http://localhost:<port>/callback`,
  bound to 127.0.0.1 only, and takes exactly one callback with the right `state`. Browser
  side-requests (favicon, prefetch, other paths) are answered and ignored; a callback with a
  wrong or missing `state` gets a 400 page, is counted, and the wait goes on for the right one.
  It gives up after ten minutes and can be cancelled from another thread.

Both refuse a wrong `state` (the answer belongs to another attempt, or to someone else) and
explain `error=access_denied`. Every refusal is a `CallbackProblem` with a plain message that
never repeats the code.
"""

from __future__ import annotations

import hmac
import html
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from qbo_wizard.core.connection.environments import LOOPBACK_PATH
from qbo_wizard.core.problems import WizardError

LOOPBACK_TIMEOUT_SECONDS = 600.0
_POLL_SECONDS = 0.2  # how often the wait checks for cancel and timeout
_IDLE_CONNECTION_SECONDS = 10.0  # a connection that sends nothing is dropped after this
_MAX_CODE_LENGTH = 2048  # Intuit documents up to 512; leave room
_REALM_ID = re.compile(r"[0-9]{1,32}")
_CODE = re.compile(r"[A-Za-z0-9._~+/=-]+")
_WRAPPERS = "\"'`<>«»‘’“”[](){}"


class CallbackProblem(WizardError):
    """The redirect could not be used; the message says why and what to do."""

    #: True when more pasted text might complete it (a line break in the middle of the URL).
    incomplete: bool = False


class NothingToParse(CallbackProblem):
    """No code or error was found in what was pasted."""

    incomplete = True


class IncompleteRedirect(CallbackProblem):
    """A code was found, but `state` or `realmId` is missing."""

    incomplete = True


class StateMismatch(CallbackProblem):
    """The redirect belongs to another sign-in attempt (or to someone else)."""


class AccessDenied(CallbackProblem):
    """The user (or Intuit) declined on the consent page."""


class AuthorizationError(CallbackProblem):
    """Intuit redirected back with an error other than access_denied."""


class AmbiguousPaste(CallbackProblem):
    """More than one different redirect was pasted."""


class LoopbackUnavailable(CallbackProblem):
    """The loopback port could not be opened."""


class LoopbackTimedOut(CallbackProblem):
    """Nobody came back from the consent page in time."""


class LoopbackCancelled(CallbackProblem):
    """The wait was cancelled."""


@dataclass(frozen=True)
class CallbackResult:
    """A usable redirect: the one-time code and the company (realm) the user chose."""

    code: str = field(repr=False)
    realm_id: str
    state: str = field(repr=False)


def _clean_chunk(chunk: str) -> str:
    chunk = chunk.strip().strip(_WRAPPERS).strip()
    return chunk.replace("&amp;", "&").replace("&#38;", "&")


def _candidates(text: str) -> list[str]:
    """Split pasted text into candidate redirects.

    Pieces separated by whitespace are glued back together (terminals and chat tools wrap long
    URLs), except that a piece starting a new address (`http…`) starts a new candidate.
    """
    pieces = [_clean_chunk(p) for p in text.split()]
    candidates: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        starts_new = piece.lower().startswith(("http://", "https://"))
        if starts_new or not candidates:
            candidates.append(piece)
        else:
            candidates[-1] += piece
    return candidates


def _query_of(candidate: str) -> str:
    """The query-string part of a URL, or the text itself when it is only a query string."""
    if "?" in candidate:
        query = candidate.split("?", 1)[1]
    elif "://" in candidate:
        try:
            parts = urlsplit(candidate)
            query = parts.query or parts.fragment
        except ValueError:  # a damaged host, such as an unclosed IPv6 bracket `[::1`
            query = candidate.partition("#")[2]
    else:
        query = candidate
    if "#" in query:
        before, after = query.split("#", 1)
        query = before if ("code=" in before or "error=" in before) else after
    return query.lstrip("?&#")


def _first(params: dict[str, list[str]], name: str) -> str | None:
    values = [v.strip() for v in params.get(name, []) if v.strip()]
    if len(set(values)) > 1:
        raise AmbiguousPaste(
            f"What was pasted has two different values for '{name}'. Paste the address from "
            "the browser's address bar once, on its own."
        )
    return values[0] if values else None


def _check_state(got: str | None, expected: str) -> None:
    if got is None:
        raise IncompleteRedirect(
            "The pasted address has no 'state' in it, so the wizard cannot tell it comes from "
            "this sign-in. Copy the whole address from the browser's address bar."
        )
    if not hmac.compare_digest(got.encode("utf-8", "replace"), expected.encode("utf-8")):
        raise StateMismatch(
            "This address comes from a different sign-in attempt (its 'state' does not "
            "match), so it was not used. Close old Intuit tabs, then use the sign-in link the "
            "wizard showed most recently."
        )


# OAuth error names are short snake_case words (RFC 6749 section 4.1.2.1).
_OAUTH_ERROR_NAME = re.compile(r"[a-z][a-z_]{0,39}")
# A run this long with no space is more likely a code or token than a word.
_LONG_RUN = re.compile(r"[^ ]{16,}")


def _explain_error(error: str, description: str | None) -> CallbackProblem:
    if error == "access_denied":
        return AccessDenied(
            "The connection was declined on Intuit's page (access_denied), so nothing was "
            "connected or changed. To connect, start again and choose Connect on Intuit's "
            "page. Only a QuickBooks admin of the company can approve it."
        )
    # Only word-like text is repeated back: a pasted address can carry a sign-in code anywhere.
    shown = re.sub(r"[^A-Za-z0-9_.:;,'() -]", "", (description or ""))[:200]
    shown = _LONG_RUN.sub("…", shown).strip()
    extra = f" ({shown})" if shown else ""
    named = error if _OAUTH_ERROR_NAME.fullmatch(error) else "one the wizard does not recognise"
    return AuthorizationError(
        f"Intuit sent back an error instead of a sign-in code: {named}{extra}. Nothing "
        "was connected. Check that the app has the Accounting scope and that its redirect "
        "URI is registered exactly, then try again."
    )


def _from_params(params: dict[str, list[str]], expected_state: str) -> CallbackResult:
    error = _first(params, "error")
    code = _first(params, "code")
    if error is None and code is None:
        raise NothingToParse(
            "No sign-in code was found in what was pasted. After approving on Intuit's page, "
            "copy the whole address from the browser's address bar (it contains 'code=') "
            "and paste it here."
        )
    _check_state(_first(params, "state"), expected_state)
    if error is not None:
        raise _explain_error(error, _first(params, "error_description"))
    assert code is not None
    if len(code) > _MAX_CODE_LENGTH or not _CODE.fullmatch(code):
        raise CallbackProblem(
            "The code in the pasted address is damaged (it has characters a code never has, or "
            "is far too long). Copy the address again from the browser's address bar."
        )
    realm_id = _first(params, "realmId") or _first(params, "realmid")
    if realm_id is None:
        raise IncompleteRedirect(
            "The pasted address has no 'realmId' (the company ID). Copy the whole address; if it "
            "really has none, the app is missing the Accounting scope in the Intuit Developer "
            "portal."
        )
    if not _REALM_ID.fullmatch(realm_id):
        raise CallbackProblem(
            "The company ID (realmId) in the pasted address is not a number. Copy the address "
            "again from the browser's address bar."
        )
    return CallbackResult(code=code, realm_id=realm_id, state=expected_state)


def parse_redirect(text: str, expected_state: str) -> CallbackResult:
    """Read `code` and `realmId` from a pasted redirect, checking `state`.

    Raises a `CallbackProblem` subclass with a plain message for anything unusable; never any
    other exception, whatever the input.
    """
    if not isinstance(text, str) or not text.strip():
        raise NothingToParse("Nothing was pasted. Paste the address your browser landed on.")
    if len(text) > 20_000:
        raise CallbackProblem(
            "That is far longer than any sign-in address. Paste only the address from the "
            "browser's address bar."
        )
    results: list[CallbackResult] = []
    last_problem: CallbackProblem | None = None
    for candidate in _candidates(text):
        query = _query_of(candidate)
        try:
            params = parse_qs(query, keep_blank_values=False, errors="replace")
        except ValueError:
            continue
        if not any(k in params for k in ("code", "error")):
            continue
        try:
            results.append(_from_params(params, expected_state))
        except CallbackProblem as problem:
            if not problem.incomplete:
                raise
            last_problem = problem
    if not results:
        if last_problem is not None:
            raise last_problem
        if re.fullmatch(r"\s*[A-Za-z0-9._~+/=-]{20,}\s*", text):
            raise NothingToParse(
                "That looks like only the code. Paste the whole address from the browser's "
                "address bar instead: it also carries the company ID and the check value "
                "that proves it comes from this sign-in."
            )
        raise NothingToParse(
            "No sign-in code was found in what was pasted. After approving on Intuit's page, "
            "copy the whole address from the browser's address bar (it contains 'code=') "
            "and paste it here."
        )
    if len({(r.code, r.realm_id) for r in results}) > 1:
        raise AmbiguousPaste(
            "Two different sign-in addresses were pasted. Paste only the newest one."
        )
    return results[0]


# --- loopback -------------------------------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:36em;margin:4em auto;line-height:1.5}}</style>
</head><body><h1>{title}</h1><p>{body}</p></body></html>
"""

#: What the loopback callback's owner returns: the page title and text shown in the browser.
PageText = tuple[str, str]


def _is_prefetch(handler: BaseHTTPRequestHandler) -> bool:
    purpose = " ".join(
        handler.headers.get(name, "") for name in ("Purpose", "Sec-Purpose", "X-Purpose", "X-Moz")
    ).lower()
    return "prefetch" in purpose or "preview" in purpose


class LoopbackListener:
    """A one-shot HTTP listener on 127.0.0.1 for the registered loopback redirect URI.

    `wait(on_callback)` serves until one request to `/callback` carries the expected `state`
    and either a code or an error. For a code, `on_callback(result)` runs (it exchanges the
    code) exactly once and returns the page text to show; an exception from it is shown as a
    failure page and re-raised by `wait`. A callback whose `state` is wrong or missing (an old
    tab, another sign-in, someone else's link) gets a 400 page saying so and is counted in
    `refused_callbacks`; the wait goes on. Everything else (favicon, prefetches, other paths,
    other hosts, a bare `/callback`, a second callback) gets a small answer and is ignored.
    Each connection has its own thread, so a browser's idle pre-opened connection cannot
    hold up the real callback.
    """

    def __init__(
        self, expected_state: str, port: int, *, timeout: float = LOOPBACK_TIMEOUT_SECONDS
    ) -> None:
        self.expected_state = expected_state
        self.timeout = timeout
        self.ignored_requests = 0
        self.refused_callbacks = 0
        self._cancelled = threading.Event()
        self._finished = threading.Event()
        self._claim = threading.Lock()
        self._claimed = False
        self._outcome: CallbackResult | BaseException | None = None
        self._on_callback: Callable[[CallbackResult], PageText] | None = None
        self._server = self._bind(port)
        self.port: int = int(self._server.server_address[1])

    @property
    def address(self) -> tuple[str, int]:
        """The (host, port) actually bound: always 127.0.0.1."""
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def redirect_uri(self) -> str:
        """The redirect URI this listener answers (what must be registered with Intuit)."""
        return f"http://localhost:{self.port}{LOOPBACK_PATH}"

    def _bind(self, port: int) -> ThreadingHTTPServer:
        listener = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "qbo-wizard"
            sys_version = ""
            timeout = _IDLE_CONNECTION_SECONDS

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Keep the terminal quiet (request lines carry the code)."""

            def do_GET(self) -> None:
                listener._handle(self)

            def do_HEAD(self) -> None:
                listener._ignore(self, 204)

            def do_POST(self) -> None:
                listener._ignore(self, 405)

        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError as exc:
            raise LoopbackUnavailable(
                f"The wizard could not listen on http://localhost:{port}/callback "
                f"({exc.strerror or exc}). Another program (or another copy of the wizard) may "
                "be using that port: close it and try again, or use the paste-back method."
            ) from None
        server.daemon_threads = True
        server.timeout = _POLL_SECONDS
        return server

    def _reply(self, handler: BaseHTTPRequestHandler, status: int, page: PageText | None) -> None:
        body = b""
        if page is not None:
            title, text = page
            body = _PAGE.format(title=html.escape(title), body=html.escape(text)).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.send_header("Cache-Control", "no-store")
            handler.send_header("Referrer-Policy", "no-referrer")
            handler.send_header("Connection", "close")
            handler.end_headers()
            if body and handler.command != "HEAD":
                handler.wfile.write(body)
        except OSError:
            pass  # the browser went away; nothing to tell it

    def _ignore(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        with self._claim:
            self.ignored_requests += 1
        self._reply(handler, status, None)

    def _take(self) -> bool:
        """Claim the one callback this listener will act on; False if already claimed."""
        with self._claim:
            if self._claimed:
                return False
            self._claimed = True
            return True

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        try:
            parts = urlsplit(handler.path)
        except ValueError:  # a request line no browser sends, such as `//[::1`
            self._ignore(handler, 400)
            return
        host = (handler.headers.get("Host") or "").lower()
        if parts.path != LOOPBACK_PATH or host not in (
            f"localhost:{self.port}",
            f"127.0.0.1:{self.port}",
        ):
            self._ignore(handler, 404)
            return
        if _is_prefetch(handler):
            self._ignore(handler, 503)  # a browser guessing ahead; the real visit follows
            return
        params = parse_qs(parts.query, errors="replace")
        if "code" not in params and "error" not in params:
            self._ignore(handler, 400)
            return
        refusal: CallbackProblem | None = None
        try:
            _check_state(_first(params, "state"), self.expected_state)
        except CallbackProblem as problem:
            refusal = problem
        if refusal is not None:  # not this sign-in's answer: say so, keep waiting for it
            with self._claim:
                self.refused_callbacks += 1
            self._reply(handler, 400, ("Not connected", str(refusal)))
            return
        if not self._take():
            self._ignore(handler, 409)
            return
        outcome: CallbackResult | BaseException
        try:
            outcome = _from_params(params, self.expected_state)
        except CallbackProblem as problem:
            outcome = problem
            page, status = ("Not connected", str(problem)), 400
        else:
            page, status = _DONE_PAGE, 200
            if self._on_callback is not None:
                try:
                    page = self._on_callback(outcome)
                except BaseException as exc:
                    outcome, page, status = exc, _FAILED_PAGE, 500
        self._outcome = outcome
        self._reply(handler, status, page)
        self._finished.set()

    def cancel(self) -> None:
        """Stop waiting (from any thread); `wait` then raises `LoopbackCancelled`.

        A callback already being exchanged is allowed to finish first.
        """
        self._cancelled.set()

    def _check_still_waiting(self, deadline: float, clock: Callable[[], float]) -> None:
        if self._claimed:
            return  # a callback arrived: let its exchange finish (it has its own time limit)
        if self._cancelled.is_set():
            raise LoopbackCancelled("Stopped waiting for Intuit's sign-in page.")
        if clock() >= deadline:
            minutes = max(1, round(self.timeout / 60))
            refused = (
                f" {self.refused_callbacks} answer(s) from another sign-in attempt (an older "
                "tab, or a link not made by this wizard) arrived and were refused."
                if self.refused_callbacks
                else ""
            )
            raise LoopbackTimedOut(
                f"Nobody came back from Intuit's sign-in page within {minutes} minute(s), so "
                "the wizard stopped waiting. Nothing was changed; start again when ready (the "
                "browser must be on this computer, otherwise use the paste-back method)." + refused
            )

    def wait(
        self,
        on_callback: Callable[[CallbackResult], PageText] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> CallbackResult:
        """Serve until one valid callback arrives; returns it (after `on_callback` ran).

        Raises `AccessDenied`, `AuthorizationError`, `LoopbackTimedOut`, `LoopbackCancelled`,
        or whatever `on_callback` raised. Always closes the port.
        """
        self._on_callback = on_callback
        deadline = clock() + self.timeout
        try:
            while not self._finished.is_set():
                self._check_still_waiting(deadline, clock)
                self._server.handle_request()
        finally:
            self.close()
        outcome = self._outcome
        if isinstance(outcome, BaseException):
            raise outcome
        assert outcome is not None
        return outcome

    def close(self) -> None:
        """Release the port (safe to call more than once)."""
        self._server.server_close()


_DONE_PAGE: PageText = (
    "Signed in",
    "qbo-wizard received the answer from Intuit. You can close this tab and go back to the "
    "terminal.",
)
_FAILED_PAGE: PageText = (
    "Not connected",
    "qbo-wizard received the answer from Intuit, but the connection could not be completed. "
    "The terminal says why. You can close this tab.",
)


def port_is_free(port: int) -> bool:
    """True when nothing is listening on 127.0.0.1:`port` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
