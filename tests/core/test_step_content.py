"""Step copy: every step's file loads, placeholders are filled, and mistakes name the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbo_wizard.core import step_content
from qbo_wizard.core.problems import ConfigFileError
from qbo_wizard.core.step_content import (
    LOOPBACK_REDIRECT_URI,
    PLAYGROUND_REDIRECT_URI,
    load_step_content,
)
from qbo_wizard.core.steps import STEP_IDS


@pytest.mark.parametrize("step_id", STEP_IDS)
def test_every_step_has_copy_without_unfilled_placeholders(step_id: str) -> None:
    content = load_step_content(step_id)
    assert content.summary
    texts = [content.intro, *(c.body for c in content.callouts)]
    for item in content.checklist:
        texts += [item.label, item.detail, *(v.value for v in item.values)]
    assert not any("{{" in text for text in texts)


def _values(step_id: str) -> dict[str, str]:
    content = load_step_content(step_id)
    return {v.label: v.value for item in content.checklist for v in item.values}


def test_redirect_uris_offered_for_each_key_set() -> None:
    assert LOOPBACK_REDIRECT_URI in _values("create-app").values()
    assert PLAYGROUND_REDIRECT_URI in _values("create-app").values()
    assert PLAYGROUND_REDIRECT_URI in _values("production-settings").values()
    assert LOOPBACK_REDIRECT_URI == "http://localhost:8765/callback"


def test_create_app_warns_about_the_shared_admin_user() -> None:
    warnings = [c for c in load_step_content("create-app").callouts if c.kind == "warning"]
    assert warnings and "shared" in warnings[0].title
    assert "password" in warnings[0].body and "deleted" in warnings[0].body


def test_questionnaire_answers_cover_the_truthful_claims() -> None:
    answers = " ".join(_values("questionnaire").values())
    for claim in ("expired", "discovery document", "intuit-oauth", "intuit_tid"):
        assert claim in answers
    assert load_step_content("questionnaire").only_for_key_set == "production"


def test_production_settings_carry_the_reconnect_url_note() -> None:
    values = _values("production-settings")
    assert any("reconnect page" in label for label in values)
    assert any("Reconnect after a password change" in value for value in values.values())


def test_a_broken_file_names_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "overview.yaml").write_text("summary: Fine\nchecklist:\n  - label: no id\n")
    monkeypatch.setattr(step_content, "STEPS_DIR", tmp_path)
    step_content._load.cache_clear()
    try:
        with pytest.raises(ConfigFileError) as caught:
            load_step_content("overview")
    finally:
        step_content._load.cache_clear()
    assert "overview.yaml" in str(caught.value)
    assert "'id'" in str(caught.value)


def test_unknown_placeholder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "overview.yaml").write_text("summary: Go to {{nowhere}}\n")
    monkeypatch.setattr(step_content, "STEPS_DIR", tmp_path)
    step_content._load.cache_clear()
    try:
        with pytest.raises(ConfigFileError, match="nowhere"):
            load_step_content("overview")
    finally:
        step_content._load.cache_clear()


def test_addresses_in_the_copy_match_the_ones_the_connection_uses() -> None:
    # step_content keeps its own copies so the first screen needs no HTTP library.
    from qbo_wizard.core.connection import environments

    assert environments.loopback_redirect_uri() == LOOPBACK_REDIRECT_URI
    assert PLAYGROUND_REDIRECT_URI == environments.PLAYGROUND_REDIRECT_URI
    assert step_content.PLAYGROUND_URL == environments.PLAYGROUND_URL
