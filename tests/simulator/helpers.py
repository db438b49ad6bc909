"""Drive the practice QuickBooks the way a user and the real client libraries do."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from quickbooks import QuickBooks

from qbo_wizard.simulator.companies import PRODUCTION_REALM, UK_REALM, US_REALM
from qbo_wizard.simulator.server import SimulatorServer

__all__ = ["PRODUCTION_REALM", "UK_REALM", "US_REALM"]


def auth_client(
    sim: SimulatorServer, key_set: str = "development", redirect_uri: str | None = None
) -> AuthClient:
    """Intuit's own AuthClient, pointed at the simulator through its discovery URL."""
    keys = sim.info["keys"][key_set]
    return AuthClient(
        keys["client_id"],
        keys["client_secret"],
        redirect_uri or keys["redirect_uris"][0],
        environment=sim.info["discovery_url"],
    )


def consent(
    sim: SimulatorServer, authorize_url: str, realm_id: str | None, decision: str = "allow"
) -> requests.Response:
    """Open the consent page like a browser, pick a company and press Connect (or Cancel)."""
    browser = requests.Session()
    page = browser.get(authorize_url)
    assert page.status_code == 200, page.text
    action = html.unescape(re.search(r"<form method='post' action='([^']*)'", page.text)[1])
    form = {"decision": decision}
    if realm_id is not None:
        form["realm_id"] = realm_id
    return browser.post(sim.url + action, data=form, allow_redirects=False)


def callback(response: requests.Response) -> dict[str, str]:
    """The query parameters of the redirect the consent page answered with."""
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return {key: values[0] for key, values in query.items()}


def connect(
    sim: SimulatorServer, realm_id: str = US_REALM, key_set: str = "development"
) -> AuthClient:
    """The whole OAuth dance: authorize URL, consent, code exchange. Returns a ready AuthClient."""
    client = auth_client(sim, key_set)
    url = client.get_authorization_url([Scopes.ACCOUNTING])
    params = callback(consent(sim, url, realm_id))
    assert params["state"] == client.state_token
    client.get_bearer_token(params["code"], realm_id=params["realmId"])
    return client


def quickbooks(sim: SimulatorServer, client: AuthClient) -> QuickBooks:
    """python-quickbooks, unmodified, aimed at the simulator through its API URL attributes."""
    qb = QuickBooks(
        auth_client=client,
        refresh_token=client.refresh_token,
        company_id=client.realm_id,
        minorversion=75,
    )
    qb.api_url_v3 = qb.sandbox_api_url_v3 = sim.api_base_url
    return qb


def api(
    sim: SimulatorServer,
    access_token: str | None,
    realm_id: str,
    path: str,
    *,
    method: str = "GET",
    **kwargs: Any,
) -> requests.Response:
    """A raw Accounting API call with plain requests, for checking Intuit's exact shapes."""
    headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
    if access_token is not None:
        headers["Authorization"] = f"Bearer {access_token}"
    params = {"minorversion": "75", **kwargs.pop("params", {})}
    return requests.request(
        method,
        f"{sim.api_base_url}/company/{realm_id}/{path}",
        headers=headers,
        params=params,
        timeout=10,
        **kwargs,
    )


def query(sim: SimulatorServer, token: str, realm_id: str, text: str) -> requests.Response:
    """POST a query as python-quickbooks does (Content-Type application/text)."""
    return api(
        sim,
        token,
        realm_id,
        "query",
        method="POST",
        data=text.encode(),
        headers={"Content-Type": "application/text"},
    )


def fault(response: requests.Response) -> dict[str, Any]:
    """The first error of a standard `Fault` envelope."""
    body = response.json()
    assert "Fault" in body, body
    error: dict[str, Any] = body["Fault"]["Error"][0]
    return {**error, "type": body["Fault"]["type"]}


def gateway_fault(response: requests.Response) -> dict[str, Any]:
    """The first error of the gateway's lowercase `fault` envelope."""
    body = response.json()
    assert "fault" in body, body
    error: dict[str, Any] = body["fault"]["error"][0]
    return {**error, "type": body["fault"]["type"]}


def token_call(sim: SimulatorServer, key_set: str, **form: str) -> requests.Response:
    """A raw token-endpoint POST with HTTP Basic client authentication."""
    keys = sim.info["keys"][key_set]
    return requests.post(
        f"{sim.url}/oauth2/v1/tokens/bearer",
        data=form,
        auth=(keys["client_id"], keys["client_secret"]),
        headers={"Accept": "application/json"},
        timeout=10,
    )


def find(
    sim: SimulatorServer, token: str, realm_id: str, entity: str, field: str, value: str
) -> dict[str, Any]:
    """The one record, active or not, whose field equals value."""
    escaped = value.replace("'", "\\'")
    text = (
        f"SELECT * FROM {entity} WHERE {field} = '{escaped}' "  # noqa: S608 (QBO query, not SQL)
        "AND Active IN (true, false)"
    )
    rows: list[dict[str, Any]] = query(sim, token, realm_id, text).json()["QueryResponse"][entity]
    assert len(rows) == 1, rows
    return rows[0]
