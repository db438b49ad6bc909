"""The shipped YAML content, also kept pre-parsed so start-up need not parse YAML.

Writers edit the YAML files under `qbo_wizard/content/`; `content/parsed.json` holds what each
of them parses to, made by `python scripts/parse_content.py`. A reader still reads the YAML
file's text, and uses the pre-parsed data only when it was made from exactly that text (same
length and CRC-32); otherwise it parses the YAML itself, so an edit shows at once even before
the JSON is made again. A test fails when the JSON is out of date.

This saves the YAML library's import (~14 ms) and its parsing at every start of the wizard
and of `qbo-wizard explain`, which read nothing but this content.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from qbo_wizard.core.paths import CONTENT_DIR

PARSED_FILE = CONTENT_DIR / "parsed.json"
FORMAT = 1


def source_key(text: str) -> str:
    """What identifies the text a file's data was parsed from: its UTF-8 length and CRC-32."""
    data = text.encode("utf-8")
    return f"{len(data)}:{zlib.crc32(data):08x}"


@cache
def _parsed() -> dict[str, Any]:
    """The pre-parsed files, by path relative to the content folder (empty when unreadable)."""
    try:
        shipped = json.loads(PARSED_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(shipped, dict) or shipped.get("format") != FORMAT:
        return {}
    files = shipped.get("files")
    return files if isinstance(files, dict) else {}


def _relative_name(path: Path) -> str | None:
    try:
        return path.relative_to(CONTENT_DIR).as_posix()
    except ValueError:
        return None


def preparsed(path: Path, text: str) -> Any | None:
    """The data the YAML `text` of the content file `path` parses to, when `parsed.json` holds
    it for exactly this text; None otherwise (the caller parses the YAML)."""
    name = _relative_name(path)
    if name is None:
        return None
    entry = _parsed().get(name)
    if not isinstance(entry, dict) or entry.get("source") != source_key(text):
        return None
    return entry.get("data")


def parsed_json(files: Iterable[tuple[Path, str, Callable[[str, Path], Any]]]) -> str:
    """The text of `parsed.json` for `(path, YAML text, parse)` of each content file, `parse`
    being the parser its reader uses."""
    entries = {}
    for path, text, parse in files:
        name = _relative_name(path)
        if name is None:
            raise ValueError(f"{path} is not under {CONTENT_DIR}")
        entries[name] = {"source": source_key(text), "data": parse(text, path)}
    document = {"format": FORMAT, "files": dict(sorted(entries.items()))}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
