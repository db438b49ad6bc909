"""The practice Intuit OAuth server, driven by Intuit's own AuthClient and a scripted browser."""

from __future__ import annotations

import pytest
import requests
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks.exceptions import AuthorizationException
from quickbooks.objects.company_info import CompanyInfo

from qbo_wizard.simulator.oauth import PLAYGROUND_REDIRECT
from qbo_wizard.simulator.server import SimulatorServer
from tests.simulator.helpers import (
    PRODUCTION_REALM,
    UK_REALM,
    US_REALM,
    api,
    auth_client,
    callback,
    connect,
    consent,
    gateway_fault,
    quickbooks,
    token_call,
)

DAY = 24 * 3600


def _error(exc: pytest.ExceptionInfo[AuthClientError]) -> dict[str, str]:
    body: dict[str, str] = exc.value.response.json()
    return body


def test_full_path_consent_tokens_refresh_api_revoke(simulator: SimulatorServer) -> None:
    client = connect(simulator)
    assert client.realm_id == US_REALM
    assert client.expires_in == 3600
    assert client.x_refresh_token_expires_in == 8726400  # 101 days, as Intuit answers

    client.refresh()
    qb = quickbooks(simulator, client)
    company = CompanyInfo.get(US_REALM, qb=qb)
    assert company.CompanyName == "Bluewater Freight Brokers LLC"
    assert company.Country == "US"

    assert client.revoke() is True
    with pytest.raises(AuthorizationException):
        CompanyInfo.get(US_REALM, qb=qb)
    with pytest.raises(AuthClientError) as refused:
        client.refresh()
    assert refused.value.status_code == 400
    assert _error(refused)["error"] == "invalid_grant"


def test_info_describes_keys_companies_and_urls(simulator: SimulatorServer) -> None:
    info = requests.get(f"{simulator.url}/_simulator/info", timeout=5).json()
    assert info == simulator.info
    assert info["api_base_url"] == f"{simulator.url}/v3"
    development = info["keys"]["development"]
    assert development["redirect_uris"] == [
        "http://localhost:8765/callback",
        PLAYGROUND_REDIRECT,
    ]
    assert all(uri.startswith("https://") for uri in info["keys"]["production"]["redirect_uris"])
    assert development["client_id"] != info["keys"]["production"]["client_id"]
    environments = {c["realm_id"]: (c["environment"], c["country"]) for c in info["companies"]}
    assert environments[US_REALM] == ("sandbox", "US")
    assert environments[UK_REALM] == ("sandbox", "GB")
    assert environments[PRODUCTION_REALM] == ("production", "US")


def test_discovery_points_every_endpoint_at_the_simulator(simulator: SimulatorServer) -> None:
    client = auth_client(simulator)
    for endpoint in (client.auth_endpoint, client.token_endpoint, client.revoke_endpoint):
        assert endpoint.startswith(simulator.url)
    sandbox = requests.get(
        f"{simulator.url}/.well-known/openid_sandbox_configuration/", timeout=5
    ).json()
    assert sandbox["token_endpoint"] == client.token_endpoint
    assert "client_secret_basic" in sandbox["token_endpoint_auth_methods_supported"]


def test_every_response_carries_an_intuit_tid(simulator: SimulatorServer) -> None:
    responses = [
        requests.get(simulator.discovery_url, timeout=5),
        requests.get(f"{simulator.url}/connect/oauth2?client_id=nobody", timeout=5),
        token_call(simulator, "development", grant_type="refresh_token", refresh_token="x"),
        api(simulator, None, US_REALM, "companyinfo/" + US_REALM),
        requests.get(f"{simulator.url}/no/such/page", timeout=5),
    ]
    tids = [r.headers.get("intuit_tid") for r in responses]
    assert all(tids), tids
    assert len(set(tids)) == len(tids)


def test_consent_lists_only_companies_matching_the_keys(simulator: SimulatorServer) -> None:
    development = auth_client(simulator).get_authorization_url([Scopes.ACCOUNTING])
    page = requests.get(development, timeout=5).text
    assert "Bluewater Freight Brokers LLC" in page
    assert "Thames Gateway Haulage Ltd" in page
    assert "Harbor Point Freight Inc" not in page

    production_client = auth_client(
        simulator, "production", "https://connect.qbo-wizard.example/callback"
    )
    page = requests.get(production_client.get_authorization_url([Scopes.ACCOUNTING]), timeout=5)
    assert "Harbor Point Freight Inc" in page.text
    assert "Bluewater Freight Brokers LLC" not in page.text


def test_development_keys_cannot_connect_a_production_company(
    simulator: SimulatorServer,
) -> None:
    url = auth_client(simulator).get_authorization_url([Scopes.ACCOUNTING])
    answer = consent(simulator, url, PRODUCTION_REALM)
    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "sandbox companies" in answer.text


def test_production_keys_connect_the_production_company(simulator: SimulatorServer) -> None:
    client = connect(simulator, PRODUCTION_REALM, "production")
    qb = quickbooks(simulator, client)
    assert CompanyInfo.get(PRODUCTION_REALM, qb=qb).CompanyName == "Harbor Point Freight Inc"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://localhost:8765/callback/",  # trailing slash
        "http://127.0.0.1:8765/callback",  # same place, different spelling
        "https://evil.example/callback",
    ],
)
def test_unregistered_redirect_uri_shows_an_error_page_and_never_redirects(
    simulator: SimulatorServer, redirect_uri: str
) -> None:
    url = auth_client(simulator, redirect_uri=redirect_uri).get_authorization_url(
        [Scopes.ACCOUNTING]
    )
    page = requests.get(url, allow_redirects=False, timeout=5)
    assert page.status_code == 400
    assert "Location" not in page.headers
    assert "matches it exactly" in page.text


@pytest.mark.parametrize(
    "redirect_uri", ["http://localhost:8765/callback", "https://127.0.0.1/callback"]
)
def test_production_keys_refuse_http_localhost_and_ip_redirects(
    simulator: SimulatorServer, redirect_uri: str
) -> None:
    client = auth_client(simulator, "production", redirect_uri)
    page = requests.get(client.get_authorization_url([Scopes.ACCOUNTING]), timeout=5)
    assert page.status_code == 400
    assert "Location" not in page.headers
    assert "https://" in page.text
    assert "localhost" in page.text


def test_unknown_client_id_shows_an_error_page(simulator: SimulatorServer) -> None:
    page = requests.get(
        f"{simulator.url}/connect/oauth2",
        params={
            "client_id": "ABnotarealclient",
            "response_type": "code",
            "scope": "com.intuit.quickbooks.accounting",
            "redirect_uri": "http://localhost:8765/callback",
            "state": "s",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert page.status_code == 400
    assert "client_id" in page.text


def test_cancel_redirects_with_access_denied_and_the_state(simulator: SimulatorServer) -> None:
    client = auth_client(simulator)
    url = client.get_authorization_url([Scopes.ACCOUNTING], state_token="state-123")
    params = callback(consent(simulator, url, US_REALM, decision="deny"))
    assert params == {"error": "access_denied", "state": "state-123"}


def test_playground_redirect_gets_code_state_and_realm(simulator: SimulatorServer) -> None:
    client = auth_client(simulator, redirect_uri=PLAYGROUND_REDIRECT)
    answer = consent(simulator, client.get_authorization_url([Scopes.ACCOUNTING]), UK_REALM)
    assert answer.headers["Location"].startswith(PLAYGROUND_REDIRECT + "?")
    params = callback(answer)
    assert set(params) == {"code", "state", "realmId"}
    assert params["realmId"] == UK_REALM


def test_a_code_works_once_and_reuse_revokes_what_it_issued(simulator: SimulatorServer) -> None:
    client = auth_client(simulator)
    params = callback(
        consent(simulator, client.get_authorization_url([Scopes.ACCOUNTING]), US_REALM)
    )
    client.get_bearer_token(params["code"], realm_id=US_REALM)
    first_access = client.access_token
    assert api(simulator, first_access, US_REALM, f"companyinfo/{US_REALM}").status_code == 200

    with pytest.raises(AuthClientError) as reused:
        client.get_bearer_token(params["code"], realm_id=US_REALM)
    assert reused.value.status_code == 400
    assert _error(reused)["error"] == "invalid_grant"
    assert api(simulator, first_access, US_REALM, f"companyinfo/{US_REALM}").status_code == 401


def test_a_code_expires_after_ten_simulated_minutes(simulator: SimulatorServer) -> None:
    client = auth_client(simulator)
    params = callback(
        consent(simulator, client.get_authorization_url([Scopes.ACCOUNTING]), US_REALM)
    )
    simulator.advance_clock(601)
    with pytest.raises(AuthClientError) as late:
        client.get_bearer_token(params["code"])
    assert _error(late)["error"] == "invalid_grant"


def test_code_exchange_needs_the_same_redirect_uri(simulator: SimulatorServer) -> None:
    client = auth_client(simulator)
    params = callback(
        consent(simulator, client.get_authorization_url([Scopes.ACCOUNTING]), US_REALM)
    )
    answer = token_call(
        simulator,
        "development",
        grant_type="authorization_code",
        code=params["code"],
        redirect_uri=PLAYGROUND_REDIRECT,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client_401(simulator: SimulatorServer) -> None:
    keys = simulator.info["keys"]["development"]
    answer = requests.post(
        f"{simulator.url}/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": "AB11whatever"},
        auth=(keys["client_id"], keys["client_secret"] + " "),
        timeout=5,
    )
    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client"}
    assert answer.headers["intuit_tid"]


def test_client_secret_post_is_accepted(simulator: SimulatorServer) -> None:
    tokens = simulator.mint_tokens(US_REALM)
    keys = simulator.info["keys"]["development"]
    answer = requests.post(
        f"{simulator.url}/oauth2/v1/tokens/bearer",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": keys["client_id"],
            "client_secret": keys["client_secret"],
        },
        timeout=5,
    )
    assert answer.status_code == 200
    assert answer.json()["refresh_token"] == tokens["refresh_token"]


def test_refresh_keeps_the_value_until_a_day_passes_then_rotates(
    simulator: SimulatorServer,
) -> None:
    client = connect(simulator)
    original = client.refresh_token
    client.refresh()
    assert client.refresh_token == original

    simulator.advance_clock(DAY)
    client.refresh()
    rotated = client.refresh_token
    assert rotated != original
    with pytest.raises(AuthClientError) as superseded:
        client.refresh(refresh_token=original)
    assert _error(superseded)["error"] == "invalid_grant"
    client.refresh(refresh_token=rotated)
    assert client.refresh_token == rotated


@pytest.mark.simulator_options(rotate_every_refresh=True)
def test_rotate_every_refresh_gives_a_new_value_each_time(simulator: SimulatorServer) -> None:
    client = connect(simulator)
    seen = {client.refresh_token}
    for _ in range(3):
        client.refresh()
        seen.add(client.refresh_token)
    assert len(seen) == 4

    simulator.control("set_rotation", every_refresh=False)
    before = client.refresh_token
    client.refresh()
    assert client.refresh_token == before


def test_access_token_expires_after_an_hour_and_refresh_brings_it_back(
    simulator: SimulatorServer,
) -> None:
    client = connect(simulator)
    simulator.advance_clock(3600)
    expired = api(simulator, client.access_token, US_REALM, f"companyinfo/{US_REALM}")
    assert expired.status_code == 401
    assert gateway_fault(expired)["code"] == "3200"
    client.refresh()
    fresh = api(simulator, client.access_token, US_REALM, f"companyinfo/{US_REALM}")
    assert fresh.status_code == 200


def test_refresh_token_rolls_forward_101_days_and_expires_unused(
    simulator: SimulatorServer,
) -> None:
    client = connect(simulator)
    simulator.advance_clock(99 * DAY)
    client.refresh()
    assert client.x_refresh_token_expires_in == 8726400  # what Intuit's responses say
    simulator.advance_clock(100 * DAY)
    client.refresh()  # still inside the rolled-forward window

    simulator.advance_clock(101 * DAY + 1)
    with pytest.raises(AuthClientError) as expired:
        client.refresh()
    assert _error(expired)["error"] == "invalid_grant"


def test_hard_expiry_is_only_reported_when_asked_for(simulator: SimulatorServer) -> None:
    tokens = simulator.mint_tokens(US_REALM)
    assert "x_refresh_token_hard_expires_in" not in tokens
    plain = token_call(
        simulator, "development", grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    ).json()
    assert "x_refresh_token_hard_expires_in" not in plain
    keys = simulator.info["keys"]["development"]
    opted_in = requests.post(
        f"{simulator.url}/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(keys["client_id"], keys["client_secret"]),
        headers={"x-include-refresh-token-hard-expires-in": "true"},
        timeout=5,
    ).json()
    five_years = 5 * 365 * DAY
    assert five_years - 60 < opted_in["x_refresh_token_hard_expires_in"] <= five_years


def test_tokens_are_bound_to_their_company(simulator: SimulatorServer) -> None:
    tokens = simulator.mint_tokens(US_REALM)
    other = api(simulator, tokens["access_token"], UK_REALM, f"companyinfo/{UK_REALM}")
    assert other.status_code == 403
    error = gateway_fault(other)
    assert error["code"] == "3100"
    assert error["type"] == "SERVICE"
    assert "errorCode=003100" in error["message"]


def test_refresh_token_from_other_keys_is_invalid_grant(simulator: SimulatorServer) -> None:
    tokens = simulator.mint_tokens(PRODUCTION_REALM, "production")
    answer = token_call(
        simulator, "development", grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_mint_tokens_matches_the_token_endpoint_and_respects_environments(
    simulator: SimulatorServer,
) -> None:
    minted = simulator.mint_tokens(UK_REALM)
    assert set(minted) == {
        "token_type",
        "access_token",
        "expires_in",
        "refresh_token",
        "x_refresh_token_expires_in",
    }
    assert api(simulator, minted["access_token"], UK_REALM, f"companyinfo/{UK_REALM}").ok
    with pytest.raises(ValueError, match="production company"):
        simulator.mint_tokens(PRODUCTION_REALM, "development")


def test_revoking_the_access_token_also_ends_the_refresh_token(
    simulator: SimulatorServer,
) -> None:
    client = connect(simulator)
    client.revoke(token=client.access_token)
    with pytest.raises(AuthClientError) as refused:
        client.refresh()
    assert _error(refused)["error"] == "invalid_grant"


def test_unsupported_grant_type(simulator: SimulatorServer) -> None:
    answer = token_call(simulator, "development", grant_type="client_credentials")
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_userinfo_answers_a_valid_access_token(simulator: SimulatorServer) -> None:
    client = connect(simulator)
    assert client.get_user_info().json()["email"].endswith(".example")
