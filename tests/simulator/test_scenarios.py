"""Rehearsed failures: takeover, password change, already purchased, outage, throttling."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks.exceptions import AuthorizationException, QuickbooksException
from quickbooks.objects.account import Account

from qbo_wizard.simulator.server import SimulatorServer
from tests.request_clock import RequestClock
from tests.simulator.helpers import (
    UK_REALM,
    US_REALM,
    api,
    auth_client,
    connect,
    consent,
    gateway_fault,
    quickbooks,
    token_call,
)


def _company_info(sim: SimulatorServer, token: str, realm: str = US_REALM) -> requests.Response:
    return api(sim, token, realm, f"companyinfo/{realm}")


@pytest.mark.parametrize("scenario", ["takeover", "password-change"])
def test_revoking_scenarios_break_old_tokens_until_reconnect(
    simulator: SimulatorServer, scenario: str
) -> None:
    client = connect(simulator)
    qb = quickbooks(simulator, client)
    assert Account.count(qb=qb) == 58

    result = simulator.control("scenario", name=scenario, realm_id=US_REALM)
    assert result["revoked"] == 1
    refused = _company_info(simulator, client.access_token)
    assert refused.status_code == 401
    error = gateway_fault(refused)
    assert (error["code"], error["type"]) == ("3200", "AUTHENTICATION")
    assert "errorCode=003200; statusCode=401" in error["message"]
    with pytest.raises(AuthorizationException):
        Account.count(qb=qb)
    with pytest.raises(AuthClientError) as grant:
        client.refresh()
    assert grant.value.response.json()["error"] == "invalid_grant"

    again = connect(simulator)  # reconnecting (stealing the connection back) works
    assert _company_info(simulator, again.access_token).status_code == 200


def test_takeover_of_one_company_leaves_the_others_alone(simulator: SimulatorServer) -> None:
    us = simulator.mint_tokens(US_REALM)["access_token"]
    uk = simulator.mint_tokens(UK_REALM)["access_token"]
    simulator.control("scenario", name="takeover", realm_id=US_REALM)
    assert _company_info(simulator, us).status_code == 401
    assert _company_info(simulator, uk, UK_REALM).status_code == 200


def test_armed_takeover_fires_after_the_next_successful_call(simulator: SimulatorServer) -> None:
    token = simulator.mint_tokens(US_REALM)["access_token"]
    simulator.control("scenario", name="takeover", realm_id=US_REALM, when="next-call")
    assert _company_info(simulator, token).status_code == 200
    assert _company_info(simulator, token).status_code == 401


def test_already_purchased_shows_intuits_message_with_the_admin(
    simulator: SimulatorServer,
) -> None:
    simulator.control("scenario", name="already-purchased", realm_id=US_REALM)
    client = auth_client(simulator)
    url = client.get_authorization_url([Scopes.ACCOUNTING])
    page = consent(simulator, url, US_REALM)
    assert "Location" not in page.headers
    assert "already been subscribed to by another user for this company" in page.text
    assert "dana.whitfield@bluewaterfreight.example" in page.text
    assert consent(simulator, url, UK_REALM).status_code == 302  # other companies still connect


def test_outage_answers_503_on_the_api_and_token_endpoint(simulator: SimulatorServer) -> None:
    tokens = simulator.mint_tokens(US_REALM)
    simulator.control("scenario", name="outage")
    down = _company_info(simulator, tokens["access_token"])
    assert down.status_code == 503
    assert down.headers["intuit_tid"]
    # Real outages are the load balancer's web page, not a QuickBooks Fault.
    assert down.headers["Content-Type"].startswith("text/html")
    assert "<title>503 Service Temporarily Unavailable</title>" in down.text
    refresh = token_call(
        simulator, "development", grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refresh.status_code == 503
    assert refresh.headers["Content-Type"].startswith("text/html")

    simulator.control("scenario", name="none")
    assert _company_info(simulator, tokens["access_token"]).status_code == 200


def test_throttle_scenario_answers_429_with_3001(simulator: SimulatorServer) -> None:
    client = connect(simulator)
    simulator.control("scenario", name="throttle", realm_id=US_REALM)
    answer = _company_info(simulator, client.access_token)
    assert answer.status_code == 429
    error = gateway_fault(answer)
    assert error["code"] == "3001"
    assert "ThrottleExceeded" in error["message"]
    with pytest.raises(QuickbooksException) as limited:
        Account.count(qb=quickbooks(simulator, client))
    assert "429" in str(limited.value)


@pytest.mark.simulator_options(throttle=True)
def test_more_than_ten_requests_a_second_are_throttled(
    simulator: SimulatorServer, request_clock: RequestClock
) -> None:
    token = simulator.mint_tokens(US_REALM)["access_token"]
    # The limit's clock stands still: all of these fall in one second, however slow the machine.
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: _company_info(simulator, token).status_code, range(24)))
    assert statuses.count(200) == 10
    assert statuses.count(429) == 14

    request_clock.advance(1.0)  # the next second: ten more
    statuses = [_company_info(simulator, token).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]

    simulator.control("set_throttle", enabled=False)
    statuses = [_company_info(simulator, token).status_code for _ in range(15)]
    assert statuses == [200] * 15


def test_control_endpoint_over_http(simulator: SimulatorServer) -> None:
    control = f"{simulator.url}/_simulator/control"
    moved = requests.post(control, json={"action": "advance_clock", "seconds": 3600}, timeout=5)
    assert moved.json()["clock_offset_seconds"] == 3600
    unknown = requests.post(control, json={"action": "teleport"}, timeout=5)
    assert unknown.status_code == 400
    assert "teleport" in unknown.json()["error"]
    bad_name = requests.post(control, json={"action": "scenario", "name": "flood"}, timeout=5)
    assert bad_name.status_code == 400
    missing = requests.post(control, json={"action": "advance_clock"}, timeout=5)
    assert missing.status_code == 400
    assert "seconds" in missing.json()["error"]
    no_account = requests.post(
        control,
        json={
            "action": "set_account_active",
            "realm_id": US_REALM,
            "account_id": "999",
            "active": False,
        },
        timeout=5,
    )
    assert no_account.status_code == 400


def test_reset_returns_to_the_starting_state(simulator: SimulatorServer) -> None:
    token = simulator.mint_tokens(US_REALM)["access_token"]
    api(simulator, token, US_REALM, "customer", method="POST", json={"DisplayName": "New Shipper"})
    simulator.control("scenario", name="outage")
    simulator.control("reset")
    assert _company_info(simulator, token).status_code == 401  # tokens are forgotten
    fresh = simulator.mint_tokens(US_REALM)["access_token"]
    found = api(
        simulator,
        fresh,
        US_REALM,
        "query",
        params={"query": "SELECT * FROM Customer WHERE DisplayName = 'New Shipper'"},
    )
    assert found.json()["QueryResponse"] == {}


def test_control_panel_page_triggers_a_scenario(simulator: SimulatorServer) -> None:
    token = simulator.mint_tokens(US_REALM)["access_token"]
    panel = requests.get(f"{simulator.url}/_simulator/", timeout=5)
    assert "Another QuickBooks user takes over" in panel.text
    requests.post(
        f"{simulator.url}/_simulator/panel",
        data={"action": "scenario", "name": "takeover", "realm_id": US_REALM},
        timeout=5,
    )
    assert _company_info(simulator, token).status_code == 401


def test_info_lists_every_scenario_a_front_end_can_switch_on(simulator: SimulatorServer) -> None:
    """A front end reads the scenarios from the running simulator, and each one it lists is
    accepted by the control action (with its title shown on the control panel)."""
    listed = requests.get(f"{simulator.url}/_simulator/info", timeout=5).json()["scenarios"]
    names = [scenario["name"] for scenario in listed]
    assert names == [
        "takeover",
        "password-change",
        "already-purchased",
        "outage",
        "throttle",
        "throttle-xml",
        "none",
    ]
    assert {s["name"]: s["title"] for s in listed}["outage"] == (
        "Intuit outage (503 web pages from the load balancer)"
    )
    assert [s["name"] for s in listed if not s["in_demo"]] == ["throttle-xml"]
    assert {s["name"] for s in listed if s["lasts"] == "once"} == {"takeover", "password-change"}
    panel = requests.get(f"{simulator.url}/_simulator/", timeout=5).text
    for scenario in listed:
        assert scenario["title"].replace('"', "&quot;") in panel
        answer = requests.post(
            f"{simulator.url}/_simulator/control",
            json={"action": "scenario", "name": scenario["name"], "realm_id": US_REALM},
            timeout=5,
        )
        assert answer.status_code == 200, scenario["name"]
    refused = requests.post(
        f"{simulator.url}/_simulator/control",
        json={"action": "scenario", "name": "meteor-strike"},
        timeout=5,
    )
    assert refused.status_code == 400
    assert "choose one of none, takeover, password-change" in refused.json()["error"]
