"""`explain` recognises real error texts in every shape users paste, and never fails on garbage."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbo_wizard.core.health.explain import explain, explain_all, explain_error, find_intuit_tid
from qbo_wizard.core.steps import STEP_IDS

TID = "1-65f1c2d3-4a5b6c7d8e9f0a1b2c3d4e5f"

# Strings exactly as they appear in the help-centre articles the wizard grew from.
SEED_3200 = (
    "Failed to update QuickBooks. The error from QuickBooks is : Fault Exception of type: "
    "AUTHENTICATION has been generated. 3200: message=Exception authenticating OAuth; "
    "errorCode=003200; statusCode=401 [:]"
)
SEED_STOLEN = (
    "This occurs when another of your QuickBooks Online users has stolen your authorization ticket."
)
SEED_ALREADY_PURCHASED = (
    "The application has already been subscribed to by another user for this company. "
    "Please contact xxx to make changes to this subscription."
)


@pytest.mark.parametrize(
    ("text", "key", "code", "step"),
    [
        (SEED_3200, "3200", "3200", "connect"),
        (SEED_3200 + "\n\n...\n\n" + SEED_STOLEN, "connection-taken-over", "3200", "connect"),
        (SEED_STOLEN, "connection-taken-over", None, "connect"),
        (SEED_ALREADY_PURCHASED, "App_Already_Purchased", "App_Already_Purchased", "connect"),
        ("App_Already_Purchased", "App_Already_Purchased", "App_Already_Purchased", "connect"),
        ("Fault Exception of type AUTHENTICATION", None, None, None),
        (
            "If the user changes their password:",
            "authorizing-user-password-changed",
            None,
            "connect",
        ),
        ("If the user is deleted from QBO:", "authorizing-user-deleted", None, "create-app"),
        (
            "Quickbooks error code 6000 for carrier invoices",
            "account-payable-on-line",
            "6000",
            "map",
        ),
        (
            "When you experience the QBO 6000 error code for a carrier invoice, follow these "
            "steps to resolve the error:",
            "account-payable-on-line",
            "6000",
            "map",
        ),
    ],
)
def test_the_help_centre_strings_are_recognised(
    text: str, key: str | None, code: str | None, step: str | None
) -> None:
    found = explain(text)
    if key is None:
        assert found is None
        return
    assert found is not None
    assert (found.key, found.code, found.step) == (key, code, step)


def _fault(code: str, message: str, detail: str, element: str = "") -> str:
    return json.dumps(
        {
            "Fault": {
                "Error": [{"Message": message, "Detail": detail, "code": code, "element": element}],
                "type": "ValidationFault",
            },
            "time": "2024-05-01T09:17:31.892-07:00",
        }
    )


REAL_WORLD = [
    # JSON Fault bodies as the Accounting API returns them.
    (
        _fault(
            "6000",
            "A business validation error has occurred while processing your request",
            "Business Validation Error: Make sure all your transactions have a GST/HST rate "
            "before you save.",
        ),
        "sales-tax-code-required",
        "6000",
    ),
    (
        _fault(
            "6000",
            "A business validation error has occurred while processing your request",
            "Business Validation Error: You must set a transaction amount.",
        ),
        "6000",
        "6000",
    ),
    (
        _fault(
            "6140",
            "Duplicate Document Number Error",
            "Duplicate Document Number Error : You must specify a different number. This number "
            "has already been used. DocNumber=1001 is assigned to TxnType=Invoice with TxnId=145",
        ),
        "6140",
        "6140",
    ),
    (
        _fault(
            "6240",
            "Duplicate Name Exists Error",
            "The name supplied already exists. : Another customer, vendor or employee is already "
            "using this name. Please use a different name.",
        ),
        "6240",
        "6240",
    ),
    (
        _fault(
            "6190",
            "Invalid Company Status",
            "Subscription period has ended or canceled or there was a billing problem",
        ),
        "6190",
        "6190",
    ),
    (
        _fault(
            "610",
            "Object Not Found",
            "Object Not Found : Something you're trying to use has been made inactive.",
        ),
        "610",
        "610",
    ),
    (
        _fault(
            "2020",
            "Required param missing, need to supply the required value for the API",
            "Required parameter Line is missing in the request",
        ),
        "2020",
        "2020",
    ),
    (
        _fault(
            "2500",
            "Invalid Reference Id",
            "Invalid Reference Id : Categories cannot be used in transactions",
            "Line.SalesItemLineDetail.ItemRef",
        ),
        "2500",
        "2500",
    ),
    (
        _fault(
            "5010",
            "Stale Object Error",
            "Stale Object Error : You and Alice were working on this at the same time.",
        ),
        "5010",
        "5010",
    ),
    (
        _fault(
            "500",
            "Unsupported Operation",
            "Operation Could not find resource for relative : /v3/company//invoice is not "
            "supported.",
        ),
        "500",
        "500",
    ),
    (
        _fault(
            "120",
            "Authorization Failure",
            "AuthorizationFailure: -11014 Your subscription does not include this.",
        ),
        "120",
        "120",
    ),
    # The gateway's lower-case envelope.
    (
        '{"warnings":null,"intuitObject":null,"fault":{"error":[{"message":"message='
        'AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Authentication '
        'failed","code":"3200","element":null}],"type":"AUTHENTICATION"},"requestId":null,'
        '"time":1633520295688}',
        "3200",
        "3200",
    ),
    (
        '{"fault":{"error":[{"message":"message=ApplicationAuthorizationFailed; '
        'errorCode=003100; statusCode=403","detail":null,"code":"3100"}],"type":"SERVICE"}}',
        "3100",
        "3100",
    ),
    (
        "message=Subscription period has ended or Invalid destination URL; errorCode=007001; "
        "statusCode=400",
        "007001",
        "007001",
    ),
    # XML IntuitResponse bodies.
    (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse '
        'xmlns="http://schema.intuit.com/finance/v3" time="2024-05-01T06:44:39.540-07:00">'
        '<Fault type="AuthenticationFault"><Error code="100"><Message>General Authentication '
        "Error</Message><Detail>AuthenticationErrorGeneral: SRV-110-Authentication Failure , "
        "statusCode: 401</Detail></Error></Fault></IntuitResponse>",
        "100",
        "100",
    ),
    (
        '<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2024-05-01">\n'
        '  <Fault type="ValidationFault">\n'
        '    <Error code="3001">\n'
        "      <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>\n"
        "      <Detail>The request limit was reached.</Detail>\n"
        "    </Error>\n  </Fault>\n</IntuitResponse>",
        "throttled",
        "3001",
    ),
    (
        '<IntuitResponse><Fault type="ValidationFault"><Error code="2500" '
        'element="Line.SalesItemLineDetail.ItemRef"><Message>Invalid Reference Id</Message>'
        "<Detail>Invalid Reference Id : Item assigned to this transaction has been deleted"
        "</Detail></Error></Fault></IntuitResponse>",
        "2500",
        "2500",
    ),
    # intuit-oauth's AuthClientError text.
    (
        "intuitlib.exceptions.AuthClientError: HTTP status 400, error message: "
        'b\'{"error_description":"Incorrect or invalid refresh token","error":'
        f'"invalid_grant"}}\', intuit_tid {TID} at time Mon, 06 May 2024 10:00:00 GMT',
        "invalid_grant",
        "invalid_grant",
    ),
    (
        'HTTP status 401, error message: b\'{"error":"invalid_client"}\', '
        f"intuit_tid {TID} at time Mon, 06 May 2024 10:00:00 GMT",
        "invalid_client",
        "invalid_client",
    ),
    (
        '{"error":"invalid_grant","error_description":"Token invalid"}',
        "invalid_grant",
        "invalid_grant",
    ),
    # Callback URLs and Intuit's own pages.
    (
        "http://localhost:8765/callback?error=access_denied&error_description=User+denied+"
        "access&state=7f3a",
        "access_denied",
        "access_denied",
    ),
    (
        "The redirect_uri query parameter value is invalid. Make sure it is listed in the "
        "Redirect URIs section on your app's keys tab and matches it exactly.",
        "redirect_uri_mismatch",
        "redirect_uri_mismatch",
    ),
    ('{"error": "invalid_scope"}', "invalid_scope", "invalid_scope"),
    # python-quickbooks exception text.
    (
        "quickbooks.exceptions.ValidationException: QB Validation Exception 6000: A business "
        "validation error has occurred while processing your request\nBusiness Validation "
        "Error: You must select an account other than Accounts Payable (A/P) for this line.",
        "account-payable-on-line",
        "6000",
    ),
    (
        "QB Auth Exception 130: WrongClusterError\nAccessing wrong cluster -11017",
        "130",
        "130",
    ),
    # HTTP statuses with no code.
    ("HTTP/1.1 429 Too Many Requests", "throttled", "HTTP 429"),
    ("HTTP/1.1 503 Service Unavailable", "intuit-server-error", "HTTP 503"),
]


@pytest.mark.parametrize(("text", "key", "code"), REAL_WORLD)
def test_real_world_error_texts(text: str, key: str, code: str) -> None:
    found = explain(text)
    assert found is not None, text
    assert (found.key, found.code) == (key, code)
    assert found.step is None or found.step in STEP_IDS
    assert found.title and found.cause and found.fix


def test_a_fault_inside_a_log_line_is_found_and_its_detail_shown() -> None:
    body = _fault(
        "6000",
        "A business validation error has occurred while processing your request",
        "Business Validation Error: Please select a VAT rate for this line.",
    )
    log = (
        "2024-05-06 10:00:01 INFO sync started\n"
        f"2024-05-06 10:00:02 ERROR posting invoice 42 failed: {body} (attempt 1)\n"
        "2024-05-06 10:00:03 INFO sync finished\n"
    )
    found = explain(log)
    assert found is not None
    assert found.key == "sales-tax-code-required"
    assert found.detail == "Business Validation Error: Please select a VAT rate for this line."


def test_a_fault_escaped_inside_another_json_string_is_found() -> None:
    body = _fault("5010", "Stale Object Error", "Stale Object Error : edited elsewhere")
    log_record = json.dumps({"level": "error", "message": body})
    assert '\\"Fault\\"' in log_record
    found = explain(log_record)
    assert found is not None and found.key == "5010"


def test_a_python_repr_of_a_fault_is_found() -> None:
    text = str({"Fault": {"Error": [{"Message": "Object Not Found", "code": "610"}]}})
    found = explain(text)
    assert found is not None and found.key == "610"


def test_the_most_specific_of_several_errors_wins() -> None:
    text = json.dumps(
        {
            "Fault": {
                "Error": [
                    {"Message": "Required param missing", "Detail": "Line", "code": "2020"},
                    {
                        "Message": "A business validation error has occurred",
                        "Detail": "Invalid account type: Accounts Payable (A/P) on a line",
                        "code": "6000",
                    },
                ]
            }
        }
    )
    found = explain_all(text)
    assert [e.key for e in found] == ["account-payable-on-line", "2020"]
    assert found[0].detail == "Invalid account type: Accounts Payable (A/P) on a line"


def test_a_code_beats_a_bare_http_status() -> None:
    found = explain(SEED_3200)
    assert found is not None and found.key == "3200"  # not the catch-all for statusCode=401


def test_an_unlisted_code_falls_back_to_its_kind_with_quickbooks_words() -> None:
    found = explain(_fault("6999", "Something new", "Brand-new rule : the detail"))
    assert found is not None
    assert found.key == "other-validation-error"
    assert found.code == "6999"
    assert "6999" in found.title
    assert found.detail == "Brand-new rule : the detail"


def test_a_number_in_prose_is_not_an_error_code() -> None:
    assert explain("We sent 3 invoices totalling 6999 dollars on 2024-05-06") is None
    assert explain("error 4444 happened") is None  # loose numbers must be codes we list


@pytest.mark.parametrize(
    "text",
    [
        f"< HTTP/1.1 400 Bad Request\n< intuit_tid: {TID}\n< Content-Type: application/json\n"
        + _fault("6000", "A business validation error", "GST/HST rate"),
        _fault("6000", "A business validation error", "GST/HST rate")[:-1]
        + f', "intuit_tid": "{TID}"}}',
        f"Intuit_Tid={TID} errorCode=003200",
        'HTTP status 400, error message: b\'{"error":"invalid_grant"}\', '
        f"intuit_tid {TID} at time Mon, 06 May 2024 10:00:00 GMT",
        f"{{'intuit_tid': '{TID}', 'Date': 'Mon'}} QB Validation Exception 6240: Duplicate Name",
    ],
)
def test_intuit_tid_is_extracted_wherever_it_appears(text: str) -> None:
    found = explain(text)
    assert found is not None
    assert found.intuit_tid == TID
    assert find_intuit_tid(text) == TID


def test_the_intuit_tid_nearest_the_error_is_chosen() -> None:
    log = (
        "10:00 intuit_tid=1-aaaaaaaa-111 ok\n"
        + "10:01 filler line\n" * 30
        + "10:05 intuit_tid=1-bbbbbbbb-222 errorCode=003200\n"
    )
    found = explain(log)
    assert found is not None and found.intuit_tid == "1-bbbbbbbb-222"


def test_a_missing_intuit_tid_stays_empty() -> None:
    text = 'HTTP status 400, error message: b\'{"error":"invalid_grant"}\', intuit_tid None'
    found = explain(text)
    assert found is not None and found.intuit_tid is None


def test_secrets_in_the_pasted_text_never_reach_the_explanation() -> None:
    refresh = "AB11797212345CanaryRefreshTokenXyZ9ab8cd7ef6gh5ij4kl3"
    text = _fault("6000", "A business validation error", f"refresh_token={refresh} was used")
    found = explain(text)
    assert found is not None
    assert refresh not in json.dumps(found.to_json_dict())


def test_the_json_form_has_the_documented_fields() -> None:
    found = explain(SEED_3200)
    assert found is not None
    data = found.to_json_dict()
    assert {"code", "title", "cause", "fix", "step", "intuit_tid"} <= set(data)
    assert isinstance(data["cause"], list) and isinstance(data["fix"], list)
    json.dumps(data)


def test_an_error_at_the_end_of_a_huge_log_is_still_found() -> None:
    log = ("10:00 INFO nothing to see here\n" * 150_000) + "10:59 ERROR " + SEED_3200
    assert len(log) > 4_000_000
    found = explain(log)
    assert found is not None and found.key == "3200"


@pytest.mark.parametrize("text", ["", "   ", "hello", "{}", "<Error>", "null", "\x00\x01"])
def test_nothing_recognised_is_none(text: str) -> None:
    assert explain(text) is None


def test_explain_error_for_callers_that_hold_the_code() -> None:
    found = explain_error(
        6000, message="A business validation error", detail="Select a VAT rate", intuit_tid=TID
    )
    assert found is not None
    assert (found.key, found.code, found.intuit_tid) == ("sales-tax-code-required", "6000", TID)
    assert found.detail == "Select a VAT rate"
    status_only = explain_error(None, status=429)
    assert status_only is not None and status_only.key == "throttled"
    assert explain_error("nonsense") is None


# Building blocks of the shapes the parser follows, so fuzzing reaches its deeper paths.
_FRAGMENTS = st.sampled_from(
    [
        '"Fault":',
        '"fault": ',
        '\\"Fault\\":',
        "{",
        "}",
        "[",
        "]",
        '"Error":',
        '"error":',
        '"code":',
        '"6000"',
        '"Detail":',
        '"Message": "',
        '<Error code="',
        "</Error>",
        "<Message>",
        "<Detail>",
        "errorCode=",
        "003200",
        "; statusCode=401",
        "QB Validation Exception ",
        "intuit_tid: ",
        "1-abc-123",
        "error=",
        "access_denied",
        "invalid_grant",
        "error_description=",
        "HTTP/1.1 ",
        "429",
        "\\",
        '"',
        "'",
        "\n",
        "A/P",
        "password",
        "changed their password",
        "ﬀ",
        "İ",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_explain_never_raises_on_any_text(text: str) -> None:
    result = explain(text)
    assert result is None or result.title


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join))
def test_explain_never_raises_on_near_miss_error_shapes(text: str) -> None:
    for found in explain_all(text):
        assert found.step is None or found.step in STEP_IDS
        json.dumps(found.to_json_dict())


def test_letters_that_grow_when_lowered_do_not_shift_what_is_found() -> None:
    text = "İ" * 500 + "\nThe admin changed their password yesterday\n" + "İ" * 500
    found = explain(text)
    assert found is not None and found.key == "authorizing-user-password-changed"


@pytest.mark.parametrize(
    ("text", "key", "code"),
    [
        ("3200", "3200", "3200"),
        ("003200", "3200", "3200"),
        (" 6000\n", "6000", "6000"),
        ("'3100'", "3100", "3100"),
        ("429", "throttled", "HTTP 429"),
        ("401", "http-401", "HTTP 401"),
        ("6999", "other-validation-error", "6999"),
    ],
)
def test_a_bare_code_is_explained(text: str, key: str, code: str) -> None:
    found = explain(text)
    assert found is not None
    assert (found.key, found.code) == (key, code)


@pytest.mark.parametrize(
    ("text", "key", "step"),
    [
        # Intuit's sign-in page, as integrations' own setup guides quote it.
        ("There is no sandbox companies found for the user", "no-sandbox-company", "credentials"),
        (
            "This app no longer meets our guidelines. Contact the app's developer.",
            "app-delisted",
            "questionnaire",
        ),
    ],
)
def test_sign_in_page_messages_without_a_code_are_explained(text: str, key: str, step: str) -> None:
    found = explain(text)
    assert found is not None
    assert (found.key, found.step) == (key, step)


def test_a_server_fault_that_looks_like_a_keys_problem_is_an_outage() -> None:
    body = _fault("3100", "message=InternalServerError; errorCode=003100; statusCode=500", "")
    found = explain(body)
    assert found is not None
    assert (found.key, found.step) == ("intuit-outage", "troubleshoot")
    plain = explain(_fault("3100", "message=AuthorizationFailed; errorCode=003100", ""))
    assert plain is not None and plain.key == "3100"


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (502, "502 Bad Gateway"),
        (503, "503 Service Temporarily Unavailable"),
        (504, "504 Gateway Time-out"),
    ],
)
def test_load_balancer_pages_are_outages_and_their_intuit_tid_is_found(
    status: int, title: str
) -> None:
    text = (
        f"HTTP/1.1 {status}\nServer: nginx\nContent-Type: text/html\nintuit_tid: {TID}\n\n"
        f'<html>\r\n<head><title>{title}</title></head>\r\n<body bgcolor="white">\r\n'
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>"
    )
    found = explain(text)
    assert found is not None
    assert (found.code, found.step, found.intuit_tid) == (f"HTTP {status}", "troubleshoot", TID)
