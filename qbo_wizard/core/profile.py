"""A profile's non-secret settings, kept in `profile.yaml` in the profile's folder.

Secrets never go here (they live in the keyring, see `vault`); the client ID appears only as a
masked hint. Unknown keys in the file are kept when it is saved again, so a newer wizard's
settings survive an older one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from qbo_wizard.core.files import (
    ConfigFileError,
    StagedFile,
    read_yaml_mapping,
    stage_text,
    write_yaml_mapping,
    yaml_text,
)
from qbo_wizard.core.paths import profile_dir, validate_profile_name
from qbo_wizard.core.steps import STEP_IDS

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


def _check(path: Path, data: dict[str, Any]) -> None:
    """Refuse values that would make the wizard misbehave, naming the setting."""

    def bad(key: str, expected: str) -> ConfigFileError:
        return ConfigFileError(path, f"the setting '{key}' should be {expected}")

    for key in ("environment", "key_set"):
        allowed = ENVIRONMENTS if key == "environment" else KEY_SETS
        if key in data and data[key] not in allowed:
            raise bad(key, "one of " + ", ".join(allowed))
    for key in _KNOWN - {"step_states", "checklists", "last_test", "environment", "key_set"}:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            data[key] = str(value)  # realm IDs and dates written by hand may be read as numbers
    if "current_step" in data and data["current_step"] not in STEP_IDS:
        raise bad("current_step", "one of the step ids: " + ", ".join(STEP_IDS))
    states = data.get("step_states", {})
    if not isinstance(states, dict) or any(v not in STEP_STATES for v in states.values()):
        raise bad("step_states", "a list of step: " + "|".join(STEP_STATES))
    checklists = data.get("checklists", {})
    if not isinstance(checklists, dict) or any(
        not isinstance(v, list) for v in checklists.values()
    ):
        raise bad("checklists", "step ids with a list of ticked items")
    if not isinstance(data.get("last_test", {}), dict):
        raise bad("last_test", "a set of named values")


def load_profile(name: str) -> Profile:
    """The saved profile, or a fresh one (not yet saved) if it has no file."""
    validate_profile_name(name)
    path = profile_dir(name) / PROFILE_FILE
    data = read_yaml_mapping(path)
    if data is None:
        return Profile(name=name)
    _check(path, data)
    known = {k: v for k, v in data.items() if k in _KNOWN}
    extra = {k: v for k, v in data.items() if k not in _KNOWN}
    for key in ("step_states", "checklists", "last_test"):
        if known.get(key) is None:
            known.pop(key, None)
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
