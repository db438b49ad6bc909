"""The words each step shows, loaded from `qbo_wizard/content/steps/<step id>.yaml`.

Step copy is data, not code: writers edit the YAML files and every screen (and any other front
end) reads them through `load_step_content` (from their pre-parsed copy, `parsed_content`, when
that was made from the file as it is). Text fields are Markdown: paragraphs, numbered and
bulleted lists, **bold**, *italic*, `code` and [links](…), the part the wizard draws
(`qbo_wizard/tui/widgets/prose.py`). A value the user pastes into the Intuit portal may contain
`{{name}}` placeholders, filled from `TEMPLATE_VALUES` (plus any values the caller passes), so an
address is written down in exactly one place. Any text names another step as `{{step:map}}`
("step 7"), `{{Step:map}}`, `{{steps:questionnaire and production-settings}}` ("steps 3 and 4")
or `{{steps:create-app to connect}}`, so the numbers come from the step table (`core/steps.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

from qbo_wizard.core.addresses import (
    DEFAULT_LOOPBACK_PORT,
    LOOPBACK_PATH,
    PLAYGROUND_REDIRECT_URI,
    PLAYGROUND_URL,
)
from qbo_wizard.core.files import parse_yaml_mapping
from qbo_wizard.core.parsed_content import preparsed
from qbo_wizard.core.paths import CONTENT_DIR
from qbo_wizard.core.problems import ConfigFileError
from qbo_wizard.core.profile import KEY_SETS, KeySet
from qbo_wizard.core.steps import STEP_IDS, render_step_refs

LOOPBACK_PORT = DEFAULT_LOOPBACK_PORT
LOOPBACK_REDIRECT_URI = f"http://localhost:{LOOPBACK_PORT}{LOOPBACK_PATH}"
DEVELOPER_PORTAL_URL = "https://developer.intuit.com/"

TEMPLATE_VALUES: dict[str, str] = {
    "loopback_redirect_uri": LOOPBACK_REDIRECT_URI,
    "playground_redirect_uri": PLAYGROUND_REDIRECT_URI,
    "developer_portal_url": DEVELOPER_PORTAL_URL,
    "playground_url": PLAYGROUND_URL,
}

CalloutKind = Literal["warning", "note"]
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


@dataclass(frozen=True)
class CopyValue:
    """Something the user pastes into the Intuit portal, with a copy action next to it."""

    label: str
    value: str
    key_set: KeySet | None = None
    """Shown only while the profile uses this key set; `None` means always."""


@dataclass(frozen=True)
class Link:
    """A web page the user may need, opened in their browser (or shown to copy)."""

    label: str
    url: str


@dataclass(frozen=True)
class ChecklistItem:
    """One thing to do; the user ticks it when done and the tick is kept in the profile."""

    id: str
    label: str
    detail: str = ""
    values: tuple[CopyValue, ...] = ()
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Callout:
    """A boxed paragraph that must not be missed (`warning`) or is worth knowing (`note`)."""

    kind: CalloutKind
    title: str
    body: str


@dataclass(frozen=True)
class ChoiceOption:
    """One answer to a step's question, with the text shown while it is chosen."""

    id: str
    label: str
    body: str


@dataclass(frozen=True)
class Choice:
    """A question inside a step whose answer is saved in the profile (e.g. the key set)."""

    prompt: str
    setting: Literal["key_set"]
    options: tuple[ChoiceOption, ...]


@dataclass(frozen=True)
class StepContent:
    """Everything a step says: summary line, introduction, callouts, a choice and a checklist."""

    step_id: str
    summary: str
    intro: str = ""
    callouts: tuple[Callout, ...] = ()
    choice: Choice | None = None
    checklist: tuple[ChecklistItem, ...] = ()
    only_for_key_set: KeySet | None = None
    """The step is needed only with this key set; with the other one it may be skipped."""
    skip_note: str = ""
    """Shown instead of nagging when the profile's key set does not need this step."""
    texts: Mapping[str, str] = field(default_factory=dict)
    """Named sentences a screen shows in particular places (hints, confirmations)."""

    def text(self, name: str, **values: str) -> str:
        """One of `texts`, with `{name}` fields filled from `values`."""
        return self.texts[name].format(**values)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The checklist's item ids, in order."""
        return tuple(item.id for item in self.checklist)

    def applies_to(self, key_set: str) -> bool:
        """True if this step is needed for a profile using `key_set`."""
        return self.only_for_key_set is None or self.only_for_key_set == key_set


class _Reader:
    """Turns one parsed YAML file into dataclasses, naming the file on any mistake."""

    def __init__(self, path: Path, values: Mapping[str, str]) -> None:
        self.path = path
        self.values = values

    def fail(self, problem: str) -> ConfigFileError:
        return ConfigFileError(self.path, problem)

    def fill(self, text: str) -> str:
        try:
            text = render_step_refs(text)
        except KeyError as unknown:
            raise self.fail(f"it names a step that does not exist: {unknown}") from None

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.values:
                raise self.fail(f"it uses an unknown placeholder {{{{{name}}}}}")
            return self.values[name]

        return _PLACEHOLDER.sub(replace, text).strip()

    def mapping(self, data: object, where: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(f"{where} should be a set of named values")
        unknown = set(data) - allowed
        if unknown:
            raise self.fail(f"{where} has unknown keys: {', '.join(sorted(map(str, unknown)))}")
        return cast(dict[str, Any], data)

    def text(self, data: dict[str, Any], key: str, where: str, required: bool = False) -> str:
        value = data.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{where} needs '{key}' as text")
        return self.fill(value)

    def items(self, data: dict[str, Any], key: str, where: str) -> list[object]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{where}: '{key}' should be a list")
        return value

    def key_set(self, value: object, where: str) -> KeySet | None:
        if value is None:
            return None
        if value not in KEY_SETS:
            raise self.fail(f"{where}: key set should be one of {', '.join(KEY_SETS)}")
        return cast(KeySet, value)

    def copy_value(self, data: object, where: str) -> CopyValue:
        raw = self.mapping(data, where, {"label", "value", "key_set"})
        return CopyValue(
            label=self.text(raw, "label", where, required=True),
            value=self.text(raw, "value", where, required=True),
            key_set=self.key_set(raw.get("key_set"), where),
        )

    def link(self, data: object, where: str) -> Link:
        raw = self.mapping(data, where, {"label", "url"})
        url = self.text(raw, "url", where, required=True)
        if not url.startswith("https://"):
            raise self.fail(f"{where}: links must be https:// addresses")
        return Link(label=self.text(raw, "label", where, required=True), url=url)

    def checklist_item(self, data: object, where: str) -> ChecklistItem:
        raw = self.mapping(data, where, {"id", "label", "detail", "values", "links"})
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", item_id):
            raise self.fail(f"{where} needs an 'id' of lower-case letters, digits and '-'")
        here = f"checklist item '{item_id}'"
        return ChecklistItem(
            id=item_id,
            label=self.text(raw, "label", here, required=True),
            detail=self.text(raw, "detail", here),
            values=tuple(
                self.copy_value(v, f"{here}, value {n}")
                for n, v in enumerate(self.items(raw, "values", here), 1)
            ),
            links=tuple(
                self.link(v, f"{here}, link {n}")
                for n, v in enumerate(self.items(raw, "links", here), 1)
            ),
        )

    def callout(self, data: object, where: str) -> Callout:
        raw = self.mapping(data, where, {"kind", "title", "body"})
        kind = raw.get("kind", "note")
        if kind not in ("warning", "note"):
            raise self.fail(f"{where}: kind should be 'warning' or 'note'")
        return Callout(
            kind=kind,
            title=self.text(raw, "title", where, required=True),
            body=self.text(raw, "body", where, required=True),
        )

    def choice(self, data: object) -> Choice:
        raw = self.mapping(data, "choice", {"prompt", "setting", "options"})
        if raw.get("setting") != "key_set":
            raise self.fail("choice: the only setting a step can choose is 'key_set'")
        options: list[ChoiceOption] = []
        for n, option in enumerate(self.items(raw, "options", "choice"), 1):
            where = f"choice option {n}"
            fields = self.mapping(option, where, {"id", "label", "body"})
            option_id = self.key_set(fields.get("id"), where)
            assert option_id is not None
            options.append(
                ChoiceOption(
                    id=option_id,
                    label=self.text(fields, "label", where, required=True),
                    body=self.text(fields, "body", where, required=True),
                )
            )
        return Choice(
            prompt=self.text(raw, "prompt", "choice", required=True),
            setting="key_set",
            options=tuple(options),
        )

    def texts(self, data: object) -> dict[str, str]:
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise self.fail("'texts' should name each sentence: `name: text`")
        return {name: self.fill(value) for name, value in data.items()}

    def step(self, step_id: str, data: dict[str, Any]) -> StepContent:
        allowed = {
            "summary",
            "intro",
            "callouts",
            "choice",
            "checklist",
            "only_for_key_set",
            "skip_note",
            "texts",
        }
        raw = self.mapping(data, "the file", allowed)
        checklist = tuple(
            self.checklist_item(item, f"checklist item {n}")
            for n, item in enumerate(self.items(raw, "checklist", "the file"), 1)
        )
        ids = [item.id for item in checklist]
        if len(set(ids)) != len(ids):
            raise self.fail("two checklist items share an id")
        return StepContent(
            step_id=step_id,
            summary=self.text(raw, "summary", "the file", required=True),
            intro=self.text(raw, "intro", "the file"),
            callouts=tuple(
                self.callout(c, f"callout {n}")
                for n, c in enumerate(self.items(raw, "callouts", "the file"), 1)
            ),
            choice=self.choice(raw["choice"]) if "choice" in raw else None,
            checklist=checklist,
            only_for_key_set=self.key_set(raw.get("only_for_key_set"), "only_for_key_set"),
            skip_note=self.text(raw, "skip_note", "the file"),
            texts=self.texts(raw.get("texts", {})),
        )


STEPS_DIR = CONTENT_DIR / "steps"


@cache
def _load(step_id: str, extra_values: tuple[tuple[str, str], ...]) -> StepContent:
    if step_id not in STEP_IDS:
        raise KeyError(step_id)
    path = STEPS_DIR / f"{step_id}.yaml"
    reader = _Reader(path, {**TEMPLATE_VALUES, **dict(extra_values)})
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise reader.fail(f"it could not be read ({exc.strerror})") from None
    data = preparsed(path, text)  # the shipped copy, parsed ahead (see `parsed_content`)
    return reader.step(step_id, parse_yaml_mapping(text, path) if data is None else data)


def load_step_content(step_id: str, values: Mapping[str, str] | None = None) -> StepContent:
    """The copy of one step, with `{{placeholders}}` filled in.

    Args:
        step_id: One of the nine step ids.
        values: Extra placeholder values (they override `TEMPLATE_VALUES`).

    Returns:
        The step's content; the same object for the same arguments (it is cached).

    Raises:
        ConfigFileError: The file is missing, is not valid YAML or does not follow the format.
    """
    return _load(step_id, tuple(sorted((values or {}).items())))
