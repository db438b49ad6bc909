"""The one way the wizard reads a YAML file, whoever wrote it and whatever it holds.

People send each other these files (a consultant's mapping, a profile copied from another
computer) and edit them by hand, so a file may be damaged or even hostile. Reading one is
bounded before any value is built:

- its size is checked before it is read (`MAX_FILE_BYTES`), so a huge file costs nothing;
- it must be UTF-8 text; the line of the first byte that is not is named;
- anchors and aliases (`&name`, `*name`) are refused where they appear, before anything is
  expanded: the wizard's files never need them, and nested aliases can make a few hundred bytes
  stand for gigabytes;
- nesting deeper than `MAX_DEPTH` and more than `MAX_VALUES` values are refused;
- a number longer than `MAX_NUMBER_DIGITS` digits (no ID or amount is that long) and a date
  that cannot exist are refused with their line.

Every refusal is a `ConfigFileError` naming the file and, when known, the line. Messages never
include a value of unknown size: `quote` shows at most a short, escaped beginning of a text and
`describe` names the shape of anything else.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from qbo_wizard.core.problems import ConfigFileError

_CParser: Any
try:  # libyaml's parser is about ten times faster than the pure-Python one
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

#: Largest file the wizard reads: its own files are a few kilobytes; a mapping of 10,000
#: lines is well under this.
MAX_FILE_BYTES = 1_000_000
#: Deepest nesting of lists and mappings accepted (the wizard's files use four or five levels).
MAX_DEPTH = 32
#: Most values (texts, numbers, lists, mappings) in one file.
MAX_VALUES = 200_000
#: Longest number accepted: QuickBooks IDs have up to about 20 digits.
MAX_NUMBER_DIGITS = 40
#: Longest piece of a value quoted in a message.
QUOTE_CHARS = 40

_PROBLEM_CHARS = 160


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """A value for a message: at most `limit` characters of a text, escaped and quoted.

    Only the beginning of a text is ever looked at, so this costs the same for a huge value as
    for a short one. Values that are not text or a plain number are named by their shape
    (`describe`), never printed.
    """
    if isinstance(value, bool) or value is None:
        return describe(value)
    if isinstance(value, int):
        if value.bit_length() > 4 * MAX_NUMBER_DIGITS:
            return f"a number of more than {MAX_NUMBER_DIGITS} digits"
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value
    else:
        return describe(value)
    head = text[:limit]
    shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in head)
    return f"'{shown}…'" if len(text) > limit else f"'{shown}'"


def describe(value: object) -> str:
    """The shape of a value in plain words (`a list`, `a number`), without its contents."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, dict):
        return "a set of named values"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    if isinstance(value, bytes):
        return "binary data"
    return "a value of another kind"


def _short(problem: str) -> str:
    """A library's error text, cut short and with invisible characters escaped."""
    flat = " ".join(problem[: _PROBLEM_CHARS * 2].split())
    flat = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in flat)
    return flat if len(flat) <= _PROBLEM_CHARS else flat[: _PROBLEM_CHARS - 1] + "…"


@dataclass(frozen=True)
class YamlDocument:
    """A file read and checked: its values, and its node tree (for the line of any field)."""

    path: Path
    data: dict[str, Any]
    root: yaml.Node | None


class _Refused(yaml.YAMLError):
    """Something in the file the wizard will not read, found at a line."""

    def __init__(self, problem: str, mark: yaml.Mark | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = mark.line + 1 if mark is not None else None


class _CheckingComposer(Composer):
    """PyYAML's composer, refusing aliases, anchors, deep nesting and too many values."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._values = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        events = cast(Any, self)  # the parser half of the loader (libyaml's or Python's)
        if events.check_event(AliasEvent):
            event = events.peek_event()
            raise _Refused(
                "it uses a YAML alias (*name), which the wizard's files never need; write "
                "the value out in full",
                event.start_mark,
            )
        event = events.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise _Refused(
                "it uses a YAML anchor (&name), which the wizard's files never need; write "
                "the value out in full where it is used",
                event.start_mark,
            )
        self._values += 1
        if self._values > MAX_VALUES:
            raise _Refused(
                f"it holds more than {MAX_VALUES:,} values, far more than any wizard file",
                event.start_mark,
            )
        nested = isinstance(event, (SequenceStartEvent, MappingStartEvent))
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    f"it is nested more than {MAX_DEPTH} levels deep, far more than any "
                    "wizard file",
                    event.start_mark,
                )
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self._depth -= 1


class _CheckingConstructor(SafeConstructor):
    """The safe constructor, refusing numbers too long to mean anything and impossible dates.

    A value that cannot be what its tag says (`!!int abc`, `!!timestamp ''`) makes PyYAML's
    constructors fail with Python errors; those become a refusal naming the line.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError):
            kind = _short(str(node.tag).rsplit(":", 1)[-1])
            shown = quote(node.value) if isinstance(node.value, str) else "the value"
            raise _Refused(f"{shown} cannot be read as {kind}", node.start_mark) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(c.isalnum() for c in node.value[: MAX_NUMBER_DIGITS * 4])
        if digits > MAX_NUMBER_DIGITS or len(node.value) > MAX_NUMBER_DIGITS * 4:
            raise _Refused(
                f"the number {quote(node.value, 12)} has more than {MAX_NUMBER_DIGITS} "
                "digits, far too many for an ID or an amount; the file may be damaged",
                node.start_mark,
            )
        return super().construct_yaml_int(node)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> datetime.date:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise _Refused(
                f"the date {quote(node.value)} is not a real date or time; put it in quotes "
                "if it is meant as text",
                node.start_mark,
            ) from None


# The constructor table holds functions, so the overrides must be registered to be used.
_register = cast(Any, _CheckingConstructor).add_constructor
_register("tag:yaml.org,2002:int", _CheckingConstructor.construct_yaml_int)
_register("tag:yaml.org,2002:timestamp", _CheckingConstructor.construct_yaml_timestamp)


class _PythonLoader(Reader, Scanner, Parser, _CheckingComposer, _CheckingConstructor, Resolver):
    """The pure-Python parser under the checking composer and constructor."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        _CheckingComposer.__init__(self)
        _CheckingConstructor.__init__(self)
        Resolver.__init__(self)


_Loader: Any = _PythonLoader
if _CParser is not None:

    class _LibyamlLoader(_CheckingComposer, _CParser, _CheckingConstructor, Resolver):  # type: ignore[misc]
        """libyaml's parser under the checking composer and constructor."""

        def __init__(self, text: str) -> None:
            _CParser.__init__(self, text)
            _CheckingConstructor.__init__(self)
            Resolver.__init__(self)
            _CheckingComposer.__init__(self)

    _Loader = _LibyamlLoader


def _line_of_offset(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, max(0, offset)) + 1


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigFileError(
            path, "it is not UTF-8 text (it starts like UTF-16); save it again as UTF-8", 1
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = raw[exc.start]
        raise ConfigFileError(
            path,
            f"it is not UTF-8 text (a byte 0x{byte:02x} that UTF-8 never has); save it again "
            "as UTF-8",
            _line_of_offset(raw, exc.start),
        ) from None


def read_yaml_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> YamlDocument | None:
    """Read and check a YAML file whose top level must be a mapping; None if it does not exist.

    The size is checked before anything is read; anything the file cannot be used for is a
    `ConfigFileError` naming the file and, when known, the line.
    """
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise _too_big(path, max_bytes)
            raw = handle.read(max_bytes + 1)  # a file that grows, or a device, stops here
    except FileNotFoundError:
        return None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigFileError(path, f"it could not be read ({reason})") from None
    if len(raw) > max_bytes:
        raise _too_big(path, max_bytes)
    return parse_yaml_text(raw, path)


def _too_big(path: Path, max_bytes: int) -> ConfigFileError:
    return ConfigFileError(
        path,
        f"it is larger than {max_bytes // 1000:,} kB, far larger than any file the wizard "
        "writes, so it was not read",
    )


def _load(text: str) -> tuple[yaml.Node | None, Any]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def parse_yaml_text(content: str | bytes, path: Path) -> YamlDocument:
    """Check and parse YAML text (or UTF-8 bytes) read from `path`; refusals name the line."""
    if isinstance(content, bytes):
        raw = content
        if len(raw) > MAX_FILE_BYTES:
            raise _too_big(path, MAX_FILE_BYTES)
        text = _decode(raw, path)
    else:
        text = content
        if len(text) > MAX_FILE_BYTES:
            raise _too_big(path, MAX_FILE_BYTES)
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad_line = text.count("\n", 0, exc.start) + 1
            raise ConfigFileError(
                path, "it holds text that is not valid Unicode", bad_line
            ) from None
    try:
        root, data = _load(text)
    except _Refused as refused:
        raise ConfigFileError(path, refused.problem, refused.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = _short("; ".join(part for part in (exc.context, exc.problem) if part))
        problem = f"it is not valid YAML ({problem or 'unreadable'})"
        raise ConfigFileError(path, problem, mark.line + 1 if mark else None) from None
    except ReaderError as exc:
        # libyaml counts in bytes of the UTF-8 text, the Python reader in characters.
        line = (
            _line_of_offset(raw, exc.position)
            if _Loader is not _PythonLoader
            else text.count("\n", 0, exc.position) + 1
        )
        character = exc.character
        what = f"U+{character:04X}" if isinstance(character, int) else "a character"
        raise ConfigFileError(
            path, f"it holds a control character ({what}) that YAML files may not contain", line
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigFileError(path, f"it is not valid YAML ({_short(str(exc))})") from None
    if data is None:
        return YamlDocument(path, {}, root)
    if not isinstance(data, dict):
        raise ConfigFileError(
            path,
            f"it should hold named settings (a YAML mapping) at the top, not {describe(data)}",
            1,
        )
    return YamlDocument(path, data, root)
