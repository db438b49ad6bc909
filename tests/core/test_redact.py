"""Secrets never survive redaction; error codes, realm IDs and intuit_tid values do."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbo_wizard.core.redact import fingerprint, redact_text

# Canary values shaped like the real thing (Intuit refresh tokens, client IDs and secrets are
# long mixed-case alphanumerics; access tokens are JWE strings).
REFRESH = "AB11797212345CanaryRefreshTokenXyZ9ab8cd7ef6gh5ij4kl3"
CLIENT_ID = "ABcanaryClientIdQ2w3e4r5t6y7u8i9o0pAaSsDdFfGgHhJjKk"
CLIENT_SECRET = "CanarySecret7h8j9k0lQwErTyUiOp1a2s3d4f5g"
ACCESS = (
    "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..CanaryAccessPart1."
    "CanaryAccessPart2xyz.CanaryAccessTag"
)
AUTH_CODE = "XAB11797canaryAuthCode99"
CANARIES = [REFRESH, CLIENT_ID, CLIENT_SECRET, ACCESS, AUTH_CODE]


def _assert_no_canary(text: str) -> None:
    for canary in CANARIES:
        assert canary not in text
    # No long fragment of a canary either (a regex that stops half-way would leak the rest).
    for canary in CANARIES:
        for start in range(0, len(canary) - 12, 6):
            assert canary[start : start + 12] not in text, canary[start : start + 12]


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {ACCESS}",
        f"'Authorization': 'Bearer {ACCESS}'",
        f"headers={{'Authorization': 'Basic {CLIENT_ID}OjEyMw=='}}",
        f"grant_type=refresh_token&refresh_token={REFRESH}",
        f'{{"refresh_token": "{REFRESH}", "access_token": "{ACCESS}", "expires_in": 3600}}',
        f"{{'client_secret': '{CLIENT_SECRET}', 'client_id': '{CLIENT_ID}'}}",
        f"client_secret={CLIENT_SECRET} client_id={CLIENT_ID}",
        f"http://localhost:8765/callback?code={AUTH_CODE}&state=s1&realmId=9130357992221046",
        f"grant_type=authorization_code&code={AUTH_CODE}&redirect_uri=http%3A%2F%2Flocalhost",
        f"code={AUTH_CODE}&state=abc",
        f"Token refresh failed for {REFRESH} at 10:02",
        f"used bearer {ACCESS}",
        f"refresh token: {REFRESH}",
        f"password={CLIENT_SECRET}",
        f"body=%7B%22access_token%22%3A%22{ACCESS}%22%7D",
    ],
)
def test_secret_shapes_are_replaced_by_fingerprints(text: str) -> None:
    redacted = redact_text(text)
    _assert_no_canary(redacted)
    assert "[redacted sha256:" in redacted


def test_the_fingerprint_in_the_placeholder_matches_the_secret() -> None:
    redacted = redact_text(f"refresh_token={REFRESH}")
    assert redacted == f"refresh_token=[redacted {fingerprint(REFRESH)}]"


def test_known_secrets_are_scrubbed_whatever_their_shape() -> None:
    odd_secret = "plain words secret"  # matches no pattern on its own
    redacted = redact_text(f"the key was {odd_secret} yesterday", known_secrets=[odd_secret, ""])
    assert odd_secret not in redacted
    assert fingerprint(odd_secret) in redacted


@pytest.mark.parametrize(
    "text",
    [
        "message=AuthenticationFailed; errorCode=003200; statusCode=401",
        '{"Fault": {"Error": [{"Message": "Stale Object Error", "code": "5010"}]}}',
        "intuit_tid: 1-65f1c2d3-4a5b6c7d8e9f0a1b2c3d4e5f",
        "realmId=9130357992221046 on https://sandbox-quickbooks.api.intuit.com/v3/company",
        "request 3f2b9c1e-8d7a-4b6c-9e5f-1a2b3c4d5e6f failed",
        "Basic authentication failed",
        "Bearer token expired",
        "ApplicationAuthenticationFailed",
        "https://app.qbo.intuit.com/app/invoice?txnId=145",
        "error=access_denied&state=abc",
    ],
)
def test_ordinary_error_text_is_left_alone(text: str) -> None:
    assert redact_text(text) == text


def test_redaction_is_idempotent() -> None:
    once = redact_text(f"Authorization: Bearer {ACCESS} refresh_token={REFRESH}")
    assert redact_text(once) == once


def test_fingerprint_is_short_stable_and_not_the_secret() -> None:
    value = fingerprint(CLIENT_SECRET)
    assert re.fullmatch(r"sha256:[0-9a-f]{8}", value)
    assert value == fingerprint(CLIENT_SECRET)
    assert value != fingerprint(CLIENT_SECRET + "x")
    assert CLIENT_SECRET[:8] not in value


def test_megabytes_of_token_characters_are_handled() -> None:
    blob = ("Ab1" * 400_000) + " refresh_token=" + REFRESH + " " + ("x" * 500_000)
    redacted = redact_text(blob)
    _assert_no_canary(redacted)


@settings(max_examples=300)
@given(st.text(), st.lists(st.text(), max_size=3))
def test_redact_text_never_raises(text: str, known: list[str]) -> None:
    result = redact_text(text, known_secrets=known)
    assert isinstance(result, str)


_TOKEN_ALPHABET = "ABCDEFGHJKabcdefghjk0123456789"
_TOKEN_CHARS = st.sampled_from(_TOKEN_ALPHABET)


@settings(max_examples=200)
@given(
    # The prefix cannot spell the token itself, so any copy found afterwards is a leak.
    prefix=st.text(st.characters(exclude_characters=_TOKEN_ALPHABET), max_size=40),
    token=st.text(_TOKEN_CHARS, min_size=20, max_size=60).filter(
        lambda t: any(c.isdigit() for c in t) and not t.isdigit()
    ),
    key=st.sampled_from(["refresh_token=", "client_secret=", '"access_token": "', "Bearer "]),
)
def test_a_secret_behind_a_telling_key_never_survives(prefix: str, token: str, key: str) -> None:
    assert token not in redact_text(f"{prefix} {key}{token}")
