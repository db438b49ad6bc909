"""Field-level errors for hand-editable YAML files: name the file, the line and the field.

`parse_yaml_mapping` reports syntax errors with a line; this adds the line of a *field* whose
value is wrong (a bad `kind`, a missing `label`), using the YAML node tree's start marks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from qbo_wizard.core.files import ConfigFileError

FieldPath = tuple[str | int, ...]


def field_name(path: FieldPath) -> str:
    """`lines[3].kind` style name of a field, counting list entries from 1 as people do."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else part
    return text


class FieldLocator:
    """Finds the line of any field of a YAML document, to put in a `ConfigFileError`."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        try:
            self.root: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            self.root = None

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

    def error(self, path: FieldPath, problem: str, key_node: bool = False) -> ConfigFileError:
        """A `ConfigFileError` for one field: "<file>, line N: the field 'x.y' <problem>"."""
        where = f"the field '{field_name(path)}' " if path else ""
        return ConfigFileError(self.path, f"{where}{problem}", self.line(path, key_node))

    def refuse_unknown(self, keys: Iterable[object], allowed: set[str], path: FieldPath) -> None:
        """Refuse a field the wizard does not know (usually a typo), naming it and its line."""
        for key in keys:
            if key not in allowed:
                raise self.error(
                    (*path, str(key)),
                    "is not one the wizard knows; use " + ", ".join(sorted(allowed)),
                    key_node=True,
                )
