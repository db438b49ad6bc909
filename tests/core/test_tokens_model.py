"""The stored token set: one keyring entry, readable only when whole, and its expiry warnings."""

from __future__ import annotations

import json

import pytest

from qbo_wizard.core.connection.intuit import TokenResponse
from qbo_wizard.core.connection.tokens import (
    NotConnected,
    StoredTokensUnreadable,
    TokenKeeper,
    TokenSet,
    TokenStore,
    expiry_warnings,
    token_status,
)
from qbo_wizard.core.connection.vault import MemoryKeyring

NOW = 1_900_000_000.0
DAY = 86400.0
ACCESS = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0..secret-access"
REFRESH = "AB11900000000RefreshTokenValueThatMustNeverLeak01"


def answer(**extra: object) -> TokenResponse:
    data: dict[str, object] = {
        "access_token": ACCESS,
        "refresh_token": REFRESH,
        "token_type": "bearer",
        "expires_in": 3600,
        "x_refresh_token_expires_in": 8726400,
        **extra,
    }
    return TokenResponse(data=data, intuit_tid="tid-1")


def test_an_answer_becomes_a_set_with_absolute_expiries() -> None:
    tokens = TokenSet.from_response(answer(x_refresh_token_hard_expires_in=157_680_000), "123", NOW)
    assert tokens.access_expires_at == NOW + 3600
    assert tokens.refresh_expires_at == NOW + 8726400
    assert tokens.refresh_hard_expires_at == NOW + 157_680_000
    assert tokens.realm_id == "123"


def test_the_hard_expiry_is_kept_when_a_refresh_answer_omits_it() -> None:
    first = TokenSet.from_response(answer(x_refresh_token_hard_expires_in=1000 * DAY), "1", NOW)
    second = TokenSet.from_response(answer(), "1", NOW + DAY, previous=first)
    assert second.refresh_hard_expires_at == first.refresh_hard_expires_at


def test_json_round_trip_keeps_the_pair_and_the_company_together() -> None:
    tokens = TokenSet.from_response(answer(), "4620816365163133000", NOW)
    again = TokenSet.from_json(tokens.to_json())
    assert again == tokens


def test_repr_never_shows_a_token() -> None:
    tokens = TokenSet.from_response(answer(), "1", NOW)
    assert ACCESS not in repr(tokens) and REFRESH not in repr(tokens)
    assert REFRESH not in repr(answer())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        json.dumps({"version": 1, "access_token": ACCESS, "realm_id": "1"}),
        json.dumps({"version": 99, "access_token": "a", "refresh_token": "r", "realm_id": "1"}),
        json.dumps(
            {"version": 1, "access_token": "a", "refresh_token": "r", "realm_id": "1"}
        ),  # no expiry
    ],
)
def test_anything_but_a_whole_set_is_refused(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        TokenSet.from_json(text)
    assert ACCESS not in str(caught.value)


def test_an_unreadable_entry_says_reconnect_without_showing_it(
    memory_keyring: MemoryKeyring,
) -> None:
    memory_keyring.set_password("qbo-wizard/default", "tokens", '{"refresh_token": "' + REFRESH)
    with pytest.raises(StoredTokensUnreadable) as caught:
        TokenStore("default").load()
    assert "qbo-wizard login" in str(caught.value)
    assert REFRESH not in str(caught.value)
    assert caught.value.exit_code == 4


def test_no_tokens_means_not_connected() -> None:
    with pytest.raises(NotConnected, match="qbo-wizard login --profile default"):
        TokenKeeper("default").access_token()
    assert token_status("default").connected is False


def test_a_valid_access_token_is_used_without_any_refresh() -> None:
    TokenStore("default").save(TokenSet.from_response(answer(), "1", NOW))
    keeper = TokenKeeper("default", clock=lambda: NOW + 60)
    assert keeper.access_token() == ACCESS  # no keys stored: a refresh would have failed


def test_warnings_start_fourteen_days_before_either_expiry() -> None:
    tokens = TokenSet.from_response(
        answer(x_refresh_token_expires_in=100 * DAY, x_refresh_token_hard_expires_in=400 * DAY),
        "1",
        NOW,
    )
    assert expiry_warnings(tokens, NOW) == []
    rolling = expiry_warnings(tokens, NOW + 90 * DAY)
    assert len(rolling) == 1 and "10 day(s)" in rolling[0] and "100-day" in rolling[0]
    hard = expiry_warnings(tokens, NOW + 390 * DAY)
    assert any("5-year limit in 10 day(s)" in w for w in hard)


def test_status_shows_dates_but_no_tokens() -> None:
    TokenStore("default").save(TokenSet.from_response(answer(), "77", NOW))
    status = token_status("default", now=NOW)
    assert status.connected and status.realm_id == "77"
    assert status.access_expires_at is not None and status.access_expires_at.endswith("Z")
    assert ACCESS not in repr(status) and REFRESH not in repr(status)
