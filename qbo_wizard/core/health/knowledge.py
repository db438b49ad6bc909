"""What the wizard knows about QuickBooks Online and Intuit sign-in errors.

The knowledge is data, in `qbo_wizard/content/errors.yaml` (its header documents every field).
This module loads it once, on first use (from its pre-parsed copy, `core/parsed_content.py`,
when that was made from the file as it is), and checks it thoroughly: a mistake in the file is
reported with the entry and field at fault instead of surfacing later as a wrong explanation.

`explain.py` finds codes in pasted text; this module answers "which entry explains code X with
this detail?" for callers that already have the code (API errors, doctor, the support bundle).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any, NamedTuple

from qbo_wizard.core.parsed_content import preparsed
from qbo_wizard.core.paths import CONTENT_DIR
from qbo_wizard.core.problems import WizardError
from qbo_wizard.core.steps import STEP_IDS, StepId, render_step_refs

KNOWLEDGE_FILE = CONTENT_DIR / "errors.yaml"

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_FIELDS = {
    "key",
    "codes",
    "http_statuses",
    "code_ranges",
    "phrases",
    "refines",
    "when",
    "generic",
    "title",
    "causes",
    "fix",
    "step",
}


class KnowledgeError(WizardError):
    """The error knowledge file is damaged; the message names the entry and the field."""


def normalise_code(code: object) -> str:
    """The form codes are compared in: lower case, and numbers without leading zeros."""
    text = str(code).strip().lower()
    if text.isdigit():
        return text.lstrip("0") or "0"
    return text


# Records are NamedTuples, not dataclasses: `qbo-wizard explain` starts faster without the
# dataclasses module (and what it imports), and these records need nothing more.
class Phrase(NamedTuple):
    """Words to look for: lower case, whole words, optionally matching longer words (`*`)."""

    text: str
    prefix: bool = False

    @classmethod
    def parse(cls, raw: str) -> Phrase:
        raw = " ".join(raw.lower().split())
        if raw.endswith("*"):
            return cls(raw[:-1].rstrip(), prefix=True)
        return cls(raw)

    def first_in(self, lowered: str, limit: int = 50) -> int:
        """Position of the first whole-word occurrence in already lower-cased text, or -1."""
        start = 0
        for _ in range(limit):
            found = lowered.find(self.text, start)
            if found < 0:
                return -1
            end = found + len(self.text)
            before_ok = found == 0 or not (self.text[0].isalnum() and lowered[found - 1].isalnum())
            after_ok = (
                self.prefix
                or end == len(lowered)
                or not (self.text[-1].isalnum() and lowered[end].isalnum())
            )
            if before_ok and after_ok:
                return found
            start = found + 1
        return -1


class KnownError(NamedTuple):
    """One entry of the knowledge file."""

    key: str
    title: str
    causes: tuple[str, ...]
    fix: tuple[str, ...]
    step: StepId | None
    codes: tuple[str, ...] = ()
    http_statuses: tuple[int, ...] = ()
    code_ranges: tuple[tuple[int, int], ...] = ()
    phrases: tuple[Phrase, ...] = ()
    refines: tuple[str, ...] = ()
    when: tuple[Phrase, ...] = ()
    generic: bool = False

    @property
    def is_refinement(self) -> bool:
        """True for a special case of other codes (it wins over their general entry)."""
        return bool(self.refines)

    def title_for(self, code: str | None) -> str:
        """The title, with `{code}` filled in."""
        return self.title.replace("{code}", code or "?")

    def display_code(self, found: str) -> str:
        """How to show a code found in text: the entry's own spelling when it is one of ours."""
        wanted = normalise_code(found)
        for code in self.codes:
            if normalise_code(code) == wanted:
                return code
        return found


class Knowledge(NamedTuple):
    """All entries, indexed for lookups by code, HTTP status and range."""

    entries: tuple[KnownError, ...]
    by_key: dict[str, KnownError]
    by_code: dict[str, KnownError]
    refinements: dict[str, tuple[KnownError, ...]]
    by_status: dict[int, KnownError]
    ranges: tuple[tuple[int, int, KnownError], ...]

    def __repr__(self) -> str:
        return f"Knowledge({len(self.entries)} entries)"

    def entry(self, key: str) -> KnownError:
        """The entry with this key; KeyError for an unknown key."""
        return self.by_key[key]

    def for_code(self, code: str | int, text: str = "") -> tuple[KnownError, bool] | None:
        """The entry for `code`, refined by the error's own `text`; with True when refined.

        Numeric codes not listed anywhere fall back to the entry for their range.
        """
        wanted = normalise_code(code)
        lowered = text.lower()
        if lowered:
            for special in self.refinements.get(wanted, ()):
                if any(p.first_in(lowered) >= 0 for p in special.when or special.phrases):
                    return special, True
        base = self.by_code.get(wanted)
        if base is not None:
            return base, False
        if wanted.isdigit() and len(wanted) <= 9:
            number = int(wanted)
            for low, high, entry in self.ranges:
                if low <= number <= high:
                    return entry, False
        return None

    def for_status(self, status: int) -> KnownError | None:
        """The entry for an HTTP status that came without a better code."""
        return self.by_status.get(status)

    def word_codes(self) -> tuple[tuple[Phrase, str], ...]:
        """Codes that are words (invalid_grant, WrongClusterError), to look for in free text."""
        return tuple(
            (Phrase.parse(code), code)
            for entry in self.entries
            for code in entry.codes
            if not code.isdigit()
        )


def _problem(path: Path, where: str, problem: str) -> KnowledgeError:
    return KnowledgeError(f"{path}, {where}: {problem}")


def _text(raw: dict[str, Any], name: str, path: Path, where: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _problem(path, where, f"'{name}' must be a non-empty text")
    return " ".join(value.split())


def _text_list(
    raw: dict[str, Any], name: str, path: Path, where: str, *, required: bool
) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(
        isinstance(item, (str, int)) and not isinstance(item, bool) and str(item).strip()
        for item in value
    ):
        raise _problem(path, where, f"'{name}' must be a list of non-empty texts")
    if required and not value:
        raise _problem(path, where, f"'{name}' needs at least one item")
    return tuple(" ".join(str(item).split()) for item in value)


def _codes(raw: dict[str, Any], name: str, path: Path, where: str) -> tuple[str, ...]:
    codes = _text_list(raw, name, path, where, required=False)
    for code in codes:
        if not _CODE.match(code):
            raise _problem(path, where, f"'{name}' has {code!r}, which is not a usable code")
    return codes


def _int_list(raw: dict[str, Any], name: str, path: Path, where: str) -> tuple[int, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 599
        for item in value
    ):
        raise _problem(path, where, f"'{name}' must be a list of HTTP statuses (100-599)")
    return tuple(value)


def _ranges(raw: dict[str, Any], path: Path, where: str) -> tuple[tuple[int, int], ...]:
    value = raw.get("code_ranges", [])
    ranges: list[tuple[int, int]] = []
    if isinstance(value, list):
        for pair in value:
            if (
                isinstance(pair, list)
                and len(pair) == 2
                and all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
                and 0 <= pair[0] <= pair[1]
            ):
                ranges.append((pair[0], pair[1]))
            else:
                break
        else:
            return tuple(ranges)
    raise _problem(path, where, "'code_ranges' must be a list of [low, high] number pairs")


def _entry(raw: object, index: int, path: Path) -> KnownError:
    where = f"entry {index + 1}"
    if not isinstance(raw, dict):
        raise _problem(path, where, "each entry must be a mapping of named fields")
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise _problem(path, where, "'key' must be a short name of letters, digits, '_', '-', '.'")
    where = f"entry {index + 1} ('{key}')"
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise _problem(path, where, f"unknown field(s) {', '.join(unknown)}")
    step = raw.get("step")
    if step is not None and step not in STEP_IDS:
        raise _problem(
            path, where, f"'step' is {step!r}; it must be null or one of {', '.join(STEP_IDS)}"
        )
    generic = raw.get("generic", False)
    if not isinstance(generic, bool):
        raise _problem(path, where, "'generic' must be true or false")
    entry = KnownError(
        key=key,
        title=_text(raw, "title", path, where),
        causes=_text_list(raw, "causes", path, where, required=True),
        fix=_text_list(raw, "fix", path, where, required=True),
        step=step,
        codes=_codes(raw, "codes", path, where),
        http_statuses=_int_list(raw, "http_statuses", path, where),
        code_ranges=_ranges(raw, path, where),
        phrases=tuple(
            Phrase.parse(p) for p in _text_list(raw, "phrases", path, where, required=False)
        ),
        refines=_codes(raw, "refines", path, where),
        when=tuple(Phrase.parse(p) for p in _text_list(raw, "when", path, where, required=False)),
        generic=generic,
    )
    if any(not p.text for p in entry.phrases + entry.when):
        raise _problem(path, where, "a phrase is empty")
    if entry.refines and entry.codes:
        raise _problem(path, where, "use either 'codes' or 'refines', not both")
    if entry.refines and not (entry.when or entry.phrases):
        raise _problem(path, where, "an entry with 'refines' needs 'when' or 'phrases'")
    if entry.when and not entry.refines:
        raise _problem(path, where, "'when' only makes sense together with 'refines'")
    recognisers = (entry.codes, entry.refines, entry.http_statuses, entry.code_ranges)
    if not any(recognisers) and not entry.phrases:
        raise _problem(path, where, "the entry has nothing to recognise it by")
    return entry


def build_knowledge(entries: list[KnownError], path: Path) -> Knowledge:
    """Index the entries, refusing ambiguity (one code or status explained by two entries)."""
    by_key: dict[str, KnownError] = {}
    by_code: dict[str, KnownError] = {}
    by_status: dict[int, KnownError] = {}
    refinements: dict[str, list[KnownError]] = {}
    ranges: list[tuple[int, int, KnownError]] = []
    for entry in entries:
        if entry.key in by_key:
            raise _problem(path, f"entry '{entry.key}'", "this key is used twice")
        by_key[entry.key] = entry
        for code in entry.codes:
            other = by_code.setdefault(normalise_code(code), entry)
            if other is not entry:
                raise _problem(
                    path, f"entry '{entry.key}'", f"code {code!r} is already in '{other.key}'"
                )
        for status in entry.http_statuses:
            other = by_status.setdefault(status, entry)
            if other is not entry:
                raise _problem(
                    path, f"entry '{entry.key}'", f"status {status} is already in '{other.key}'"
                )
        for code in entry.refines:
            refinements.setdefault(normalise_code(code), []).append(entry)
        ranges.extend((low, high, entry) for low, high in entry.code_ranges)
    for entry in entries:
        for code in entry.refines:
            if normalise_code(code) not in by_code:
                raise _problem(
                    path, f"entry '{entry.key}'", f"it refines {code!r}, which no entry explains"
                )
    ranges.sort(key=lambda item: item[0])
    for (_, high, first), (low, _, second) in itertools.pairwise(ranges):
        if low <= high:
            raise _problem(path, f"entry '{second.key}'", f"its code range overlaps '{first.key}'")
    return Knowledge(
        entries=tuple(entries),
        by_key=by_key,
        by_code=by_code,
        refinements={code: tuple(found) for code, found in refinements.items()},
        by_status=by_status,
        ranges=tuple(ranges),
    )


def read_knowledge_yaml(text: str, path: Path = KNOWLEDGE_FILE) -> Any:
    """The data of knowledge YAML whose step references are already written out."""
    import yaml  # only when the pre-parsed copy does not hold this text

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506  # a safe loader, C or Python
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}" if mark is not None else "somewhere"
        raise _problem(path, line, f"not valid YAML ({exc.problem or exc.context})") from None
    except yaml.YAMLError as exc:
        raise _problem(path, "the file", f"not valid YAML ({exc})") from None


def rendered_knowledge_text(text: str, path: Path = KNOWLEDGE_FILE) -> str:
    """Knowledge YAML with `{{step:map}}` written out ("step 7") from the step table."""
    try:
        return render_step_refs(text)
    except KeyError as unknown:
        raise _problem(path, "the file", f"names a step that does not exist: {unknown}") from None


def parse_knowledge(text: str, path: Path = KNOWLEDGE_FILE) -> Knowledge:
    """Parse and check knowledge YAML; KnowledgeError names the entry and field at fault."""
    text = rendered_knowledge_text(text, path)
    data = preparsed(path, text)
    if data is None:
        data = read_knowledge_yaml(text, path)
    if not isinstance(data, dict) or data.get("version") != 1:
        raise _problem(path, "the top", "expected 'version: 1' and an 'errors' list")
    raw_entries = data.get("errors")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise _problem(path, "the top", "'errors' must be a non-empty list")
    return build_knowledge([_entry(raw, i, path) for i, raw in enumerate(raw_entries)], path)


_loaded: Knowledge | None = None


def knowledge() -> Knowledge:
    """The shipped knowledge, loaded and checked on first use, then kept."""
    global _loaded
    if _loaded is None:
        try:
            text = KNOWLEDGE_FILE.read_text(encoding="utf-8")
        except OSError as exc:
            raise _problem(KNOWLEDGE_FILE, "the file", f"cannot be read ({exc.strerror})") from None
        _loaded = parse_knowledge(text, KNOWLEDGE_FILE)
    return _loaded
