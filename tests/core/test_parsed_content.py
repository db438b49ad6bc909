"""The pre-parsed copy of the shipped YAML content: up to date, and read as the YAML reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qbo_wizard.core import parsed_content, step_content
from qbo_wizard.core.content_sources import content_sources, parsed_content_text
from qbo_wizard.core.health import knowledge as knowledge_module
from qbo_wizard.core.parsed_content import PARSED_FILE, preparsed, source_key
from qbo_wizard.core.steps import STEP_IDS


def test_the_shipped_copy_is_up_to_date() -> None:
    assert PARSED_FILE.read_text(encoding="utf-8") == parsed_content_text(), (
        "a YAML file under qbo_wizard/content/ changed: run python scripts/parse_content.py"
    )


@pytest.mark.parametrize("source", content_sources(), ids=lambda source: source[0].name)
def test_each_file_reads_the_same_from_the_copy(source: tuple[Path, str, object]) -> None:
    path, text, parse = source
    assert callable(parse)
    data = preparsed(path, text)
    assert data is not None
    assert data == parse(text, path)


def test_an_edited_file_is_read_from_its_yaml() -> None:
    path, text, _ = content_sources()[0]
    edited = text.replace("summary:", "summary: Edited.\n_old_summary:", 1)
    assert source_key(edited) != source_key(text)
    assert preparsed(path, edited) is None
    assert preparsed(path.with_name("elsewhere.yaml"), text) is None
    assert preparsed(Path("/somewhere/else/overview.yaml"), text) is None


def _without_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(step_content, "preparsed", lambda path, text: None)
    monkeypatch.setattr(knowledge_module, "preparsed", lambda path, text: None)


def test_steps_and_knowledge_are_the_same_from_the_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    load = step_content._load.__wrapped__
    from_copy = [load(step_id, ()) for step_id in STEP_IDS]
    knowledge_from_copy = knowledge_module.parse_knowledge(
        knowledge_module.KNOWLEDGE_FILE.read_text(encoding="utf-8")
    )
    _without_copy(monkeypatch)
    assert [load(step_id, ()) for step_id in STEP_IDS] == from_copy
    assert (
        knowledge_module.parse_knowledge(
            knowledge_module.KNOWLEDGE_FILE.read_text(encoding="utf-8")
        )
        == knowledge_from_copy
    )


def test_a_damaged_copy_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, text, parse = content_sources()[0]
    for damaged in ("{not json", json.dumps({"format": 99, "files": {}}), "[]"):
        copy = tmp_path / "parsed.json"
        copy.write_text(damaged, encoding="utf-8")
        monkeypatch.setattr(parsed_content, "PARSED_FILE", copy)
        parsed_content._parsed.cache_clear()
        try:
            assert preparsed(path, text) is None
        finally:
            parsed_content._parsed.cache_clear()
    monkeypatch.undo()
    assert preparsed(path, text) == parse(text, path)
