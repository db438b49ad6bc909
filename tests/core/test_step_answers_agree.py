"""The questionnaire's suggested answers (step 3) are true for what the wizard asks for in
step 4: the production redirect URI is the OAuth Playground's landing page."""

from __future__ import annotations

from qbo_wizard.core.step_content import PLAYGROUND_REDIRECT_URI, load_step_content


def answer(step_id: str, label_start: str) -> str:
    for item in load_step_content(step_id).checklist:
        for value in item.values:
            if value.label.startswith(label_start):
                return value.value
    raise AssertionError(f"no answer starting {label_start!r} in {step_id}")


def test_the_playground_answer_agrees_with_the_production_redirect_uri() -> None:
    redirect = answer("production-settings", "Production redirect URI")
    assert redirect == PLAYGROUND_REDIRECT_URI
    playground = answer("questionnaire", "Do you depend on the OAuth Playground")
    assert not playground.startswith("No.")
    assert "redirect" in playground and "production" in playground
    assert "token tools are not used" in playground
