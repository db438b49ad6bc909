"""Reading QuickBooks errors in every shape Intuit sends them (qbo-facts §2.6)."""

from __future__ import annotations

import json

import pytest

from qbo_wizard.core.connection.api import Fault, QboApiError, parse_fault

STANDARD = json.dumps(
    {
        "Fault": {
            "Error": [
                {
                    "Message": "A business validation error has occurred while processing "
                    "your request",
                    "Detail": "Business Validation Error: Make sure all your transactions "
                    "have a GST/HST rate before you save.",
                    "code": "6000",
                    "element": "",
                }
            ],
            "type": "ValidationFault",
        },
        "time": "2017-09-29T09:17:31.892-07:00",
    }
)
GATEWAY = json.dumps(
    {
        "warnings": None,
        "intuitObject": None,
        "fault": {
            "error": [
                {
                    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "detail": "Token expired: 0123",
                    "code": "3200",
                    "element": None,
                }
            ],
            "type": "AUTHENTICATION",
        },
        "requestId": None,
        "time": 1633520295688,
    }
)
XML = (
    '<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2024-01-01">'
    '<Fault type="ValidationFault"><Error code="2500" '
    'element="Line.SalesItemLineDetail.ItemRef"><Message>Invalid Reference Id</Message>'
    "<Detail>Something you're trying to use has been made inactive.</Detail></Error>"
    "</Fault></IntuitResponse>"
)
THROTTLE_XML = (
    '<?xml version="1.0"?><IntuitResponse><Fault type="SERVICE"><Error code="003001">'
    "<Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>"
    "<Detail>The request limit was reached.</Detail></Error></Fault></IntuitResponse>"
)


@pytest.mark.parametrize(
    ("body", "status", "code", "detail_words"),
    [
        (STANDARD, 400, "6000", "GST/HST"),
        (GATEWAY, 401, "3200", "Token expired"),
        (XML, 400, "2500", "inactive"),
        (THROTTLE_XML, 429, "3001", "request limit"),
        ("errorCode=007001; statusCode=400; message=wrong URL", 400, "7001", ""),
    ],
)
def test_every_shape_gives_the_code_and_detail(
    body: str, status: int, code: str, detail_words: str
) -> None:
    fault = parse_fault(body, status)
    assert fault is not None
    assert fault.code == code
    assert detail_words in fault.detail


def test_the_element_path_is_kept() -> None:
    fault = parse_fault(
        json.dumps({"Fault": {"Error": [{"Message": "m", "code": "2500", "element": "Line.X"}]}}),
        400,
    )
    assert fault == Fault(code="2500", message="m", detail="", element="Line.X")


@pytest.mark.parametrize("body", ["", "not json", '{"QueryResponse": {}}', "<html>oops</html>"])
def test_bodies_without_a_fault_give_none(body: str) -> None:
    assert parse_fault(body, 500) is None


def test_auth_and_environment_errors_mean_reconnect() -> None:
    assert QboApiError("x", code="3200", status=401).exit_code == 4
    assert QboApiError("x", code="3100", status=403).exit_code == 4
    assert QboApiError("x", code="6000", status=400).exit_code == 1


def test_the_api_reads_faults_as_explain_does() -> None:
    """One error object instead of a list, and a capitalised Code: explain reads both, and so
    does the client (they share the readers)."""
    single = json.dumps({"Fault": {"Error": {"Code": "6000", "Detail": "Pick a tax code"}}})
    fault = parse_fault(single, 400)
    assert fault is not None
    assert (fault.code, fault.detail) == ("6000", "Pick a tax code")


def test_gateway_machine_text_becomes_plain_words() -> None:
    from qbo_wizard.core.connection.api import _plain_message
    from qbo_wizard.core.problems import say

    fault = parse_fault(THROTTLE_XML, 429)
    assert fault is not None
    message = say(*_plain_message("read the company's details", fault, 429, "1-abc"))
    assert "errorCode=" not in message
    assert "message=ThrottleExceeded" not in message
    assert message.startswith(
        "QuickBooks refused to read the company's details (error 3001: QuickBooks is asking "
        "the app to slow down)."
    )
    assert "wait a minute" in message


def test_a_6000_shows_its_detail_not_the_generic_message() -> None:
    from qbo_wizard.core.connection.api import _plain_message
    from qbo_wizard.core.problems import say

    fault = parse_fault(STANDARD, 400)
    assert fault is not None
    message = say(*_plain_message("post the bill", fault, 400, None))
    assert "GST/HST rate" in message
    assert "business validation error has occurred" not in message
