"""Field-level errors for hand-editable YAML files: name the file, the line and the field.

`yaml_reader` reports syntax errors with a line; this adds the line of a *field* whose value is
wrong (a bad `kind`, a missing `label`), using the start marks of the node tree it kept.
Field names in messages are cut short, as a damaged file may have a key of any length.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import yaml

from qbo_wizard.core.problems import ConfigFileError
from qbo_wizard.core.yaml_reader import QUOTE_CHARS, YamlDocument

FieldPath = tuple[str | int, ...]


def _part_name(part: str) -> str:
    shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in part[:QUOTE_CHARS])
    return shown + "…" if len(part) > QUOTE_CHARS else shown


def field_name(path: FieldPath) -> str:
    """`lines[3].kind` style name of a field, counting list entries from 1 as people do."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{_part_name(part)}" if text else _part_name(part)
    return text


def key_text(key: object) -> str:
    """A mapping key as the text a field path uses (YAML may read `12:` as a number)."""
    if isinstance(key, str):
        return key
    if isinstance(key, (datetime.date, datetime.datetime)):
        return key.isoformat()
    if isinstance(key, bool) or key is None or isinstance(key, (int, float)):
        return str(key) if not isinstance(key, int) or key.bit_length() < 200 else "(number)"
    return "(" + type(key).__name__ + ")"


class FieldLocator:
    """Finds the line of any field of a YAML document, to put in a `ConfigFileError`."""

    def __init__(self, document: YamlDocument) -> None:
        self.path = document.path
        self.root: yaml.Node | None = document.root

    def _node(self, path: FieldPath, key_node: bool) -> yaml.Node | None:
        node = self.root
        for depth, part in enumerate(path):
            found: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == part:
                        found = key if key_node and depth == len(path) - 1 else value
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                found = node.value[part] if 0 <= part < len(node.value) else None
            if found is None:
                return None
            node = found
        return node

    def line(self, path: FieldPath, key_node: bool = False) -> int | None:
        """1-based line of the field, or of the nearest enclosing entry when it is missing."""
        for cut in range(len(path), -1, -1):
            node = self._node(path[:cut], key_node and cut == len(path))
            if node is not None:
                return int(node.start_mark.line) + 1
        return None

    def error(
        self, path: FieldPath, problem: str, key_node: bool = False, *, at: FieldPath | None = None
    ) -> ConfigFileError:
        """A `ConfigFileError` for one field: "<file>, line N: the field 'x.y' <problem>".

        The line is that of the field, or of `at` (an entry inside it) when given.
        """
        where = f"the field '{field_name(path)}' " if path else ""
        line = self.line(at if at is not None else path, key_node)
        return ConfigFileError(self.path, f"{where}{problem}", line)

    def refuse_unknown(self, keys: Iterable[object], allowed: set[str], path: FieldPath) -> None:
        """Refuse a field the wizard does not know (usually a typo), naming it and its line."""
        for key in keys:
            if key not in allowed:
                raise self.error(
                    (*path, key_text(key)),
                    "is not one the wizard knows; use " + ", ".join(sorted(allowed)),
                    key_node=True,
                )
