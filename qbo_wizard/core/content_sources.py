"""Which YAML content files are shipped pre-parsed, and the text of `content/parsed.json`.

Each file is parsed by its own reader's YAML parser, from the very text that reader parses:
a step's file as written, the error knowledge with its step references written out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from qbo_wizard.core.files import parse_yaml_mapping
from qbo_wizard.core.health.knowledge import (
    KNOWLEDGE_FILE,
    read_knowledge_yaml,
    rendered_knowledge_text,
)
from qbo_wizard.core.parsed_content import parsed_json
from qbo_wizard.core.step_content import STEPS_DIR
from qbo_wizard.core.steps import STEP_IDS

Source = tuple[Path, str, Callable[[str, Path], Any]]


def content_sources() -> list[Source]:
    """`(path, the text its reader parses, that reader's YAML parser)` of each file."""
    sources: list[Source] = []
    for step_id in STEP_IDS:
        path = STEPS_DIR / f"{step_id}.yaml"
        sources.append((path, path.read_text(encoding="utf-8"), parse_yaml_mapping))
    knowledge_text = rendered_knowledge_text(KNOWLEDGE_FILE.read_text(encoding="utf-8"))
    sources.append((KNOWLEDGE_FILE, knowledge_text, read_knowledge_yaml))
    return sources


def parsed_content_text() -> str:
    """What `content/parsed.json` should hold for the YAML files as they are now."""
    return parsed_json(content_sources())
