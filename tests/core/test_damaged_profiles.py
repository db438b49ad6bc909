"""profile.yaml and mapping files of every shape: read, or refused naming file, line and field.

`doctor` and `diagnostics` are what support asks for when something is broken, so they must
work on any damaged profile: report the damage with what to do, and still give everything else.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from qbo_wizard.core.health.diagnostics import build_bundle
from qbo_wizard.core.health.doctor import run_doctor
from qbo_wizard.core.mapping.file import read_mapping_file
from qbo_wizard.core.problems import ConfigFileError
from qbo_wizard.core.profile import Profile, load_profile, save_profile
from tests.core.test_yaml_reader import ALIAS_BOMB, MEGABYTE, assert_plain_refusal
from tests.fuzz import FUZZ_EXAMPLES, any_scalar, any_value, dump, fuzz, yaml_soup

PROFILE_KEYS = [
    "environment",
    "key_set",
    "simulator_url",
    "client_id_hint",
    "realm_id",
    "company_name",
    "country",
    "connected_at",
    "current_step",
    "connect_method",
    "step_states",
    "checklists",
    "last_test",
]


def profile_file() -> Path:
    path = Profile(name="acme").path
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_profile(text: str | bytes) -> Path:
    path = profile_file()
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def load_or_refusal(path: Path) -> Profile | ConfigFileError:
    try:
        return load_profile("acme")
    except ConfigFileError as error:
        assert_plain_refusal(error, path)
        return error


# --- the cases people reported --------------------------------------------------------------


def test_a_realm_id_of_5000_digits_is_refused_naming_file_and_line() -> None:
    path = write_profile("environment: sandbox\nrealm_id: " + "9" * 5000 + "\n")
    refused = load_or_refusal(path)
    assert isinstance(refused, ConfigFileError)
    assert refused.line == 2 and "more than 40 digits" in refused.problem


def test_doctor_names_the_damage_and_still_runs_the_other_checks() -> None:
    path = write_profile("environment: sandbox\nrealm_id: " + "9" * 5000 + "\n")
    report = run_doctor("acme", live=False)
    profile = report.check("profile")
    assert profile.verdict == "problem"
    assert f"{path}, line 2" in profile.why
    assert "more than 40 digits" in profile.why
    assert "move it aside" in profile.why
    assert "ValueError" not in profile.why
    assert report.check("keyring").verdict == "ok"


def test_diagnostics_names_the_damage_and_still_gives_the_rest() -> None:
    write_profile("environment: sandbox\nrealm_id: " + "9" * 5000 + "\n")
    bundle = build_bundle("acme", live=False)
    assert "profile.yaml, line 2 could not be read: the number" in bundle.text
    assert "move it aside" in bundle.text
    assert "keyring backend" in bundle.text
    assert "Health checks (qbo-wizard doctor)" in bundle.text
    assert "9" * 50 not in bundle.text


def test_an_alias_bomb_in_the_profile_is_refused_and_doctor_finishes() -> None:
    write_profile(ALIAS_BOMB)
    tracemalloc.start()
    try:
        report = run_doctor("acme", live=False)
        bundle = build_bundle("acme", doctor_report=report)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * MEGABYTE
    assert "anchor" in report.check("profile").why
    assert "profile.yaml, line 1 could not be read" in bundle.text


def test_numbers_as_names_in_last_test_reach_the_bundle() -> None:
    write_profile("environment: sandbox\nlast_test: {1: true, when: x}\n")
    profile = load_profile("acme")
    assert profile.last_test == {"1": True, "when": "x"}
    bundle = build_bundle("acme", live=False)
    assert "last test 1" in bundle.text and "last test when" in bundle.text


def test_names_of_every_kind_at_the_top_reach_the_bundle() -> None:
    write_profile("environment: sandbox\n1: one\nnull: nothing\ntrue: yes\n2025-01-01: day\n")
    bundle = build_bundle("acme", live=False)
    assert "one" in bundle.text and "nothing" in bundle.text


@pytest.mark.parametrize(
    ("text", "field", "line"),
    [
        ("environment: sandbox\nstep_states: [connect, done]\n", "step_states", 2),
        ("environment: sandbox\nstep_states:\n  connect: 12\n", "step_states", 3),
        ("checklists: {create-app: {a: b}}\n", "checklists.create-app", 1),
        ("checklists: {create-app: [[a]]}\n", "checklists.create-app", 1),
        ("last_test: [1, 2]\n", "last_test", 1),
        ("realm_id: {a: 1}\n", "realm_id", 1),
        ("\n\nenvironment: [sandbox]\n", "environment", 3),
        ("key_set: 12\n", "key_set", 1),
        ("current_step: {a: b}\n", "current_step", 1),
    ],
)
def test_a_value_of_the_wrong_shape_names_the_field_and_line(
    text: str, field: str, line: int
) -> None:
    refused = load_or_refusal(write_profile(text))
    assert isinstance(refused, ConfigFileError)
    assert f"the field '{field}'" in str(refused)
    assert refused.line == line


def test_null_everywhere_reads_as_nothing_saved() -> None:
    write_profile(
        "".join(
            f"{key}: null\n"
            for key in PROFILE_KEYS
            if key not in ("environment", "key_set", "current_step")
        )
    )
    profile = load_profile("acme")
    assert profile.step_states == {} and profile.checklists == {} and profile.last_test == {}


def test_numbers_and_dates_written_by_hand_are_read_as_text_and_saved_back() -> None:
    write_profile(
        "realm_id: 9130355912345678\nconnected_at: 2025-03-01\nchecklists:\n  create-app: [1, x]\n"
    )
    profile = load_profile("acme")
    assert profile.realm_id == "9130355912345678"
    assert profile.connected_at == "2025-03-01"
    assert profile.checklists == {"create-app": ["1", "x"]}
    save_profile(profile)
    assert load_profile("acme").realm_id == "9130355912345678"


def test_a_huge_key_is_named_by_a_short_prefix_only() -> None:
    refused = load_or_refusal(write_profile("step_states:\n  " + "k" * 500_000 + ": green\n"))
    assert isinstance(refused, ConfigFileError)
    assert "k" * 41 not in str(refused)


# --- mapping files ----------------------------------------------------------------------------

GOOD_MAPPING = {
    "format": 1,
    "integration": "freight-brokerage",
    "realm_id": "9130355912345678",
    "lines": {
        "linehaul": {"kind": "invoice", "item": {"id": "12", "name": "Freight"}},
        "carrier-linehaul": {"kind": "bill", "account": {"id": "80", "name": "Carrier"}},
    },
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"realm_id": ["1", "2"]}, "realm_id"),
        ({"integration": {"a": 1}}, "integration"),
        ({"company_name": [1]}, "company_name"),
        ({"format": True}, "format"),
        ({"format": list(range(10_000))}, "format"),
        ({"lines": [1, 2]}, "lines"),
        ({"lines": {12: None}}, "lines.12"),
        ({"lines": {"x": {"kind": ["invoice"]}}}, "lines.x.kind"),
        ({"lines": {"x": {"kind": "bill", "account": {"id": {"a": 1}}}}}, "lines.x.account.id"),
        ({"lines": {"x": {"kind": "bill", "account": [1]}}}, "lines.x.account"),
        ({"lines": {None: {"kind": "bill", "what": 1}}}, "lines.None.what"),
    ],
)
def test_a_mapping_value_of_the_wrong_shape_names_the_field(
    tmp_path: Path, change: dict[str, object], field: str
) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text(yaml.safe_dump({**GOOD_MAPPING, **change}))
    with pytest.raises(ConfigFileError) as caught:
        read_mapping_file(path)
    assert f"the field '{field}'" in str(caught.value)
    assert caught.value.line is not None
    assert_plain_refusal(caught.value, path)


def test_a_good_mapping_file_is_read() -> None:
    path = profile_file().with_name("shared.yaml")
    path.write_text(yaml.safe_dump(GOOD_MAPPING))
    saved = read_mapping_file(path)
    assert saved.lines["linehaul"].target is not None


# --- properties -----------------------------------------------------------------------------

_profile_data = st.dictionaries(
    st.one_of(st.sampled_from(PROFILE_KEYS), st.text(max_size=8), st.integers()),
    st.one_of(any_value(), st.sampled_from(["sandbox", "done", "connect", "overview"])),
    max_size=8,
)


@fuzz
@given(_profile_data)
def test_any_profile_values_load_or_are_refused_naming_the_file(data: dict[object, object]) -> None:
    path = write_profile(dump(data))
    loaded = load_or_refusal(path)
    if isinstance(loaded, Profile):
        assert all(isinstance(key, str) for key in loaded.last_test)
        assert all(isinstance(state, str) for state in loaded.step_states.values())
        assert all(isinstance(i, str) for items in loaded.checklists.values() for i in items)


@fuzz
@given(yaml_soup())
def test_any_profile_text_loads_or_is_refused_naming_the_file(text: str) -> None:
    load_or_refusal(write_profile(text))


_ref = st.one_of(
    st.fixed_dictionaries({}, optional={"id": any_scalar(), "name": any_scalar()}), any_value()
)
_mapping_data = st.fixed_dictionaries(
    {},
    optional={
        "format": st.one_of(st.just(1), any_scalar()),
        "integration": st.one_of(st.just("freight-brokerage"), any_value()),
        "realm_id": st.one_of(st.just("9130355912345678"), any_value()),
        "company_name": any_scalar(),
        "saved_at": any_scalar(),
        "country": any_scalar(),
        "lines": st.one_of(
            any_value(),
            st.dictionaries(
                st.one_of(st.sampled_from(["linehaul", "carrier-linehaul"]), st.integers()),
                st.fixed_dictionaries(
                    {},
                    optional={
                        "kind": st.one_of(st.sampled_from(["invoice", "bill"]), any_scalar()),
                        "item": _ref,
                        "account": _ref,
                        "unused": any_scalar(),
                        "tax_code": _ref,
                    },
                ),
                max_size=3,
            ),
        ),
    },
)


@fuzz
@given(_mapping_data)
def test_any_mapping_file_is_read_or_refused_naming_the_file(data: dict[str, object]) -> None:
    path = profile_file().with_name("shared.yaml")
    path.write_text(dump(data))
    try:
        saved = read_mapping_file(path)
    except ConfigFileError as error:
        assert_plain_refusal(error, path)
    else:
        assert saved.realm_id and saved.integration
        assert all(isinstance(line_id, str) for line_id in saved.lines)


# Not a parser but two whole commands (each doctor finding is written to the error log), so a
# tenth of the examples: the profile's own reading is fuzzed in full above.
@settings(fuzz, max_examples=max(100, FUZZ_EXAMPLES // 10))
@given(st.one_of(_profile_data.map(dump), yaml_soup()))
def test_doctor_and_diagnostics_finish_on_any_profile(text: str) -> None:
    write_profile(text)
    report = run_doctor("acme", live=False)
    assert report.check("profile").verdict in ("ok", "warning", "problem")
    assert report.check("keyring").verdict == "ok"
    bundle = build_bundle("acme", doctor_report=report)
    assert "Profile settings" in bundle.text


# --- the wizard's own cache files -------------------------------------------------------------


@pytest.mark.parametrize("content", ["[" * 100_000, '{"format": ' + "9" * 5000 + "}", "\x00\xff"])
def test_a_damaged_cache_is_read_again_instead(content: str) -> None:
    from qbo_wizard.core.connection import discovery
    from qbo_wizard.core.mapping.company_lists import cache_path, cached_company_lists

    lists_cache = cache_path("acme")
    lists_cache.parent.mkdir(parents=True, exist_ok=True)
    lists_cache.write_text(content, errors="surrogateescape")
    assert cached_company_lists("acme", "9130355912345678") is None
    url = "https://example.invalid/.well-known/openid_configuration"
    document_cache = discovery.cache_file(url)
    document_cache.parent.mkdir(parents=True, exist_ok=True)
    document_cache.write_text(content, errors="surrogateescape")
    assert discovery.cached_document(url) is None


# --- a user's own integration file ------------------------------------------------------------

_integration_line = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.sampled_from(["linehaul", "fuel"]), any_scalar()),
        "label": any_scalar(),
        "kind": st.one_of(st.sampled_from(["invoice", "bill"]), any_scalar()),
        "description": any_scalar(),
        "hints": any_value(),
    },
)
_integration_data = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.just("my-integration"), any_scalar()),
        "name": any_scalar(),
        "description": any_scalar(),
        "lines": st.one_of(any_value(), st.lists(_integration_line, max_size=3)),
    },
)


@fuzz
@given(_integration_data)
def test_any_integration_file_is_read_or_refused_naming_the_file(data: dict[str, object]) -> None:
    from qbo_wizard.core.mapping.integrations import load_integration_file

    path = profile_file().with_name("my-integration.yaml")
    path.write_text(dump(data))
    try:
        integration = load_integration_file(path)
    except ConfigFileError as error:
        assert_plain_refusal(error, path)
    else:
        assert integration.lines and all(line.id for line in integration.lines)
