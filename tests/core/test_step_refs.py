"""Copy names other steps by id; the numbers the user reads come from the step table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qbo_wizard.core import step_content
from qbo_wizard.core.health.knowledge import KnowledgeError, parse_knowledge
from qbo_wizard.core.paths import CONTENT_DIR
from qbo_wizard.core.problems import ConfigFileError
from qbo_wizard.core.step_content import load_step_content
from qbo_wizard.core.steps import STEP_IDS, render_step_refs, step_by_id, step_ref, steps_ref


def test_a_reference_reads_as_the_step_number() -> None:
    assert step_ref("map") == "step 7"
    assert step_ref("overview", capital=True) == "Step 1"
    assert steps_ref("create-app", "connect") == "steps 2 to 6"
    assert steps_ref("create-app", "connect", "–") == "steps 2–6"


def test_placeholders_in_copy_are_written_out() -> None:
    text = (
        "Map in {{step:map}}. {{Step:test}} posts. Skip {{steps:questionnaire and "
        "production-settings}}; redo {{steps:create-app to connect}}."
    )
    assert render_step_refs(text) == (
        "Map in step 7. Step 8 posts. Skip steps 3 and 4; redo steps 2 to 6."
    )


@pytest.mark.parametrize("step_id", STEP_IDS)
def test_every_step_id_can_be_named(step_id: str) -> None:
    number = step_by_id(step_id).number
    assert render_step_refs(f"see {{{{step:{step_id}}}}}") == f"see step {number}"


def _without_comments(path: Path) -> str:
    return "\n".join(
        line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
    )


@pytest.mark.parametrize(
    "path",
    [*sorted((CONTENT_DIR / "steps").glob("*.yaml")), CONTENT_DIR / "errors.yaml"],
    ids=lambda path: path.name,
)
def test_shipped_copy_names_steps_by_id_not_by_number(path: Path) -> None:
    literal = re.findall(r"\b[Ss]teps? [1-9]\b", _without_comments(path))
    assert literal == [], f"{path.name} names a step by number: {literal}"


def test_the_shipped_copy_reads_with_numbers() -> None:
    assert "(step 8)" in load_step_content("map").texts["all_saved"]
    assert "step 5" in load_step_content("connect").texts["no_keys"]


def test_a_step_file_naming_an_unknown_step_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "overview.yaml").write_text("summary: Go to {{step:mapping}}\n")
    monkeypatch.setattr(step_content, "STEPS_DIR", tmp_path)
    step_content._load.cache_clear()
    try:
        with pytest.raises(ConfigFileError, match="a step that does not exist: 'mapping'"):
            load_step_content("overview")
    finally:
        step_content._load.cache_clear()


_ENTRY = """
  - key: sample
    codes: ["42"]
    title: A sample
    causes: [because]
    fix: ["{FIX}"]
    step: connect
"""


def test_error_knowledge_names_steps_by_id_too() -> None:
    parsed = parse_knowledge(
        "version: 1\nerrors:" + _ENTRY.replace("{FIX}", "Connect again in {{step:connect}}"),
        Path("errors.yaml"),
    )
    assert parsed.entries[0].fix == ("Connect again in step 6",)
    with pytest.raises(KnowledgeError, match="a step that does not exist: 'connection'"):
        parse_knowledge(
            "version: 1\nerrors:" + _ENTRY.replace("{FIX}", "in {{step:connection}}"),
            Path("errors.yaml"),
        )
