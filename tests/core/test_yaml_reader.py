"""The one YAML reader: hostile files are refused with file and line, at bounded cost."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qbo_wizard.core import yaml_reader
from qbo_wizard.core.files import read_yaml_mapping
from qbo_wizard.core.problems import ConfigFileError
from qbo_wizard.core.yaml_reader import (
    MAX_DEPTH,
    YamlDocument,
    describe,
    parse_yaml_text,
    quote,
    read_yaml_file,
)
from tests.fuzz import MAX_MESSAGE_CHARS, fuzz, yaml_soup

PATH = Path("/somewhere/shared-mapping.yaml")

# "Billion laughs": nine levels of nine aliases stand for 9**9 (387 million) copies of "lol".
ALIAS_BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]"
        for i in range(8)
    ]
)
MEGABYTE = 1024 * 1024


def refusal(content: str | bytes) -> ConfigFileError:
    with pytest.raises(ConfigFileError) as caught:
        parse_yaml_text(content, PATH)
    return caught.value


def assert_plain_refusal(error: ConfigFileError, path: Path = PATH) -> None:
    """A refusal names the file, says what is wrong, and never quotes a value at length."""
    message = str(error)
    assert message.startswith(str(path))
    assert error.problem
    assert len(message) - len(str(path)) < MAX_MESSAGE_CHARS
    assert "Traceback" not in message


# --- the cases people reported --------------------------------------------------------------


def test_the_alias_bomb_is_refused_at_its_first_anchor_without_expanding() -> None:
    assert len(ALIAS_BOMB.encode()) < 500
    tracemalloc.start()
    try:
        error = refusal(ALIAS_BOMB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * MEGABYTE
    assert error.line == 1
    assert "anchor" in error.problem
    assert_plain_refusal(error)


def test_an_alias_alone_is_refused_with_its_line() -> None:
    error = refusal("format: 1\nrealm_id: '1'\nlines: *elsewhere\n")
    assert error.line == 3
    assert "alias" in error.problem


def test_a_five_megabyte_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "mapping.yaml"
    big.write_text("lines:\n" + "  x: {kind: bill}\n" * (5 * MEGABYTE // 17))
    assert big.stat().st_size > 5_000_000
    tracemalloc.start()
    try:
        with pytest.raises(ConfigFileError) as caught:
            read_yaml_file(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Reading the file would take at least its own size: the refusal came before that.
    assert peak < MEGABYTE
    assert "1,000 kB" in caught.value.problem
    assert_plain_refusal(caught.value, big)


def test_a_device_that_never_ends_is_refused_at_the_size_limit() -> None:
    with pytest.raises(ConfigFileError) as caught:
        read_yaml_file(Path("/dev/zero"))
    assert "1,000 kB" in caught.value.problem


def test_an_integer_too_long_for_any_id_names_its_line() -> None:
    error = refusal("format: 1\nrealm_id: " + "9" * 5000 + "\n")
    assert error.line == 2
    assert "more than 40 digits" in error.problem
    assert "9" * 20 not in str(error)
    assert_plain_refusal(error)


def test_a_long_number_in_quotes_is_text_and_kept() -> None:
    document = parse_yaml_text("realm_id: '" + "9" * 5000 + "'\n", PATH)
    assert document.data["realm_id"] == "9" * 5000


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 200, 100_000])
def test_deep_nesting_is_refused_with_its_line(depth: int) -> None:
    error = refusal("a:\n  b: " + "[" * depth + "]" * depth + "\n")
    assert error.line == 2
    assert "nest" in error.problem
    if depth < 1000:  # libyaml's scanner refuses deeper nesting itself, before the checks
        assert f"more than {MAX_DEPTH} levels" in error.problem


def test_nesting_the_files_use_is_read() -> None:
    nested = "a: " + "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1) + "\n"
    assert parse_yaml_text(nested, PATH).data["a"]


def test_bytes_that_are_not_utf8_name_their_line() -> None:
    error = refusal(b"format: 1\ncompany_name: Caf\xe9 du Nord\n")
    assert error.line == 2
    assert "not UTF-8" in error.problem and "0xe9" in error.problem


def test_utf16_is_named() -> None:
    error = refusal("format: 1\n".encode("utf-16"))
    assert "UTF-16" in error.problem


def test_a_control_character_is_named_with_its_line() -> None:
    error = refusal("format: 1\nname: a\x07b\n")
    assert error.line == 2
    assert "U+0007" in error.problem


def test_an_impossible_date_names_its_line() -> None:
    error = refusal("saved_at: 2025-13-45\n")
    assert error.line == 1
    assert "not a real date" in error.problem


def test_a_foreign_tag_is_refused_and_its_name_is_cut_short() -> None:
    error = refusal("a: !!python/object:os.system" + "x" * 100_000 + " ls\n")
    assert "constructor" in error.problem
    assert_plain_refusal(error)


def test_a_list_at_the_top_is_refused() -> None:
    error = refusal("- a\n- b\n")
    assert "not a list" in error.problem


def test_files_of_the_wizard_are_read_as_before(tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text("environment: sandbox\nrealm_id: '9130355912345678'\nlast_test: {ok: true}\n")
    document = read_yaml_file(path)
    assert isinstance(document, YamlDocument)
    assert document.data == {
        "environment": "sandbox",
        "realm_id": "9130355912345678",
        "last_test": {"ok": True},
    }
    assert read_yaml_mapping(path) == document.data
    assert read_yaml_file(tmp_path / "missing.yaml") is None


def test_quote_shows_only_a_short_escaped_prefix() -> None:
    assert quote("x" * 1_000_000) == "'" + "x" * 40 + "…'"
    assert quote("a\nb\x00") == "'a\\u000ab\\u0000'"
    assert quote([1] * 1_000_000) == "a list"
    assert quote(10**5000) == "a number of more than 40 digits"
    assert describe({"a": 1}) == "a set of named values"


# --- properties -----------------------------------------------------------------------------


def _read(content: str | bytes) -> None:
    try:
        document = parse_yaml_text(content, PATH)
    except ConfigFileError as error:
        assert_plain_refusal(error)
    else:
        assert isinstance(document.data, dict)


@fuzz
@given(yaml_soup())
def test_any_yaml_like_text_is_read_or_refused_in_plain_words(text: str) -> None:
    _read(text)


@fuzz
@given(st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_in_plain_words(raw: bytes) -> None:
    _read(raw)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (ALIAS_BOMB, 1, "anchor"),
        ("a: 1\nb: *x\n", 2, "alias"),
        ("a:\n  b: " + "[" * 40 + "]" * 40, 2, "nested more than"),
        ("a: 1\nb: " + "9" * 5000, 2, "more than 40 digits"),
        ("a: 1\nb: c\x07d\n", 2, "U+0007"),
        ("a: 1\nb: 2025-13-45\n", 2, "not a real date"),
        ("a: !!timestamp ''\n", 1, "cannot be read as timestamp"),
    ],
)
@pytest.mark.parametrize("parser", ["libyaml", "python"])
def test_both_parsers_refuse_the_same_way(
    monkeypatch: pytest.MonkeyPatch, parser: str, text: str, line: int, words: str
) -> None:
    """The pure-Python parser is what PyYAML falls back to when built without libyaml."""
    if parser == "python":
        monkeypatch.setattr(yaml_reader, "_Loader", yaml_reader._PythonLoader)
    error = refusal(text)
    assert error.line == line and words in error.problem
