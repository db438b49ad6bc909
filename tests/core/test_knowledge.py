"""The shipped error knowledge loads, is complete, and a damaged file is reported precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbo_wizard.core.health.knowledge import (
    KNOWLEDGE_FILE,
    KnowledgeError,
    knowledge,
    normalise_code,
    parse_knowledge,
)
from qbo_wizard.core.steps import STEP_IDS

# What the Troubleshoot step promises to explain (issue: error knowledge).
REQUIRED_CODES = [
    "invalid_grant",
    "invalid_client",
    "redirect_uri_mismatch",
    "access_denied",
    "App_Already_Purchased",
    "100",
    "120",
    "130",
    "007001",
    "3100",
    "3200",
    "3001",
    "500",
    "610",
    "2020",
    "2500",
    "5010",
    "6000",
    "6140",
    "6190",
    "6240",
]


def test_the_shipped_file_loads_and_every_step_is_a_real_step() -> None:
    loaded = knowledge()
    assert len(loaded.entries) >= 25
    for entry in loaded.entries:
        assert entry.step is None or entry.step in STEP_IDS, entry.key
        assert entry.title and entry.causes and entry.fix


@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_every_promised_code_has_an_entry(code: str) -> None:
    assert knowledge().for_code(code) is not None


def test_throttling_is_known_by_http_429_as_well() -> None:
    entry = knowledge().for_status(429)
    assert entry is not None
    assert entry is knowledge().by_code["3001"]


@pytest.mark.parametrize(
    ("code", "detail", "key", "step"),
    [
        (
            "6000",
            "You must select an account other than Accounts Payable (A/P)",
            "account-payable-on-line",
            "map",
        ),
        (
            "6000",
            "Make sure all your transactions have a GST/HST rate before you save.",
            "sales-tax-code-required",
            "map",
        ),
        ("6000", "Please select a VAT rate", "sales-tax-code-required", "map"),
        ("6000", "You must set a transaction amount", "6000", "map"),
        ("3200", "another user took over the connection", "connection-taken-over", "connect"),
        (
            "invalid_grant",
            "the admin changed their password",
            "authorizing-user-password-changed",
            "connect",
        ),
        ("120", "the user was deleted from QBO", "authorizing-user-deleted", "create-app"),
    ],
)
def test_special_cases_are_chosen_by_the_errors_own_words(
    code: str, detail: str, key: str, step: str
) -> None:
    found = knowledge().for_code(code, detail)
    assert found is not None
    entry, _ = found
    assert (entry.key, entry.step) == (key, step)


def test_private_is_not_vat_whole_words_only() -> None:
    found = knowledge().for_code("6000", "The private note is too long")
    assert found is not None and found[0].key == "6000"


def test_unlisted_codes_fall_back_to_their_range() -> None:
    for code, key in [("6999", "other-validation-error"), ("12345", "intuit-server-error")]:
        found = knowledge().for_code(code)
        assert found is not None and found[0].key == key
    assert knowledge().for_code("no-such-thing") is None


def test_codes_compare_without_leading_zeros_or_case() -> None:
    assert normalise_code("003200") == "3200"
    assert normalise_code(" Invalid_Grant ") == "invalid_grant"
    assert knowledge().for_code("003200") == knowledge().for_code("3200")
    assert knowledge().for_code("7001") == knowledge().for_code("007001")


_VALID_ENTRY = """
  - key: sample
    codes: ["42"]
    title: A sample
    causes: [because]
    fix: [do this]
    step: connect
"""


def _parse(entries: str) -> None:
    parse_knowledge(f"version: 1\nerrors:{entries}", Path("errors.yaml"))


def test_a_valid_minimal_file_parses() -> None:
    _parse(_VALID_ENTRY)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("step: connect", "step: conect"), "'step' is 'conect'"),
        (("fix: [do this]", "fix: []"), "'fix' needs at least one item"),
        (("title: A sample", "titel: A sample"), "unknown field(s) titel"),
        (('codes: ["42"]', 'codes: ["4 2"]'), "not a usable code"),
        (("key: sample", "key: 'has space'"), "'key' must be"),
    ],
)
def test_mistakes_name_the_entry_and_the_field(change: tuple[str, str], message: str) -> None:
    with pytest.raises(KnowledgeError) as caught:
        _parse(_VALID_ENTRY.replace(*change))
    assert message in str(caught.value)
    assert "errors.yaml" in str(caught.value)


def test_a_code_explained_twice_is_refused() -> None:
    with pytest.raises(KnowledgeError, match="already in 'sample'"):
        _parse(_VALID_ENTRY + _VALID_ENTRY.replace("key: sample", "key: other"))


def test_a_refinement_of_an_unknown_code_is_refused() -> None:
    special = """
  - key: special
    refines: ["43"]
    when: [words]
    title: Special
    causes: [because]
    fix: [do this]
    step: null
"""
    with pytest.raises(KnowledgeError, match="refines '43', which no entry explains"):
        _parse(_VALID_ENTRY + special)


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(KnowledgeError, match="line 3"):
        parse_knowledge("version: 1\nerrors:\n  - key: a: b\n", Path("errors.yaml"))


def test_the_file_is_inside_the_package() -> None:
    assert KNOWLEDGE_FILE.is_file()
    assert KNOWLEDGE_FILE.parent.name == "content"
