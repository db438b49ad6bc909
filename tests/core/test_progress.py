"""Progress through the steps and the two ways back to green."""

from __future__ import annotations

from qbo_wizard.core.profile import Profile, load_profile, save_profile
from qbo_wizard.core.progress import (
    begin_new_app,
    begin_reconnect,
    checklist_state,
    finish_journey,
    journey,
    next_step,
    previous_step,
    set_ticked,
    ticked_items,
)


def test_step_order() -> None:
    assert next_step("overview") == "create-app"
    assert next_step("troubleshoot") is None
    assert previous_step("overview") is None
    assert previous_step("map") == "connect"


def test_ticks_follow_the_checklist_order() -> None:
    profile = Profile(name="acme")
    order = ("a", "b", "c")
    set_ticked(profile, "create-app", "c", True, order)
    set_ticked(profile, "create-app", "a", True, order)
    assert profile.checklists["create-app"] == ["a", "c"]
    set_ticked(profile, "create-app", "c", False, order)
    assert ticked_items(profile, "create-app") == {"a"}


def test_checklist_state() -> None:
    assert checklist_state(3, 3, needed=True) == "done"
    assert checklist_state(1, 3, needed=True) == "needs-attention"
    assert checklist_state(0, 3, needed=False) == "not-started"
    assert checklist_state(0, 3, needed=True) == "needs-attention"


def test_reconnect_keeps_keys_and_mapping_and_opens_step_6() -> None:
    profile = Profile(name="acme", realm_id="9341453", client_id_hint="ABcd…wxYZ")
    profile.checklists["create-app"] = ["sign-in"]
    profile.step_states["map"] = "done"
    assert begin_reconnect(profile) == "connect"
    assert profile.current_step == "connect"
    assert profile.step_state("connect") == "needs-attention"
    assert profile.step_state("map") == "done"
    assert profile.client_id_hint == "ABcd…wxYZ"
    assert profile.checklists["create-app"] == ["sign-in"]


def test_new_app_path_survives_a_restart_and_keeps_the_mapping() -> None:
    profile = Profile(name="acme", realm_id="9341453", key_set="production")
    profile.checklists["create-app"] = ["sign-in", "new-app"]
    profile.step_states.update({"create-app": "done", "map": "done"})
    assert begin_new_app(profile) == "create-app"
    save_profile(profile)

    again = load_profile("acme")
    assert journey(again) == "new-app"
    assert again.current_step == "create-app"
    assert "create-app" not in again.checklists
    assert again.step_state("questionnaire") == "needs-attention"  # production keys need it
    assert again.step_state("map") == "done"
    finish_journey(again)
    assert journey(again) == "setup"
    assert "journey" not in again.to_yaml_data()


def test_new_app_with_development_keys_leaves_production_steps_optional() -> None:
    profile = Profile(name="acme", key_set="development")
    begin_new_app(profile)
    assert profile.step_state("questionnaire") == "not-started"
    assert profile.step_state("credentials") == "needs-attention"
