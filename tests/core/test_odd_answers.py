"""Answers that are not what Intuit sends (captive portals, proxies, broken documents) end as
plain words, never as a library's own exception or as a wrong 'no connection'."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qbo_wizard.core.connection import intuit
from qbo_wizard.core.connection.api import FixedToken, QboApi, QboApiError
from qbo_wizard.core.connection.environments import Endpoints
from qbo_wizard.core.connection.intuit import OAuthCallFailed
from tests.odd_server import OddServer, odd_server

CLIENT_ID = "ABcanaryClientIdForOddAnswers0123456789abcdefghij"
CLIENT_SECRET = "canarySecretForOddAnswers0123456789abc"
REFRESH_TOKEN = "AB11canaryRefreshTokenForOddAnswers0123456789"


@pytest.fixture
def portal() -> Iterator[OddServer]:
    with odd_server() as server:
        yield server


def endpoints(server: OddServer) -> Endpoints:
    return Endpoints(
        environment="simulator",
        discovery_url=f"{server.url}/discovery",
        api_base_url=f"{server.url}/v3",
        qbo_web_url=server.url,
    )


def client_failure(server: OddServer) -> OAuthCallFailed:
    with pytest.raises(OAuthCallFailed) as caught:
        intuit.make_client(endpoints(server), CLIENT_ID, CLIENT_SECRET)
    return caught.value


@pytest.mark.parametrize(
    "document",
    [[], "null", {"issuer": "only this"}, 42],
    ids=["empty-list", "null", "fields-missing", "number"],
)
def test_a_discovery_document_of_the_wrong_shape_is_named_plainly(
    portal: OddServer, document: object
) -> None:
    portal.answer("/discovery", 200, document, "application/json")
    failure = client_failure(portal)
    assert "discovery document could not be read" in str(failure)
    assert failure.__context__ is None and failure.__cause__ is None


def test_a_captive_portal_instead_of_the_discovery_document_is_not_called_no_connection(
    portal: OddServer,
) -> None:
    failure = client_failure(portal)  # the portal's HTML page, with HTTP 200
    assert "no connection" not in str(failure)
    assert "captive portal" in str(failure)
    assert not failure.network


def test_a_captive_portal_answering_a_refresh_is_not_called_no_connection(
    portal: OddServer,
) -> None:
    portal.answer("/discovery", 200, portal.discovery_document())
    client = intuit.make_client(endpoints(portal), CLIENT_ID, CLIENT_SECRET)
    with pytest.raises(OAuthCallFailed) as caught:
        intuit.refresh(client, REFRESH_TOKEN)  # /token answers with the portal page
    assert "could not be read" in str(caught.value)
    assert "no connection" not in str(caught.value)
    assert not caught.value.network
    assert caught.value.__context__ is None


@pytest.mark.parametrize("body", [[1, 2], 7], ids=["list", "number"])
def test_a_token_answer_of_the_wrong_shape_is_a_plain_failure(
    portal: OddServer, body: object
) -> None:
    portal.answer("/discovery", 200, portal.discovery_document())
    portal.answer("/token", 200, body)
    client = intuit.make_client(endpoints(portal), CLIENT_ID, CLIENT_SECRET)
    with pytest.raises(OAuthCallFailed) as caught:
        intuit.refresh(client, REFRESH_TOKEN)
    assert REFRESH_TOKEN not in str(caught.value)
    assert caught.value.__context__ is None


# --- the Accounting API -----------------------------------------------------------------------

REALM = "4620816365000000000"


def api_for(server: OddServer) -> QboApi:
    return QboApi(
        endpoints=endpoints(server),
        realm_id=REALM,
        tokens=FixedToken("canary-access-token-odd-answers"),
        sleep=lambda seconds: None,
    )


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (400, {"Fault": {"Error": [{"Message": "Something broke", "Detail": "d"}]}}, "HTTP 400"),
        (400, {"Fault": {"Error": [{"code": "6000", "Detail": "Lines need a tax code"}]}}, "6000"),
        (400, {"Fault": None}, "HTTP 400"),
        (400, {"Fault": {"Error": None}}, "HTTP 400"),
        (200, 17, "HTTP 200"),
    ],
    ids=["no-code", "no-message", "null-fault", "null-errors", "a-number"],
)
def test_malformed_faults_end_as_a_plain_api_error(
    portal: OddServer, status: int, body: object, code: str
) -> None:
    portal.answer(f"/v3/company/{REALM}/companyinfo/{REALM}", status, body)
    with pytest.raises(QboApiError) as caught:
        api_for(portal).company_info()
    assert caught.value.code == code
    assert str(caught.value).startswith("QuickBooks refused to read CompanyInfo")
    assert caught.value.__context__ is None


def test_retry_after_is_honoured_when_quickbooks_sends_it(portal: OddServer) -> None:
    path = f"/v3/company/{REALM}/companyinfo/{REALM}"
    throttled = {"Fault": {"Error": [{"Message": "ThrottleExceeded", "code": "3001"}]}}
    portal.answer(path, 429, throttled, headers={"Retry-After": "7"})
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:  # the limit lifts after the second pause
            portal.answer(path, 200, {"CompanyInfo": {"CompanyName": "Odd Books"}})

    api = QboApi(
        endpoints=endpoints(portal),
        realm_id=REALM,
        tokens=FixedToken("canary-access-token-odd-answers"),
        sleep=wait,
    )
    assert api.company_info()["CompanyName"] == "Odd Books"
    assert waits == [7.0, 7.0]
