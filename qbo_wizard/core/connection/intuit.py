"""The one place that talks to Intuit's OAuth server, through Intuit's own intuit-oauth client.

`AuthClient` is a `requests.Session`, so every call it makes goes through `Session.request`.
The subclass below overrides only that method, leaving intuit-oauth itself untouched, to:

- put a time limit on every call (intuit-oauth sets none, so a stalled network would hang);
- send `x-include-refresh-token-hard-expires-in: true` to the token endpoint, so the answer
  carries the 5-year hard expiry (`x_refresh_token_hard_expires_in`) as well as the rolling one;
- answer the discovery-document request from `discovery`'s day-long cache when it can, so a
  refresh is one call to Intuit, not two (and keep each document read for next time);
- keep the last response, so the wizard can read the token fields exactly as Intuit sent them
  and log `intuit_tid` on success as well as on failure, and note when it arrived (the start
  of the window in which a crash could lose a rotated refresh token).

Failures become `OAuthCallFailed`, which carries Intuit's error name (`invalid_grant`,
`invalid_client`, …), the HTTP status and `intuit_tid`, and whose message never holds a secret
(Intuit's token endpoint does not echo what it was sent, and nothing of the request is kept).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

import requests

from qbo_wizard.core.connection import discovery
from qbo_wizard.core.connection.environments import Endpoints
from qbo_wizard.core.health.errorlog import record_failure
from qbo_wizard.core.problems import Fix, WizardError
from qbo_wizard.core.steps import step_ref

HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"
CALL_TIMEOUT_SECONDS = 30.0

T = TypeVar("T")


class OAuthCallFailed(WizardError):
    """A call to Intuit's OAuth server did not succeed.

    `error` is Intuit's OAuth error name (`invalid_grant`, `invalid_client`, …) when it sent one,
    `network` is True when no answer arrived at all.
    """

    def __init__(
        self,
        *message: str | Fix,
        error: str | None = None,
        description: str | None = None,
        status: int | None = None,
        intuit_tid: str | None = None,
        network: bool = False,
    ) -> None:
        super().__init__(*message)
        self.error = error
        self.description = description
        self.status = status
        self.intuit_tid = intuit_tid
        self.network = network

    @property
    def code(self) -> str:
        """A short code for logs: the OAuth error name, `network`, or `http-<status>`."""
        if self.error:
            return self.error
        return "network" if self.network else f"http-{self.status}"


def record(profile_name: str, failure: OAuthCallFailed, source: str = "oauth") -> None:
    """Keep an OAuth failure in the profile's failure log (with its intuit_tid)."""
    record_failure(
        profile_name,
        source=source,
        code=failure.code,
        message=str(failure),
        intuit_tid=failure.intuit_tid,
    )


@dataclass(frozen=True)
class TokenResponse:
    """The JSON body of a successful token-endpoint answer, and its `intuit_tid`."""

    data: dict[str, Any]
    intuit_tid: str | None

    def __repr__(self) -> str:  # the body holds tokens
        return f"TokenResponse(fields={sorted(self.data)}, intuit_tid={self.intuit_tid!r})"


if TYPE_CHECKING:
    from intuitlib.client import AuthClient

    class WizardAuthClient(AuthClient):  # type: ignore[misc]
        """intuit-oauth's AuthClient with time limits, the hard-expiry opt-in, and its last
        answer (made by `_client_class`, which imports intuit-oauth when first needed)."""

        last_response: requests.Response | None
        last_answer_at: float


@cache
def _client_class() -> type[Any]:
    """`WizardAuthClient`. intuit-oauth (with PyJWT and `cryptography`, ~10 MiB) is imported only
    when a token call is made: a wizard using a stored, valid access token never loads it."""
    from intuitlib.client import AuthClient

    class WizardAuthClient(AuthClient):  # type: ignore[misc]
        """intuit-oauth's AuthClient: time limits, the hard-expiry opt-in, its last answer."""

        last_response: requests.Response | None = None
        last_answer_at: float = 0.0  # time.perf_counter() when the last answer had fully arrived

        def request(
            self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
        ) -> requests.Response:
            kwargs.setdefault("timeout", CALL_TIMEOUT_SECONDS)
            # intuit-oauth sets `environment` (here always the discovery URL) before reading it.
            reading_discovery = method == "GET" and url == getattr(self, "environment", None)
            if reading_discovery:
                cached = discovery.cached_document(str(url))
                if cached is not None:
                    return _cached_answer(str(url), cached)
            if url == getattr(self, "token_endpoint", None):
                headers = dict(kwargs.get("headers") or {})
                headers[HARD_EXPIRY_HEADER] = "true"
                kwargs["headers"] = headers
            response: requests.Response = super().request(method, url, *args, **kwargs)
            self.last_answer_at = time.perf_counter()
            self.last_response = response
            if reading_discovery and response.status_code == 200:
                with contextlib.suppress(ValueError):
                    discovery.remember_document(str(url), response.json())
            return response

    return WizardAuthClient


def _cached_answer(url: str, document: dict[str, Any]) -> requests.Response:
    """A kept discovery document, dressed as the HTTP answer intuit-oauth expects."""
    response = requests.Response()
    response.status_code = 200
    response.url = url
    response.headers["Content-Type"] = "application/json"
    response._content = json.dumps(document).encode("utf-8")
    return response


def _tid(response: requests.Response | None) -> str | None:
    if response is None:
        return None
    value = response.headers.get("intuit_tid")
    return str(value) if value else None


def _from_auth_client_error(exc: Any, what: str) -> OAuthCallFailed:
    """`exc` is intuit-oauth's AuthClientError."""
    error: str | None = None
    description: str | None = None
    try:
        body = json.loads(exc.content or b"{}")
    except (ValueError, TypeError):
        body = None
    if isinstance(body, dict):
        error = str(body["error"]) if body.get("error") else None
        description = str(body["error_description"]) if body.get("error_description") else None
    status = int(exc.status_code)
    shown = error or f"HTTP {status}"
    message = f"Intuit refused to {what} ({shown})."
    if status >= 500:
        message = (
            f"Intuit could not {what} just now ({shown}, HTTP {status}). This is on Intuit's "
            "side: try again in a few minutes. Nothing was changed."
        )
    return OAuthCallFailed(
        message,
        error=error,
        description=description,
        status=status,
        intuit_tid=exc.intuit_tid,
    )


def _network_failure(exc: requests.RequestException, what: str) -> OAuthCallFailed:
    kind = "it took too long to answer" if isinstance(exc, requests.Timeout) else "no connection"
    return OAuthCallFailed(
        f"Could not reach Intuit to {what} ({kind}). Check the internet connection (and any "
        "proxy or firewall), then try again. Nothing was changed.",
        network=True,
    )


def _unreadable_answer(what: str, status: int | None = None) -> OAuthCallFailed:
    return OAuthCallFailed(
        f"The answer received when trying to {what} could not be read (it is not the JSON "
        "Intuit sends). A captive portal (hotel or guest Wi-Fi sign-in page), a proxy or a "
        "firewall may be answering in Intuit's place: open any web page in a browser to check, "
        "then try again. Nothing was changed.",
        status=status,
    )


def _unexpected(exc: BaseException, what: str) -> OAuthCallFailed:
    return OAuthCallFailed(
        f"Something unexpected went wrong while trying to {what} ({type(exc).__name__}). "
        "Nothing was changed; try again, and if it keeps happening ",
        Fix(
            "run `qbo-wizard explain` on the message",
            f"paste the message into Explain on {step_ref('troubleshoot')}",
        ),
        " or ask your integration's support.",
    )


def _guarded(what: str, call: Callable[[], T], *, reading: str | None = None) -> T:
    """Run one intuit-oauth call; every failure becomes `OAuthCallFailed` with no chain.

    The failure is raised after the `except` block, so it carries no `__context__`: the
    library's exception holds the request it sent, with the refresh token or code in its body
    and the client secret in its Authorization header.
    """
    from intuitlib.exceptions import AuthClientError

    failure: OAuthCallFailed
    try:
        return call()
    except AuthClientError as exc:
        failure = _from_auth_client_error(exc, reading or what)
    except ValueError:  # also requests' JSONDecodeError: an answer that is not JSON
        failure = _unreadable_answer(what)
    except requests.RequestException as exc:
        failure = _network_failure(exc, what)
    except Exception as exc:  # the library choking on a strange answer: say so, plainly
        failure = _unexpected(exc, what)
    raise failure


def make_client(
    endpoints: Endpoints, client_id: str, client_secret: str, redirect_uri: str = ""
) -> WizardAuthClient:
    """An intuit-oauth client for these keys; reads the environment's discovery document."""
    what = "read Intuit's discovery document"
    try:
        client_class = _client_class()
        made = _guarded(
            what,
            lambda: client_class(
                client_id=client_id,
                client_secret=client_secret,
                redirect_uri=redirect_uri,
                environment=endpoints.discovery_url,
            ),
            reading="send its discovery document",
        )
        return cast("WizardAuthClient", made)
    except OAuthCallFailed as failure:
        problem = failure
    if problem.network or problem.status is not None:
        raise problem
    # Any other failure means the document arrived but is not what Intuit publishes.
    raise OAuthCallFailed(
        "Intuit's discovery document could not be read (it is not the expected JSON). "
        "A captive portal (hotel or guest Wi-Fi sign-in page), a proxy or a firewall may be "
        "answering in Intuit's place: open any web page in a browser to check, then try again "
        "in a few minutes."
    )


def new_state() -> str:
    """A fresh, unguessable `state` value for one authorization attempt."""
    return secrets.token_urlsafe(24)


def authorization_url(client: WizardAuthClient, state: str) -> str:
    """The consent page URL for the Accounting scope (holds no secret)."""
    from intuitlib.enums import Scopes

    # Only the Accounting API: the scope the wizard needs, and the one that makes Intuit return
    # the realmId in the callback.
    url: str = client.get_authorization_url([Scopes.ACCOUNTING], state_token=state)
    return url


def _token_call(client: WizardAuthClient, what: str, call: Callable[[], object]) -> TokenResponse:
    client.last_response = None
    _guarded(what, call)
    response = client.last_response
    data: Any = None
    if response is not None:
        try:
            data = response.json()
        except ValueError:
            data = None
    if not isinstance(data, dict) or not data.get("access_token") or not data.get("refresh_token"):
        raise OAuthCallFailed(
            f"Intuit's answer when asked to {what} had no tokens in it. Nothing was changed; "
            "try again in a few minutes.",
            status=response.status_code if response is not None else None,
            intuit_tid=_tid(response),
        )
    return TokenResponse(data=data, intuit_tid=_tid(response))


def exchange_code(client: WizardAuthClient, code: str, realm_id: str) -> TokenResponse:
    """Trade an authorization code for tokens (once: Intuit codes are single-use)."""
    return _token_call(
        client,
        "exchange the sign-in code for tokens",
        lambda: client.get_bearer_token(code, realm_id=realm_id),
    )


def refresh(client: WizardAuthClient, refresh_token: str) -> TokenResponse:
    """Use a refresh token; the answer may carry a new one, which replaces it at once."""
    return _token_call(
        client, "refresh the connection", lambda: client.refresh(refresh_token=refresh_token)
    )


def revoke(client: WizardAuthClient, token: str) -> str | None:
    """Revoke a refresh (or access) token at Intuit; returns `intuit_tid`."""
    client.last_response = None
    _guarded("disconnect the app", lambda: client.revoke(token=token))
    return _tid(client.last_response)
