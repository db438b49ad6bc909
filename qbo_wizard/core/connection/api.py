"""The QuickBooks Online Accounting API, for the wizard's steps and for integrations.

Built on python-quickbooks, used unmodified, with three deliberate seams:

- **No OAuth inside python-quickbooks.** It is never given an `AuthClient`, so it can never
  refresh on its own (when it does, it drops the rotated refresh token: python-quickbooks issue
  #392). Its `session` is a plain `requests.Session` carrying the current access token, which
  `process_request` puts in the `Authorization` header; tokens come from `TokenKeeper`, which
  refreshes safely and stores the answer before it is used.
- **The base URL.** python-quickbooks builds every URL from `api_url`, which reads the class
  attributes `api_url_v3` / `sandbox_api_url_v3`; this client sets both on its own instance to
  the profile's API base, so the same code reaches Intuit's sandbox, production, or a simulator.
- **The raw answer.** A response hook on that session keeps the last HTTP answer, so errors
  carry the HTTP status and `intuit_tid` and are parsed whatever their shape (`Fault` or
  gateway `fault` JSON, XML, a Fault inside HTTP 200, a bare 401), which python-quickbooks
  alone does not report.

Every call sends `minorversion=75`; every create, void and delete sends a `requestid`, so a
retry after a lost answer cannot post twice. Every request to a company first waits its turn
under Intuit's per-company limits (10 a second, 500 a minute), shared by every client in the
process that talks to that company (`CompanyPace`), so the limits are not hit. Throttling
(429 / 3001) that happens anyway is retried after 15 s, then 60 s (Intuit asks for a minute's
pause), server errors (5xx) after 1, 2 and 4 s, in both cases honouring `Retry-After` when
QuickBooks sends one; a 401 gets exactly one refresh and one retry. Everything else is a
`QboApiError`. Only the error finally raised is logged.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import requests
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException

from qbo_wizard.core.connection.environments import Endpoints, endpoints_for
from qbo_wizard.core.connection.tokens import TokenKeeper
from qbo_wizard.core.health.errorlog import record_failure
from qbo_wizard.core.health.explain import GATEWAY_CODE, error_fields, fault_errors, xml_errors
from qbo_wizard.core.problems import EXIT_RECONNECT, Fix, WizardError
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.core.redact import redact_text
from qbo_wizard.core.steps import step_ref

MINOR_VERSION = 75
PAGE_SIZE = 1000  # the most Intuit returns per query
# Waits before each retry, in seconds, unless the answer carried Retry-After. Intuit asks for a
# 60 s pause after a 429; a short first wait covers the per-second limit (10 a second).
THROTTLE_WAITS = (15.0, 60.0, 60.0)
SERVER_ERROR_WAITS = (1.0, 2.0, 4.0)
NETWORK_WAITS = (1.0, 2.0)
# The longest a status check waits before a retry: past QuickBooks' per-second limit, still prompt.
BRIEF_WAIT_SECONDS = 1.5


def brief_waits(seconds: float) -> None:
    """A `sleep` for checks that must answer promptly: every wait is cut to a second and a half,
    enough for QuickBooks' 10-requests-a-second limit to let the retry through."""
    time.sleep(min(seconds, BRIEF_WAIT_SECONDS))


MAX_THROTTLE_RETRIES = len(THROTTLE_WAITS)
MAX_SERVER_RETRIES = len(SERVER_ERROR_WAITS)
MAX_NETWORK_RETRIES = len(NETWORK_WAITS)
LONGEST_WAIT_SECONDS = 120.0  # a longer Retry-After is not waited out; the error is shown
REQUEST_TIMEOUT = (10.0, 130.0)  # connect, read (Intuit cuts requests off at 120 s)

_ENTITY = re.compile(r"[A-Za-z][A-Za-z/]{0,63}")
_AUTH_CODES = {"100", "110", "3200"}
_WRONG_ENVIRONMENT_CODES = {"130", "7001", "3100"}


WaitReason = Literal["limit", "throttled", "server", "network"]


@dataclass(frozen=True)
class Wait:
    """A wait of more than a second before the next request, and why: `limit` (Intuit's
    500-a-minute allowance is used up), `throttled` (QuickBooks answered 429), `server` (an
    Intuit server error, retried) or `network` (no answer, retried)."""

    seconds: float
    reason: WaitReason


class QboApiError(WizardError):
    """QuickBooks refused a call. `str()` is a plain sentence; the fields are for the explainer."""

    def __init__(
        self,
        *message: str | Fix,
        code: str,
        detail: str = "",
        intuit_tid: str | None = None,
        status: int | None = None,
        element: str | None = None,
        api_message: str = "",
    ) -> None:
        super().__init__(*message)
        self.code = code
        self.message = api_message
        self.detail = detail
        self.intuit_tid = intuit_tid
        self.status = status
        self.element = element
        if code in _AUTH_CODES or code in _WRONG_ENVIRONMENT_CODES or status in (401, 403):
            self.exit_code = EXIT_RECONNECT


class TokenSource(Protocol):
    """Where QboApi gets access tokens: the profile's keeper, or a not-yet-saved connection."""

    def access_token(self) -> str: ...

    def after_rejection(self, rejected_access_token: str) -> str | None: ...


class FixedToken:
    """One access token that cannot be refreshed (a connection being checked before saving)."""

    def __init__(self, access_token: str) -> None:
        self._access_token = access_token

    def access_token(self) -> str:
        return self._access_token

    def after_rejection(self, rejected_access_token: str) -> str | None:
        return None


class _KeeperSource:
    def __init__(self, keeper: TokenKeeper) -> None:
        self.keeper = keeper

    def access_token(self) -> str:
        return self.keeper.access_token()

    def after_rejection(self, rejected_access_token: str) -> str | None:
        return self.keeper.after_rejection(rejected_access_token)


@dataclass
class _Answer:
    status: int
    intuit_tid: str | None
    response: requests.Response
    retry_after: float | None

    @property
    def text(self) -> str:
        """The body as text, decoded only when an error needs reading (a page of 1,000
        accounts is a megabyte)."""
        return self.response.text


# Intuit's limits per company (realm) and app: requests a second, and a minute.
PER_SECOND_LIMIT = 10
PER_MINUTE_LIMIT = 500
# Each window is counted from when an answer arrived (never earlier than Intuit received the
# request), with a small margin for the clocks at either end.
SECOND_WINDOW = 1.02
MINUTE_WINDOW = 60.5


class CompanyPace:
    """Keeps one company's requests under Intuit's limits: at most `per_second` in any second
    and `per_minute` in any minute, counting the requests still under way.

    A request takes its turn (`take_turn`, waiting while the limits are reached) and says when
    its answer arrived (`finished`). Thread-safe: every client of the company in this process
    shares one pace (`pace_for`).
    """

    def __init__(
        self,
        per_second: int = PER_SECOND_LIMIT,
        per_minute: int = PER_MINUTE_LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_second = per_second
        self.per_minute = per_minute
        self._clock = clock
        self._turns = threading.Condition()
        self._answered: deque[float] = deque()  # when each answer of the last minute arrived
        self._under_way = 0
        self.waited = 0.0
        """Seconds spent waiting for a turn, in all (for progress and the benchmarks)."""

    def _wait_needed(self, now: float) -> float | None:
        """0 when a request may go now; else how long until one may (None: until an answer)."""
        answered = self._answered
        while answered and answered[0] <= now - MINUTE_WINDOW:
            answered.popleft()
        if self._under_way + len(answered) >= self.per_minute:
            return answered[0] + MINUTE_WINDOW - now if answered else None
        last_second = 0
        for moment in reversed(answered):
            if moment <= now - SECOND_WINDOW:
                break
            last_second += 1
        if self._under_way + last_second < self.per_second:
            return 0.0
        if last_second == 0:
            return None  # every place is taken by a request still under way
        # The place frees when the oldest answer of the last second leaves the window.
        return answered[len(answered) - last_second] + SECOND_WINDOW - now

    def take_turn(self, on_long_wait: Callable[[float], None] | None = None) -> float:
        """Wait until a request may go without passing a limit; the seconds waited.

        `on_long_wait(seconds)` is told first when the wait will be longer than a second
        (the minute's allowance used up), so a screen can say why nothing moves; it runs while
        the turns are held, so it must only pass the news on (never make a request)."""
        started = self._clock()
        told = False
        with self._turns:
            while True:
                wait = self._wait_needed(self._clock())
                if wait is not None and wait <= 0:
                    break
                if on_long_wait is not None and not told and wait is not None and wait > 1:
                    told = True
                    on_long_wait(wait)
                self._turns.wait(timeout=wait)
            self._under_way += 1
        waited = self._clock() - started
        self.waited += waited
        return waited

    def finished(self) -> None:
        """The request whose turn it was has its answer (or failed): note when."""
        with self._turns:
            self._under_way -= 1
            self._answered.append(self._clock())
            self._turns.notify_all()


_paces: dict[tuple[str, str], CompanyPace] = {}
_paces_lock = threading.Lock()


def pace_for(api_base_url: str, realm_id: str) -> CompanyPace:
    """The pace every client in this process keeps for one company of one API."""
    with _paces_lock:
        return _paces.setdefault((api_base_url, realm_id), CompanyPace())


class _BearerSession(requests.Session):
    """The session python-quickbooks uses: it reads `access_token` and calls `request`.

    Every request waits its turn under the company's limits first (`pace`).
    """

    def __init__(
        self,
        on_answer: Callable[[requests.Response], None],
        pace: CompanyPace,
        on_long_wait: Callable[[float], None],
    ) -> None:
        super().__init__()
        self.access_token = ""
        self.pace = pace
        self.on_long_wait = on_long_wait
        self.hooks["response"].append(lambda response, *args, **kwargs: on_answer(response))

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        self.pace.take_turn(self.on_long_wait)
        try:
            return super().request(method, url, *args, **kwargs)
        finally:
            self.pace.finished()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= LONGEST_WAIT_SECONDS else None


@dataclass(frozen=True)
class Fault:
    """The first error of an API answer, whatever shape it came in."""

    code: str
    message: str
    detail: str
    element: str | None = None


def _fault(code: str, message: str, detail: str, element: str, status: int) -> Fault:
    gateway = GATEWAY_CODE.search(message) or GATEWAY_CODE.search(detail)
    if gateway and (not code or code == "0"):
        code = gateway.group(1)
    return Fault(
        code=str(int(code)) if code.isdigit() else (code or f"HTTP {status}"),
        message=message,
        detail=detail,
        element=element or None,
    )


_HTML_TITLE = re.compile(r"(?is)<title>([^<]{1,200})</title>")


def parse_fault(text: str, status: int) -> Fault | None:
    """Read the error out of an answer body (`Fault`/`fault` JSON, XML, gateway strings).

    The same readers as `qbo-wizard explain` uses, applied to one answer.
    """
    body: Any = None
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        errors = fault_errors(body.get("Fault") or body.get("fault"))
        return _fault(*error_fields(errors[0]), status) if errors else None
    xml = xml_errors(text)
    if xml:
        return _fault(*xml[0][1:], status)
    gateway = GATEWAY_CODE.search(text)
    if gateway:
        return Fault(code=str(int(gateway.group(1))), message=text.strip()[:300], detail="")
    title = _HTML_TITLE.search(text[:4000])
    if title:  # a load balancer's or proxy's web page (outages answer with one)
        return Fault(code=f"HTTP {status}", message=" ".join(title.group(1).split()), detail="")
    return None


def _what_quickbooks_said(fault: Fault) -> str:
    """The fault's reason in words: Detail for 6000 (the real reason), and for the gateway's
    machine text (`message=ThrottleExceeded; errorCode=003001; …`) the known error's title."""
    if fault.code == "6000" and fault.detail:
        return fault.detail
    if "errorCode=" not in fault.message:
        return fault.message
    from qbo_wizard.core.health.explain import explain_error

    known = explain_error(fault.code, message=fault.message)
    if known is not None and known.title:
        return known.title
    return fault.message.split(";", 1)[0].removeprefix("message=")


def _plain_message(
    what: str, fault: Fault, status: int | None, tid: str | None
) -> tuple[str | Fix, ...]:
    advice: str | Fix
    if fault.code in _WRONG_ENVIRONMENT_CODES:
        keys_wrong = (
            " QuickBooks says these keys may not reach this company. Usually the key set does "
            "not match the company (development keys reach only sandbox companies, production "
            "keys only real ones), or the app was disconnected from it. Check the key set "
        )
        advice = Fix(
            keys_wrong + "with `qbo-wizard credentials`, then connect again with "
            "`qbo-wizard login`.",
            keys_wrong + f"on {step_ref('credentials')}, then connect again on "
            f"{step_ref('connect')}.",
        )
    elif fault.code in _AUTH_CODES or status == 401:
        not_accepted = (
            " QuickBooks did not accept the connection even after refreshing it: the app may "
            "have been disconnected, or another admin connected it in your place. Connect again "
        )
        advice = Fix(
            not_accepted + "with `qbo-wizard login`.", not_accepted + f"on {step_ref('connect')}."
        )
    elif fault.code == "3001" or status == 429:
        advice = " QuickBooks is limiting how fast this app may call it; wait a minute and retry."
    elif status is not None and status >= 500:
        advice = " This is a problem on Intuit's side; try again in a few minutes."
    else:
        advice = ""
    said = redact_text(_what_quickbooks_said(fault))[:400] or "no explanation given"
    reference = f" Intuit's reference: {tid}." if tid else ""
    return f"QuickBooks refused to {what} (error {fault.code}: {said}).", advice, reference


def _query(select: str) -> Callable[[QuickBooks], Any]:
    return lambda qb: qb.query(select)


class QboApi:
    """One company's Accounting API, with safe token handling, retries and typed errors."""

    def __init__(
        self,
        *,
        endpoints: Endpoints,
        realm_id: str,
        tokens: TokenSource,
        profile_name: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoints = endpoints
        self.realm_id = realm_id
        self.profile_name = profile_name
        self.call_count = 0
        self._tokens = tokens
        self._sleep = sleep
        self._answer: _Answer | None = None
        self.pace = pace_for(endpoints.api_base_url, realm_id)
        self.on_wait: Callable[[Wait], None] | None = None
        """Told before any wait longer than a second (Intuit's limits, a retry), so a screen
        can say why nothing moves; None: wait silently."""
        self._session = _BearerSession(self._remember, self.pace, self._pace_wait)
        client = QuickBooks(company_id=realm_id, minorversion=MINOR_VERSION)
        client.api_url_v3 = endpoints.api_base_url
        client.sandbox_api_url_v3 = endpoints.api_base_url
        client.session = self._session
        self._client = client

    @classmethod
    def for_profile(
        cls, profile_name: str, *, sleep: Callable[[float], None] = time.sleep
    ) -> QboApi:
        """The API of the company a profile is connected to."""
        keeper = TokenKeeper(profile_name)
        realm_id = keeper.current().realm_id
        endpoints = endpoints_for(profile_store(profile_name).read())
        return cls(
            endpoints=endpoints,
            realm_id=realm_id,
            tokens=_KeeperSource(keeper),
            profile_name=profile_name,
            sleep=sleep,
        )

    # -- plumbing ---------------------------------------------------------------------------

    def _remember(self, response: requests.Response) -> None:
        self.call_count += 1
        self._answer = _Answer(
            status=response.status_code,
            intuit_tid=response.headers.get("intuit_tid"),
            response=response,
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )

    def _record(self, error: QboApiError) -> None:
        if self.profile_name is not None:
            record_failure(
                self.profile_name,
                source="api",
                code=error.code,
                message=str(error),
                intuit_tid=error.intuit_tid,
            )

    def _error(self, what: str, answer: _Answer | None, exc: BaseException) -> QboApiError:
        if answer is None and not isinstance(exc, requests.RequestException):
            return QboApiError(
                f"Something unexpected went wrong while trying to {what}, before any answer "
                f"from QuickBooks arrived ({type(exc).__name__}). Try again, and if it keeps "
                "happening ask your integration's support.",
                code="unexpected",
            )
        if answer is None:
            kind = "it took too long" if isinstance(exc, requests.Timeout) else "no connection"
            return QboApiError(
                f"Could not reach QuickBooks to {what} ({kind}). Check the internet connection "
                "and try again.",
                code="network",
            )
        fault = parse_fault(answer.text, answer.status) or Fault(
            code=f"HTTP {answer.status}", message="", detail=""
        )
        return QboApiError(
            *_plain_message(what, fault, answer.status, answer.intuit_tid),
            code=fault.code,
            detail=redact_text(fault.detail),
            intuit_tid=answer.intuit_tid,
            status=answer.status,
            element=fault.element,
            api_message=redact_text(fault.message),
        )

    def _pace_wait(self, seconds: float) -> None:
        if self.on_wait is not None:
            self.on_wait(Wait(seconds, "limit"))

    def _wait(
        self, answer: _Answer | None, attempt: int, waits: tuple[float, ...], reason: WaitReason
    ) -> None:
        """Wait before retry number `attempt`: Retry-After if QuickBooks sent one, else `waits`."""
        delay = answer.retry_after if answer is not None else None
        if delay is None:
            delay = waits[min(attempt, len(waits)) - 1]
        if delay > 1 and self.on_wait is not None:
            self.on_wait(Wait(delay, reason))
        self._sleep(delay)

    def _call(self, what: str, call: Callable[[QuickBooks], Any]) -> dict[str, Any]:
        """Run one python-quickbooks call with refresh-once, backoff, and typed errors.

        Only the error finally raised is logged: not the attempts that a retry or a refresh
        put right, so the failure log shows what the user actually met.
        """
        refreshed = False
        throttled = server_errors = network_errors = 0
        token = self._tokens.access_token()
        while True:
            self._session.access_token = token
            self._answer = None
            failure: BaseException
            try:
                result = call(self._client)
            except Exception as exc:  # python-quickbooks chokes on some faults: read them here
                failure = exc
            else:
                if isinstance(result, dict) and not (result.get("fault") or result.get("Fault")):
                    return result
                failure = QuickbooksException("fault in a successful answer")
            answer = self._answer
            error = self._error(what, answer, failure)
            if answer is None:
                # No answer at all: safe to repeat, because every write carries a requestid.
                if (
                    isinstance(failure, requests.RequestException)
                    and network_errors < MAX_NETWORK_RETRIES
                ):
                    network_errors += 1
                    self._wait(None, network_errors, NETWORK_WAITS, "network")
                    continue
            elif answer.status == 401 or (error.code in _AUTH_CODES and answer.status != 403):
                if not refreshed:
                    refreshed = True
                    # A refused refresh raises its own error (and logs it) from here.
                    replacement = self._tokens.after_rejection(token)
                    if replacement is not None:
                        token = replacement
                        continue
            elif answer.status == 429 or error.code == "3001":
                if throttled < MAX_THROTTLE_RETRIES:
                    throttled += 1
                    self._wait(answer, throttled, THROTTLE_WAITS, "throttled")
                    continue
            elif answer.status >= 500 and server_errors < MAX_SERVER_RETRIES:
                server_errors += 1
                self._wait(answer, server_errors, SERVER_ERROR_WAITS, "server")
                continue
            self._record(error)
            raise error

    @staticmethod
    def _check_entity(entity: str) -> str:
        if not _ENTITY.fullmatch(entity):
            raise ValueError(f"{entity!r} is not a QuickBooks entity name")
        return entity

    @staticmethod
    def _unwrap(result: dict[str, Any], entity: str) -> dict[str, Any]:
        value = result.get(entity)
        if isinstance(value, dict):
            return value
        for key, item in result.items():
            if key.lower() == entity.lower() and isinstance(item, dict):
                return item
        return result

    # -- the API ----------------------------------------------------------------------------

    @classmethod
    def _select(cls, what: str, entity: str, where: str | None, order_by: str | None) -> str:
        # QuickBooks' query language, not SQL; `where` and `order_by` come from the app's code.
        select = f"SELECT {what} FROM {cls._check_entity(entity)}"  # noqa: S608
        if where:
            select += f" WHERE {where}"
        if order_by:
            select += f" ORDERBY {order_by}"
        return select

    def query_page(
        self,
        entity: str,
        where: str | None = None,
        order_by: str | None = None,
        start_position: int = 1,
        max_results: int = PAGE_SIZE,
    ) -> list[dict[str, Any]]:
        """One page of `SELECT * FROM entity [WHERE …] [ORDERBY …]`: at most `max_results`
        rows (1000 at the most, Intuit's limit) from row `start_position` (counting from 1)."""
        if start_position < 1 or not 1 <= max_results <= PAGE_SIZE:
            raise ValueError("start_position starts at 1; max_results is between 1 and 1000")
        select = self._select("*", entity, where, order_by)
        select += f" STARTPOSITION {start_position} MAXRESULTS {max_results}"
        result = self._call(f"list {entity} records", _query(select))
        page = (result.get("QueryResponse") or {}).get(entity) or []
        return [row for row in page if isinstance(row, dict)]

    def query_all(
        self, entity: str, where: str | None = None, order_by: str | None = None
    ) -> list[dict[str, Any]]:
        """Every row of `SELECT * FROM entity [WHERE …] [ORDERBY …]`, fetched 1000 at a time."""
        rows: list[dict[str, Any]] = []
        start = 1
        while True:
            page = self.query_page(entity, where, order_by, start, PAGE_SIZE)
            rows.extend(page)
            if len(page) < PAGE_SIZE:
                return rows
            start += PAGE_SIZE

    def count(self, entity: str, where: str | None = None) -> int:
        """How many rows `SELECT COUNT(*) FROM entity [WHERE …]` finds (one call)."""
        select = self._select("COUNT(*)", entity, where, None)
        result = self._call(f"count {entity} records", _query(select))
        total = (result.get("QueryResponse") or {}).get("totalCount")
        return int(total) if isinstance(total, (int, str)) and str(total).isdigit() else 0

    def get(self, entity: str, object_id: str) -> dict[str, Any]:
        """One record by its Id."""
        self._check_entity(entity)
        result = self._call(
            f"read {entity} {object_id}", lambda qb: qb.get_single_object(entity, object_id)
        )
        return self._unwrap(result, entity)

    def company_info(self) -> dict[str, Any]:
        """The connected company's CompanyInfo record (name, country, address, …)."""
        return self.get("CompanyInfo", self.realm_id)

    def create(self, entity: str, body: dict[str, Any], request_id: str) -> dict[str, Any]:
        """Create a record; `request_id` makes a retry return the first answer, not a duplicate."""
        self._check_entity(entity)
        if entity not in QuickBooks._BUSINESS_OBJECTS:
            raise ValueError(f"{entity!r} cannot be created through the API")
        payload = json.dumps(body)
        result = self._call(
            f"create the {entity}",
            lambda qb: qb.create_object(entity, payload, request_id=request_id),
        )
        return self._unwrap(result, entity)

    def void_invoice(
        self, invoice_id: str, sync_token: str, request_id: str | None = None
    ) -> dict[str, Any]:
        """Void an invoice (kept, amounts set to zero, marked Voided)."""
        payload = json.dumps({"Id": invoice_id, "SyncToken": sync_token})
        rid = request_id or uuid.uuid4().hex
        result = self._call(
            f"void invoice {invoice_id}",
            lambda qb: qb.update_object(
                "Invoice", payload, request_id=rid, params={"operation": "void"}
            ),
        )
        return self._unwrap(result, "Invoice")

    def delete(
        self, entity: str, object_id: str, sync_token: str, request_id: str | None = None
    ) -> dict[str, Any]:
        """Delete a transaction (invoice, bill, …) for good."""
        self._check_entity(entity)
        payload = json.dumps({"Id": object_id, "SyncToken": sync_token})
        rid = request_id or uuid.uuid4().hex
        result = self._call(
            f"delete {entity} {object_id}",
            lambda qb: qb.delete_object(entity, payload, request_id=rid),
        )
        return self._unwrap(result, entity)


def connection(profile_name: str = "default") -> QboApi:
    """The Accounting API of the company a profile is connected to (see `qbo_wizard.connection`)."""
    return QboApi.for_profile(profile_name)
