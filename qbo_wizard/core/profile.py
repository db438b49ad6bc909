"""A profile's non-secret settings, kept in `profile.yaml` in the profile's folder.

Secrets never go here (they live in the keyring, see `vault`); the client ID appears only as a
masked hint. Unknown keys in the file are kept when it is saved again, so a newer wizard's
settings survive an older one.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from qbo_wizard.core.files import StagedFile, stage_text, write_yaml_mapping, yaml_text
from qbo_wizard.core.paths import profile_dir, validate_profile_name
from qbo_wizard.core.problems import ConfigFileError
from qbo_wizard.core.steps import STEP_IDS

if TYPE_CHECKING:
    from qbo_wizard.core.yaml_fields import FieldPath
    from qbo_wizard.core.yaml_reader import YamlDocument

PROFILE_FILE = "profile.yaml"
MAPPING_FILE = "mapping.yaml"

Environment = Literal["sandbox", "production", "simulator"]
KeySet = Literal["development", "production"]
StepState = Literal["not-started", "done", "needs-attention"]

ENVIRONMENTS: tuple[str, ...] = ("sandbox", "production", "simulator")
KEY_SETS: tuple[str, ...] = ("development", "production")
STEP_STATES: tuple[str, ...] = ("not-started", "done", "needs-attention")

_HEADER = (
    "qbo-wizard profile: non-secret settings only (secrets are in the OS keyring).\n"
    "Edited by the wizard; safe to read, careful when editing by hand."
)


def mask_hint(value: str) -> str:
    """A recognisable but useless hint of an identifier: `ABcd…wxYZ` (or `…` when short)."""
    value = value.strip()
    if len(value) < 12:
        return "…"
    return f"{value[:4]}…{value[-4:]}"


@dataclass
class Profile:
    """Everything the wizard remembers about one setup, except secrets."""

    name: str
    environment: Environment = "sandbox"
    key_set: KeySet = "development"
    simulator_url: str | None = None
    client_id_hint: str | None = None
    realm_id: str | None = None
    company_name: str | None = None
    country: str | None = None
    connected_at: str | None = None
    access_token_expires_at: str | None = None
    refresh_token_expires_at: str | None = None
    refresh_token_hard_expires_at: str | None = None
    current_step: str = "overview"
    connect_method: str | None = None
    step_states: dict[str, str] = field(default_factory=dict)
    checklists: dict[str, list[str]] = field(default_factory=dict)
    last_test: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        """The profile's folder (created on first save)."""
        return profile_dir(self.name)

    @property
    def path(self) -> Path:
        """The profile's settings file."""
        return self.folder / PROFILE_FILE

    def step_state(self, step_id: str) -> str:
        """`done`, `needs-attention` or `not-started` for one step."""
        return self.step_states.get(step_id, "not-started")

    def to_yaml_data(self) -> dict[str, Any]:
        """The mapping written to profile.yaml (unknown keys from the file come back too)."""
        data = asdict(self)
        data.pop("name")
        extra = data.pop("extra")
        return {**extra, **data}


_KNOWN = {f.name for f in fields(Profile)} - {"name", "extra"}


_TEXT_SETTINGS = _KNOWN - {"step_states", "checklists", "last_test", "environment", "key_set"}


class _Checker:
    """Checks the values of profile.yaml without trusting their types; refusals name the line."""

    def __init__(self, document: YamlDocument) -> None:
        # The YAML modules are imported when a profile is first read: a new profile (the
        # demo's) needs none of them before the first screen.
        from qbo_wizard.core.yaml_fields import FieldLocator, key_text
        from qbo_wizard.core.yaml_reader import quote

        self.locator = FieldLocator(document)
        self.quote = quote
        self.key_text = key_text

    def bad(self, key: FieldPath, expected: str, value: object) -> ConfigFileError:
        return self.locator.error(key, f"should be {expected}, not {self.quote(value)}")

    def names(self, key: str, value: object, what: str) -> dict[str, Any]:
        """A set of named values whose names are text (YAML reads `12:` as a number)."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.bad((key,), what, value)
        return {self.key_text(name): inner for name, inner in value.items()}

    def check(self, data: dict[str, Any]) -> None:
        """Refuse values that would make the wizard misbehave; tidy the harmless ones."""
        for key, allowed in (("environment", ENVIRONMENTS), ("key_set", KEY_SETS)):
            value = data.get(key)
            if key in data and (not isinstance(value, str) or value not in allowed):
                raise self.bad((key,), "one of " + ", ".join(allowed), value)
        for key in _TEXT_SETTINGS:
            value = data.get(key)
            if value is None or isinstance(value, str):
                continue
            if isinstance(value, (dict, list, set, bytes)):
                raise self.bad((key,), "a single value", value)
            # Realm IDs and dates written by hand may be read as numbers or dates.
            data[key] = value.isoformat() if isinstance(value, datetime.date) else str(value)
        step = data.get("current_step")
        if "current_step" in data and step not in STEP_IDS:
            raise self.bad(("current_step",), "one of the step ids: " + ", ".join(STEP_IDS), step)
        states = self.names("step_states", data.get("step_states"), "a list of step: state")
        for step, state in states.items():
            if not isinstance(state, str) or state not in STEP_STATES:
                raise self.locator.error(
                    ("step_states",),
                    f"should give each step one of {', '.join(STEP_STATES)}; "
                    f"{self.quote(step)} has {self.quote(state)}",
                    at=("step_states", step),
                )
        data["step_states"] = states
        checklists = self.names(
            "checklists", data.get("checklists"), "step ids with a list of ticked items"
        )
        for step, items in checklists.items():
            if items is None:
                items = []
            if not isinstance(items, list) or any(
                isinstance(item, (dict, list)) or item is None for item in items
            ):
                raise self.bad(("checklists", step), "a list of ticked item ids", items)
            checklists[step] = [self.key_text(item) for item in items]
        data["checklists"] = checklists
        data["last_test"] = self.names("last_test", data.get("last_test"), "a set of named values")


def load_profile(name: str) -> Profile:
    """The saved profile, or a fresh one (not yet saved) if it has no file.

    A damaged file is a `ConfigFileError` naming the file, the line and the setting; it is
    never overwritten.
    """
    validate_profile_name(name)
    from qbo_wizard.core.yaml_reader import read_yaml_file

    path = profile_dir(name) / PROFILE_FILE
    document = read_yaml_file(path)
    if document is None:
        return Profile(name=name)
    data = dict(document.data)
    _Checker(document).check(data)
    known = {k: v for k, v in data.items() if k in _KNOWN}
    extra = {k: v for k, v in data.items() if k not in _KNOWN}
    return Profile(name=name, extra=extra, **known)


def profile_exists(name: str) -> bool:
    """True if the profile has been saved at least once."""
    return (profile_dir(name) / PROFILE_FILE).exists()


def save_profile(profile: Profile) -> None:
    """Write profile.yaml atomically (0600)."""
    write_yaml_mapping(profile.path, profile.to_yaml_data(), header=_HEADER)


def stage_profile(profile: Profile) -> StagedFile:
    """profile.yaml's new content, on disk beside it but not yet in place (see `StagedFile`).

    Callers that also write the keyring stage first: a full disk or a read-only folder then
    stops them before the keyring is touched, and the rename that follows cannot run out of
    space.
    """
    return stage_text(profile.path, yaml_text(profile.to_yaml_data(), header=_HEADER))
