"""Keys, the three connect methods, and every way connecting can fail, against the simulator."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from qbo_wizard.core.connection import intuit
from qbo_wizard.core.connection.callback import (
    AccessDenied,
    LoopbackCancelled,
    StateMismatch,
    parse_redirect,
)
from qbo_wizard.core.connection.credentials import (
    CredentialProblem,
    Credentials,
    load_credentials,
    store_credentials,
    verify_live,
)
from qbo_wizard.core.connection.environments import simulator_endpoints
from qbo_wizard.core.connection.intuit import OAuthCallFailed
from qbo_wizard.core.connection.oauth import (
    CompanyChanged,
    ConnectProblem,
    MethodNotAllowed,
    PendingConnection,
    connect_with_tokens,
    disconnect,
    finish_with_code,
    open_loopback,
    save_connection,
    start_authorization,
    wait_for_loopback,
)
from qbo_wizard.core.connection.tokens import TokenKeeper, TokenSet
from qbo_wizard.core.connection.vault import MemoryKeyring
from qbo_wizard.core.health.errorlog import recent_failures
from qbo_wizard.core.problems import WizardError
from qbo_wizard.core.profile import load_profile, profile_exists
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import (
    PRODUCTION_REALM,
    UK_REALM,
    US_REALM,
    approve,
    connect_by_paste,
    keyring_entry,
    keys,
    save_keys,
    start_simulator,
)


@pytest.fixture
def sim(simulator: SimulatorServer) -> SimulatorServer:
    return simulator


def everything_stored(memory_keyring: MemoryKeyring, home: Path) -> tuple[object, ...]:
    """A snapshot of the whole store: keyring entries and the profile file."""
    profile_file = home / "profiles" / "default" / "profile.yaml"
    return (
        dict(memory_keyring._secrets),
        profile_file.read_text() if profile_file.exists() else None,
    )


# --- keys -----------------------------------------------------------------------------------


def test_good_keys_are_stored_in_the_keyring_with_only_a_hint_on_disk(
    sim: SimulatorServer, isolated_home: Path
) -> None:
    profile = save_keys(sim)
    good = keys(sim)
    assert profile.client_id_hint == good.hint
    assert load_credentials("default") == good
    assert keyring_entry("default", "client_secret") == good.client_secret
    text = (isolated_home / "profiles" / "default" / "profile.yaml").read_text()
    assert good.client_id not in text and good.client_secret not in text
    assert "environment: simulator" in text and profile.step_state("credentials") == "done"


def test_wrong_keys_are_refused_live_and_nothing_is_stored(
    sim: SimulatorServer, memory_keyring: MemoryKeyring
) -> None:
    good = keys(sim)
    wrong = Credentials(good.client_id, good.client_secret[::-1])
    with pytest.raises(CredentialProblem, match="invalid_client") as caught:
        store_credentials("default", "development", wrong, sim.url)
    assert wrong.client_secret not in str(caught.value)
    assert memory_keyring._secrets == {}
    assert not profile_exists("default")
    assert recent_failures("default")[0]["code"] == "invalid_client"


def test_the_other_key_sets_keys_are_refused_and_nothing_is_stored(
    sim: SimulatorServer, memory_keyring: MemoryKeyring
) -> None:
    with pytest.raises(CredentialProblem, match="production keys, but development keys"):
        store_credentials("default", "development", keys(sim, "production"), sim.url)
    assert memory_keyring._secrets == {}
    assert not profile_exists("default")


def test_no_network_means_a_plain_message_and_nothing_stored(
    memory_keyring: MemoryKeyring,
) -> None:
    sim = start_simulator()
    good, url, endpoints = keys(sim), sim.url, simulator_endpoints(sim.url)
    sim.stop()
    with pytest.raises(OAuthCallFailed) as caught:
        verify_live(endpoints, good, "development", "default")
    assert caught.value.network and "Could not reach Intuit" in str(caught.value)
    with pytest.raises(WizardError, match="Could not reach") as stopped:
        store_credentials("default", "development", good, url)
    for message in (str(caught.value), str(stopped.value)):
        assert good.client_secret not in message and good.client_id not in message
    assert memory_keyring._secrets == {}
    assert not profile_exists("default")


def test_new_keys_drop_the_old_connection(sim: SimulatorServer) -> None:
    save_keys(sim)
    connect_by_paste(sim)
    save_keys(sim, key_set="production")
    assert keyring_entry("default") is None
    profile = load_profile("default")
    assert profile.key_set == "production" and profile.connected_at is None


# --- the three connect methods ----------------------------------------------------------------


def test_loopback_end_to_end(free_port_simulator: SimulatorServer) -> None:
    sim = free_port_simulator
    save_keys(sim)
    authorization = start_authorization("default", "loopback")
    # The exact loopback address registered on the development keys, port included.
    assert authorization.redirect_uri == sim.info["keys"]["development"]["redirect_uris"][0]
    listener = open_loopback(authorization)
    pending: list[PendingConnection] = []
    waiting = threading.Thread(
        target=lambda: pending.append(wait_for_loopback(authorization, listener)), daemon=True
    )
    waiting.start()
    landed = approve(sim, authorization.url, US_REALM)
    assert landed.startswith(authorization.redirect_uri + "?")
    page = requests.get(landed, timeout=10)
    waiting.join(timeout=10)
    assert "Bluewater Freight Brokers LLC" in page.text and "close this tab" in page.text
    profile = save_connection(pending[0])
    assert (profile.realm_id, profile.company_name, profile.country) == (
        US_REALM,
        "Bluewater Freight Brokers LLC",
        "US",
    )
    assert profile.connect_method == "loopback" and profile.step_state("connect") == "done"


def test_a_loopback_wait_can_be_cancelled_from_another_thread(
    free_port_simulator: SimulatorServer,
) -> None:
    save_keys(free_port_simulator)
    authorization = start_authorization("default", "loopback")
    listener = open_loopback(authorization)
    listener.cancel()
    with pytest.raises(LoopbackCancelled):
        wait_for_loopback(authorization, listener)
    assert keyring_entry("default") is None


def test_paste_url_end_to_end(sim: SimulatorServer) -> None:
    save_keys(sim)
    profile = connect_by_paste(sim, realm_id=UK_REALM)
    assert profile.realm_id == UK_REALM and profile.country == "GB"
    stored = TokenSet.from_json(keyring_entry("default") or "")
    assert stored.realm_id == UK_REALM
    assert stored.refresh_hard_expires_at is not None  # the opt-in header was sent
    assert profile.refresh_token_hard_expires_at is not None


def test_production_keys_connect_by_paste_back_through_the_playground_page(
    sim: SimulatorServer,
) -> None:
    save_keys(sim, key_set="production")
    authorization = start_authorization("default", "paste-url")
    assert authorization.redirect_uri.startswith("https://developer.intuit.com/")
    landed = approve(sim, authorization.url, PRODUCTION_REALM)
    pending = finish_with_code(authorization, parse_redirect(landed, authorization.state))
    assert save_connection(pending).realm_id == PRODUCTION_REALM


def test_paste_tokens_end_to_end(sim: SimulatorServer) -> None:
    save_keys(sim)
    minted = sim.mint_tokens(US_REALM)
    pending = connect_with_tokens("default", f"  {minted['refresh_token']}\n", US_REALM)
    profile = save_connection(pending)
    assert profile.connect_method == "paste-tokens" and profile.realm_id == US_REALM


# --- what must be refused, leaving the store as it was ---------------------------------------


@pytest.fixture
def connected(sim: SimulatorServer) -> SimulatorServer:
    save_keys(sim)
    connect_by_paste(sim)
    return sim


def test_wrong_state_is_refused(
    connected: SimulatorServer, memory_keyring: MemoryKeyring, isolated_home: Path
) -> None:
    before = everything_stored(memory_keyring, isolated_home)
    old_attempt = start_authorization("default", "paste-url")
    new_attempt = start_authorization("default", "paste-url")
    landed = approve(connected, old_attempt.url, US_REALM)
    with pytest.raises(StateMismatch):
        parse_redirect(landed, new_attempt.state)
    assert everything_stored(memory_keyring, isolated_home) == before


def test_a_reused_code_is_refused(
    connected: SimulatorServer, memory_keyring: MemoryKeyring, isolated_home: Path
) -> None:
    authorization = start_authorization("default", "paste-url")
    result = parse_redirect(approve(connected, authorization.url, US_REALM), authorization.state)
    save_connection(finish_with_code(authorization, result))
    before = everything_stored(memory_keyring, isolated_home)
    with pytest.raises(ConnectProblem, match="already exchanged"):
        finish_with_code(authorization, result)
    assert everything_stored(memory_keyring, isolated_home) == before
    assert recent_failures("default") == []  # refused here: Intuit was not asked again


def test_a_code_intuit_already_took_is_refused_by_intuit(
    connected: SimulatorServer, memory_keyring: MemoryKeyring, isolated_home: Path
) -> None:
    first = start_authorization("default", "paste-url")
    result = parse_redirect(approve(connected, first.url, US_REALM), first.state)
    finish_with_code(first, result)
    other = replace(first, used_codes=set())  # another copy of the same attempt
    before = everything_stored(memory_keyring, isolated_home)
    with pytest.raises(ConnectProblem, match="used already"):
        finish_with_code(other, result)
    assert everything_stored(memory_keyring, isolated_home) == before
    assert recent_failures("default")[0]["code"] == "invalid_grant"
    assert recent_failures("default")[0]["intuit_tid"]


def test_an_expired_code_is_refused(
    connected: SimulatorServer, memory_keyring: MemoryKeyring, isolated_home: Path
) -> None:
    before = everything_stored(memory_keyring, isolated_home)
    authorization = start_authorization("default", "paste-url")
    result = parse_redirect(approve(connected, authorization.url, US_REALM), authorization.state)
    connected.advance_clock(11 * 60)
    with pytest.raises(ConnectProblem, match="expired"):
        finish_with_code(authorization, result)
    assert everything_stored(memory_keyring, isolated_home) == before


def test_declining_is_explained(connected: SimulatorServer) -> None:
    authorization = start_authorization("default", "paste-url")
    landed = approve(connected, authorization.url, US_REALM, decision="deny")
    with pytest.raises(AccessDenied):
        parse_redirect(landed, authorization.state)


@pytest.mark.parametrize("scenario", ["password-change", "takeover"])
def test_revoked_or_taken_over_means_reconnect(
    scenario: str,
    connected: SimulatorServer,
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
) -> None:
    before = everything_stored(memory_keyring, isolated_home)
    connected.control("scenario", name=scenario, realm_id=US_REALM)
    with pytest.raises(Exception, match="qbo-wizard login --profile default") as caught:
        TokenKeeper("default").tokens(force=True)
    assert caught.value.exit_code == 4  # type: ignore[attr-defined]
    assert "another admin connected" in str(caught.value)
    assert everything_stored(memory_keyring, isolated_home) == before


def test_another_key_sets_tokens_are_refused(
    connected: SimulatorServer, memory_keyring: MemoryKeyring, isolated_home: Path
) -> None:
    before = everything_stored(memory_keyring, isolated_home)
    production = connected.mint_tokens(PRODUCTION_REALM, "production")
    with pytest.raises(ConnectProblem, match="other key set"):
        connect_with_tokens("default", production["refresh_token"], PRODUCTION_REALM)
    assert everything_stored(memory_keyring, isolated_home) == before


def test_a_company_the_keys_cannot_reach_is_refused(
    connected: SimulatorServer, memory_keyring: MemoryKeyring, isolated_home: Path
) -> None:
    before = everything_stored(memory_keyring, isolated_home)
    sandbox = connected.mint_tokens(US_REALM)
    with pytest.raises(ConnectProblem, match="3100") as caught:
        connect_with_tokens("default", sandbox["refresh_token"], PRODUCTION_REALM)
    assert "development keys reach only sandbox companies" in str(caught.value)
    assert everything_stored(memory_keyring, isolated_home) == before


def test_a_different_company_needs_confirmation(
    connected: SimulatorServer, memory_keyring: MemoryKeyring, isolated_home: Path
) -> None:
    before = everything_stored(memory_keyring, isolated_home)
    authorization = start_authorization("default", "paste-url")
    result = parse_redirect(approve(connected, authorization.url, UK_REALM), authorization.state)
    pending = finish_with_code(authorization, result)
    with pytest.raises(CompanyChanged) as caught:
        save_connection(pending)
    assert UK_REALM in str(caught.value) and US_REALM in str(caught.value)
    assert everything_stored(memory_keyring, isolated_home) == before
    assert save_connection(pending, allow_company_change=True).realm_id == UK_REALM


def test_production_keys_never_use_an_http_redirect(sim: SimulatorServer) -> None:
    save_keys(sim, key_set="production")
    with pytest.raises(MethodNotAllowed, match="only https://"):
        start_authorization("default", "loopback")
    for address in ("http://example.com/cb", "https://localhost/cb", "https://10.0.0.1/cb"):
        with pytest.raises(MethodNotAllowed):
            start_authorization("default", "paste-url", redirect_uri=address)


# --- disconnect -----------------------------------------------------------------------------


def test_disconnect_revokes_then_wipes(connected: SimulatorServer) -> None:
    refresh_token = TokenSet.from_json(keyring_entry("default") or "").refresh_token
    report = disconnect("default")
    assert report.revoked and "Disconnected" in report.summary()
    assert keyring_entry("default") is None and keyring_entry("default", "client_secret") is None
    assert load_profile("default").client_id_hint is None
    good = keys(connected)
    client = intuit.make_client(
        simulator_endpoints(connected.url), good.client_id, good.client_secret
    )
    with pytest.raises(OAuthCallFailed) as caught:
        intuit.refresh(client, refresh_token)
    assert caught.value.error == "invalid_grant"


def test_disconnect_still_wipes_when_intuit_cannot_be_reached(connected: SimulatorServer) -> None:
    saved_keys = keys(connected)
    connected.stop()
    report = disconnect("default", forget_keys=False)
    assert not report.revoked
    assert "Could not disconnect at Intuit" in report.summary()
    assert keyring_entry("default") is None
    assert load_credentials("default") == saved_keys  # kept on request


def test_an_intuit_outage_during_refresh_changes_nothing(
    connected: SimulatorServer, memory_keyring: MemoryKeyring, isolated_home: Path
) -> None:
    before = everything_stored(memory_keyring, isolated_home)
    connected.control("scenario", name="outage")
    with pytest.raises(OAuthCallFailed) as caught:
        TokenKeeper("default").tokens(force=True)
    assert "on Intuit's side" in str(caught.value) and caught.value.exit_code == 1
    assert everything_stored(memory_keyring, isolated_home) == before
    assert recent_failures("default")[0]["code"] == "http-503"  # a web page, not JSON
