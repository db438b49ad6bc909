"""profile.yaml: round trips, hand edits, damage, and no secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbo_wizard.core.problems import ConfigFileError
from qbo_wizard.core.profile import Profile, load_profile, mask_hint, save_profile


def test_new_profile_is_not_saved_until_asked(isolated_home: Path) -> None:
    profile = load_profile("fresh")
    assert profile.current_step == "overview"
    assert not profile.path.exists()


def test_round_trip_keeps_progress_and_unknown_keys(isolated_home: Path) -> None:
    profile = Profile(name="acme", realm_id="9341453", company_name="Ridgeline Freight LLC")
    profile.step_states["create-app"] = "done"
    profile.checklists["create-app"] = ["shared-admin", "accounting-scope"]
    profile.current_step = "questionnaire"
    save_profile(profile)
    text = profile.path.read_text()
    profile.path.write_text(text + "setting_from_a_newer_version: 7\n")

    again = load_profile("acme")
    assert again.current_step == "questionnaire"
    assert again.step_state("create-app") == "done"
    assert again.step_state("map") == "not-started"
    assert again.checklists["create-app"] == ["shared-admin", "accounting-scope"]
    save_profile(again)
    assert "setting_from_a_newer_version: 7" in again.path.read_text()


def test_hand_typed_numbers_are_read_as_text(isolated_home: Path) -> None:
    Profile(name="acme").path.parent.mkdir(parents=True)
    Profile(name="acme").path.write_text("realm_id: 9341453\n")
    assert load_profile("acme").realm_id == "9341453"


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        ("environment: staging\n", "environment"),
        ("current_step: step-ten\n", "current_step"),
        ("step_states: {map: green}\n", "step_states"),
    ],
)
def test_bad_values_name_the_setting(isolated_home: Path, text: str, setting: str) -> None:
    path = Profile(name="acme").path
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(ConfigFileError) as caught:
        load_profile("acme")
    assert f"'{setting}'" in str(caught.value)
    assert path.read_text() == text


def test_mask_hint_shows_only_the_ends() -> None:
    assert mask_hint("ABcdEFGHIJKLMNOPwxYZ") == "ABcd…wxYZ"
    assert mask_hint(" short ") == "…"
