"""The paste-back parser and the loopback listener, on their own (no Intuit, no simulator)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbo_wizard.core.connection.callback import (
    AccessDenied,
    AmbiguousPaste,
    AuthorizationError,
    CallbackProblem,
    CallbackResult,
    IncompleteRedirect,
    LoopbackCancelled,
    LoopbackListener,
    LoopbackTimedOut,
    LoopbackUnavailable,
    NothingToParse,
    StateMismatch,
    parse_redirect,
)

STATE = "s7aTe-Value_123"
CODE = "AB11700000000abcDEFghiJKLmnoPQRstuVWXyz0123456789"
REALM = "9341452164813577"
PLAYGROUND = "https://developer.intuit.com/v2/OAuth2Playground/RedirectUrl"


def redirect(**params: str) -> str:
    return f"{PLAYGROUND}?{urlencode(params)}"


GOOD = redirect(code=CODE, state=STATE, realmId=REALM)


# --- parse_redirect: what users actually paste -----------------------------------------------


@pytest.mark.parametrize(
    "pasted",
    [
        GOOD,
        f"  {GOOD}\n",
        f'"{GOOD}"',
        f"<{GOOD}>",
        f"'{GOOD}'",
        GOOD.split("?", 1)[1],  # the query string only
        "?" + GOOD.split("?", 1)[1],
        GOOD[:60] + "\n" + GOOD[60:],  # wrapped by the terminal
        GOOD[:40] + " \r\n  " + GOOD[40:90] + "\n" + GOOD[90:],
        GOOD.replace("&", "&amp;"),  # copied from page source
        f"{GOOD}\n{GOOD}",  # pasted twice
        f"{GOOD}#",
        f"`{GOOD}`",
        redirect(state=STATE, realmId=REALM, code=CODE),  # any order
        f"http://localhost:8765/callback?code={CODE}&state={STATE}&realmId={REALM}",
    ],
)
def test_plausible_pastes_give_the_code_and_company(pasted: str) -> None:
    result = parse_redirect(pasted, STATE)
    assert (result.code, result.realm_id) == (CODE, REALM)


def test_wrong_state_is_refused_without_repeating_the_code() -> None:
    with pytest.raises(StateMismatch) as caught:
        parse_redirect(redirect(code=CODE, state="someone-else", realmId=REALM), STATE)
    assert "different sign-in attempt" in str(caught.value)
    assert CODE not in str(caught.value)


def test_access_denied_is_explained() -> None:
    with pytest.raises(AccessDenied) as caught:
        parse_redirect(redirect(error="access_denied", state=STATE), STATE)
    assert "declined" in str(caught.value)
    assert "nothing was connected" in str(caught.value).lower()


def test_access_denied_from_another_attempt_is_a_state_problem() -> None:
    with pytest.raises(StateMismatch):
        parse_redirect(redirect(error="access_denied", state="old"), STATE)


def test_other_intuit_errors_name_the_error() -> None:
    with pytest.raises(AuthorizationError) as caught:
        parse_redirect(
            redirect(error="invalid_scope", error_description="bad <script>", state=STATE), STATE
        )
    assert "invalid_scope" in str(caught.value)
    assert "<script>" not in str(caught.value)


def test_missing_state_is_refused() -> None:
    with pytest.raises(IncompleteRedirect, match="no 'state'"):
        parse_redirect(redirect(code=CODE, realmId=REALM), STATE)


def test_missing_realm_points_at_the_accounting_scope() -> None:
    with pytest.raises(IncompleteRedirect, match="Accounting scope"):
        parse_redirect(redirect(code=CODE, state=STATE), STATE)


def test_a_bare_code_asks_for_the_whole_address() -> None:
    with pytest.raises(NothingToParse, match="only the code"):
        parse_redirect(CODE, STATE)


def test_two_different_redirects_are_refused() -> None:
    other = redirect(code=CODE + "x", state=STATE, realmId=REALM)
    with pytest.raises(AmbiguousPaste):
        parse_redirect(f"{GOOD}\n{other}", STATE)


def test_conflicting_values_in_one_address_are_refused() -> None:
    with pytest.raises(AmbiguousPaste):
        parse_redirect(f"{GOOD}&code=other", STATE)


@pytest.mark.parametrize("pasted", ["", "   \n ", "hello", "https://example.com/", "code="])
def test_nothing_usable_gets_a_plain_message(pasted: str) -> None:
    with pytest.raises(NothingToParse):
        parse_redirect(pasted, STATE)


def test_non_numeric_realm_is_refused() -> None:
    with pytest.raises(CallbackProblem, match="not a number"):
        parse_redirect(redirect(code=CODE, state=STATE, realmId="12ab"), STATE)


def test_result_repr_hides_the_code() -> None:
    assert CODE not in repr(parse_redirect(GOOD, STATE))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_gives_a_result_or_a_plain_message(pasted: str) -> None:
    try:
        parse_redirect(pasted, STATE)
    except CallbackProblem as problem:
        assert str(problem)
        assert "Traceback" not in str(problem)


_URL_ALPHABET = st.sampled_from([*"abcXYZ019=&?#%+/:. \n\t\"'<>", "code=", "state=", "&"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.lists(_URL_ALPHABET, max_size=30).map("".join),
    suffix=st.lists(_URL_ALPHABET, max_size=30).map("".join),
    noise=st.sampled_from(["", " ", "\n", "\r\n", '"', "<", "\t"]),
)
def test_damaged_redirects_never_raise_anything_else(prefix: str, suffix: str, noise: str) -> None:
    text = prefix + noise + GOOD + noise + suffix
    try:
        result = parse_redirect(text, STATE)
    except CallbackProblem as problem:
        assert CODE not in str(problem)
    else:
        assert result.realm_id.isdigit()


@settings(max_examples=200)
@given(cut=st.integers(min_value=1, max_value=len(GOOD) - 1), gap=st.sampled_from(["\n", " \n "]))
def test_a_line_break_anywhere_is_healed(cut: int, gap: str) -> None:
    result = parse_redirect(GOOD[:cut] + gap + GOOD[cut:], STATE)
    assert (result.code, result.realm_id) == (CODE, REALM)


# --- the loopback listener --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Running:
    """A listener waiting in a background thread, as the CLI and the TUI run it."""

    def __init__(self, listener: LoopbackListener, on_callback: object = None) -> None:
        self.listener = listener
        self.result: CallbackResult | None = None
        self.error: BaseException | None = None
        self.exchanges: list[str] = []
        self.thread = threading.Thread(target=self._run, args=(on_callback,), daemon=True)
        self.thread.start()

    def _exchange(self, result: CallbackResult) -> tuple[str, str]:
        self.exchanges.append(result.code)
        return ("Connected", "Connected to Example Ltd. You can close this tab.")

    def _run(self, on_callback: object) -> None:
        try:
            self.result = self.listener.wait(on_callback or self._exchange)  # type: ignore[arg-type]
        except BaseException as exc:
            self.error = exc

    def join(self) -> None:
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()

    def url(self, query: dict[str, str] | None = None, path: str = "/callback") -> str:
        base = f"http://127.0.0.1:{self.listener.port}{path}"
        return f"{base}?{urlencode(query)}" if query else base


@pytest.fixture
def running() -> Iterator[Running]:
    listener = LoopbackListener(STATE, _free_port())
    run = Running(listener)
    yield run
    listener.cancel()
    run.join()


def test_listener_binds_loopback_only(running: Running) -> None:
    assert running.listener.address[0] == "127.0.0.1"
    assert running.listener.redirect_uri == f"http://localhost:{running.listener.port}/callback"


def test_one_valid_callback_is_exchanged_once_and_the_port_closes(running: Running) -> None:
    answer = requests.get(running.url({"code": CODE, "state": STATE, "realmId": REALM}), timeout=5)
    assert answer.status_code == 200
    assert "close this tab" in answer.text
    running.join()
    assert running.result is not None and running.result.realm_id == REALM
    assert running.exchanges == [CODE]
    with pytest.raises(requests.ConnectionError):
        requests.get(running.url({"code": CODE, "state": STATE, "realmId": REALM}), timeout=5)
    assert running.exchanges == [CODE]


def test_stray_requests_are_ignored_until_the_real_callback(running: Running) -> None:
    query = {"code": CODE, "state": STATE, "realmId": REALM}
    assert requests.get(running.url(path="/favicon.ico"), timeout=5).status_code == 404
    assert requests.get(running.url(path="/"), timeout=5).status_code == 404
    assert requests.get(running.url(), timeout=5).status_code == 400  # bare /callback
    prefetch = requests.get(running.url(query), headers={"Sec-Purpose": "prefetch"}, timeout=5)
    assert prefetch.status_code == 503
    assert requests.head(running.url(query), timeout=5).status_code == 204
    wrong_host = requests.get(running.url(query), headers={"Host": "evil.example"}, timeout=5)
    assert wrong_host.status_code == 404
    assert running.exchanges == []
    assert requests.get(running.url(query), timeout=5).status_code == 200
    running.join()
    assert running.exchanges == [CODE]
    assert running.listener.ignored_requests == 6


def test_an_idle_connection_does_not_block_the_callback(running: Running) -> None:
    with socket.create_connection(("127.0.0.1", running.listener.port)):
        query = {"code": CODE, "state": STATE, "realmId": REALM}
        assert requests.get(running.url(query), timeout=5).status_code == 200
    running.join()
    assert running.exchanges == [CODE]


def test_a_wrong_state_is_refused_and_the_wait_goes_on_for_the_right_one(running: Running) -> None:
    for state in ("x", STATE + "x"):
        query = {"code": "AB11otherAttemptCode", "state": state, "realmId": REALM}
        answer = requests.get(running.url(query), timeout=5)
        assert answer.status_code == 400
        assert "different sign-in attempt" in answer.text
    missing = requests.get(running.url({"code": "AB11noStateCode", "realmId": REALM}), timeout=5)
    assert missing.status_code == 400
    assert running.thread.is_alive() and running.exchanges == []
    assert running.listener.refused_callbacks == 3
    query = {"code": CODE, "state": STATE, "realmId": REALM}
    assert requests.get(running.url(query), timeout=5).status_code == 200
    running.join()
    assert running.error is None and running.exchanges == [CODE]


def test_a_wait_that_only_saw_wrong_states_says_so_when_it_gives_up() -> None:
    listener = LoopbackListener(STATE, _free_port())
    outcome: list[BaseException] = []

    def clock() -> float:  # time runs out once the wrong answer has been refused
        return 700.0 if listener.refused_callbacks else 0.0

    def wait() -> None:
        try:
            listener.wait(clock=clock)
        except BaseException as exc:
            outcome.append(exc)

    waiting = threading.Thread(target=wait, daemon=True)
    waiting.start()
    query = urlencode({"code": "AB11otherAttemptCode", "state": "x", "realmId": REALM})
    answer = requests.get(f"http://127.0.0.1:{listener.port}/callback?{query}", timeout=5)
    assert answer.status_code == 400
    waiting.join(timeout=30)
    (error,) = outcome
    assert isinstance(error, LoopbackTimedOut)
    assert "1 answer(s) from another sign-in attempt" in str(error)


def test_access_denied_ends_the_wait(running: Running) -> None:
    answer = requests.get(running.url({"error": "access_denied", "state": STATE}), timeout=5)
    assert "declined" in answer.text
    running.join()
    assert isinstance(running.error, AccessDenied)


def test_a_failed_exchange_shows_a_failure_page_and_reaches_the_caller() -> None:
    listener = LoopbackListener(STATE, _free_port())

    def exchange(result: CallbackResult) -> tuple[str, str]:
        raise RuntimeError("exchange failed")

    run = Running(listener, exchange)
    answer = requests.get(run.url({"code": CODE, "state": STATE, "realmId": REALM}), timeout=5)
    assert answer.status_code == 500
    assert "terminal says why" in answer.text
    run.join()
    assert isinstance(run.error, RuntimeError)


def test_page_text_is_html_escaped() -> None:
    listener = LoopbackListener(STATE, _free_port())
    run = Running(listener, lambda result: ("Connected", "Connected to <b>Tom & Co</b>"))
    answer = requests.get(run.url({"code": CODE, "state": STATE, "realmId": REALM}), timeout=5)
    assert "&lt;b&gt;Tom &amp; Co&lt;/b&gt;" in answer.text
    run.join()


def test_cancel_stops_the_wait_and_frees_the_port() -> None:
    port = _free_port()
    listener = LoopbackListener(STATE, port)
    run = Running(listener)
    listener.cancel()
    run.join()
    assert isinstance(run.error, LoopbackCancelled)
    LoopbackListener(STATE, port).close()  # the port can be taken again


def test_timeout_gives_up_with_a_plain_message() -> None:
    ticks = iter([0.0, 0.0, 700.0])
    listener = LoopbackListener(STATE, _free_port())
    with pytest.raises(LoopbackTimedOut, match="10 minute"):
        listener.wait(clock=lambda: next(ticks))


def test_a_busy_port_is_explained() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(LoopbackUnavailable, match="paste-back"):
            LoopbackListener(STATE, port)


def test_a_request_line_with_a_broken_host_is_refused_and_the_wait_goes_on(
    running: Running,
) -> None:
    port = running.listener.port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(
            f"GET http://[::1/callback?code=x&state={STATE} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        answer = raw.makefile("rb").readline()
    assert answer.startswith(b"HTTP/1.0 400")
    query = {"code": CODE, "state": STATE, "realmId": REALM}
    assert requests.get(running.url(query), timeout=5).status_code == 200
    running.join()
    assert running.exchanges == [CODE]
