"""The practice QuickBooks behaves like the real one where real clients notice the difference."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import requests

from qbo_wizard.core.health.explain import explain
from qbo_wizard.simulator.companies import AU_REALM, CA_REALM
from qbo_wizard.simulator.server import SimulatorServer
from tests.simulator.helpers import UK_REALM, US_REALM, api

NS = {"q": "http://schema.intuit.com/finance/v3"}


def _xml(answer: requests.Response) -> ET.Element:
    return ET.fromstring(answer.content)  # noqa: S314  # the local practice server's own answer


@pytest.fixture
def token(simulator: SimulatorServer) -> str:
    return str(simulator.mint_tokens(US_REALM)["access_token"])


def test_a_misspelt_field_in_a_create_is_refused_with_2010(
    simulator: SimulatorServer, token: str
) -> None:
    answer = api(
        simulator,
        token,
        US_REALM,
        "customer",
        method="POST",
        json={"DisplayName": "Typo Freight", "PrimaryEmailAdress": {"Address": "a@b.example"}},
    )
    assert answer.status_code == 400
    error = answer.json()["Fault"]["Error"][0]
    assert error["code"] == "2010"
    assert error["Message"] == "Request has invalid or unsupported property"
    assert '"PrimaryEmailAdress"' in error["Detail"]
    found = api(
        simulator,
        token,
        US_REALM,
        "query",
        params={"query": "SELECT * FROM Customer WHERE DisplayName = 'Typo Freight'"},
    )
    assert found.json()["QueryResponse"] == {}  # nothing was created


@pytest.mark.parametrize("paging", ["STARTPOSITION 3 MAXRESULTS 2", "MAXRESULTS 2 STARTPOSITION 3"])
def test_paging_clauses_work_in_either_order(
    simulator: SimulatorServer, token: str, paging: str
) -> None:
    answer = api(
        simulator,
        token,
        US_REALM,
        "query",
        params={"query": f"SELECT * FROM Account ORDERBY Name {paging}"},  # noqa: S608
    )
    assert answer.status_code == 200, answer.text
    response = answer.json()["QueryResponse"]
    assert (response["startPosition"], response["maxResults"]) == (3, 2)


def test_json_is_compact_and_record_times_are_whole_seconds(
    simulator: SimulatorServer, token: str
) -> None:
    answer = api(simulator, token, US_REALM, f"companyinfo/{US_REALM}")
    assert '": ' not in answer.text and '", "' not in answer.text
    meta = answer.json()["CompanyInfo"]["MetaData"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-07:00", meta["CreateTime"])
    assert re.fullmatch(r".*T\d\d:\d\d:\d\d\.\d{3}-07:00", answer.json()["time"])


def test_xml_clients_get_xml_records_queries_and_faults(
    simulator: SimulatorServer, token: str
) -> None:
    xml = {"Accept": "application/xml"}
    info = api(simulator, token, US_REALM, f"companyinfo/{US_REALM}", headers=xml)
    assert info.headers["Content-Type"].startswith("application/xml")
    root = _xml(info)
    company = root.find("q:CompanyInfo", NS)
    assert company is not None and company.get("domain") == "QBO"
    assert company.findtext("q:CompanyName", namespaces=NS) == "Bluewater Freight Brokers LLC"

    query = api(
        simulator,
        token,
        US_REALM,
        "query",
        params={"query": "SELECT * FROM Account MAXRESULTS 2"},
        headers=xml,
    )
    result = _xml(query).find("q:QueryResponse", NS)
    assert result is not None and result.get("maxResults") == "2"
    accounts = result.findall("q:Account", NS)
    assert len(accounts) == 2
    currency = accounts[0].find("q:CurrencyRef", NS)
    assert currency is not None and (currency.text, currency.get("name")) == (
        "USD",
        "United States Dollar",
    )

    missing = api(simulator, token, US_REALM, "invoice/999999", headers=xml)
    assert missing.status_code == 400
    error = _xml(missing).find("q:Fault/q:Error", NS)
    assert error is not None and error.get("code") == "610"
    assert error.findtext("q:Message", namespaces=NS) == "Object Not Found"


def test_the_xml_throttle_scenario_answers_xml_to_a_json_client(
    simulator: SimulatorServer, token: str
) -> None:
    simulator.control("scenario", name="throttle-xml", realm_id=US_REALM)
    answer = api(
        simulator,
        token,
        US_REALM,
        f"companyinfo/{US_REALM}",
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 429
    assert answer.headers["Content-Type"].startswith("application/xml")
    error = _xml(answer).find("q:Fault/q:Error", NS)
    assert error is not None and error.get("code") == "3001"
    message = error.findtext("q:Message", namespaces=NS)
    assert message == "message=ThrottleExceeded; errorCode=003001; statusCode=429"


@pytest.mark.parametrize(
    ("realm_id", "wording"),
    [
        (UK_REALM, "Make sure all your transactions have a VAT rate before you save."),
        (CA_REALM, "Make sure all your transactions have a GST/HST rate before you save."),
        (AU_REALM, "Make sure all your transactions have a GST rate before you save."),
    ],
)
def test_outside_the_us_an_invoice_line_without_a_tax_code_gets_the_regions_6000(
    simulator: SimulatorServer, realm_id: str, wording: str
) -> None:
    token = simulator.mint_tokens(realm_id)["access_token"]
    books = simulator.companies[realm_id].books
    customer = next(c for c in books.all("Customer") if c["Active"])
    item = next(i for i in books.all("Item") if i["Type"] == "Service")
    answer = api(
        simulator,
        token,
        realm_id,
        "invoice",
        method="POST",
        json={
            "CustomerRef": {"value": customer["Id"]},
            "Line": [
                {
                    "Amount": 1.0,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}},
                }
            ],
        },
    )
    assert answer.status_code == 400
    error = answer.json()["Fault"]["Error"][0]
    assert (error["code"], error["Detail"]) == ("6000", f"Business Validation Error: {wording}")
    explained = explain(answer.text)
    assert explained is not None
    assert (explained.key, explained.step) == ("sales-tax-code-required", "map")


def test_a_misspelt_field_on_an_invoice_line_is_refused_with_2010(
    simulator: SimulatorServer, token: str
) -> None:
    books = simulator.companies[US_REALM].books
    customer = next(c for c in books.all("Customer") if c["Active"])
    item = next(i for i in books.all("Item") if i["Type"] == "Service")
    line = {
        "Amount": 1.0,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}},
        "Descripton": "misspelt",
    }
    answer = api(
        simulator,
        token,
        US_REALM,
        "invoice",
        method="POST",
        json={"CustomerRef": {"value": customer["Id"]}, "Line": [line]},
    )
    assert answer.status_code == 400
    error = answer.json()["Fault"]["Error"][0]
    assert error["code"] == "2010" and '"Descripton"' in error["Detail"]
