"""Integration profiles: which lines an integration sends to QuickBooks Online.

A profile is a small YAML file. The wizard ships some under `qbo_wizard/content/integrations/`
and a user can point at their own. Each line has a stable id (saved mappings refer to it), a
label, a kind (`invoice` lines post through a QuickBooks Item, `bill` lines post to an account),
a short description and name hints used to suggest a likely Item or account.

An integration that runs on the vendor's servers (a hosted TMS, PSA or SaaS) names them under
`hosted:` with the age public key its sealed hand-offs go to (`qbo-wizard handoff`). A key marked
`practice: true` opens with a key that ships with qbo-wizard, so it only ever receives connections
to the practice QuickBooks (demo mode).

A file that cannot be used raises `ConfigFileError` naming the file, the line and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qbo_wizard.core.line_kinds import LINE_KINDS, LineKind, line_kind
from qbo_wizard.core.paths import CONTENT_DIR
from qbo_wizard.core.problems import ConfigFileError
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.yaml_fields import FieldLocator, FieldPath
from qbo_wizard.core.yaml_reader import YamlDocument, read_yaml_file

BUILTIN_DIR = CONTENT_DIR / "integrations"

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_TOP_FIELDS = {"id", "name", "description", "lines", "hosted"}
_LINE_FIELDS = {"id", "label", "kind", "description", "hints"}
_HOSTED_FIELDS = {"vendor", "contact", "recipient", "practice"}
# An age X25519 public key: "age1" and 58 characters of bech32 (checked fully when sealing).
AGE_RECIPIENT = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")
_LABEL_MAX = 80
_DESCRIPTION_MAX = 300


@dataclass(frozen=True)
class IntegrationLine:
    """One line the integration sends: invoice lines go to an Item, bill lines to an account."""

    id: str
    label: str
    kind: LineKind
    description: str
    hints: tuple[str, ...] = ()

    @property
    def target_noun(self) -> str:
        """What this line maps to, in words: 'item' or 'account'."""
        return line_kind(self.kind).target_noun


@dataclass(frozen=True)
class HostedVendor:
    """Who runs a hosted integration, and the age public key(s) hand-offs are sealed to."""

    vendor: str
    contact: str
    recipients: tuple[str, ...]
    practice: bool = False
    """The key opens with the practice identity shipped with qbo-wizard (demo mode only)."""


@dataclass(frozen=True)
class Integration:
    """A named set of lines, loaded from a built-in or a user-supplied profile file."""

    id: str
    name: str
    description: str
    lines: tuple[IntegrationLine, ...]
    source: Path
    builtin: bool
    hosted: HostedVendor | None = None
    """Set when the integration runs on its vendor's servers and takes a sealed hand-off."""

    def line(self, line_id: str) -> IntegrationLine:
        """The line with this id; KeyError if the profile has none."""
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)

    def lines_of_kind(self, kind: LineKind) -> tuple[IntegrationLine, ...]:
        """The invoice lines or the bill lines, in file order."""
        return tuple(line for line in self.lines if line.kind == kind)

    @property
    def reference(self) -> str:
        """How a saved mapping names this profile: the built-in id, or the file's path."""
        return self.id if self.builtin else str(self.source)


# The profile setting that remembers which integration step 7 maps (before a mapping is saved).
PROFILE_SETTING = "integration"


def chosen_integration(profile: Profile) -> str | None:
    """The integration chosen for this profile: a built-in id or a file's path (None if none)."""
    value = profile.extra.get(PROFILE_SETTING)
    return value if isinstance(value, str) and value.strip() else None


def choose_integration(profile: Profile, reference: str) -> None:
    """Remember the integration for this profile (saving the profile is the caller's job)."""
    profile.extra[PROFILE_SETTING] = reference


def builtin_integration_ids() -> list[str]:
    """The ids of the profiles shipped with the wizard, sorted."""
    return sorted(path.stem for path in BUILTIN_DIR.glob("*.yaml"))


def builtin_integrations() -> list[Integration]:
    """Every shipped profile, sorted by id."""
    return [load_integration_file(BUILTIN_DIR / f"{i}.yaml") for i in builtin_integration_ids()]


def load_integration(reference: str | Path) -> Integration:
    """A profile by built-in id (`freight-brokerage`) or by the path of a user's own file."""
    text = str(reference)
    if isinstance(reference, str) and text in builtin_integration_ids():
        return load_integration_file(BUILTIN_DIR / f"{text}.yaml")
    path = Path(text).expanduser()
    if not path.exists():
        shipped = ", ".join(builtin_integration_ids())
        raise ConfigFileError(
            path,
            f"there is no such file, and it is not one of the built-in integrations ({shipped})",
        )
    return load_integration_file(path)


def load_integration_file(path: Path) -> Integration:
    """Read and check one profile file; errors name the file, the line and the field."""
    document = read_yaml_file(path)
    if document is None:
        raise ConfigFileError(path, "there is no such file")
    checker = _Checker(document)
    return checker.integration(document.data, builtin=path.resolve().parent == BUILTIN_DIR)


class _Checker:
    """Turns parsed YAML into an Integration, naming the field and line of anything wrong."""

    def __init__(self, document: YamlDocument) -> None:
        self.path = document.path
        self.locator = FieldLocator(document)

    def fail(self, path: FieldPath, problem: str, key_node: bool = False) -> ConfigFileError:
        return self.locator.error(path, problem, key_node)

    def _text(
        self, data: dict[str, Any], path: FieldPath, limit: int, required: bool = True
    ) -> str:
        key = path[-1]
        if key not in data or data[key] is None:
            if required:
                raise self.fail(path, "is missing")
            return ""
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "should be a piece of text")
        value = " ".join(value.split())
        if len(value) > limit:
            raise self.fail(path, f"is longer than {limit} characters")
        return value

    def _slug(self, data: dict[str, Any], path: FieldPath) -> str:
        value = data.get(str(path[-1]))
        if value is None:
            raise self.fail(path, "is missing")
        if not isinstance(value, str) or not _SLUG.match(value):
            raise self.fail(
                path,
                "should be an id of lower-case letters, digits and '-', like 'fuel-surcharge'",
            )
        return value

    def integration(self, data: dict[str, Any], builtin: bool) -> Integration:
        self.locator.refuse_unknown(data, _TOP_FIELDS, ())
        ident = self._slug(data, ("id",))
        name = self._text(data, ("name",), _LABEL_MAX)
        description = self._text(data, ("description",), _DESCRIPTION_MAX, required=False)
        raw_lines = data.get("lines")
        if not isinstance(raw_lines, list) or not raw_lines:
            raise self.fail(("lines",), "should be a list with at least one line")
        lines: list[IntegrationLine] = []
        seen: set[str] = set()
        for index, raw in enumerate(raw_lines):
            line = self.line(raw, ("lines", index))
            if line.id in seen:
                raise self.fail(("lines", index, "id"), f"repeats the id '{line.id}'")
            seen.add(line.id)
            lines.append(line)
        hosted = self.hosted(data["hosted"]) if data.get("hosted") is not None else None
        return Integration(ident, name, description, tuple(lines), self.path, builtin, hosted)

    def hosted(self, raw: object) -> HostedVendor:
        path: FieldPath = ("hosted",)
        if not isinstance(raw, dict):
            raise self.fail(path, "should name the vendor, its support contact and its age key")
        self.locator.refuse_unknown(raw, _HOSTED_FIELDS, path)
        vendor = self._text(raw, (*path, "vendor"), _LABEL_MAX)
        contact = self._text(raw, (*path, "contact"), _LABEL_MAX, required=False)
        keys = raw.get("recipient")
        keys = [keys] if isinstance(keys, str) else keys
        if not isinstance(keys, list) or not keys:
            raise self.fail((*path, "recipient"), "is missing: the vendor's age public key (age1…)")
        for index, key in enumerate(keys):
            if not isinstance(key, str) or not AGE_RECIPIENT.match(key.strip()):
                where = (*path, "recipient") if len(keys) == 1 else (*path, "recipient", index)
                raise self.fail(
                    where,
                    "should be an age public key: 'age1' followed by 58 letters and digits, "
                    "as the vendor's `age-keygen` printed it",
                )
        practice = raw.get("practice", False)
        if not isinstance(practice, bool):
            raise self.fail((*path, "practice"), "should be true or false")
        return HostedVendor(vendor, contact, tuple(k.strip() for k in keys), practice)

    def line(self, raw: object, path: FieldPath) -> IntegrationLine:
        if not isinstance(raw, dict):
            raise self.fail(path, "should be a line with id, label, kind, description and hints")
        self.locator.refuse_unknown(raw, _LINE_FIELDS, path)
        ident = self._slug(raw, (*path, "id"))
        label = self._text(raw, (*path, "label"), _LABEL_MAX)
        kind = raw.get("kind")
        if kind not in LINE_KINDS:
            raise self.fail(
                (*path, "kind"),
                "should be 'invoice' (posts through an Item) or 'bill' (posts to an account)",
            )
        description = self._text(raw, (*path, "description"), _DESCRIPTION_MAX)
        hints = raw.get("hints", [])
        if hints is None:
            hints = []
        if not isinstance(hints, list) or not all(
            isinstance(hint, str) and hint.strip() for hint in hints
        ):
            raise self.fail((*path, "hints"), "should be a list of names, like [Freight Income]")
        return IntegrationLine(
            ident, label, kind, description, tuple(" ".join(h.split()) for h in hints)
        )
