"""Pasted keys: cleaning and shape checks (the live check is in test_connect_flows.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbo_wizard.core.connection.credentials import (
    CredentialProblem,
    Credentials,
    check_shape,
    clean_pasted,
)

CLIENT_ID = "ABx9Lr2QmTz7Yc4Vn8Kp1Hs6Df3Gw5Jb0Mq2Rt7Ue9Io4Pa1Sd"  # 50, Intuit-shaped
SECRET = "k3Jd8Fq2Lm9Xz4Cv7Bn1Hg6Ts5Wr0Ye2Ua8Io3P"  # 40


@pytest.mark.parametrize(
    "pasted",
    [
        CLIENT_ID,
        f"  {CLIENT_ID}  \n",
        f'"{CLIENT_ID}"',
        f"'{CLIENT_ID}'\r\n",
        f"Client ID: {CLIENT_ID}",
        f"client_id={CLIENT_ID}",
        f"CLIENT_ID = '{CLIENT_ID}'",
        f"<{CLIENT_ID}>",
        CLIENT_ID[:20] + "\n" + CLIENT_ID[20:],
        "\u200b" + CLIENT_ID + "\ufeff",
        "\u00a0" + CLIENT_ID + "\u00a0",
    ],
)
def test_pasting_noise_is_removed(pasted: str) -> None:
    assert clean_pasted(pasted) == CLIENT_ID


def test_good_keys_pass() -> None:
    checked = check_shape(CLIENT_ID, SECRET)
    assert checked.credentials == Credentials(CLIENT_ID, SECRET)
    assert checked.warnings == ()


def test_credentials_repr_hides_both_values() -> None:
    text = repr(Credentials(CLIENT_ID, SECRET))
    assert CLIENT_ID not in text and SECRET not in text
    assert Credentials(CLIENT_ID, SECRET).hint == "ABx9…a1Sd"


def test_an_id_without_the_usual_prefix_warns_but_passes() -> None:
    checked = check_shape("Q" + CLIENT_ID[1:], SECRET)
    assert any("start with 'AB'" in w for w in checked.warnings)


@pytest.mark.parametrize(
    ("client_id", "secret", "field", "words"),
    [
        ("", SECRET, "client_id", "Nothing was entered for the client ID"),
        (CLIENT_ID, "", "client_secret", "Nothing was entered for the client secret"),
        (CLIENT_ID[:12], SECRET, "client_id", "only 12 characters"),
        (CLIENT_ID * 2, SECRET, "client_id", "100 characters"),
        (CLIENT_ID, SECRET[:10], "client_secret", "only 10 characters"),
        (CLIENT_ID[:25] + "-" + CLIENT_ID[25:], SECRET, "client_id", "'-'"),
        (CLIENT_ID, SECRET, None, None),
        (CLIENT_ID, CLIENT_ID, "client_secret", "the same"),
        (SECRET, CLIENT_ID, "client_id", "swapped"),
    ],
)
def test_shape_problems_are_plain(
    client_id: str, secret: str, field: str | None, words: str | None
) -> None:
    if field is None:
        check_shape(client_id, secret)
        return
    with pytest.raises(CredentialProblem) as caught:
        check_shape(client_id, secret)
    assert caught.value.field == field
    assert words is not None and words in str(caught.value)


def test_a_bad_character_in_the_secret_is_not_echoed() -> None:
    secret = SECRET[:20] + "§" + SECRET[20:]
    with pytest.raises(CredentialProblem) as caught:
        check_shape(CLIENT_ID, secret)
    assert "§" not in str(caught.value)
    assert "only letters and digits" in str(caught.value)


_SECRETISH = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=120)


@settings(max_examples=400)
@given(client_id=_SECRETISH, secret=_SECRETISH)
def test_any_input_gives_keys_or_a_plain_message_without_the_secret(
    client_id: str, secret: str
) -> None:
    try:
        checked = check_shape(client_id, secret)
    except CredentialProblem as problem:
        message = str(problem)
        assert message and problem.field in ("client_id", "client_secret")
        cleaned = clean_pasted(secret)
        if len(cleaned) >= 16:  # shorter strings can be ordinary words of the message
            assert cleaned not in message
    else:
        assert checked.credentials.client_id.isalnum()
        assert checked.credentials.client_secret.isalnum()


@settings(max_examples=200)
@given(
    before=st.sampled_from(["", " ", "\n", '"', "'", "<", "Client secret: ", "\t\u200b"]),
    after=st.sampled_from(["", " ", "\n", '"', "'", ">", "\r\n"]),
    cut=st.integers(min_value=0, max_value=len(SECRET)),
    gap=st.sampled_from(["", "\n", " "]),
)
def test_wrapped_keys_always_come_out_whole(before: str, after: str, cut: int, gap: str) -> None:
    pasted = before + SECRET[:cut] + gap + SECRET[cut:] + after
    assert check_shape(CLIENT_ID, pasted).credentials.client_secret == SECRET
