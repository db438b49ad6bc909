"""No exception that leaves core can lead to a secret: not in its message, not in its
attributes, not through the exceptions chained to it (`__context__`, `__cause__`).

intuit-oauth's AuthClientError keeps the whole response, and the response keeps the request it
answered: the refresh token or sign-in code in the body, the client secret in the Basic
Authorization header. Any path from a raised error to that object is a leak waiting for a crash
screen or a support bundle to print it.
"""

from __future__ import annotations

import base64
import types
from collections.abc import Callable, Iterator

import pytest

from qbo_wizard.core.connection.api import QboApi, QboApiError
from qbo_wizard.core.connection.callback import parse_redirect
from qbo_wizard.core.connection.credentials import Credentials, verify_live
from qbo_wizard.core.connection.environments import simulator_endpoints
from qbo_wizard.core.connection.oauth import (
    connect_with_tokens,
    finish_with_code,
    start_authorization,
)
from qbo_wizard.core.connection.tokens import TokenKeeper, TokenStore
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import US_REALM, approve, connect_by_paste, keys, save_keys

_LEAVES = (str, bytes, bytearray, int, float, bool, type(None), complex)
_SKIPPED = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)


def reachable_text(start: object, limit: int = 10) -> Iterator[str]:
    """The repr (and str) of everything reachable from `start` through exception links,
    arguments, attributes and containers, to `limit` steps."""
    seen: set[int] = set()
    todo: list[tuple[object, int]] = [(start, 0)]
    while todo:
        item, depth = todo.pop()
        if id(item) in seen or depth > limit or isinstance(item, _SKIPPED):
            continue
        seen.add(id(item))
        try:
            yield repr(item)
            if isinstance(item, BaseException):
                yield str(item)
        except Exception:  # noqa: S112  # an object whose repr fails hides nothing from us
            continue
        if isinstance(item, _LEAVES):
            continue
        children: list[object] = []
        if isinstance(item, BaseException):
            children += [item.__context__, item.__cause__, *item.args]
        if isinstance(item, dict):
            children += [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple, set, frozenset)):
            children += list(item)
        attributes = getattr(item, "__dict__", None)
        if isinstance(attributes, dict):
            children += list(attributes.values())
        for name in getattr(type(item), "__slots__", ()):
            if isinstance(name, str) and hasattr(item, name):
                children.append(getattr(item, name))
        todo += [(child, depth + 1) for child in children]


def assert_no_secret_reachable(error: BaseException, secrets: set[str]) -> None:
    text = "\n".join(reachable_text(error))
    for secret in secrets:
        assert secret not in text, f"{type(error).__name__} leads to a secret"


def caught(action: Callable[[], object]) -> BaseException:
    with pytest.raises(Exception) as info:  # any exception: all must be clean
        action()
    return info.value


@pytest.fixture
def sim(simulator: SimulatorServer) -> SimulatorServer:
    return simulator


def key_secrets(sim: SimulatorServer) -> set[str]:
    found = keys(sim)
    basic = base64.b64encode(f"{found.client_id}:{found.client_secret}".encode()).decode()
    return {found.client_secret, basic}


def stored_secrets() -> set[str]:
    tokens = TokenStore("default").load()
    assert tokens is not None
    return {tokens.refresh_token, tokens.access_token}


def test_a_refused_refresh_leads_to_no_secret(sim: SimulatorServer) -> None:
    save_keys(sim)
    connect_by_paste(sim)
    secrets = key_secrets(sim) | stored_secrets()
    sim.control("scenario", name="password-change", realm_id=US_REALM)
    error = caught(lambda: TokenKeeper("default").tokens(force=True))
    assert getattr(error, "exit_code", None) == 4
    assert_no_secret_reachable(error, secrets)


def test_an_outage_during_refresh_leads_to_no_secret(sim: SimulatorServer) -> None:
    save_keys(sim)
    connect_by_paste(sim)
    secrets = key_secrets(sim) | stored_secrets()
    sim.control("scenario", name="outage")
    error = caught(lambda: TokenKeeper("default").tokens(force=True))
    assert "on Intuit's side" in str(error)
    assert_no_secret_reachable(error, secrets)


def test_a_refused_pasted_refresh_token_leads_to_no_secret(sim: SimulatorServer) -> None:
    save_keys(sim)
    made_up = "AB11canaryPastedRefreshToken0123456789abcdefghijklmnop"
    error = caught(lambda: connect_with_tokens("default", made_up, US_REALM))
    assert "invalid_grant" in str(error)
    assert_no_secret_reachable(error, key_secrets(sim) | {made_up})


def test_an_expired_sign_in_code_leads_to_no_secret(sim: SimulatorServer) -> None:
    save_keys(sim)
    authorization = start_authorization("default", "paste-url")
    result = parse_redirect(approve(sim, authorization.url, US_REALM), authorization.state)
    sim.advance_clock(11 * 60)  # codes last a few minutes: Intuit refuses it
    error = caught(lambda: finish_with_code(authorization, result))
    assert "invalid_grant" in str(error)
    assert_no_secret_reachable(error, key_secrets(sim) | {result.code})


def test_wrong_keys_lead_to_no_secret(sim: SimulatorServer) -> None:
    right = keys(sim)
    wrong = Credentials(right.client_id, "WrongSecretCanary0123456789abcdefghijkl")
    endpoints = simulator_endpoints(sim.url)
    error = caught(lambda: verify_live(endpoints, wrong, "development", "default"))
    basic = base64.b64encode(f"{wrong.client_id}:{wrong.client_secret}".encode()).decode()
    assert_no_secret_reachable(error, {wrong.client_secret, basic})


def test_a_refused_api_call_leads_to_no_secret(sim: SimulatorServer) -> None:
    save_keys(sim)
    connect_by_paste(sim)
    secrets = stored_secrets()
    api = QboApi.for_profile("default", sleep=lambda seconds: None)
    error = caught(lambda: api.get("Invoice", "999999999"))
    assert isinstance(error, QboApiError)
    assert_no_secret_reachable(error, secrets)


@pytest.mark.parametrize(
    "damaged",
    [
        '{"version":1,"refresh_token":"AB11canaryDamagedEntry0123456789abcdef","access_',
        '{"version":1,"refresh_token":"AB11canaryDamagedEntry0123456789abcdef"}',
    ],
    ids=["cut-off", "incomplete"],
)
def test_a_damaged_stored_connection_leads_to_no_secret(damaged: str) -> None:
    TokenStore("default").vault.set("tokens", damaged)
    error = caught(lambda: TokenStore("default").load())
    assert "cannot be read" in str(error)
    assert_no_secret_reachable(error, {"AB11canaryDamagedEntry0123456789abcdef"})
