"""Every parser of pasted text raises only its own documented error, whatever is pasted.

Redirect addresses, refresh tokens, realm IDs, app keys, error texts for the explainer and the
picker's filter: IPv6 forms, control characters, percent garbage, megabytes, mixed encodings.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qbo_wizard.core.connection.callback import (
    CallbackProblem,
    IncompleteRedirect,
    parse_redirect,
)
from qbo_wizard.core.connection.credentials import CredentialProblem, check_shape
from qbo_wizard.core.connection.oauth import ConnectProblem, check_pasted_tokens
from qbo_wizard.core.health.explain import Explanation, explain_all
from qbo_wizard.core.mapping.picker_index import (
    MAX_QUERY_CHARS,
    PickerIndex,
    PickerResult,
    account_entry,
)
from tests.fuzz import fuzz, pasted_text, url_soup

from .company_data import ridgeline_accounts

STATE = "s7aTe-Value_123"
CODE = "AB11700000000abcDEFghiJKLmnoPQRstuVWXyz0123456789"
REALM = "9341452164813577"
TOKEN = "AB11800000000" + "x" * 70
MEGABYTES = ["a" * 3_000_000, "code=" * 600_000, "[::1" * 700_000, "\x00%" * 1_500_000]


def short_id(value: object) -> str:
    """A test id that does not print megabytes."""
    text = str(value)
    return f"{text[:12]!r}x{len(text)}"


def plain(message: str, *secrets: str) -> None:
    """A message for a person: something to read, no traceback, no secret, not the paste."""
    assert message.strip()
    assert "Traceback" not in message and "Error:" not in message
    assert len(message) < 1000
    for secret in secrets:
        assert secret not in message


# --- the redirect address (step 6 paste-back, `qbo-wizard login --method paste-url`) ---------


@pytest.mark.parametrize(
    "pasted",
    [
        "http://[::1/callback#code=abc",
        "http://[::1/callback?code=abc",
        "https://[::1]:99999/callback?code=abc",
        "http://[v1.x]/callback#code=abc&state=s",
        "http://[::1/callback#code=abc&state=" + STATE,
    ],
    ids=short_id,
)
def test_a_broken_ipv6_address_gets_a_plain_message(pasted: str) -> None:
    with pytest.raises(CallbackProblem) as caught:
        parse_redirect(pasted, STATE)
    plain(str(caught.value))


def test_the_reported_ipv6_paste_asks_for_the_whole_address() -> None:
    with pytest.raises(IncompleteRedirect) as caught:
        parse_redirect("http://[::1/callback#code=abc", STATE)
    assert "'state'" in str(caught.value)


@pytest.mark.parametrize("pasted", MEGABYTES, ids=short_id)
def test_megabytes_pasted_as_an_address_get_a_plain_message(pasted: str) -> None:
    with pytest.raises(CallbackProblem) as caught:
        parse_redirect(pasted, STATE)
    plain(str(caught.value))


@fuzz
@given(pasted_text([CODE, STATE, REALM, f"code={CODE}&state={STATE}&realmId={REALM}"]))
def test_any_paste_is_a_redirect_or_a_callback_problem(pasted: str) -> None:
    try:
        result = parse_redirect(pasted, STATE)
    except CallbackProblem as problem:
        plain(str(problem), CODE)
    else:
        assert result.realm_id.isdigit() and result.code


# --- tokens and realm ID from the OAuth Playground ------------------------------------------


@pytest.mark.parametrize(
    "pasted", [*MEGABYTES, "\ud800" * 50, "Refresh token: " * 100_000], ids=short_id
)
def test_megabytes_or_broken_text_pasted_as_a_token_get_a_plain_message(pasted: str) -> None:
    with pytest.raises(ConnectProblem) as caught:
        check_pasted_tokens(pasted, REALM)
    plain(str(caught.value))
    with pytest.raises(ConnectProblem) as caught:
        check_pasted_tokens(TOKEN, pasted)
    plain(str(caught.value))


def test_pasted_tokens_are_cleaned_and_kept() -> None:
    assert check_pasted_tokens(f' "{TOKEN}"\n', f"'{REALM}\u200b'") == (TOKEN, REALM)


@fuzz
@given(pasted_text([TOKEN, "Refresh token: ", "realm id: "]), pasted_text([REALM, "Realm ID:"]))
def test_any_pasted_tokens_are_accepted_or_a_connect_problem(token: str, realm: str) -> None:
    try:
        refresh_token, realm_id = check_pasted_tokens(token, realm)
    except ConnectProblem as problem:
        plain(str(problem), TOKEN)
    else:
        assert refresh_token and realm_id.isdigit()


# --- app keys (step 5) ----------------------------------------------------------------------

CLIENT_ID = "AB" + "c" * 48
SECRET = "s" * 40


@pytest.mark.parametrize("pasted", [*MEGABYTES, "client id: " * 200_000], ids=short_id)
def test_megabytes_pasted_as_a_key_get_a_plain_message(pasted: str) -> None:
    with pytest.raises(CredentialProblem) as caught:
        check_shape(pasted, SECRET)
    plain(str(caught.value), SECRET)


@fuzz
@given(pasted_text([CLIENT_ID, "Client ID: "]), pasted_text([SECRET, "Client secret: "]))
def test_any_pasted_keys_are_accepted_or_a_credential_problem(client_id: str, secret: str) -> None:
    try:
        checked = check_shape(client_id, secret)
    except CredentialProblem as problem:
        plain(str(problem), SECRET)
    else:
        assert checked.credentials.client_id.isalnum()


# --- the explainer --------------------------------------------------------------------------

_ERROR_PIECES = [
    '{"Fault":{"Error":[{"Message":"x","Detail":"y","code":"6000"}]}}',
    '{"Fault": [' * 50,
    '{"fault": ' + "[" * 5000,
    "<IntuitResponse><Fault><Error code='3200'>",
    "errorCode=003200",
    "intuit_tid: 1-abc",
    "invalid_grant",
    '"code": "' + "9" * 5000,
    '\\"',
    "HTTP 429",
]


@pytest.mark.parametrize("pasted", [*MEGABYTES, '{"Fault":' + "[" * 200_000], ids=short_id)
def test_megabytes_pasted_into_the_explainer_are_answered(pasted: str) -> None:
    assert isinstance(explain_all(pasted), list)


@fuzz
@given(pasted_text(_ERROR_PIECES))
def test_any_text_is_explained_or_not_recognised(text: str) -> None:
    found = explain_all(text)
    assert all(isinstance(e, Explanation) and e.title.strip() for e in found)


# --- the picker's filter (step 7) -----------------------------------------------------------

_INDEX = PickerIndex(account_entry(a) for a in ridgeline_accounts())


@pytest.mark.parametrize(
    "typed", [*MEGABYTES, "a " * 5_000, "x" * (MAX_QUERY_CHARS + 1)], ids=short_id
)
def test_megabytes_typed_into_the_filter_match_nothing(typed: str) -> None:
    result = _INDEX.filter(typed)
    assert result.matches == [] and result.total == 0


@fuzz
@given(st.one_of(st.text(max_size=60), url_soup(["Carrier", "Costs", ":", "4000", " "], 15)))
def test_any_filter_gives_a_result(typed: str) -> None:
    result = _INDEX.filter(typed)
    assert isinstance(result, PickerResult)
    assert result.total >= len(result.matches)
    assert all(match.entry in _INDEX.entries for match in result.matches)


def test_an_error_address_never_repeats_a_sign_in_code_it_carries() -> None:
    code = "AB11700000000abcDEFghiJKLmnoPQRstuVWXyz0123456789"
    for pasted in (
        f"error=code={code}&state={STATE}&realmId={REALM}",
        f"error=invalid_scope&error_description=see+{code}&state={STATE}",
    ):
        with pytest.raises(CallbackProblem) as caught:
            parse_redirect(pasted, STATE)
        assert code not in str(caught.value)


def test_an_oauth_error_name_is_still_named() -> None:
    with pytest.raises(CallbackProblem) as caught:
        parse_redirect(f"error=invalid_scope&state={STATE}", STATE)
    assert "invalid_scope" in str(caught.value)
